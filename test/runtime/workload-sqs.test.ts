import { describe, expect, it } from "vitest";
import { runWorkload as runWithoutQueues, type WorkloadInput } from "../../src/runtime/workload.ts";
import { SqsWorkloadSchema } from "../../src/runtime/workload-sqs-schema.ts";
import { runWorkloadWithQueues as runWorkload } from "../../src/runtime/workload-sqs.ts";

const base: WorkloadInput = { durationMs: 60_000, invoke: "sqs", arrivals: { kind: "constant", ratePerSec: 1 }, work: { kind: "fixed", ms: 20 } };

/** The dotted field and the message of each validation issue. */
function issues(input: WorkloadInput): string[] {
  const r = SqsWorkloadSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

describe('simulate with invoke "sqs": the workload file is checked with the mapping\'s own rules (§7)', () => {
  it("§7 Batch size: refuses more than 10 records per batch from a FIFO queue, naming mapping.batchSize", () => {
    expect(issues({ ...base, queue: { fifo: true }, mapping: { batchSize: 20, batchingWindowMs: 1_000 } })).toMatchInlineSnapshot(`
      [
        "mapping.batchSize: the batch size of a FIFO queue's mapping is at most 10 (got 20)",
      ]
    `);
  });

  it("§7 Batch size: refuses more than 10 records without a batching window of at least 1 s, naming mapping.batchingWindowMs", () => {
    expect(issues({ ...base, mapping: { batchSize: 100, batchingWindowMs: 500 } })).toMatchInlineSnapshot(`
      [
        "mapping.batchingWindowMs: a batch size over 10 (got 100) needs a batching window of at least 1 s",
      ]
    `);
    expect(issues({ ...base, mapping: { batchSize: 100, batchingWindowMs: 1_000 } })).toEqual([]);
  });

  it("§7 Visibility timeout: refuses one shorter than the function timeout (a simplification), naming queue.visibilityTimeoutMs", () => {
    expect(issues({ ...base, function: { timeoutMs: 60_000 }, queue: { visibilityTimeoutMs: 30_000 } })).toMatchInlineSnapshot(`
      [
        "queue.visibilityTimeoutMs: the visibility timeout of workload-queue (30 s) is shorter than the timeout of the function (1 min); set it to at least the function timeout, and AWS advises 6 times it (this refusal is a workbook simplification)",
      ]
    `);
  });

  it("refuses message groups on a standard queue and unknown keys in queue and mapping", () => {
    expect(issues({ ...base, queue: { groups: 4 } })).toEqual(["queue.groups: message groups are for FIFO queues: set queue.fifo to true, or remove groups"]);
    expect(issues({ ...base, mapping: { batchsize: 5 } as never })).toHaveLength(1);
    expect(issues({ ...base, queue: { maxReceiveCount: 0 } })[0]).toMatch(/^queue\.maxReceiveCount: /);
    expect(issues({ ...base, tenants: { count: 3 } })).toEqual(['tenants: tenants are not supported with invoke "sqs" yet']);
    expect(issues({ ...base, mapping: { maximumConcurrency: 1 } })[0]).toMatch(/^mapping\.maximumConcurrency: /);
    expect(issues({ ...base, mapping: { maximumConcurrency: 10, provisionedPollers: { minimum: 2 } } })[0]).toMatch(/^mapping\.provisionedPollers: provisioned mode/);
  });
});

describe('simulate with invoke "sqs": what happens to the messages', () => {
  it("gives the same figures for the same seed, and others for another seed", () => {
    const input: WorkloadInput = { ...base, seed: 3, arrivals: { kind: "poisson", ratePerSec: 30 }, work: { kind: "exponential", meanMs: 80, errorRate: 0.05 }, queue: { visibilityTimeoutMs: 5_000, maxReceiveCount: 2 } };
    const a = JSON.stringify(runWorkload(input));
    expect(JSON.stringify(runWorkload(input))).toBe(a);
    expect(JSON.stringify(runWorkload({ ...input, seed: 4 }))).not.toBe(a);
  });

  it("§7 How the mapping invokes: at low load each message is received once, invoked in a batch of one and deleted; latency is the work", () => {
    const { summary } = runWorkload({ ...base, function: { initMs: 0 } });
    expect(summary).toMatchObject({ requests: 60, invocations: 60, errors: 0, throttles: 0 });
    expect(summary.sqs).toMatchObject({ messagesSent: 60, messagesDeleted: 60, receives: 60, redeliveries: 0, batches: 60, meanBatchSize: 1, messagesLeft: 0, deadLettered: 0 });
    expect(summary.latencyMs).toMatchObject({ p50: 20, p99: 20, max: 20 });
  });

  it("§7 Batching window: a lone message waits for the window, so send-to-delete latency is the window plus the work", () => {
    const { summary } = runWorkload({ ...base, function: { initMs: 0 }, mapping: { batchingWindowMs: 500 } });
    expect(summary.latencyMs).toMatchObject({ p50: 520, max: 520 });
    // Five messages a second and a 2 s window: batches of 10 close as soon as they are full.
    const busy = runWorkload({ ...base, function: { initMs: 0 }, arrivals: { kind: "constant", ratePerSec: 5 }, mapping: { batchingWindowMs: 2_000 } }).summary;
    expect(busy.sqs!.meanBatchSize).toBeCloseTo(10, 0);
    expect(busy.latencyMs.max).toBeCloseTo(1_800 + 200, 6);
  });

  it("over capacity the queue grows at the arrival rate minus the service rate (10/s in, 2/s out)", () => {
    // Maximum concurrency 2, one message per batch, 1 s per message: 2 messages a second leave.
    const { summary, timeline } = runWorkload(
      { ...base, function: { initMs: 0 }, arrivals: { kind: "constant", ratePerSec: 10 }, work: { kind: "fixed", ms: 1_000 }, mapping: { batchSize: 1, maximumConcurrency: 2 } },
      { timelinePoints: 6 },
    );
    const sqs = summary.sqs!;
    expect(sqs.peakPollers).toBe(2);
    expect(summary.peakConcurrency).toBe(2);
    // (10 − 2) × 60 s = 480 waiting at the end of the window; the mean over the window is half of it.
    expect(sqs.peakQueueDepth).toBeGreaterThanOrEqual(478);
    expect(sqs.peakQueueDepth).toBeLessThanOrEqual(482);
    expect(sqs.meanQueueDepth).toBeGreaterThan(235);
    expect(sqs.meanQueueDepth).toBeLessThan(245);
    const depths = timeline.map((p) => p.queueDepth!);
    for (let i = 1; i < depths.length; i++) expect(depths[i]! - depths[i - 1]!).toBeGreaterThanOrEqual(78); // 8/s × 10 s
    // The oldest message waits longer and longer: the one sent at 50 s has waited about 40 s by 60 s… grows with t.
    expect(timeline[6]!.oldestMessageAgeMs!).toBeGreaterThan(45_000);
    expect(sqs.messagesLeft).toBe(sqs.messagesSent - sqs.messagesDeleted);
  });

  it("§7 Scaling (standard queue): a burst of 2,000 messages drains, with more pollers than the starting 5", () => {
    const { summary, timeline } = runWorkload(
      { ...base, durationMs: 300_000, arrivals: { kind: "bursts", size: 2_000, everyMs: 1_000_000 }, work: { kind: "fixed", ms: 100 } },
      { timelinePoints: 30 },
    );
    const sqs = summary.sqs!;
    expect(sqs).toMatchObject({ messagesSent: 2_000, messagesDeleted: 2_000, messagesLeft: 0, redeliveries: 0, peakQueueDepth: 2_000 });
    expect(sqs.peakPollers).toBeGreaterThan(5);
    expect(timeline[timeline.length - 1]).toMatchObject({ queueDepth: 0, oldestMessageAgeMs: 0 });
    expect(sqs.maxOldestMessageAgeMs).toBeLessThan(60_000);
  });

  it("§7 Redrive to a DLQ: messages that always fail are received maxReceiveCount times, then moved to the dead-letter queue", () => {
    const { summary } = runWorkload({
      ...base,
      durationMs: 120_000,
      arrivals: { kind: "list", atMs: [0, 1_000, 2_000] },
      work: { kind: "fixed", ms: 10, errorRate: 1 },
      queue: { visibilityTimeoutMs: 5_000, maxReceiveCount: 3 },
    });
    expect(summary.sqs).toMatchObject({ messagesSent: 3, receives: 9, redeliveries: 6, messagesDeleted: 0, deadLettered: 3, messagesLeft: 0 });
    expect(summary).toMatchObject({ deadLettered: 3, droppedEvents: 3, errors: 9 });
    expect(summary.latencyMs.p50).toBe(0); // no message was ever processed
  });

  it("§7 Partial batch response: with ReportBatchItemFailures only the failed messages come back, and no invocation fails", () => {
    const input: WorkloadInput = { ...base, arrivals: { kind: "constant", ratePerSec: 20 }, work: { kind: "fixed", ms: 5, errorRate: 0.2 }, mapping: { batchingWindowMs: 1_000 }, queue: { visibilityTimeoutMs: 3_000 } };
    const partial = runWorkload({ ...input, mapping: { batchingWindowMs: 1_000, reportBatchItemFailures: true } }).summary;
    const whole = runWorkload(input).summary;
    expect(partial.errors).toBe(0);
    expect(whole.errors).toBeGreaterThan(0);
    // A failed whole batch brings back its processed messages too: more receives per message.
    expect(whole.sqs!.receives).toBeGreaterThan(partial.sqs!.receives);
    // Each receive fails with probability 0.2: about 1 / 0.8 = 1.25 receives per message deleted.
    expect(partial.sqs!.receives / partial.sqs!.messagesDeleted).toBeGreaterThan(1.15);
    expect(partial.sqs!.receives / partial.sqs!.messagesDeleted).toBeLessThan(1.35);
  });

  it("§7 FIFO scaling: concurrency is at most the number of message groups", () => {
    const { summary } = runWorkload({ ...base, arrivals: { kind: "constant", ratePerSec: 50 }, work: { kind: "fixed", ms: 100 }, queue: { fifo: true, groups: 3 }, mapping: { batchSize: 1 } });
    expect(summary.peakConcurrency).toBe(3);
    expect(summary.sqs).toMatchObject({ messagesSent: 3_000, redeliveries: 0 });
  });

  it("needs the queue code plugged in: runWorkload alone (what a page runs) refuses an sqs workload", () => {
    expect(() => runWithoutQueues(base)).toThrowErrorMatchingInlineSnapshot(`[Error: invoke "sqs" needs options.sqs]`);
  });

  it("counts a message over the queue's 1 MiB limit as rejected, not sent (§5)", () => {
    const { summary } = runWorkload({ ...base, payloadBytes: 1_048_577 });
    expect(summary).toMatchObject({ requests: 60, rejected: 60, invocations: 0 });
    expect(summary.sqs!.messagesSent).toBe(0);
  });
});
