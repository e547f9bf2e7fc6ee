/**
 * Workloads with `invoke: "sqs"` (lambda-model.md §7): each arrival sends one message to a queue, and an SQS event
 * source mapping polls the queue and invokes the function with batches. Over a long run nothing grows with the
 * simulated duration: the queue keeps no history (counts, its depth over time and the messages it holds), the mapping
 * keeps no batch records, and send-to-delete latency streams into a histogram.
 */
import { LatencyHistogram } from "./aggregates.ts";
import type { Prng } from "./prng.ts";
import type { Simulation } from "./simulation.ts";
import { SqsEventSourceMapping } from "./sqs-mapping.ts";
import { latencySummaryOf, runWorkload, type RunWorkloadOptions, type SqsPlugin, type SqsTraffic, type Workload, type WorkloadInput, type WorkloadResult, type WorkloadSummary } from "./workload.ts";
import { batchCode } from "./workload-code.ts";
import { deadLetterQueueName, queueName, SqsWorkloadSchema, WorkloadMappingSchema, WorkloadQueueSchema, type SqsSummary, type WorkloadMapping, type WorkloadQueue } from "./workload-sqs-schema.ts";
import { SERVICE_LIMITS as L } from "../services/limits.ts";
import { Queue, QueueConfigSchema, type SendInput, type Sender } from "../services/queue.ts";

const SENDER: Sender = { call: null, via: "workload", chain: null };

/**
 * runWorkload with the queue code plugged in: any workload, `invoke: "sqs"` included, checked by SqsWorkloadSchema
 * (the command and the bench use it).
 */
export function runWorkloadWithQueues(input: Workload | WorkloadInput, options: RunWorkloadOptions = {}): WorkloadResult {
  return runWorkload(SqsWorkloadSchema.parse(input), { ...options, sqs: QUEUES });
}

/** The queue code for RunWorkloadOptions.sqs. */
export const QUEUES: SqsPlugin = {
  traffic: (sim, functionName, workload, prng) => new QueueTraffic(sim, functionName, WorkloadQueueSchema.parse(workload.queue ?? {}), WorkloadMappingSchema.parse(workload.mapping ?? {}), prng),
  code: (sample, errorRate, failures, workload) => {
    const queue = WorkloadQueueSchema.parse(workload.queue ?? {});
    const mapping = WorkloadMappingSchema.parse(workload.mapping ?? {});
    return batchCode(sample, errorRate, failures, { reportBatchItemFailures: mapping.reportBatchItemFailures, fifo: queue.fifo });
  },
};

/** The queue, its dead-letter queue and the mapping of one workload run, and the figures they stream. */
class QueueTraffic implements SqsTraffic {
  readonly queue: Queue;
  readonly mapping: SqsEventSourceMapping;
  /** Send-to-delete latency of every message deleted. */
  readonly latency = new LatencyHistogram();
  /** Sends the queue refused (a message over its maximum size, §5). */
  rejected = 0;
  private readonly fifo: boolean;
  private readonly groups: string[];
  readonly settleMs: number;
  private sends = 0;
  private window = { mean: 0, peak: 0 };

  constructor(sim: Simulation, functionName: string, queue: WorkloadQueue, mapping: WorkloadMapping, prng: Prng) {
    const name = queueName(queue);
    const dlqName = deadLetterQueueName(queue);
    const queues = new Map<string, Queue>();
    const resolve = (n: string): Queue => {
      let q = queues.get(n);
      if (q === undefined) {
        const config =
          n === name
            ? {
                visibilityTimeoutMs: queue.visibilityTimeoutMs,
                retentionMs: queue.retentionMs,
                redrive: queue.maxReceiveCount === null ? null : { deadLetterQueue: dlqName, maxReceiveCount: queue.maxReceiveCount },
              }
            : // The dead-letter queue keeps its messages as long as SQS allows (AWS advises a longer retention there).
              { retentionMs: L.sqsRetentionMaxMs };
        q = new Queue(n, QueueConfigSchema.parse(config), { prng, duplicateRate: 0, resolve, hops: null, history: false });
        queues.set(n, q);
      }
      return q;
    };
    this.queue = resolve(name);
    // Dead-lettered messages are counted by the queue they left; the dead-letter queue keeps none, so that memory
    // stays flat however many messages fail.
    const dlq = queue.maxReceiveCount === null ? null : resolve(dlqName);
    dlq?.listeners.push(() => dlq.purge(sim.now));
    this.queue.onDeleted = (now, sentAt) => this.latency.add(now - sentAt);
    this.fifo = queue.fifo;
    this.groups = Array.from({ length: queue.groups }, (_, i) => `g${i + 1}`);
    this.mapping = new SqsEventSourceMapping(sim, this.queue, functionName, { ...mapping, queue: name }, { recordBatches: false });
    this.settleMs = this.mapping.visibilityTimeoutMs + mapping.batchingWindowMs;
  }

  /** One arrival: one message (FIFO: groups in turn, a unique deduplication id). */
  send(now: number, body: string): void {
    const n = this.sends++;
    const input: SendInput = this.fifo ? { body, groupId: this.groups[n % this.groups.length]!, deduplicationId: `m${n}` } : { body };
    if (!this.queue.send(now, input, SENDER).ok) this.rejected++;
  }

  sample(t: number): { queueDepth: number; oldestMessageAgeMs: number; pollers: number } {
    return { queueDepth: this.queue.size(t), oldestMessageAgeMs: this.queue.oldestAgeMs(t), pollers: this.mapping.currentPollers };
  }

  /** The end of the window: the time average and peak of the depth are taken, the mapping takes no more batches. */
  stop(end: number): void {
    this.window = { mean: this.queue.depth.meanUntil(end), peak: this.queue.depth.peak };
    this.mapping.stop();
  }

  complete(summary: WorkloadSummary, sim: Simulation, requests: number): void {
    const sqs = this.summary(sim);
    // Requests are the messages sent; throttles and throttleRatio stay the mapping's invoke requests' (sim totals).
    summary.requests = requests;
    summary.latencyMs = latencySummaryOf(this.latency);
    summary.droppedEvents = sqs.deadLettered + sqs.expired;
    summary.deadLettered = sqs.deadLettered;
    summary.rejected += this.rejected;
    summary.sqs = sqs;
  }

  private summary(sim: Simulation): SqsSummary {
    const q = this.queue;
    const s = q.stats;
    const batches = this.mapping.counts.batches;
    return {
      messagesSent: s.sent,
      messagesDeleted: s.deleted,
      deadLettered: s.movedToDlq,
      expired: s.expired,
      messagesLeft: q.size(sim.now),
      receives: s.received,
      redeliveries: s.redelivered,
      batches,
      meanBatchSize: batches > 0 ? s.received / batches : 0,
      invokeAttempts: sim.totals.requests,
      meanQueueDepth: this.window.mean,
      peakQueueDepth: this.window.peak,
      maxOldestMessageAgeMs: Math.max(s.maxOldestAgeMs, q.oldestAgeMs(sim.now)),
      peakPollers: this.mapping.counts.peakPollers,
    };
  }
}
