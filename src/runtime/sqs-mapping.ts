/**
 * The SQS event source mapping (lambda-model.md §3, §5, §7): pollers receive batches from a queue and invoke a
 * function synchronously with each one. A layer on the simulator's public API (`at`, `arrive` with `onResult`,
 * `now`); the queue is driven with explicit virtual times.
 *
 * SIMPLIFICATIONS (lambda-model.md §7 modelling decisions): pollers start at 5; while visible messages remain and
 * every poller is busy, 5 more per virtual second (300/min), capped at min(1,000, MaximumConcurrency); back to 5 after
 * 60 s with an empty queue; each failed batch (without ReportBatchItemFailures) takes one poller away, down to 5; a
 * throttled invoke is retried at 1 s, 2 s, 4 s … until the batch's visibility timeout ends; a queue visibility timeout
 * shorter than the function timeout is refused when the mapping is created.
 */
import { z } from "zod";
import { MiB } from "./config.ts";
import { longestChain, RECURSION_ERROR } from "./recursion.ts";
import { formatMs } from "./format.ts";
import { utf8Length } from "./payload.ts";
import type { Simulation, SyncResult } from "./simulation.ts";
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
    /** `FunctionResponseTypes: ["ReportBatchItemFailures"]`: the handler reports failed messages one by one (§7). */
    reportBatchItemFailures: z.boolean().default(false),
  })
  .strict();
export type SqsMappingConfig = z.infer<typeof SqsMappingConfigSchema>;
export type SqsMappingConfigInput = z.input<typeof SqsMappingConfigSchema>;

/** Fixed facts and the model's choices for the mapping (lambda-model.md §5, §7). */
export const SQS_MAPPING = {
  /** The batch (records plus their metadata) must fit a synchronous invoke: 6 MB (§5). */
  batchLimitBytes: 6 * MiB,
  /** SIMPLIFICATION: starting pollers, the step per second, the empty period before scaling back, the poller cap. */
  basePollers: 5,
  pollerStep: 5,
  scaleStepMs: 1_000,
  scaleBackAfterEmptyMs: 60_000,
  maxPollers: 1_000,
  /** SIMPLIFICATION: first retry of a throttled invoke, doubling after each throttle (§7). */
  throttleRetryBaseMs: 1_000,
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

/** One batch the mapping handed to the function, for graders and the timeline. */
export interface BatchRecord {
  /** Number of the batch, from 0. */
  seq: number;
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
  payload: string;
  /** When the messages become visible again: throttle retries stop there. */
  visibleAt: number;
  throttles: number;
}

export class SqsEventSourceMapping {
  readonly config: SqsMappingConfig;
  readonly functionName: string;
  readonly batches: BatchRecord[] = [];
  /** Poller count after each change, for charts. */
  readonly pollerHistory: Array<{ t: number; pollers: number }> = [];
  /** The queue as the pollers saw it each time they looked: depth and age of the oldest message, for charts. */
  readonly queueHistory: QueueSample[] = [];
  private readonly sim: Simulation;
  private readonly queue: Queue;
  private pollers: number;
  private busy = 0;
  private wakePending = false;
  private wakeAt: number | null = null;
  private windowEndsAt: number | null = null;
  private tickArmed = false;
  private emptySince: number | null = null;

  constructor(sim: Simulation, queue: Queue, functionName: string, config: SqsMappingConfigInput) {
    this.sim = sim;
    this.queue = queue;
    this.functionName = functionName;
    this.config = SqsMappingConfigSchema.parse(config);
    this.validate();
    sim.simplificationsUsed.add("sqs-event-source-mapping");
    this.pollers = this.floor();
    this.pollerHistory.push({ t: sim.now, pollers: this.pollers });
    queue.listeners.push(() => this.wake());
    this.wake();
  }

  /** Pollers now (concurrent batches the mapping may run). */
  get currentPollers(): number {
    return this.pollers;
  }

  private validate(): void {
    const q = this.queue;
    const fn = this.sim.functionConfig(this.functionName);
    const problem = mappingConfigError(this.config, { name: q.name, visibilityTimeoutMs: q.config.visibilityTimeoutMs }, fn);
    if (problem) throw new EventSourceMappingError(problem);
  }

  private cap(): number {
    return Math.min(SQS_MAPPING.maxPollers, this.config.maximumConcurrency ?? SQS_MAPPING.maxPollers);
  }

  private floor(): number {
    return Math.min(SQS_MAPPING.basePollers, this.cap());
  }

  private setPollers(n: number): void {
    if (n === this.pollers) return;
    this.pollers = n;
    this.pollerHistory.push({ t: this.sim.now, pollers: n });
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

  private pump(): void {
    const now = this.sim.now;
    const q = this.queue;
    while (this.busy < this.pollers) {
      const visible = q.visibleCount(now);
      if (visible === 0) break;
      const window = this.config.batchingWindowMs;
      const full = visible >= this.config.batchSize || q.visibleBytes(now) >= SQS_MAPPING.batchLimitBytes;
      if (window > 0 && !full && (this.windowEndsAt === null || now < this.windowEndsAt)) {
        // Gather records until the window ends, the batch is full or 6 MB is reached (§7).
        if (this.windowEndsAt === null) {
          const ends = now + window;
          this.windowEndsAt = ends;
          this.sim.at(ends, () => this.pump());
        }
        break;
      }
      this.windowEndsAt = null;
      if (!this.takeBatch(now)) break;
    }
    this.sample(now);
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

  /** Receives one batch, within the batch size and 6 MB with record metadata counted, and invokes the function. */
  private takeBatch(now: number): boolean {
    const texts: string[] = [];
    let bytes = utf8Length('{"Records":[]}');
    const messages = this.queue.receive(now, this.config.batchSize, {
      accept: (m) => {
        const text = JSON.stringify(this.recordOf(m));
        const add = utf8Length(text) + (texts.length > 0 ? 1 : 0);
        if (bytes + add > SQS_MAPPING.batchLimitBytes) return false;
        bytes += add;
        texts.push(text);
        return true;
      },
    });
    if (messages.length === 0) return false;
    const record: BatchRecord = {
      seq: this.batches.length,
      receivedAt: now,
      messageIds: messages.map((m) => m.messageId),
      receiveCounts: messages.map((m) => m.receiveCount),
      bytes,
      invocations: [],
      outcome: "running",
      failedIds: [],
      reason: null,
      orderBroken: false,
    };
    this.batches.push(record);
    const batch: Batch = {
      record,
      messages,
      payload: `{"Records":[${texts.join(",")}]}`,
      visibleAt: Math.min(...messages.map((m) => m.visibleAt)),
      throttles: 0,
    };
    this.busy++;
    this.invoke(batch);
    return true;
  }

  /** An SQS record as Lambda passes it (§7). */
  private recordOf(m: MessageView): unknown {
    const epoch = this.sim.epochMs;
    const attributes: Record<string, string> = {
      ApproximateReceiveCount: String(m.receiveCount),
      SentTimestamp: String(Math.floor(epoch + m.sentAt)),
      SenderId: SQS_MAPPING.senderId,
      ApproximateFirstReceiveTimestamp: String(Math.floor(epoch + (m.firstReceivedAt ?? m.sentAt))),
    };
    if (m.sequenceNumber !== null) attributes.SequenceNumber = m.sequenceNumber;
    if (m.groupId !== null) attributes.MessageGroupId = m.groupId;
    if (m.deduplicationId !== null) attributes.MessageDeduplicationId = m.deduplicationId;
    const messageAttributes: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(m.attributes)) {
      messageAttributes[name] = { stringValue: String(value), stringListValues: [], binaryListValues: [], dataType: typeof value === "number" ? "Number" : "String" };
    }
    return {
      messageId: m.messageId,
      receiptHandle: m.receiptHandle,
      body: m.body,
      attributes,
      messageAttributes,
      eventSource: "aws:sqs",
      eventSourceARN: this.queue.arn,
      awsRegion: SQS_MAPPING.region,
    };
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
      const delay = SQS_MAPPING.throttleRetryBaseMs * 2 ** batch.throttles;
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
      this.finish(batch, "failed", record.messageIds, `${why}: every message of the batch becomes visible again after the visibility timeout, processed or not`);
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

  private deleteAll(batch: Batch, keep: Set<string>): void {
    const now = this.sim.now;
    for (const m of batch.messages) if (!keep.has(m.messageId)) this.queue.delete(now, m.receiptHandle!);
  }

  private finish(batch: Batch, outcome: BatchRecord["outcome"], failedIds: string[], reason: string | null): void {
    batch.record.outcome = outcome;
    batch.record.failedIds = failedIds;
    batch.record.reason = reason;
    this.busy--;
    this.wake();
  }

  /** One poller fewer after a failed batch, down to the base (§7 modelling decision). */
  private scaleDown(): void {
    this.setPollers(Math.max(this.floor(), this.pollers - 1));
  }

  private armTick(): void {
    if (this.tickArmed) return;
    this.tickArmed = true;
    this.sim.at(this.sim.now + SQS_MAPPING.scaleStepMs, () => {
      this.tickArmed = false;
      const now = this.sim.now;
      if (this.busy >= this.pollers && this.queue.visibleCount(now) > 0) this.setPollers(Math.min(this.cap(), this.pollers + SQS_MAPPING.pollerStep));
      this.pump();
    });
  }

  private noteEmpty(now: number): void {
    if (this.emptySince !== null) return;
    const since = now;
    this.emptySince = since;
    if (this.pollers <= this.floor()) return;
    this.sim.at(since + SQS_MAPPING.scaleBackAfterEmptyMs, () => {
      if (this.emptySince === since && this.queue.size(this.sim.now) === 0) this.setPollers(this.floor());
    });
  }
}

/**
 * Why CreateEventSourceMapping would refuse these settings, or null (§7): FIFO batches hold at most 10 records, more
 * than 10 need a batching window of at least 1 s, and (a SIMPLIFICATION) the queue's visibility timeout must be at
 * least the function timeout. A queue whose name ends in `.fifo` is FIFO.
 */
export function mappingConfigError(
  config: Pick<SqsMappingConfig, "batchSize" | "batchingWindowMs">,
  queue: { name: string; visibilityTimeoutMs: number },
  fn: { name: string; timeoutMs: number },
): string | null {
  const { batchSize, batchingWindowMs } = config;
  if (queue.name.endsWith(".fifo") && batchSize > 10) return `the batch size of a FIFO queue's mapping is at most 10 (got ${batchSize})`;
  if (batchSize > 10 && batchingWindowMs < 1_000) return `a batch size over 10 (got ${batchSize}) needs a batching window of at least 1 s`;
  if (queue.visibilityTimeoutMs < fn.timeoutMs) {
    return (
      `the visibility timeout of ${queue.name} (${formatMs(queue.visibilityTimeoutMs)}) is shorter than the timeout of ${fn.name} (${formatMs(fn.timeoutMs)}); ` +
      "set it to at least the function timeout, and AWS advises 6 times it (this refusal is a workbook simplification)"
    );
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
