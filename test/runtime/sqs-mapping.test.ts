import { describe, expect, it } from "vitest";
import type { FunctionConfigInput, ModelSettingsInput } from "../../src/runtime/config.ts";
import { Simulation } from "../../src/runtime/simulation.ts";
import { describeSimplifications } from "../../src/runtime/simplifications.ts";
import { ModelSettingsSchema } from "../../src/runtime/config.ts";
import {
  effectiveVisibilityTimeout,
  EventSourceMappingError,
  readBatchResponse,
  SqsEventSourceMapping,
  SqsMappingConfigSchema,
  type SqsMappingConfigInput,
} from "../../src/runtime/sqs-mapping.ts";
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
    model?: ModelSettingsInput["sqsMapping"];
    recordBatches?: boolean;
  } = {},
) {
  const services = new ServiceHub(options.services ?? {});
  const sim = new Simulation({
    seed: 1,
    services,
    destinations: services,
    account: { concurrencyLimit: options.concurrencyLimit ?? 1_000 },
    model: { initPlatformMs: 0, sqsMapping: options.model ?? {} },
  });
  const code = new HostCode({ invoke: (call) => (options.plan ?? (() => ({ durationMs: 100 })))((call.event as { Records: SqsRecord[] }).Records) });
  sim.deploy({ name: "f", timeoutMs: 3_000, ...options.fn }, code);
  const queue = services.sqs.queue(options.queue ?? "q");
  const mapping = new SqsEventSourceMapping(sim, queue, "f", { queue: queue.name, ...options.mapping }, { recordBatches: options.recordBatches ?? true });
  const send = (at: number, body: string, extra: { groupId?: string; deduplicationId?: string } = {}) =>
    sim.at(at, () => queue.send(sim.now, { body, ...extra }, SCENARIO));
  const batches = () => code.invocations.map((c) => (c.event as { Records: SqsRecord[] }).Records);
  return { sim, services, queue, mapping, code, send, batches };
}

const fails = { durationMs: 100, error: { errorType: "Error", errorMessage: "x" } };
const tail = (history: Array<{ t: number; pollers: number }>, n: number) => history.slice(-n);
const drainedAt = (sim: Simulation) => Math.max(...sim.trace.map((r) => r.endedAt));

describe("§7 How the mapping invokes", () => {
  it("invokes the function synchronously with a batch of records shaped as Lambda passes them, and deletes them on success", () => {
    const { sim, queue, send, batches, mapping } = setup();
    for (let i = 0; i < 3; i++) send(0, `{"n":${i}}`);
    sim.run();
    expect(batches()).toHaveLength(1);
    const [r] = batches()[0]!;
    expect(r).toMatchObject({
      body: '{"n":0}',
      attributes: { ApproximateReceiveCount: "1", SenderId: "AIDASIMULATEDSENDER", SentTimestamp: String(sim.epochMs), ApproximateFirstReceiveTimestamp: String(sim.epochMs) },
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
    expect(mapping.counts).toMatchObject({ batches: 1, messages: 3, success: 1, failed: 0 });
  });

  it("writes the event as compact JSON with Lambda's key order, FIFO attributes and typed message attributes included", () => {
    const { sim, code } = (() => {
      const services = new ServiceHub({});
      const sim = new Simulation({ seed: 1, services, destinations: services, model: { initPlatformMs: 0 } });
      const code = new HostCode();
      sim.deploy({ name: "f" }, code);
      const queue = services.sqs.queue("q.fifo");
      new SqsEventSourceMapping(sim, queue, "f", { queue: queue.name }, { recordBatches: true });
      sim.at(0, () => queue.send(0, { body: 'say "hé" 😀\n', groupId: "g1", deduplicationId: "d1", attributes: { zeta: 3, "2": "two", alpha: "x" } }, SCENARIO));
      return { sim, code };
    })();
    sim.run();
    const event = code.invocations[0]!.event as { Records: Array<Record<string, unknown>> };
    const text = JSON.stringify(event);
    const [record] = event.Records;
    expect(Object.keys(record!)).toEqual(["messageId", "receiptHandle", "body", "attributes", "messageAttributes", "eventSource", "eventSourceARN", "awsRegion"]);
    expect(record!.body).toBe('say "hé" 😀\n');
    expect(record!.attributes).toEqual({
      ApproximateReceiveCount: "1",
      SentTimestamp: String(sim.epochMs),
      SenderId: "AIDASIMULATEDSENDER",
      ApproximateFirstReceiveTimestamp: String(sim.epochMs),
      SequenceNumber: expect.any(String),
      MessageGroupId: "g1",
      MessageDeduplicationId: "d1",
    });
    expect(Object.keys(record!.messageAttributes as object)).toEqual(["2", "zeta", "alpha"]);
    expect((record!.messageAttributes as Record<string, unknown>).zeta).toEqual({ stringValue: "3", stringListValues: [], binaryListValues: [], dataType: "Number" });
    expect(sim.trace[0]!.event).toBe(text);
  });

  it("§7 each poller loops: receive up to the batch size, hide the messages for the visibility timeout, count the receive, invoke", () => {
    const { sim, send, batches, mapping } = setup({ mapping: { batchSize: 5 }, plan: () => ({ durationMs: 1_000 }) });
    for (let i = 0; i < 12; i++) send(0, `m${i}`);
    sim.run();
    expect(batches().map((b) => b.length)).toEqual([5, 5, 2]);
    expect(sim.trace.map((r) => r.arrivedAt)).toEqual([0, 0, 0]);
    expect(mapping.queueHistory[0]).toEqual({ t: 0, visible: 0, inFlight: 12, oldestAgeMs: 0 });
    expect(mapping.batches.map((b) => b.receiveCounts)).toEqual([[1, 1, 1, 1, 1], [1, 1, 1, 1, 1], [1, 1]]);
  });

  it("keeps only running totals when batch records are off, so a long workload holds no state per batch", () => {
    const { sim, send, mapping } = setup({ recordBatches: false, plan: () => ({ durationMs: 1_500 }) });
    for (let i = 0; i < 300; i++) send(0, "m");
    sim.run();
    expect(mapping.batches).toEqual([]);
    expect(mapping.pollerHistory).toEqual([]);
    expect(mapping.queueHistory).toEqual([]);
    expect(mapping.counts).toMatchObject({ batches: 30, messages: 300, success: 30 });
    expect(mapping.counts.peakPollers).toBeGreaterThan(5);
  });
});

describe("§7 Batch size", () => {
  it("puts at most the batch size (10 by default) in one invoke", () => {
    const { sim, send, batches } = setup();
    for (let i = 0; i < 23; i++) send(0, `m${i}`);
    sim.run();
    expect(batches().map((b) => b.length)).toEqual([10, 10, 3]);
  });

  it("refuses a FIFO batch size over 10, and a batch size over 10 without a batching window of at least 1 s", () => {
    expect(() => setup({ queue: "q.fifo", mapping: { batchSize: 11, batchingWindowMs: 1_000 } })).toThrow(/FIFO queue's mapping is at most 10/);
    expect(() => setup({ mapping: { batchSize: 11 } })).toThrow(/needs a batching window of at least 1 s/);
    expect(() => setup({ mapping: { batchSize: 100, batchingWindowMs: 1_000 } })).not.toThrow();
  });

  it("accepts 1 to 10,000 records, naming the field otherwise", () => {
    const path = (input: object) => SqsMappingConfigSchema.safeParse({ queue: "q", ...input }).error?.issues.map((i) => i.path.join("."));
    expect(path({ batchSize: 1 })).toBeUndefined();
    expect(path({ batchSize: 10_000, batchingWindowMs: 1_000 })).toBeUndefined();
    expect(path({ batchSize: 0 })).toEqual(["batchSize"]);
    expect(path({ batchSize: 10_001 })).toEqual(["batchSize"]);
  });
});

describe("§7 Batching window", () => {
  it("gathers records until the window ends when the batch is not full", () => {
    const { sim, send, batches } = setup({ mapping: { batchingWindowMs: 1_000 } });
    send(0, "a");
    send(300, "b");
    send(600, "c");
    sim.run();
    expect(sim.trace.map((r) => r.arrivedAt)).toEqual([1_000]);
    expect(batches().map((b) => b.length)).toEqual([3]);
  });

  it("receives each record as it arrives during the window, so it is in flight (hidden) from then on", () => {
    const { sim, send, batches, mapping } = setup({ mapping: { batchingWindowMs: 1_000 } });
    send(0, "a");
    send(300, "b");
    sim.run();
    expect(mapping.queueHistory.find((p) => p.t === 300)).toMatchObject({ visible: 0, inFlight: 2 });
    expect(batches()[0]!.map((r) => Number(r.attributes.ApproximateFirstReceiveTimestamp) - sim.epochMs)).toEqual([0, 300]);
    expect(mapping.batches[0]!.receivedAt).toBe(0);
  });

  it("does not wait for the window once the batch is full", () => {
    const { sim, send } = setup({ mapping: { batchingWindowMs: 5_000, batchSize: 2 } });
    send(0, "a");
    send(100, "b");
    sim.run();
    expect(sim.trace.map((r) => r.arrivedAt)).toEqual([100]);
  });

  it("accepts a window of 0 to 300 s, naming the field otherwise", () => {
    const path = (ms: number) => SqsMappingConfigSchema.safeParse({ queue: "q", batchingWindowMs: ms }).error?.issues.map((i) => i.path.join("."));
    expect(path(300_000)).toBeUndefined();
    expect(path(300_001)).toEqual(["batchingWindowMs"]);
    expect(path(-1)).toEqual(["batchingWindowMs"]);
  });

  it("at low traffic may wait up to 20 s: with the low-traffic wait set (a simplification), a batch that is not full waits that long", () => {
    const { sim, send } = setup({ mapping: { batchingWindowMs: 1_000, batchSize: 2 }, model: { lowTrafficWaitMs: 20_000 } });
    send(0, "a");
    send(30_000, "b");
    send(30_000, "c");
    sim.run();
    expect(sim.trace.map((r) => r.arrivedAt)).toEqual([20_000, 30_000]);
    expect(() => setup({ model: { lowTrafficWaitMs: 20_001 } })).toThrow();
  });
});

describe("§5 SQS → Lambda batch", () => {
  it("cuts a batch short so that records plus their metadata stay within 6 MB (6,291,456 bytes)", () => {
    const { sim, send, batches, mapping } = setup();
    for (let i = 0; i < 7; i++) send(0, "x".repeat(1_000_000));
    sim.run();
    expect(batches().map((b) => b.length)).toEqual([6, 1]);
    expect(mapping.batches[0]!.bytes).toBeLessThanOrEqual(6_291_456);
    expect(mapping.batches[0]!.bytes).toBeGreaterThan(6_000_000);
    expect(mapping.batches[0]!.bytes).toBe(Buffer.byteLength(JSON.stringify({ Records: batches()[0] })));
  });

  it("closes a batching window early when the next record would pass 6 MB", () => {
    const { sim, send, batches } = setup({ mapping: { batchingWindowMs: 10_000, batchSize: 100 } });
    for (let i = 0; i < 7; i++) send(i * 100, "x".repeat(1_000_000));
    sim.run();
    expect(batches().map((b) => b.length)).toEqual([6, 1]);
    expect(sim.trace.map((r) => r.arrivedAt)).toEqual([600, 10_600]);
  });
});

describe("§0 Lambda SQS event source mapping record", () => {
  it("passes a 1 MiB message (1,048,576 bytes) to the function as one record", () => {
    const { sim, send, batches } = setup();
    send(0, "x".repeat(1_048_576));
    sim.run();
    expect(batches().map((b) => b.map((r) => r.body.length))).toEqual([[1_048_576]]);
  });
});

describe("§7 Visibility timeout advice", () => {
  it("hides received messages for window + timeout + 30 s when window + timeout exceed the queue's visibility timeout", () => {
    expect(effectiveVisibilityTimeout(20_000, 20_000, 30_000)).toEqual({ ms: 70_000, extended: true });
    expect(effectiveVisibilityTimeout(20_000, 20_000, 40_000)).toEqual({ ms: 40_000, extended: false });
    expect(effectiveVisibilityTimeout(0, 3_000, 30_000)).toEqual({ ms: 30_000, extended: false });
  });

  /** Window 20 s, function timeout 20 s; the first batch fails and the next one succeeds. */
  const failOnce = (visibilityTimeoutMs: number) => {
    let calls = 0;
    const run = setup({
      services: { sqs: { queues: { q: { visibilityTimeoutMs } } } },
      fn: { timeoutMs: 20_000 },
      mapping: { batchingWindowMs: 20_000 },
      plan: () => (++calls === 1 ? fails : { durationMs: 100 }),
    });
    run.send(0, "a");
    run.sim.run();
    return run;
  };

  it("so a failed batch comes back 70 s after it was received (window 20 s + timeout 20 s + 30 s), not after the queue's 30 s", () => {
    const { sim, mapping } = failOnce(30_000);
    expect(mapping.visibilityTimeoutMs).toBe(70_000);
    expect(sim.trace.map((r) => r.arrivedAt)).toEqual([20_000, 90_000]);
    expect(mapping.batches[0]!.reason).toMatchInlineSnapshot(
      `"the function failed (Error): every message of the batch becomes visible again 70 s after it was received: batching window + function timeout + 30 s, because window and timeout together exceed the queue's visibility timeout of 30 s, processed or not"`,
    );
  });

  it("so a batch still running when the queue's visibility timeout would end is not delivered a second time", () => {
    const { sim, send, mapping, queue } = setup({
      services: { sqs: { queues: { q: { visibilityTimeoutMs: 30_000 } } } },
      fn: { timeoutMs: 20_000 },
      mapping: { batchingWindowMs: 20_000 },
      plan: () => ({ durationMs: 19_000 }),
    });
    send(0, "a");
    sim.run();
    expect(sim.trace.map((r) => [r.arrivedAt, r.endedAt])).toEqual([[20_000, 39_000]]);
    expect(mapping.counts).toMatchObject({ batches: 1, success: 1 });
    expect(queue.size(sim.now)).toBe(0);
  });

  it("uses the queue's visibility timeout when window + timeout fit in it", () => {
    const { sim, mapping } = failOnce(60_000);
    expect(mapping.visibilityTimeoutMs).toBe(60_000);
    expect(sim.trace.map((r) => r.arrivedAt)).toEqual([20_000, 80_000]);
  });

  it("tells the learner about a visibility timeout under 6 × the function timeout + the window, and the +30 s rule", () => {
    const { mapping } = setup({ services: { sqs: { queues: { q: { visibilityTimeoutMs: 30_000 } } } }, fn: { timeoutMs: 20_000 }, mapping: { batchingWindowMs: 20_000 } });
    expect(mapping.advice).toMatchInlineSnapshot(`
      [
        "AWS advises a visibility timeout of at least 6 × the function timeout + the batching window (140 s here); q has 30 s, so a failed or throttled batch has little time left for retries",
        "the batching window (20 s) plus the timeout of f (20 s) exceed the visibility timeout of q (30 s), so Lambda keeps each received message hidden for window + timeout + 30 s = 70 s",
      ]
    `);
    expect(setup({ services: { sqs: { queues: { q: { visibilityTimeoutMs: 18_000 } } } } }).mapping.advice).toEqual([]);
  });
});

describe("§7 Creating a mapping whose queue visibility timeout is shorter than the function timeout is rejected", () => {
  it("refuses it, saying the refusal is a workbook simplification (window + timeout beyond the visibility timeout is allowed: the +30 s rule covers it)", () => {
    expect(() => setup({ services: { sqs: { queues: { q: { visibilityTimeoutMs: 10_000 } } } }, fn: { timeoutMs: 60_000 } })).toThrow(EventSourceMappingError);
    expect(() => setup({ services: { sqs: { queues: { q: { visibilityTimeoutMs: 10_000 } } } }, fn: { timeoutMs: 60_000 } })).toThrowErrorMatchingInlineSnapshot(
      `[EventSourceMappingError: the visibility timeout of q (10 s) is shorter than the timeout of f (1 min); set it to at least the function timeout, and AWS advises 6 times it (this refusal is a workbook simplification)]`,
    );
    expect(() => setup({ services: { sqs: { queues: { q: { visibilityTimeoutMs: 60_000 } } } }, fn: { timeoutMs: 60_000 }, mapping: { batchingWindowMs: 300_000 } })).not.toThrow();
  });
});

describe("§7 Whole batch fails (function error, throw, timeout)", () => {
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
    expect(mapping.batches[0]!.reason).toMatchInlineSnapshot(`"the function failed (Error): every message of the batch becomes visible again when its visibility timeout ends (30 s after it was received), processed or not"`);
  });

  it("treats a function timeout as a failure of the whole batch", () => {
    const { sim, send, mapping } = setup({ plan: (records) => (records[0]!.attributes.ApproximateReceiveCount === "1" ? { hang: true } : {}) });
    send(0, "a");
    sim.run();
    expect(mapping.batches.map((b) => b.outcome)).toEqual(["failed", "success"]);
    expect(sim.trace.map((r) => r.outcome)).toEqual(["timeout", "success"]);
  });
});

describe("§7 Redrive to a DLQ", () => {
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

describe("§6 Not for SQS event sources", () => {
  it("never sends a failed batch to the function's dead-letter queue: the source queue's redrive policy applies, and the mapping says so", () => {
    const { sim, send, services, mapping } = setup({
      services: { sqs: { queues: { q: { visibilityTimeoutMs: 30_000, redrive: { deadLetterQueue: "q-dlq", maxReceiveCount: 2 } } } } },
      fn: { deadLetterQueue: { type: "sqs", name: "fn-dlq" } },
      plan: () => fails,
    });
    send(0, "poison");
    sim.run();
    expect(services.sqs.queue("fn-dlq").size(sim.now)).toBe(0);
    expect(services.sqs.queue("q-dlq").contents(sim.now).map((m) => m.body)).toEqual(["poison"]);
    expect(mapping.advice).toMatchInlineSnapshot(`
      [
        "the dead-letter queue or on-failure destination of f is for asynchronous invocations: the mapping invokes synchronously, so failed messages stay in q until its redrive policy moves them to q-dlq",
      ]
    `);
  });
});

describe("§7 Partial batch response", () => {
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

  it("with ReportBatchItemFailures, failures do not scale polling down (without it, each failed batch takes a poller away)", () => {
    const run = (reportBatchItemFailures: boolean) => {
      let fail = false;
      const { sim, send, mapping } = setup({ mapping: { reportBatchItemFailures }, plan: () => (fail ? fails : { durationMs: 2_500 }) });
      for (let i = 0; i < 400; i++) send(0, "m");
      sim.at(2_100, () => (fail = true));
      sim.run({ until: 6_000 });
      return { pollers: mapping.pollerHistory.map((p) => p.pollers), failed: mapping.counts.failed };
    };
    const reporting = run(true);
    expect(reporting.failed).toBeGreaterThan(10);
    expect(reporting.pollers).toEqual([...reporting.pollers].sort((a, b) => a - b));
    const plain = run(false);
    expect(plain.pollers.some((n, i) => i > 0 && n < plain.pollers[i - 1]!)).toBe(true);
  });
});

describe("§0 SQS poller scale-up, §7 Scaling (standard queue)", () => {
  it("§7 pollers start at 5; §7 while visible messages remain and every poller is busy, add 5 per virtual second (300/min)", () => {
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

  it("scales up just the same when each batch takes a whole number of scaling steps, so batches end at the instant pollers are counted", () => {
    const { sim, send, mapping } = setup({ plan: () => ({ durationMs: 2_000 }) });
    for (let i = 0; i < 3_000; i++) send(0, "m");
    sim.run({ until: 4_500 });
    expect(mapping.pollerHistory.slice(0, 5)).toEqual([
      { t: 0, pollers: 5 },
      { t: 1_000, pollers: 10 },
      { t: 2_000, pollers: 15 },
      { t: 3_000, pollers: 20 },
      { t: 4_000, pollers: 25 },
    ]);
  });

  it("stops at 1,000 concurrent batches per mapping without MaximumConcurrency (199 s of scaling from 5)", () => {
    const { sim, send, mapping } = setup({
      concurrencyLimit: 2_000,
      services: { sqs: { queues: { q: { visibilityTimeoutMs: 900_000 } } } },
      fn: { timeoutMs: 900_000 },
      mapping: { batchSize: 1 },
      plan: () => ({ durationMs: 800_000 }),
    });
    for (let i = 0; i < 1_100; i++) send(0, "m");
    sim.run({ until: 250_000 });
    expect(tail(mapping.pollerHistory, 2)).toEqual([
      { t: 198_000, pollers: 995 },
      { t: 199_000, pollers: 1_000 },
    ]);
    expect(sim.metrics[sim.metrics.length - 1]!.concurrency).toBe(1_000);
  });

  it("samples the queue's visible and in-flight messages and the age of the oldest one each time the pollers look", () => {
    const { sim, send, mapping } = setup({ plan: () => ({ durationMs: 2_500 }) });
    for (let i = 0; i < 200; i++) send(0, "m");
    sim.run();
    expect(mapping.queueHistory[0]).toEqual({ t: 0, visible: 150, inFlight: 50, oldestAgeMs: 0 });
    expect(mapping.queueHistory.find((p) => p.t === 2_500)).toEqual({ t: 2_500, visible: 0, inFlight: 150, oldestAgeMs: 2_500 });
    expect(mapping.queueHistory[mapping.queueHistory.length - 1]).toMatchObject({ visible: 0, inFlight: 0, oldestAgeMs: 0 });
  });

  it("§7 after 60 s with an empty queue, drop back to 5; then down to 2 after 5 min (the drop to 2 and its timing are simplifications)", () => {
    const { sim, send, mapping } = setup({ plan: () => ({ durationMs: 1_500 }) });
    for (let i = 0; i < 300; i++) send(0, "m");
    sim.run();
    expect(Math.max(...mapping.pollerHistory.map((p) => p.pollers))).toBeGreaterThan(5);
    const drained = drainedAt(sim);
    expect(tail(mapping.pollerHistory, 2)).toEqual([
      { t: drained + 60_000, pollers: 5 },
      { t: drained + 300_000, pollers: 2 },
    ]);
  });

  it("takes the low-traffic floor and its timing from the model settings, and can leave it off", () => {
    const run = (model: ModelSettingsInput["sqsMapping"]) => {
      const { sim, send, mapping } = setup({ plan: () => ({ durationMs: 1_500 }), model });
      for (let i = 0; i < 300; i++) send(0, "m");
      sim.run();
      return tail(mapping.pollerHistory, 2).map((p) => ({ ...p, t: p.t - drainedAt(sim) }));
    };
    expect(run({ lowTrafficPollers: 3, lowTrafficAfterEmptyMs: 120_000, scaleBackAfterEmptyMs: 30_000 })).toEqual([
      { t: 30_000, pollers: 5 },
      { t: 120_000, pollers: 3 },
    ]);
    expect(run({ lowTrafficAfterEmptyMs: null })[1]).toEqual({ t: 60_000, pollers: 5 });
  });

  it("goes down to 2 even from 5 when the queue stays empty, and scales up again from 2 by the same steps", () => {
    const { sim, send, mapping } = setup({ plan: () => ({ durationMs: 2_500 }) });
    send(0, "first");
    for (let i = 0; i < 100; i++) send(400_000, "m");
    sim.run({ until: 402_500 });
    expect(mapping.pollerHistory).toEqual([
      { t: 0, pollers: 5 },
      { t: 302_500, pollers: 2 },
      { t: 401_000, pollers: 7 },
      { t: 402_000, pollers: 12 },
    ]);
  });

  it("§7 each failed batch (without ReportBatchItemFailures) takes one poller away, down to 5", () => {
    let fail = false;
    const { sim, send, mapping } = setup({ plan: () => (fail ? fails : { durationMs: 2_500 }) });
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

describe("§7 Maximum concurrency", () => {
  it("never goes above MaximumConcurrency", () => {
    const { sim, send, mapping } = setup({ mapping: { maximumConcurrency: 12 }, plan: () => ({ durationMs: 2_500 }) });
    for (let i = 0; i < 2_000; i++) send(0, "m");
    sim.run({ until: 10_000 });
    expect(Math.max(...mapping.pollerHistory.map((p) => p.pollers))).toBe(12);
    expect(Math.max(...sim.metrics.map((m) => m.concurrency))).toBe(12);
  });

  it("never goes below 5 at low traffic when MaximumConcurrency is set (no drop to 2), nor below MaximumConcurrency under 5", () => {
    const floorOf = (maximumConcurrency: number) => {
      const { sim, send, mapping } = setup({ mapping: { maximumConcurrency }, plan: () => ({ durationMs: 1_500 }) });
      for (let i = 0; i < 300; i++) send(0, "m");
      sim.run();
      return mapping.pollerHistory[mapping.pollerHistory.length - 1]!.pollers;
    };
    expect(floorOf(50)).toBe(5);
    expect(floorOf(3)).toBe(3);
  });

  it("set to the function's reserved concurrency, no invoke is throttled; without it, throttled batches reach a DLQ with maxReceiveCount 1, processed or not", () => {
    const run = (maximumConcurrency: number | null) => {
      const { sim, send, services, mapping } = setup({
        fn: { reservedConcurrency: 5, timeoutMs: 25_000 },
        mapping: { maximumConcurrency, batchSize: 1 },
        services: { sqs: { queues: { q: { redrive: { deadLetterQueue: "dlq", maxReceiveCount: 1 } } } } },
        plan: () => ({ durationMs: 20_000 }),
      });
      for (let i = 0; i < 40; i++) send(0, "m");
      sim.run();
      const ran = sim.trace.filter((r) => r.outcome === "success").length;
      return { ran, throttledBatches: mapping.counts.throttled, dlq: services.sqs.queue("dlq").size(sim.now), pollers: mapping.pollerHistory.map((p) => p.pollers) };
    };
    expect(run(5)).toEqual({ ran: 40, throttledBatches: 0, dlq: 0, pollers: [5] });
    // Without it the pollers grow to 40 while only 5 invokes fit: 30 batches are throttled until their visibility
    // timeout ends and go to the DLQ unprocessed; 5 more get in on a late retry (at 20 s), run past their visibility
    // timeout (received at 5 s, hidden until 35 s) and are dead-lettered too, although they were processed.
    const unset = run(null);
    expect(unset).toMatchObject({ ran: 10, throttledBatches: 30, dlq: 35 });
    // §3 SQS mapping throttled: Lambda lowers the mapping's concurrency after the throttled batches give up.
    const peak = Math.max(...unset.pollers);
    expect(unset.pollers.slice(unset.pollers.indexOf(peak)).some((n) => n < peak)).toBe(true);
  });

  it("accepts 2 to 1,000, naming the field otherwise", () => {
    const path = (n: number) => SqsMappingConfigSchema.safeParse({ queue: "q", maximumConcurrency: n }).error?.issues.map((i) => i.path.join("."));
    expect(path(2)).toBeUndefined();
    expect(path(1_000)).toBeUndefined();
    expect(path(1)).toEqual(["maximumConcurrency"]);
    expect(path(1_001)).toEqual(["maximumConcurrency"]);
  });
});

describe("§7 Provisioned mode", () => {
  it("holds at least the minimum pollers and scales up to the maximum (5 per second, a simplification)", () => {
    const { sim, send, mapping } = setup({ mapping: { provisionedPollers: { minimum: 10, maximum: 20 } }, plan: () => ({ durationMs: 2_500 }) });
    for (let i = 0; i < 2_000; i++) send(0, "m");
    sim.run({ until: 10_000 });
    expect(mapping.pollerHistory).toEqual([
      { t: 0, pollers: 10 },
      { t: 1_000, pollers: 15 },
      { t: 2_000, pollers: 20 },
    ]);
    expect(Math.max(...sim.metrics.map((m) => m.concurrency))).toBe(20);
  });

  it("goes back to its minimum at low traffic, never to 2, and takes its scaling step from the model settings", () => {
    const { sim, send, mapping } = setup({ mapping: { provisionedPollers: { minimum: 10, maximum: 40 } }, model: { provisionedPollerStep: 15 }, plan: () => ({ durationMs: 1_500 }) });
    for (let i = 0; i < 1_000; i++) send(0, "m");
    sim.run();
    const counts = mapping.pollerHistory.map((p) => p.pollers);
    expect(counts.slice(0, 3)).toEqual([10, 25, 40]);
    expect(tail(mapping.pollerHistory, 1)).toEqual([{ t: drainedAt(sim) + 60_000, pollers: 10 }]);
  });

  it("cannot be combined with MaximumConcurrency: the refusal names the field", () => {
    const parsed = SqsMappingConfigSchema.safeParse({ queue: "q", maximumConcurrency: 50, provisionedPollers: { minimum: 2, maximum: 50 } });
    expect(parsed.error?.issues.map((i) => [i.path.join("."), i.message])).toMatchInlineSnapshot(`
      [
        [
          "provisionedPollers",
          "provisioned mode (provisionedPollers) cannot be combined with maximumConcurrency: set one of them, not both",
        ],
      ]
    `);
    expect(() => setup({ mapping: { maximumConcurrency: 50, provisionedPollers: {} } })).toThrow(/cannot be combined with maximumConcurrency/);
  });

  it("refuses a minimum above the maximum, or under 2 (the Lambda API's range for SQS)", () => {
    const path = (p: object) => SqsMappingConfigSchema.safeParse({ queue: "q", provisionedPollers: p }).error?.issues.map((i) => i.path.join("."));
    expect(path({})).toBeUndefined();
    expect(path({ minimum: 30, maximum: 20 })).toEqual(["provisionedPollers.minimum"]);
    expect(path({ minimum: 1 })).toEqual(["provisionedPollers.minimum"]);
    expect(SqsMappingConfigSchema.parse({ queue: "q", provisionedPollers: {} }).provisionedPollers).toEqual({ minimum: 2, maximum: 200 });
  });
});

describe("§7 FIFO scaling", () => {
  const fifo = (plan: (records: SqsRecord[]) => InvokePlan) => setup({ queue: "q.fifo", mapping: { batchSize: 1 }, plan });

  it("runs at most one batch per active message group: 3 groups give a concurrency of 3, although 5 pollers are free", () => {
    const { sim, send, batches } = fifo(() => ({ durationMs: 1_000 }));
    let n = 0;
    for (let i = 0; i < 10; i++) for (const g of ["a", "b", "c"]) send(0, `${g}${i}`, { groupId: g, deduplicationId: String(n++) });
    sim.run();
    expect(Math.max(...sim.metrics.map((m) => m.concurrency))).toBe(3);
    for (const g of ["a", "b", "c"]) {
      expect(batches().flat().map((r) => r.body).filter((b) => b.startsWith(g))).toEqual(Array.from({ length: 10 }, (_, i) => `${g}${i}`));
    }
  });

  it("finishes a group's retries before taking more from that group, while other groups go on", () => {
    const { sim, send } = fifo((records) => (records[0]!.body === "a1" && records[0]!.attributes.ApproximateReceiveCount === "1" ? fails : { durationMs: 100 }));
    send(0, "a1", { groupId: "a", deduplicationId: "1" });
    send(0, "a2", { groupId: "a", deduplicationId: "2" });
    send(0, "b1", { groupId: "b", deduplicationId: "3" });
    send(0, "b2", { groupId: "b", deduplicationId: "4" });
    sim.run();
    const started = sim.trace.map((r) => [(JSON.parse(r.event) as { Records: SqsRecord[] }).Records[0]!.body, r.startedAt]);
    expect(started).toEqual([
      ["a1", 0],
      ["b1", 0],
      ["b2", 100],
      ["a1", 30_000],
      ["a2", 30_100],
    ]);
  });
});

describe("§3 SQS mapping throttled", () => {
  it("§7 a throttled invoke is retried at 1 s, 2 s, 4 s … until the visibility timeout ends, then the messages are received again", () => {
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
    expect(mapping.counts).toMatchObject({ throttled: 1, throttledInvokes: 6 });
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

describe("§7 SQS and the SQS event source mapping: what a report says about the mapping's simplifications", () => {
  const text = (sqsMapping: ModelSettingsInput["sqsMapping"]) => describeSimplifications(ModelSettingsSchema.parse({ sqsMapping }), ["sqs-event-source-mapping"]).at(-1);

  it("names every undocumented step with the values in force", () => {
    expect(text({})).toMatchInlineSnapshot(`"The SQS event source mapping starts with 5 pollers, each running one batch at a time, and the mapping sees a message the instant it arrives, with no polling delay; it adds 5 pollers every 1 s while messages wait and every poller is busy (up to 1,000 or the maximum concurrency; 5 per step in provisioned mode), drops back to 5 (to the minimum in provisioned mode) after 1 min with an empty queue and to 2 after 5 min (not with a maximum concurrency), and loses 1 per failed batch; a throttled batch is retried after 1 s, then twice as long each time, until its visibility timeout ends; messages of an invoke stopped by loop detection go to the queue's dead-letter queue or are dropped; a visibility timeout shorter than the function timeout is refused. AWS documents the starting point, the rate and the floors, not these steps."`);
    expect(text({ lowTrafficAfterEmptyMs: null, lowTrafficWaitMs: 20_000, pollerStep: 10 })).toMatchInlineSnapshot(`"The SQS event source mapping starts with 5 pollers, each running one batch at a time, and the mapping sees a message the instant it arrives, with no polling delay; it adds 10 pollers every 1 s while messages wait and every poller is busy (up to 1,000 or the maximum concurrency; 5 per step in provisioned mode), drops back to 5 (to the minimum in provisioned mode) after 1 min with an empty queue, and loses 1 per failed batch; a throttled batch is retried after 1 s, then twice as long each time, until its visibility timeout ends; messages of an invoke stopped by loop detection go to the queue's dead-letter queue or are dropped; a visibility timeout shorter than the function timeout is refused. With a batching window, a batch that is not full waits until 20 s after its window opened. AWS documents the starting point, the rate and the floors, not these steps."`);
  });

  it("is listed in a run's report once a mapping exists", () => {
    const { sim } = setup();
    expect(sim.simplificationsUsed.has("sqs-event-source-mapping")).toBe(true);
  });
});

describe("§7 SQS and the SQS event source mapping: when the mapping sees a new message (a SIMPLIFICATION)", () => {
  it("sees a message the instant it is sent by default, and an idle mapping notices it model.sqsMapping.pollDelayMs later", () => {
    const instant = setup();
    instant.send(1_000, "{}");
    instant.sim.run();
    expect(instant.sim.trace.map((r) => r.startedAt)).toEqual([1_000]);
    const delayed = setup({ model: { pollDelayMs: 500 } });
    delayed.send(1_000, "{}");
    delayed.send(1_200, "{}");
    delayed.sim.run();
    // Both messages are there when the mapping looks, 500 ms after the first arrived: one batch.
    expect(delayed.sim.trace.map((r) => r.startedAt)).toEqual([1_500]);
    expect(delayed.batches()[0]).toHaveLength(2);
    expect(describeSimplifications(delayed.sim.model, ["sqs-event-source-mapping"]).at(-1)).toContain("an idle mapping notices a new message 500 ms after it arrives");
  });
});
