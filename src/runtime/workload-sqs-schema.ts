/**
 * The keys of a workload with `invoke: "sqs"` (lambda-model.md §7) and the figures it reports. WorkloadSchema leaves
 * `queue` and `mapping` unchecked, so that pages running sync workloads load none of this; SqsWorkloadSchema checks
 * them (the command and runWorkloadWithQueues use it). The queue and the mapping that run them are in workload-sqs.ts.
 */
import { z } from "zod";
import { mappingConfigProblem, SqsMappingConfigSchema } from "./sqs-mapping.ts";
import { WorkloadSchema } from "./workload.ts";
import { SERVICE_LIMITS as L } from "../services/limits.ts";

/** The queue the traffic goes to (§7). */
export const WorkloadQueueSchema = z
  .object({
    /** A FIFO queue (order within each message group, 5-minute deduplication) instead of a standard one. */
    fifo: z.boolean().default(false),
    /** Visibility timeout in ms: 30 s by default, 0 s – 12 h, and at least the function timeout. */
    visibilityTimeoutMs: z.number().int().min(0).max(L.sqsVisibilityTimeoutMaxMs).default(L.sqsVisibilityTimeoutDefaultMs),
    /** Retention in ms: 4 days by default, 60 s – 14 days; older messages are dropped (counted as expired). */
    retentionMs: z.number().int().min(L.sqsRetentionMinMs).max(L.sqsRetentionMaxMs).default(L.sqsRetentionDefaultMs),
    /** Redrive: a message about to be received more than this many times goes to a dead-letter queue; null for none. */
    maxReceiveCount: z.number().int().min(1).max(1_000).nullable().default(null),
    /** FIFO only: the messages take turns over this many message groups (order holds within each group). */
    groups: z.number().int().min(1).max(100_000).default(1),
  })
  .strict();

/**
 * The SQS event source mapping (§7): `batchSize`, `batchingWindowMs`, `maximumConcurrency` or `provisionedPollers`,
 * `reportBatchItemFailures`, checked by the mapping's own schema; it polls the workload's queue (any `queue` is ignored).
 */
export const WorkloadMappingSchema = z.preprocess(
  (value) => (value !== null && typeof value === "object" && !Array.isArray(value) ? { ...value, queue: "workload-queue" } : value),
  SqsMappingConfigSchema,
);

export type WorkloadQueue = z.infer<typeof WorkloadQueueSchema>;
export type WorkloadMapping = z.infer<typeof WorkloadMappingSchema>;

/**
 * What CreateEventSourceMapping would refuse (the mapping's own rules, §7), and `groups` on a standard queue, each
 * with the workload field at fault.
 */
export function sqsWorkloadIssues(queue: WorkloadQueue, mapping: WorkloadMapping, fn: { timeoutMs: number }): Array<{ path: string[]; message: string; input: unknown }> {
  const issues: Array<{ path: string[]; message: string; input: unknown }> = [];
  if (!queue.fifo && queue.groups !== 1) {
    issues.push({ path: ["queue", "groups"], message: "message groups are for FIFO queues: set queue.fifo to true, or remove groups", input: queue.groups });
  }
  const problem = mappingConfigProblem(mapping, { name: queueName(queue), visibilityTimeoutMs: queue.visibilityTimeoutMs }, { name: "the function", timeoutMs: fn.timeoutMs });
  if (problem) {
    const [path, input] = problem.field === "visibilityTimeoutMs" ? [["queue", "visibilityTimeoutMs"], queue.visibilityTimeoutMs] : [["mapping", problem.field], mapping[problem.field]];
    issues.push({ path, message: problem.message, input });
  }
  return issues;
}

/** The names of the workload's queue and of its dead-letter queue (a FIFO queue's name ends in .fifo). */
export function queueName(queue: WorkloadQueue): string {
  return queue.fifo ? "workload-queue.fifo" : "workload-queue";
}

export function deadLetterQueueName(queue: WorkloadQueue): string {
  return queue.fifo ? "workload-dlq.fifo" : "workload-dlq";
}

/** SQS figures of a run (the `sqs` key of the summary). */
export interface SqsSummary {
  /** Messages the queue accepted (one per arrival; a message over the queue's size limit is refused, see `rejected`). */
  messagesSent: number;
  /** Messages deleted after a successful invocation (or reported as not failed in a partial batch response). */
  messagesDeleted: number;
  /** Messages moved to the dead-letter queue by the redrive policy. */
  deadLettered: number;
  /** Messages dropped at the end of the retention period. */
  expired: number;
  /** Messages still in the queue (visible or in flight) when the run ended. */
  messagesLeft: number;
  /** Receives, redeliveries included, and receives of a message received before. */
  receives: number;
  redeliveries: number;
  /** Batches the mapping handed to the function, and their mean number of messages. */
  batches: number;
  meanBatchSize: number;
  /** Invoke requests the mapping made (throttled retries included): `throttleRatio` is throttles over these. */
  invokeAttempts: number;
  /** Messages held (visible or in flight): time-averaged over the window, and the peak. */
  meanQueueDepth: number;
  peakQueueDepth: number;
  /** The highest age the oldest message reached, in ms (CloudWatch's ApproximateAgeOfOldestMessage). */
  maxOldestMessageAgeMs: number;
  /** The most concurrent batches (pollers) the mapping had. */
  peakPollers: number;
}

/** WorkloadSchema with `queue` and `mapping` checked and given their defaults (the schema of a workload file). */
export const SqsWorkloadSchema = z.pipe(WorkloadSchema, z.transform((w: z.output<typeof WorkloadSchema>, ctx) => {
  const queue = WorkloadQueueSchema.safeParse(w.queue ?? {}, { reportInput: true });
  const mapping = WorkloadMappingSchema.safeParse(w.mapping ?? {}, { reportInput: true });
  for (const [key, r] of [["queue", queue], ["mapping", mapping]] as const) {
    if (!r.success) for (const issue of r.error.issues) ctx.addIssue({ ...issue, path: [key, ...issue.path] } as Parameters<typeof ctx.addIssue>[0]);
  }
  if (!queue.success || !mapping.success) return z.NEVER;
  if (w.invoke === "sqs") {
    for (const issue of sqsWorkloadIssues(queue.data, mapping.data, w.function)) ctx.addIssue({ code: "custom", ...issue });
    // Not modelled: messages do not carry a tenant (every message is the same event).
    if (w.tenants !== null) ctx.addIssue({ code: "custom", path: ["tenants"], message: 'tenants are not supported with invoke "sqs" yet', input: w.tenants });
    // The mapping's invokes carry no tenant id, so an isolated function would refuse every batch (§11).
    if (w.function.tenantIsolation) {
      ctx.addIssue({ code: "custom", path: ["function", "tenantIsolation"], message: 'an SQS event source mapping cannot invoke a function with tenant isolation: its invokes carry no tenant id', input: true });
    }
  }
  return { ...w, queue: queue.data, mapping: mapping.data };
}));
export type SqsWorkload = z.output<typeof SqsWorkloadSchema>;
