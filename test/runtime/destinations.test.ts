import { describe, expect, it } from "vitest";
import { FunctionConfigSchema } from "../../src/runtime/config.ts";
import type { Destination, DestinationTargets } from "../../src/runtime/destinations.ts";
import { Simulation } from "../../src/runtime/simulation.ts";
import { HostCode, setup, syncInvoke } from "./host-code.ts";

const FAIL = { durationMs: 100, error: { errorType: "Error", errorMessage: "downstream said no" } };
const queue = (name: string): Destination => ({ type: "sqs", name });

describe("§6 Destinations", () => {
  it("§6 Invocation record: sends the invocation record of a failed event to the on-failure destination after the last retry (condition RetriesExhausted)", () => {
    const { sim } = setup({ fn: { async: { onFailure: queue("failed") } } });
    sim.invoke("f", "async", { ...FAIL, order: "o-17" }, { at: 0 });
    sim.run();
    expect(sim.destinations.deliveries).toHaveLength(1);
    const delivery = sim.destinations.deliveries[0]!;
    expect(delivery).toMatchObject({ t: 180_550, kind: "on-failure", target: queue("failed"), delivered: true, error: null });
    expect(JSON.parse(delivery.body)).toEqual({
      version: "1.0",
      timestamp: "2026-01-01T00:03:00.550Z",
      requestContext: {
        requestId: sim.trace[0]!.requestId,
        functionArn: "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST",
        condition: "RetriesExhausted",
        approximateInvokeCount: 3,
      },
      requestPayload: { ...FAIL, order: "o-17" },
      responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
      responsePayload: { errorType: "Error", errorMessage: "downstream said no" },
    });
    expect(sim.trace.at(-1)!.reason).toBe(
      "all 3 attempts failed (the maximum retry attempts is 2); its record went to the on-failure destination (SQS queue failed)",
    );
  });

  it("sends a successful event's record to the on-success destination (condition Success, with the response)", () => {
    const { sim } = setup({ fn: { async: { onSuccess: { type: "eventbridge", name: "default" } } } });
    sim.invoke("f", "async", { durationMs: 5, result: { ok: 1 } }, { at: 0 });
    sim.run();
    const body = JSON.parse(sim.destinations.deliveries[0]!.body);
    expect(sim.destinations.deliveries[0]!.kind).toBe("on-success");
    expect(body.requestContext).toMatchObject({ condition: "Success", approximateInvokeCount: 1 });
    expect(body.responseContext).toEqual({ statusCode: 200, executedVersion: "$LATEST" });
    expect(body.responsePayload).toEqual({ ok: 1 });
  });

  it("§6 the condition values EventAgeExceeded and Success are used for the other outcomes: an event that grows too old", () => {
    const { sim } = setup({ fn: { async: { maxEventAgeMs: 60_000, onFailure: queue("failed") } } });
    sim.invoke("f", "async", FAIL, { at: 0 });
    sim.run();
    const body = JSON.parse(sim.destinations.deliveries[0]!.body);
    expect(sim.destinations.deliveries[0]!.t).toBe(60_000);
    expect(body.requestContext).toMatchObject({ condition: "EventAgeExceeded", approximateInvokeCount: 1 });
    expect(body.responsePayload.errorMessage).toBe("downstream said no");
  });

  it("§3 Async with reserved concurrency 0: sends new events straight to the on-failure destination, without retries", () => {
    const { sim, code } = setup({ fn: { reservedConcurrency: 0, async: { onFailure: queue("failed") } } });
    sim.invoke("f", "async", { n: 1 }, { at: 5 });
    sim.run();
    expect(code.invocations).toHaveLength(0);
    const body = JSON.parse(sim.destinations.deliveries[0]!.body);
    expect(sim.destinations.deliveries[0]!.t).toBe(5);
    expect(body.requestContext).toMatchObject({ condition: "RetriesExhausted", approximateInvokeCount: 0 });
    expect(body).not.toHaveProperty("responsePayload");
  });

  it("hands a Lambda destination the record as a new async event of the target function", () => {
    const sim = new Simulation({ seed: 1 });
    sim.deploy({ name: "f", async: { maxRetryAttempts: 0, onFailure: { type: "lambda", name: "cleanup" } } }, new HostCode());
    const cleanup = new HostCode({ invoke: () => ({ durationMs: 1 }) });
    sim.deploy({ name: "cleanup" }, cleanup);
    sim.invoke("f", "async", FAIL, { at: 0 });
    sim.run();
    expect(cleanup.invocations).toHaveLength(1);
    expect((cleanup.invocations[0]!.event as { requestContext: { condition: string } }).requestContext.condition).toBe("RetriesExhausted");
    expect(sim.trace.filter((r) => r.functionName === "cleanup").map((r) => [r.mode, r.outcome])).toEqual([["async", "success"]]);
  });

  it("refuses FIFO queues and topics as destinations and counts DestinationDeliveryFailures", () => {
    const { sim } = setup({ fn: { async: { maxRetryAttempts: 0, onFailure: queue("failed.fifo") } } });
    sim.invoke("f", "async", FAIL, { at: 0 });
    sim.run();
    expect(sim.destinations.deliveries[0]).toMatchObject({ delivered: false, error: { name: "InvalidParameterValueException" } });
    expect(sim.destinations.destinationDeliveryFailures).toBe(1);
    expect(sim.trace.at(-1)!.reason).toMatchInlineSnapshot(
      `"all 1 attempts failed (the maximum retry attempts is 0); the on-failure destination (SQS queue failed.fifo) refused its record: queue failed.fifo is FIFO; Lambda sends async records only to standard queues and topics"`,
    );
  });

  it("accepts S3 as an on-failure destination only", () => {
    const s3 = { type: "s3", name: "bucket" };
    expect(FunctionConfigSchema.safeParse({ async: { onFailure: s3 } }).success).toBe(true);
    const refused = FunctionConfigSchema.safeParse({ async: { onSuccess: s3 } });
    expect(refused.success).toBe(false);
    expect(refused.error!.issues[0]!.message).toBe("S3 can only be an on-failure destination");
  });

  it("hands records to the simulated services, which may refuse them", () => {
    const seen: string[] = [];
    const targets: DestinationTargets = {
      deliver(target, body) {
        seen.push(`${target.type}:${target.name}:${JSON.parse(body).requestContext.condition}`);
        return target.name === "missing" ? { ok: false, error: { name: "QueueDoesNotExist", message: "no queue named missing" } } : { ok: true };
      },
    };
    const sim = new Simulation({ seed: 1, destinations: targets });
    sim.deploy({ name: "ok", async: { onSuccess: { type: "sns", name: "done" } } }, new HostCode());
    sim.deploy({ name: "bad", async: { maxRetryAttempts: 0, onFailure: queue("missing") } }, new HostCode());
    sim.invoke("ok", "async", {}, { at: 0 });
    sim.invoke("bad", "async", FAIL, { at: 0 });
    sim.run();
    expect(seen.sort()).toEqual(["sns:done:Success", "sqs:missing:RetriesExhausted"]);
    expect(sim.destinations.destinationDeliveryFailures).toBe(1);
  });

  it("§5 Async destination: SNS: sends an SNS destination a record over 256 KB without its request and response payloads", () => {
    const big = "x".repeat(300_000);
    const { sim } = setup({ fn: { async: { onSuccess: { type: "sns", name: "done" } } } });
    sim.invoke("f", "async", { durationMs: 1, pad: big }, { at: 0 });
    sim.run();
    const body = JSON.parse(sim.destinations.deliveries[0]!.body);
    expect(body).not.toHaveProperty("requestPayload");
    expect(body).not.toHaveProperty("responsePayload");
    expect(body.requestContext.condition).toBe("Success");
  });

  it("does not send sync invocations' outcomes anywhere", () => {
    const { sim } = setup({ fn: { async: { onSuccess: queue("done"), onFailure: queue("failed") } } });
    syncInvoke(sim, "f", {}, 0);
    syncInvoke(sim, "f", FAIL, 10);
    sim.run();
    expect(sim.destinations.deliveries).toHaveLength(0);
  });
});

describe("§6 DLQ (older alternative)", () => {
  it("gets only the event body plus RequestID, ErrorCode and ErrorMessage attributes", () => {
    const { sim } = setup({ fn: { deadLetterQueue: { type: "sqs", name: "dlq" } } });
    sim.invoke("f", "async", { order: "o-17" }, { at: 0 });
    sim.run();
    // The default HostCode succeeds: nothing is dead-lettered.
    expect(sim.destinations.deliveries).toHaveLength(0);
    sim.invoke("f", "async", { ...FAIL, order: "o-18" }, { at: 1_000 });
    sim.run();
    const [dl] = sim.destinations.deliveries;
    expect(dl).toMatchObject({ kind: "dead-letter", target: { type: "sqs", name: "dlq" }, delivered: true });
    expect(JSON.parse(dl!.body)).toEqual({ ...FAIL, order: "o-18" });
    expect(dl!.attributes).toEqual({ RequestID: dl!.requestId, ErrorCode: "200", ErrorMessage: "downstream said no" });
  });

  it("deletes the event and counts DeadLetterErrors when the dead-letter queue refuses it", () => {
    const { sim } = setup({ fn: { async: { maxRetryAttempts: 0 }, deadLetterQueue: { type: "sns", name: "dlq.fifo" } } });
    sim.invoke("f", "async", FAIL, { at: 0 });
    sim.run();
    expect(sim.destinations.deadLetterErrors).toBe(1);
    expect(sim.trace.at(-1)!.reason).toContain("the dead-letter queue (SNS topic dlq.fifo) refused it, so it was deleted");
  });

  it("gets an event Lambda never ran (reserved concurrency 0) with ErrorCode 429 and the reason", () => {
    const { sim } = setup({ fn: { reservedConcurrency: 0, deadLetterQueue: { type: "sqs", name: "dlq" } } });
    sim.invoke("f", "async", { n: 1 }, { at: 0 });
    sim.run();
    expect(sim.destinations.deliveries[0]!.attributes).toMatchObject({
      ErrorCode: "429",
      ErrorMessage: "reserved concurrency is 0, so Lambda discards new events without retrying them",
    });
  });
});

describe("§6 Duplicates (async.duplicateRate, a SIMPLIFICATION)", () => {
  it("§6 duplicate delivery happens only when a scenario sets async.duplicateRate > 0: no event is delivered twice by default", () => {
    const { sim } = setup();
    for (let i = 0; i < 200; i++) sim.invoke("f", "async", { i }, { at: i * 100 });
    sim.run();
    expect(sim.trace.every((r) => r.delivery === 1)).toBe(true);
  });

  it("delivers about the configured share of events twice, the same ones for the same seed", () => {
    const run = () => {
      const { sim } = setup({ fn: { async: { duplicateRate: 0.25 } } });
      for (let i = 0; i < 400; i++) sim.invoke("f", "async", { i }, { at: i * 100 });
      sim.run();
      return sim.trace.filter((r) => r.delivery === 2).map((r) => r.eventId);
    };
    const duplicated = run();
    expect(duplicated.length).toBeGreaterThan(70);
    expect(duplicated.length).toBeLessThan(130);
    expect(run()).toEqual(duplicated);
  });
});

describe("§6 Destinations that feed each other", () => {
  it("§3 Recursive loop detection set to Allow: two functions whose on-failure destinations point at each other make one event per hand-off, never a nested call without end", () => {
    const sim = new Simulation({ seed: 1 });
    // Reserved concurrency 0: every event is discarded at once and its record goes on to the other function.
    const deploy = (name: string, other: string) =>
      sim.deploy({ name, reservedConcurrency: 0, recursiveLoop: "Allow", async: { onFailure: { type: "lambda", name: other } } }, new HostCode());
    deploy("a", "b");
    deploy("b", "a");
    sim.invoke("a", "async", {}, { at: 0 });
    expect(sim.run({ maxEvents: 400 })).toBe(400);
    expect(sim.now).toBe(0);
    const hops = sim.destinations.deliveries.map((d) => `${d.functionName}→${d.target.name}`);
    expect(hops.length).toBeGreaterThan(100);
    expect(hops.slice(0, 3)).toEqual(["a→b", "b→a", "a→b"]);
  });
});
