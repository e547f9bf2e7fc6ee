import { describe, expect, it } from "vitest";
import type { FunctionConfigInput } from "../../src/runtime/config.ts";
import { Simulation } from "../../src/runtime/simulation.ts";
import { EventSourceMappingError, readBatchResponse, SqsEventSourceMapping, type SqsMappingConfigInput } from "../../src/runtime/sqs-mapping.ts";
import { ServiceHub, type ServicesConfigInput } from "../../src/services/hub.ts";
import type { Sender } from "../../src/services/queue.ts";
import { HostCode, type InvokePlan } from "./host-code.ts";

const SCENARIO: Sender = { call: null, via: "scenario", chain: null };

interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  eventSource: string;
  eventSourceARN: string;
}

/** A function "f" fed by a mapping on queue "q" (or `queue`); each record's body is JSON with an optional plan. */
function setup(
  options: {
    queue?: string;
    services?: ServicesConfigInput;
    mapping?: Partial<SqsMappingConfigInput>;
    fn?: Partial<FunctionConfigInput>;
    plan?: (records: SqsRecord[]) => InvokePlan;
    concurrencyLimit?: number;
  } = {},
) {
  const services = new ServiceHub(options.services ?? {});
  const sim = new Simulation({ seed: 1, services, account: { concurrencyLimit: options.concurrencyLimit ?? 1_000 }, model: { initPlatformMs: 0 } });
  const code = new HostCode({ invoke: (call) => (options.plan ?? (() => ({ durationMs: 100 })))((call.event as { Records: SqsRecord[] }).Records) });
  sim.deploy({ name: "f", timeoutMs: 3_000, ...options.fn }, code);
  const queue = services.sqs.queue(options.queue ?? "q");
  const mapping = new SqsEventSourceMapping(sim, queue, "f", { queue: queue.name, ...options.mapping });
  const send = (at: number, body: string, extra: { groupId?: string; deduplicationId?: string } = {}) =>
    sim.at(at, () => queue.send(sim.now, { body, ...extra }, SCENARIO));
  const batches = () => code.invocations.map((c) => (c.event as { Records: SqsRecord[] }).Records);
  return { sim, services, queue, mapping, code, send, batches };
}

describe("§7 SQS event source mapping: how the mapping invokes", () => {
  it("invokes the function synchronously with a batch of records shaped as Lambda passes them, and deletes them on success", () => {
    const { sim, queue, send, batches, mapping } = setup();
    for (let i = 0; i < 3; i++) send(0, `{"n":${i}}`);
    sim.run();
    expect(batches()).toHaveLength(1);
    const [r] = batches()[0]!;
    expect(r).toMatchObject({
      body: '{"n":0}',
      attributes: { ApproximateReceiveCount: "1", SenderId: "AIDASIMULATEDSENDER", SentTimestamp: String(sim.epochMs) },
      messageAttributes: {},
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:q",
      awsRegion: "us-east-1",
    });
    expect(typeof r!.messageId).toBe("string");
    expect(typeof r!.receiptHandle).toBe("string");
    expect(sim.trace.map((t) => t.mode)).toEqual(["sync"]);
    expect(queue.size(sim.now)).toBe(0);
    expect(mapping.batches[0]).toMatchObject({ outcome: "success", failedIds: [] });
  });

  it("puts at most the batch size (10 by default) in one invoke", () => {
    const { sim, send, batches } = setup();
    for (let i = 0; i < 23; i++) send(0, `m${i}`);
    sim.run();
    expect(batches().map((b) => b.length)).toEqual([10, 10, 3]);
  });

  it("refuses a queue whose visibility timeout is shorter than the function timeout (a named simplification)", () => {
    expect(() => setup({ services: { sqs: { queues: { q: { visibilityTimeoutMs: 10_000 } } } }, fn: { timeoutMs: 60_000 } })).toThrow(EventSourceMappingError);
    expect(() => setup({ services: { sqs: { queues: { q: { visibilityTimeoutMs: 10_000 } } } }, fn: { timeoutMs: 60_000 } })).toThrowErrorMatchingInlineSnapshot(
      `[EventSourceMappingError: the visibility timeout of q (10 s) is shorter than the timeout of f (1 min); set it to at least the function timeout, and AWS advises 6 times it (this refusal is a workbook simplification)]`,
    );
  });

  it("refuses a FIFO batch size over 10, and a batch size over 10 without a batching window of at least 1 s", () => {
    expect(() => setup({ queue: "q.fifo", mapping: { batchSize: 11, batchingWindowMs: 1_000 } })).toThrow(/FIFO queue's mapping is at most 10/);
    expect(() => setup({ mapping: { batchSize: 11 } })).toThrow(/needs a batching window of at least 1 s/);
    expect(() => setup({ mapping: { batchSize: 100, batchingWindowMs: 1_000 } })).not.toThrow();
  });
});

describe("§7 SQS batching window and the 6 MB batch cap", () => {
  it("gathers records until the window ends when the batch is not full", () => {
    const { sim, send, batches } = setup({ mapping: { batchingWindowMs: 1_000 } });
    send(0, "a");
    send(300, "b");
    send(600, "c");
    sim.run();
    expect(sim.trace.map((r) => r.arrivedAt)).toEqual([1_000]);
    expect(batches().map((b) => b.length)).toEqual([3]);
  });

  it("does not wait for the window once the batch is full", () => {
    const { sim, send } = setup({ mapping: { batchingWindowMs: 5_000, batchSize: 2 } });
    send(0, "a");
    send(100, "b");
    sim.run();
    expect(sim.trace.map((r) => r.arrivedAt)).toEqual([100]);
  });

  it("cuts a batch short so that records plus their metadata stay within 6 MB (6,291,456 bytes)", () => {
    const { sim, send, batches, mapping } = setup();
    for (let i = 0; i < 7; i++) send(0, "x".repeat(1_000_000));
    sim.run();
    expect(batches().map((b) => b.length)).toEqual([6, 1]);
    expect(mapping.batches[0]!.bytes).toBeLessThanOrEqual(6_291_456);
    expect(mapping.batches[0]!.bytes).toBeGreaterThan(6_000_000);
    expect(mapping.batches[0]!.bytes).toBe(Buffer.byteLength(JSON.stringify({ Records: batches()[0] })));
  });
});

describe("§7 SQS: whole batch fails", () => {
  it("makes every message visible again after the visibility timeout, the processed ones too, with ApproximateReceiveCount 2", () => {
    let calls = 0;
    const { sim, send, batches, mapping } = setup({
      plan: () => (++calls === 1 ? { durationMs: 100, error: { errorType: "Error", errorMessage: "record 2 is bad" } } : { durationMs: 100 }),
    });
    send(0, "a");
    send(0, "b");
    sim.run();
    expect(batches().map((b) => b.map((r) => [r.body, r.attributes.ApproximateReceiveCount]))).toEqual([
      [["a", "1"], ["b", "1"]],
      [["a", "2"], ["b", "2"]],
    ]);
    expect(sim.trace.map((r) => r.startedAt)).toEqual([0, 30_000]);
    expect(mapping.batches[0]).toMatchObject({ outcome: "failed", failedIds: batches()[0]!.map((r) => r.messageId) });
    expect(mapping.batches[0]!.reason).toMatchInlineSnapshot(`"the function failed (Error): every message of the batch becomes visible again after the visibility timeout, processed or not"`);
  });

  it("treats a function timeout as a failure of the whole batch", () => {
    const { sim, send, mapping } = setup({ plan: (records) => (records[0]!.attributes.ApproximateReceiveCount === "1" ? { hang: true } : {}) });
    send(0, "a");
    sim.run();
    expect(mapping.batches.map((b) => b.outcome)).toEqual(["failed", "success"]);
    expect(sim.trace.map((r) => r.outcome)).toEqual(["timeout", "success"]);
  });

  it("sends a message that keeps failing to the dead-letter queue once its receive count exceeds maxReceiveCount", () => {
    const { sim, send, services } = setup({
      services: { sqs: { queues: { q: { redrive: { deadLetterQueue: "dlq", maxReceiveCount: 3 } } } } },
      plan: () => ({ durationMs: 10, error: { errorType: "Error", errorMessage: "poison" } }),
    });
    send(0, "poison");
    sim.run();
    expect(sim.trace).toHaveLength(3);
    expect(services.sqs.queue("dlq").contents(sim.now).map((m) => m.body)).toEqual(["poison"]);
  });
});

describe("§7 SQS partial batch response (ReportBatchItemFailures)", () => {
  const ids = new Set(["m1", "m2"]);
  it.each([
    ["null", "ok", []],
    ["{}", "ok", []],
    ['{"batchItemFailures":[]}', "ok", []],
    ['{"batchItemFailures":null}', "ok", []],
    ['{"batchItemFailures":[{"itemIdentifier":"m2"}]}', "ok", ["m2"]],
    ['"done"', "invalid", null],
    ['{"batchItemFailures":"m1"}', "invalid", null],
    ['{"batchItemFailures":[{"itemIdentifier":""}]}', "invalid", null],
    ['{"batchItemFailures":[{"itemIdentifier":null}]}', "invalid", null],
    ['{"batchItemFailures":[{"itemIdentifer":"m1"}]}', "invalid", null],
    ['{"batchItemFailures":[{"itemIdentifier":"m9"}]}', "invalid", null],
    ["not json", "invalid", null],
  ])("reads %s as %s", (payload, kind, failed) => {
    const verdict = readBatchResponse(payload, ids);
    expect(verdict.kind).toBe(kind);
    if (verdict.kind === "ok") expect(verdict.failed).toEqual(failed);
  });

  it("deletes the messages not reported and leaves the reported ones for redelivery", () => {
    const { sim, send, batches, mapping, queue } = setup({
      mapping: { reportBatchItemFailures: true },
      plan: (records) => ({ durationMs: 10, result: { batchItemFailures: records.filter((r) => r.body === "bad" && r.attributes.ApproximateReceiveCount === "1").map((r) => ({ itemIdentifier: r.messageId })) } }),
    });
    send(0, "good");
    send(0, "bad");
    sim.run();
    expect(batches().map((b) => b.map((r) => r.body))).toEqual([["good", "bad"], ["bad"]]);
    expect(mapping.batches.map((b) => b.outcome)).toEqual(["partial", "success"]);
    expect(queue.size(sim.now)).toBe(0);
  });

  it("fails the whole batch for an unknown itemIdentifier", () => {
    const { sim, send, mapping } = setup({
      mapping: { reportBatchItemFailures: true },
      plan: (records) => ({ durationMs: 10, result: records[0]!.attributes.ApproximateReceiveCount === "1" ? { batchItemFailures: [{ itemIdentifier: "order-17" }] } : null }),
    });
    send(0, "a");
    send(0, "b");
    sim.run();
    expect(mapping.batches.map((b) => [b.outcome, b.failedIds.length])).toEqual([["failed", 2], ["success", 0]]);
    expect(mapping.batches[0]!.reason).toMatchInlineSnapshot(`"batchItemFailures names "order-17", which is not a message id of this batch, so Lambda counts the whole batch as failed"`);
  });

  it("FIFO: marks the batch when a later message of a failed message's group was deleted (order broken)", () => {
    const { sim, send, mapping } = setup({
      queue: "q.fifo",
      mapping: { reportBatchItemFailures: true },
      plan: (records) => ({ durationMs: 10, result: { batchItemFailures: records.filter((r) => r.body === "1" && r.attributes.ApproximateReceiveCount === "1").map((r) => ({ itemIdentifier: r.messageId })) } }),
    });
    for (const n of ["1", "2"]) send(0, n, { groupId: "g", deduplicationId: n });
    sim.run();
    expect(mapping.batches[0]).toMatchObject({ outcome: "partial", orderBroken: true });
  });
});

describe("§7 SQS poller scaling (standard queue)", () => {
  it("starts with 5 pollers and adds 5 per second while messages wait and every poller is busy", () => {
    const { sim, send, mapping } = setup({ plan: () => ({ durationMs: 2_500 }) });
    for (let i = 0; i < 2_000; i++) send(0, "m");
    sim.run({ until: 3_500 });
    expect(mapping.pollerHistory.slice(0, 4)).toEqual([
      { t: 0, pollers: 5 },
      { t: 1_000, pollers: 10 },
      { t: 2_000, pollers: 15 },
      { t: 3_000, pollers: 20 },
    ]);
    expect(sim.metrics[sim.metrics.length - 1]!.concurrency).toBe(20);
  });

  it("samples the queue's visible and in-flight messages and the age of the oldest one each time the pollers look", () => {
    const { sim, send, mapping } = setup({ plan: () => ({ durationMs: 2_500 }) });
    for (let i = 0; i < 200; i++) send(0, "m");
    sim.run();
    expect(mapping.queueHistory[0]).toEqual({ t: 0, visible: 150, inFlight: 50, oldestAgeMs: 0 });
    expect(mapping.queueHistory.find((p) => p.t === 2_500)).toEqual({ t: 2_500, visible: 0, inFlight: 150, oldestAgeMs: 2_500 });
    expect(mapping.queueHistory[mapping.queueHistory.length - 1]).toMatchObject({ visible: 0, inFlight: 0, oldestAgeMs: 0 });
  });

  it("never goes above MaximumConcurrency", () => {
    const { sim, send, mapping } = setup({ mapping: { maximumConcurrency: 12 }, plan: () => ({ durationMs: 2_500 }) });
    for (let i = 0; i < 2_000; i++) send(0, "m");
    sim.run({ until: 10_000 });
    expect(Math.max(...mapping.pollerHistory.map((p) => p.pollers))).toBe(12);
    expect(Math.max(...sim.metrics.map((m) => m.concurrency))).toBe(12);
  });

  it("goes back to 5 pollers after 60 s with an empty queue", () => {
    const { sim, send, mapping } = setup({ plan: () => ({ durationMs: 1_500 }) });
    for (let i = 0; i < 300; i++) send(0, "m");
    sim.run();
    const peak = Math.max(...mapping.pollerHistory.map((p) => p.pollers));
    expect(peak).toBeGreaterThan(5);
    const last = mapping.pollerHistory[mapping.pollerHistory.length - 1]!;
    expect(last.pollers).toBe(5);
    const drained = Math.max(...sim.trace.map((r) => r.endedAt));
    expect(last.t).toBe(drained + 60_000);
  });

  it("takes one poller away per failed batch, down to 5", () => {
    let fail = false;
    const { sim, send, mapping } = setup({ plan: () => (fail ? { durationMs: 100, error: { errorType: "Error", errorMessage: "x" } } : { durationMs: 2_500 }) });
    for (let i = 0; i < 400; i++) send(0, "m");
    sim.at(2_100, () => (fail = true));
    sim.run({ until: 6_000 });
    const counts = mapping.pollerHistory.map((p) => p.pollers);
    const peak = Math.max(...counts);
    expect(peak).toBe(15);
    expect(counts.slice(counts.indexOf(peak) + 1, counts.indexOf(peak) + 4)).toEqual([14, 13, 12]);
    expect(Math.min(...counts.slice(counts.indexOf(peak)))).toBe(5);
  });
});

describe("§3 §7 SQS mapping throttled", () => {
  it("retries a throttled invoke at 1 s, 2 s, 4 s … until the visibility timeout ends, then the messages are received again", () => {
    const { sim, send, mapping } = setup({ fn: { reservedConcurrency: 0 } });
    send(0, "a");
    sim.run({ until: 30_500 });
    expect(sim.trace.map((r) => [r.outcome, r.arrivedAt])).toEqual([
      ["throttled", 0],
      ["throttled", 1_000],
      ["throttled", 3_000],
      ["throttled", 7_000],
      ["throttled", 15_000],
      ["throttled", 30_000],
    ]);
    expect(mapping.batches.map((b) => [b.outcome, b.receiveCounts])).toEqual([
      ["throttled", [1]],
      ["running", [2]],
    ]);
  });
});

describe("§3 recursive loop detection through a queue", () => {
  it("stops the 17th invocation of a function that sends each message back to its own queue", () => {
    const { sim, send, mapping } = setup({ plan: (records) => ({ durationMs: 10, services: [{ service: "queue", operation: "send", args: ["q", records[0]!.body], label: "again" }] }) });
    send(0, "loop");
    sim.run({ until: 600_000 });
    const ran = sim.trace.filter((r) => r.envId !== null);
    expect(ran).toHaveLength(16);
    const stopped = sim.trace.filter((r) => r.error?.errorType === "RecursiveInvocationException");
    expect(stopped).toHaveLength(1);
    expect(stopped[0]!.chain).toMatchObject({ hops: 17 });
    expect(mapping.batches[16]).toMatchObject({ outcome: "stopped", reason: "recursive loop detection stopped the invoke; the messages were dropped (the queue has no dead-letter queue)" });
  });
});
