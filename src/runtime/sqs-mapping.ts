/**
 * The SQS event source mapping (lambda-model.md §3, §5, §7): pollers receive batches from a queue and invoke a
 * function synchronously with each one. A layer on the simulator's public API (`at`, `arrive` with `onResult`,
 * `now`); the queue is driven with explicit virtual times.
 *
 * Documented (§7): 5 concurrent batches at first, up to 300 more per minute, at most 1,000 (or MaximumConcurrency);
 * back to 5 at low traffic and possibly down to 2, but not with MaximumConcurrency set; provisioned mode holds between
 * its minimum and maximum pollers and cannot be combined with MaximumConcurrency; FIFO queues run at most one batch
 * per message group at a time (SQS hides a group while one of its messages is in flight); when the batching window
 * plus the function timeout exceed the queue's visibility timeout, received messages stay hidden for window +
 * timeout + 30 s instead.
 *
 * SIMPLIFICATIONS (§7 modelling decisions, settings in `model.sqsMapping`, sqs-mapping-model.ts): one poller runs one
 * batch at a time; scaling in steps of 5 per second; back to 5 after 60 s with an empty queue and down to 2 after
 * 5 min; one poller fewer per failed batch; throttled invokes retried at 1 s, 2 s, 4 s … until the visibility timeout
 * ends; provisioned mode scaling at 5 pollers per second; a queue visibility timeout shorter than the function timeout
 * refused when the mapping is created.
 */
import { z } from "zod";
import { MiB } from "./config.ts";
import { longestChain, RECURSION_ERROR } from "./recursion.ts";
import { formatMs } from "./format.ts";
import { utf8Length } from "./payload.ts";
import type { SqsMappingModel } from "./sqs-mapping-model.ts";
import type { Simulation, SyncResult } from "./simulation.ts";
import type { JsonText } from "./types.ts";
import type { MessageView, Queue } from "../services/queue.ts";

export const SqsMappingConfigSchema = z
  .object({
    /** The queue the mapping polls. */
    queue: z.string().min(1),
    /** Records per invoke: 10 by default; standard queues up to 10,000, FIFO up to 10 (§7). */
    batchSize: z.number().int().min(1).max(10_000).default(10),
    /** Batching window in ms: 0 – 300 s; batch sizes over 10 need at least 1 s (§7). */
    batchingWindowMs: z.number().int().min(0).max(300_000).default(0),
    /** `ScalingConfig.MaximumConcurrency`: 2 – 1,000, or null for unset (§7). */
    maximumConcurrency: z.number().int().min(2).max(1_000).nullable().default(null),
    /**
     * Provisioned mode (`ProvisionedPollerConfig`): dedicated pollers between a minimum and a maximum, or null (§7).
     * The ranges for SQS (minimum 2 – 200, default 2; maximum 2 – 10,000, default 200) are from the Lambda API reference.
     */
    provisionedPollers: z
      .object({
        minimum: z.number().int().min(2).max(200).default(2),
        maximum: z.number().int().min(2).max(10_000).default(200),
      })
      .strict()
      .refine((p) => p.minimum <= p.maximum, { path: ["minimum"], message: "the minimum pollers cannot exceed the maximum pollers" })
      .nullable()
      .default(null),
    /** `FunctionResponseTypes: ["ReportBatchItemFailures"]`: the handler reports failed messages one by one (§7). */
    reportBatchItemFailures: z.boolean().default(false),
  })
  .strict()
  .superRefine((m, ctx) => {
    if (m.provisionedPollers !== null && m.maximumConcurrency !== null) {
      ctx.addIssue({
        code: "custom",
        path: ["provisionedPollers"],
        message: "provisioned mode (provisionedPollers) cannot be combined with maximumConcurrency: set one of them, not both",
      });
    }
  });
export type SqsMappingConfig = z.infer<typeof SqsMappingConfigSchema>;
export type SqsMappingConfigInput = z.input<typeof SqsMappingConfigSchema>;

/** Fixed facts of the mapping (lambda-model.md §5, §7); the undocumented parts are in `model.sqsMapping`. */
export const SQS_MAPPING = {
  /** The batch (records plus their metadata) must fit a synchronous invoke: 6 MB (§5). */
  batchLimitBytes: 6 * MiB,
  /** Concurrent batches at first and again at low traffic, and the most a mapping runs (§7). */
  basePollers: 5,
  maxPollers: 1_000,
  /** Added to batching window + function timeout when they exceed the visibility timeout (§7). */
  extraVisibilityMs: 30_000,
  /** SQS's longest visibility timeout: 12 h (§7). */
  maxVisibilityMs: 43_200_000,
  /** Region and sender id the records carry (fixed values of the simulated account). */
  region: "us-east-1",
  senderId: "AIDASIMULATEDSENDER",
} as const;

/** Refused mapping settings (AWS answers CreateEventSourceMapping with InvalidParameterValueException). */
export class EventSourceMappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EventSourceMappingError";
  }
}

/** Host-side options of a mapping (not part of its AWS configuration). */
export interface SqsMappingOptions {
  /**
   * Keep a record of every batch and the poller and queue histories (default true). Long workloads turn it off and
   * read `counts`: the mapping then holds no state per batch beyond the batches running.
   */
  recordBatches?: boolean;
}

/** One batch the mapping handed to the function, for graders and the timeline. */
export interface BatchRecord {
  /** Number of the batch, from 0. */
  seq: number;
  /** When the first message of the batch was received (the batching window opened). */
  receivedAt: number;
  messageIds: string[];
  /** `ApproximateReceiveCount` of each message in this batch. */
  receiveCounts: number[];
  /** UTF-8 bytes of the event (records and their metadata). */
  bytes: number;
  /** Trace seq of every invoke of this batch (throttled ones included). */
  invocations: number[];
  outcome: "running" | "success" | "partial" | "failed" | "throttled" | "stopped";
  /** Message ids left in the queue: reported as failed, or the whole batch. */
  failedIds: string[];
  /** Why the batch did not fully succeed, in words. */
  reason: string | null;
  /** FIFO with a partial response: a later message of a group was deleted after an earlier one failed (order broken). */
  orderBroken: boolean;
}

/** Running totals of a mapping, kept whether or not batches are recorded. */
export interface MappingCounts {
  batches: number;
  messages: number;
  success: number;
  partial: number;
  failed: number;
  throttled: number;
  stopped: number;
  /** Invokes Lambda refused with 429 (each retry of a throttled batch counts). */
  throttledInvokes: number;
  /** Most pollers the mapping had at once. */
  peakPollers: number;
}

/** The queue behind a mapping at one instant (CloudWatch's visible, in-flight and oldest-age metrics, §7). */
export interface QueueSample {
  t: number;
  visible: number;
  inFlight: number;
  oldestAgeMs: number;
}

interface Batch {
  record: BatchRecord;
  messages: MessageView[];
  texts: string[];
  bytes: number;
  /** No more records fit: the batch size is reached or the next record would pass 6 MB. */
  full: boolean;
  payload: string;
  /** When the first message becomes visible again: throttle retries stop there. */
  visibleAt: number;
  throttles: number;
}

const EMPTY_EVENT_BYTES = utf8Length('{"Records":[]}');

export class SqsEventSourceMapping {
  readonly config: SqsMappingConfig;
  readonly functionName: string;
  /** Every batch, in order (empty when `recordBatches` is off). */
  readonly batches: BatchRecord[] = [];
  /** Poller count after each change, for charts (empty when `recordBatches` is off). */
  readonly pollerHistory: Array<{ t: number; pollers: number }> = [];
  /** The queue as the pollers saw it each time they looked: depth and age of the oldest message, for charts. */
  readonly queueHistory: QueueSample[] = [];
  readonly counts: MappingCounts = { batches: 0, messages: 0, success: 0, partial: 0, failed: 0, throttled: 0, stopped: 0, throttledInvokes: 0, peakPollers: 0 };
  /** How long a received message stays hidden: the queue's visibility timeout, or window + timeout + 30 s (§7). */
  readonly visibilityTimeoutMs: number;
  /** What AWS advises against in these settings, and what Lambda does about it, in words (§6, §7). */
  readonly advice: readonly string[];
  private readonly sim: Simulation;
  private readonly queue: Queue;
  private readonly model: SqsMappingModel;
  private readonly recordBatches: boolean;
  private stopped = false;
  /** How long a batch that is not full may gather records: the window, or the low-traffic wait when longer. */
  private readonly holdMs: number;
  private pollers: number;
  private busy = 0;
  /** The batch gathering records during its window (at most one: it takes every message it can receive). */
  private open: Batch | null = null;
  private wakePending = false;
  private wakeAt: number | null = null;
  private tickArmed = false;
  private emptySince: number | null = null;

  constructor(sim: Simulation, queue: Queue, functionName: string, config: SqsMappingConfigInput, options: SqsMappingOptions = {}) {
    this.sim = sim;
    this.queue = queue;
    this.functionName = functionName;
    this.config = SqsMappingConfigSchema.parse(config);
    this.model = sim.model.sqsMapping;
    this.recordBatches = options.recordBatches ?? true;
    const window = this.config.batchingWindowMs;
    this.holdMs = window > 0 ? Math.max(window, this.model.lowTrafficWaitMs) : 0;
    const fn = sim.functionConfig(functionName);
    const q = { name: queue.name, visibilityTimeoutMs: queue.config.visibilityTimeoutMs };
    const problem = mappingConfigError(this.config, q, fn);
    if (problem) throw new EventSourceMappingError(problem);
    this.visibilityTimeoutMs = effectiveVisibilityTimeout(this.holdMs, fn.timeoutMs, q.visibilityTimeoutMs).ms;
    this.advice = mappingAdvice(this.config, { ...q, deadLetterQueue: queue.config.redrive?.deadLetterQueue ?? null }, fn, this.holdMs);
    sim.simplificationsUsed.add("sqs-event-source-mapping");
    this.pollers = this.base();
    this.counts.peakPollers = this.pollers;
    if (this.recordBatches) this.pollerHistory.push({ t: sim.now, pollers: this.pollers });
    const delay = this.model.pollDelayMs;
    queue.listeners.push(delay > 0 ? () => this.sim.at(this.sim.now + delay, () => this.wake()) : () => this.wake());
    this.wake();
  }

  /** Pollers now (concurrent batches the mapping may run). */
  get currentPollers(): number {
    return this.pollers;
  }

  /** The most pollers: the provisioned maximum, else min(1,000, MaximumConcurrency). */
  private cap(): number {
    const p = this.config.provisionedPollers;
    if (p) return p.maximum;
    return Math.min(SQS_MAPPING.maxPollers, this.config.maximumConcurrency ?? SQS_MAPPING.maxPollers);
  }

  /** Where the mapping starts and returns after 60 s without messages: the provisioned minimum, else 5 (or the cap). */
  private base(): number {
    const p = this.config.provisionedPollers;
    return p ? p.minimum : Math.min(SQS_MAPPING.basePollers, this.cap());
  }

  /** The fewest pollers at low traffic: 2 (a setting), but never below the base with MaximumConcurrency or provisioned mode. */
  private lowest(): number {
    if (this.config.provisionedPollers || this.config.maximumConcurrency !== null) return this.base();
    return Math.min(this.model.lowTrafficPollers, this.base());
  }

  private setPollers(n: number): void {
    if (n === this.pollers) return;
    this.pollers = n;
    if (n > this.counts.peakPollers) this.counts.peakPollers = n;
    if (this.recordBatches) this.pollerHistory.push({ t: this.sim.now, pollers: n });
  }

  /** Runs the pollers at the current instant (once, however many messages arrived in it). */
  private wake(): void {
    if (this.wakePending) return;
    this.wakePending = true;
    this.sim.at(this.sim.now, () => {
      this.wakePending = false;
      this.pump();
    });
  }

  /** Takes no more batches (the running and gathering ones finish): the end of a simulated window. */
  stop(): void {
    this.stopped = true;
  }

  private pump(): void {
    if (this.stopped) return;
    const now = this.sim.now;
    const q = this.queue;
    const open = this.open;
    if (open) {
      // Messages that arrived during the window join the batch (§7: until the window ends, the batch is full or 6 MB).
      this.fill(open, now);
      if (open.full) this.dispatch(open);
    }
    while (this.busy < this.pollers && this.open === null && q.visibleCount(now) > 0) {
      const batch = this.newBatch(now);
      this.fill(batch, now);
      if (batch.messages.length === 0) break; // FIFO: every visible message belongs to a group in flight
      this.busy++;
      if (this.holdMs === 0 || batch.full) {
        this.dispatch(batch);
        continue;
      }
      this.open = batch;
      this.sim.at(now + this.holdMs, () => {
        if (this.open === batch) this.dispatch(batch);
        this.pump();
      });
    }
    if (this.recordBatches) this.sample(now);
    if (q.size(now) === 0) this.noteEmpty(now);
    else this.emptySince = null;
    if (this.busy >= this.pollers && q.visibleCount(now) > 0) this.armTick();
    const next = q.nextVisibleAt(now);
    if (next !== null && next !== this.wakeAt) {
      this.wakeAt = next;
      this.sim.at(next, () => {
        if (this.wakeAt === next) this.wakeAt = null;
        this.pump();
      });
    }
  }

  private sample(now: number): void {
    const q = this.queue;
    const visible = q.visibleCount(now);
    const point: QueueSample = { t: now, visible, inFlight: q.size(now) - visible, oldestAgeMs: q.oldestAgeMs(now) };
    const last = this.queueHistory[this.queueHistory.length - 1];
    if (last && last.t === now) this.queueHistory[this.queueHistory.length - 1] = point;
    else if (!last || last.visible !== point.visible || last.inFlight !== point.inFlight || point.visible + point.inFlight > 0) this.queueHistory.push(point);
  }

  private newBatch(now: number): Batch {
    const record: BatchRecord = {
      seq: this.counts.batches,
      receivedAt: now,
      messageIds: [],
      receiveCounts: [],
      bytes: EMPTY_EVENT_BYTES,
      invocations: [],
      outcome: "running",
      failedIds: [],
      reason: null,
      orderBroken: false,
    };
    return { record, messages: [], texts: [], bytes: EMPTY_EVENT_BYTES, full: false, payload: "", visibleAt: Infinity, throttles: 0 };
  }

  /**
   * Receives what fits into the batch: up to the batch size, and records plus their metadata within 6 MB (§5). Each
   * message stays hidden for the mapping's visibility timeout from its own receive.
   */
  private fill(batch: Batch, now: number): void {
    const room = this.config.batchSize - batch.messages.length;
    if (room <= 0) {
      batch.full = true;
      return;
    }
    const got = this.queue.receive(now, room, {
      visibilityTimeoutMs: this.visibilityTimeoutMs,
      accept: (m) => {
        const text = this.recordJson(m);
        const add = utf8Length(text) + (batch.texts.length > 0 ? 1 : 0);
        if (batch.bytes + add > SQS_MAPPING.batchLimitBytes) {
          batch.full = true;
          return false;
        }
        batch.bytes += add;
        batch.texts.push(text);
        return true;
      },
    });
    for (const m of got) {
      batch.messages.push(m);
      batch.record.messageIds.push(m.messageId);
      batch.record.receiveCounts.push(m.receiveCount);
      if (m.visibleAt < batch.visibleAt) batch.visibleAt = m.visibleAt;
    }
    if (batch.messages.length >= this.config.batchSize) batch.full = true;
  }

  private dispatch(batch: Batch): void {
    if (this.open === batch) this.open = null;
    batch.record.bytes = batch.bytes;
    batch.payload = `{"Records":[${batch.texts.join(",")}]}`;
    batch.texts = [];
    this.counts.batches++;
    this.counts.messages += batch.messages.length;
    if (this.recordBatches) this.batches.push(batch.record);
    this.invoke(batch);
  }

  /**
   * An SQS record as Lambda passes it (§7), as JSON text: written directly rather than through an object and
   * JSON.stringify, because every message of a simulated day passes here (the key order is Lambda's, and what
   * workload-code.ts reads: messageId first).
   */
  private recordJson(m: MessageView): JsonText {
    const epoch = this.sim.epochMs;
    let attributes =
      `{"ApproximateReceiveCount":"${m.receiveCount}","SentTimestamp":"${Math.floor(epoch + m.sentAt)}","SenderId":${JSON.stringify(SQS_MAPPING.senderId)},` +
      `"ApproximateFirstReceiveTimestamp":"${Math.floor(epoch + (m.firstReceivedAt ?? m.sentAt))}"`;
    if (m.sequenceNumber !== null) attributes += `,"SequenceNumber":${JSON.stringify(m.sequenceNumber)}`;
    if (m.groupId !== null) attributes += `,"MessageGroupId":${JSON.stringify(m.groupId)}`;
    if (m.deduplicationId !== null) attributes += `,"MessageDeduplicationId":${JSON.stringify(m.deduplicationId)}`;
    let messageAttributes = "";
    for (const [name, value] of Object.entries(m.attributes)) {
      const type = typeof value === "number" ? "Number" : "String";
      messageAttributes += `${messageAttributes === "" ? "" : ","}${JSON.stringify(name)}:{"stringValue":${JSON.stringify(String(value))},"stringListValues":[],"binaryListValues":[],"dataType":"${type}"}`;
    }
    return (
      `{"messageId":${JSON.stringify(m.messageId)},"receiptHandle":${JSON.stringify(m.receiptHandle)},"body":${JSON.stringify(m.body)},` +
      `"attributes":${attributes}},"messageAttributes":{${messageAttributes}},"eventSource":"aws:sqs",` +
      `"eventSourceARN":${JSON.stringify(this.queue.arn)},"awsRegion":${JSON.stringify(SQS_MAPPING.region)}}`
    );
  }

  private invoke(batch: Batch): void {
    // The batch continues the longest chain its messages were sent in (recursive loop detection, §3).
    const chain = longestChain(batch.messages.map((m) => m.sender.chain));
    this.sim.arrive(this.functionName, "sync", batch.payload, { onResult: (r) => this.settle(batch, r), chain });
  }

  private settle(batch: Batch, result: SyncResult): void {
    const record = batch.record;
    record.invocations.push(result.record.seq);
    const now = this.sim.now;
    if (result.statusCode === 429) {
      // Throttled: retry at 1 s, 2 s, 4 s … while the messages are still hidden; then release them (§3, §7).
      this.counts.throttledInvokes++;
      const delay = this.model.throttleRetryBaseMs * 2 ** batch.throttles;
      batch.throttles++;
      if (now + delay < batch.visibleAt) {
        this.sim.at(now + delay, () => this.invoke(batch));
        return;
      }
      this.finish(batch, "throttled", record.messageIds, `every invoke was throttled until the visibility timeout ended (${batch.throttles} attempts)`);
      this.scaleDown();
      return;
    }
    if (result.record.error?.errorType === RECURSION_ERROR.errorType) {
      // SIMPLIFICATION: a stopped loop's messages go to the queue's dead-letter queue, or are dropped without one.
      const fates = batch.messages.map((m) => this.queue.deadLetter(now, m.receiptHandle!));
      const where = fates.includes("moved") ? `moved to ${this.queue.config.redrive?.deadLetterQueue}` : "dropped (the queue has no dead-letter queue)";
      this.finish(batch, "stopped", record.messageIds, `recursive loop detection stopped the invoke; the messages were ${where}`);
      return;
    }
    if (result.statusCode !== 200 || result.functionError !== null) {
      const why = result.statusCode !== 200 ? `the invoke failed with HTTP ${result.statusCode}` : `the function failed (${errorTypeOf(result.payload)})`;
      this.finish(batch, "failed", record.messageIds, `${why}: every message of the batch becomes visible again ${this.whenVisibleAgain()}, processed or not`);
      // With ReportBatchItemFailures, failures do not scale polling down (§7).
      if (!this.config.reportBatchItemFailures) this.scaleDown();
      return;
    }
    if (!this.config.reportBatchItemFailures) {
      this.deleteAll(batch, new Set());
      this.finish(batch, "success", [], null);
      return;
    }
    const verdict = readBatchResponse(result.payload, new Set(record.messageIds));
    if (verdict.kind === "invalid") {
      this.finish(batch, "failed", record.messageIds, `${verdict.why}, so Lambda counts the whole batch as failed`);
      return;
    }
    const failed = new Set(verdict.failed);
    this.deleteAll(batch, failed);
    if (this.queue.fifo && failed.size > 0) record.orderBroken = fifoOrderBroken(batch.messages, failed);
    if (failed.size === 0) this.finish(batch, "success", [], null);
    else this.finish(batch, "partial", record.messageIds.filter((id) => failed.has(id)), `the handler reported ${failed.size} of ${record.messageIds.length} messages as failed`);
  }

  /** "when its visibility timeout ends (30 s after it was received)", naming the +30 s rule when it applies (§7). */
  private whenVisibleAgain(): string {
    const vt = formatMs(this.visibilityTimeoutMs);
    if (this.visibilityTimeoutMs === this.queue.config.visibilityTimeoutMs) return `when its visibility timeout ends (${vt} after it was received)`;
    return `${vt} after it was received: batching window + function timeout + 30 s, because window and timeout together exceed the queue's visibility timeout of ${formatMs(this.queue.config.visibilityTimeoutMs)}`;
  }

  private deleteAll(batch: Batch, keep: Set<string>): void {
    const now = this.sim.now;
    for (const m of batch.messages) if (!keep.has(m.messageId)) this.queue.delete(now, m.receiptHandle!);
  }

  private finish(batch: Batch, outcome: Exclude<BatchRecord["outcome"], "running">, failedIds: string[], reason: string | null): void {
    batch.record.outcome = outcome;
    batch.record.failedIds = failedIds;
    batch.record.reason = reason;
    this.counts[outcome]++;
    this.busy--;
    this.wake();
  }

  /** Fewer pollers after a failed or throttled batch, down to the base (§7 modelling decision). */
  private scaleDown(): void {
    const base = this.base();
    if (this.pollers > base) this.setPollers(Math.max(base, this.pollers - this.model.pollersLostPerFailure));
  }

  private armTick(): void {
    if (this.tickArmed) return;
    this.tickArmed = true;
    this.sim.at(this.sim.now + this.model.scaleStepMs, () => {
      this.tickArmed = false;
      // Pollers that came free at this very instant take their next batch first: whether every poller is busy must
      // not depend on the order of events at one instant (work of a whole number of steps would never scale up).
      this.pump();
      const now = this.sim.now;
      const step = this.config.provisionedPollers ? this.model.provisionedPollerStep : this.model.pollerStep;
      if (this.busy >= this.pollers && this.queue.visibleCount(now) > 0) {
        this.setPollers(Math.min(this.cap(), this.pollers + step));
        this.pump();
      }
    });
  }

  /** With an empty queue: back to the base after 60 s, then to the low-traffic floor (both settings, §7). */
  private noteEmpty(now: number): void {
    if (this.emptySince !== null) return;
    const since = now;
    this.emptySince = since;
    const stillEmpty = () => this.emptySince === since && this.queue.size(this.sim.now) === 0;
    const base = this.base();
    if (this.pollers > base) {
      this.sim.at(since + this.model.scaleBackAfterEmptyMs, () => {
        if (stillEmpty() && this.pollers > base) this.setPollers(base);
      });
    }
    const lowest = this.lowest();
    const after = this.model.lowTrafficAfterEmptyMs;
    if (after !== null && this.pollers > lowest) {
      this.sim.at(since + after, () => {
        if (stillEmpty() && this.pollers > lowest) this.setPollers(lowest);
      });
    }
  }
}

/**
 * How long the mapping hides a received message (§7): the queue's visibility timeout, unless the batching window plus
 * the function timeout exceed it; then window + timeout + 30 s (at most SQS's 12 h).
 */
export function effectiveVisibilityTimeout(windowMs: number, functionTimeoutMs: number, queueVisibilityMs: number): { ms: number; extended: boolean } {
  if (windowMs + functionTimeoutMs <= queueVisibilityMs) return { ms: queueVisibilityMs, extended: false };
  return { ms: Math.min(SQS_MAPPING.maxVisibilityMs, windowMs + functionTimeoutMs + SQS_MAPPING.extraVisibilityMs), extended: true };
}

/**
 * What AWS advises against in a mapping's settings and what Lambda does about it (§6, §7), in words: a visibility
 * timeout under 6 × the function timeout + the batching window, the window + timeout + 30 s rule, and a function
 * dead-letter queue or on-failure destination, which SQS-triggered invokes never use.
 */
export function mappingAdvice(
  config: Pick<SqsMappingConfig, "batchingWindowMs">,
  queue: { name: string; visibilityTimeoutMs: number; deadLetterQueue: string | null },
  fn: { name: string; timeoutMs: number; deadLetterQueue?: unknown; async?: { onFailure: unknown } },
  holdMs = config.batchingWindowMs,
): string[] {
  const advice: string[] = [];
  const vt = queue.visibilityTimeoutMs;
  const advised = 6 * fn.timeoutMs + config.batchingWindowMs;
  if (vt < advised) {
    advice.push(
      `AWS advises a visibility timeout of at least 6 × the function timeout + the batching window (${formatMs(advised)} here); ${queue.name} has ${formatMs(vt)}, so a failed or throttled batch has little time left for retries`,
    );
  }
  const effective = effectiveVisibilityTimeout(holdMs, fn.timeoutMs, vt);
  if (effective.extended) {
    advice.push(
      `the batching window (${formatMs(holdMs)}) plus the timeout of ${fn.name} (${formatMs(fn.timeoutMs)}) exceed the visibility timeout of ${queue.name} (${formatMs(vt)}), so Lambda keeps each received message hidden for window + timeout + 30 s = ${formatMs(effective.ms)}`,
    );
  }
  if (fn.deadLetterQueue || fn.async?.onFailure) {
    advice.push(
      `the dead-letter queue or on-failure destination of ${fn.name} is for asynchronous invocations: the mapping invokes synchronously, so failed messages stay in ${queue.name}${queue.deadLetterQueue ? ` until its redrive policy moves them to ${queue.deadLetterQueue}` : "; give the queue a redrive policy instead"}`,
    );
  }
  return advice;
}

/**
 * Why CreateEventSourceMapping would refuse these settings, or null (§7): FIFO batches hold at most 10 records, more
 * than 10 need a batching window of at least 1 s, and (a SIMPLIFICATION) the queue's visibility timeout must be at
 * least the function timeout. A queue whose name ends in `.fifo` is FIFO. Provisioned mode with MaximumConcurrency is
 * refused by the config schema, naming the field.
 */
export function mappingConfigError(
  config: Pick<SqsMappingConfig, "batchSize" | "batchingWindowMs">,
  queue: { name: string; visibilityTimeoutMs: number },
  fn: { name: string; timeoutMs: number; tenantIsolation?: boolean },
): string | null {
  if (fn.tenantIsolation) return TENANT_ISOLATED_MAPPING(fn.name);
  return mappingConfigProblem(config, queue, fn)?.message ?? null;
}

/** A mapping's invokes carry no tenant id, so Lambda would refuse every one of them (§11, tenants.ts). */
export const TENANT_ISOLATED_MAPPING = (functionName: string): string =>
  `an SQS event source mapping cannot invoke ${functionName}: it uses tenant isolation mode, and the mapping's invokes carry no tenant id, so Lambda would refuse every one`;

/** mappingConfigError with the setting at fault, so that a workload file's error can name its field. */
export function mappingConfigProblem(
  config: Pick<SqsMappingConfig, "batchSize" | "batchingWindowMs">,
  queue: { name: string; visibilityTimeoutMs: number },
  fn: { name: string; timeoutMs: number },
): { field: "batchSize" | "batchingWindowMs" | "visibilityTimeoutMs"; message: string } | null {
  const { batchSize, batchingWindowMs } = config;
  if (queue.name.endsWith(".fifo") && batchSize > 10) return { field: "batchSize", message: `the batch size of a FIFO queue's mapping is at most 10 (got ${batchSize})` };
  if (batchSize > 10 && batchingWindowMs < 1_000) return { field: "batchingWindowMs", message: `a batch size over 10 (got ${batchSize}) needs a batching window of at least 1 s` };
  if (queue.visibilityTimeoutMs < fn.timeoutMs) {
    const message =
      `the visibility timeout of ${queue.name} (${formatMs(queue.visibilityTimeoutMs)}) is shorter than the timeout of ${fn.name} (${formatMs(fn.timeoutMs)}); ` +
      "set it to at least the function timeout, and AWS advises 6 times it (this refusal is a workbook simplification)";
    return { field: "visibilityTimeoutMs", message };
  }
  return null;
}

/**
 * Reads a partial batch response (§7): null, an empty object or an empty/null `batchItemFailures` is full success; a
 * list of `{ itemIdentifier }` names the failed messages; anything else (not an object, not a list, an empty, null,
 * misnamed or unknown identifier) fails the whole batch.
 */
export function readBatchResponse(payload: string, ids: ReadonlySet<string>): { kind: "ok"; failed: string[] } | { kind: "invalid"; why: string } {
  let response: unknown;
  try {
    response = JSON.parse(payload);
  } catch {
    return { kind: "invalid", why: "the response is not valid JSON" };
  }
  if (response === null || response === undefined) return { kind: "ok", failed: [] };
  if (typeof response !== "object" || Array.isArray(response)) return { kind: "invalid", why: "the response is not an object with a batchItemFailures list" };
  const list = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (list === null || list === undefined) return { kind: "ok", failed: [] };
  if (!Array.isArray(list)) return { kind: "invalid", why: "batchItemFailures is not a list" };
  const failed: string[] = [];
  for (const item of list) {
    const id = item !== null && typeof item === "object" ? (item as { itemIdentifier?: unknown }).itemIdentifier : undefined;
    if (typeof id !== "string" || id === "") return { kind: "invalid", why: "an entry of batchItemFailures has no itemIdentifier (or an empty or null one)" };
    if (!ids.has(id)) return { kind: "invalid", why: `batchItemFailures names "${id}", which is not a message id of this batch` };
    if (!failed.includes(id)) failed.push(id);
  }
  return { kind: "ok", failed };
}

/** True when a message was deleted although an earlier message of its group in the batch failed. */
function fifoOrderBroken(messages: readonly MessageView[], failed: ReadonlySet<string>): boolean {
  const failedGroups = new Set<string>();
  for (const m of messages) {
    const group = m.groupId ?? "";
    if (failed.has(m.messageId)) failedGroups.add(group);
    else if (failedGroups.has(group)) return true;
  }
  return false;
}

function errorTypeOf(payload: string): string {
  try {
    const body = JSON.parse(payload) as { errorType?: unknown };
    return typeof body.errorType === "string" ? body.errorType : "error";
  } catch {
    return "error";
  }
}
