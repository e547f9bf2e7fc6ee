import { describe, expect, it } from "vitest";
import { describeSdkRetries, retryableStatus, SdkRetriesSchema } from "../../src/runtime/sdk-retries.ts";
import { Simulation, type SimulationOptions } from "../../src/runtime/simulation.ts";
import type { ServiceDispatcher, ServiceResult } from "../../src/runtime/types.ts";
import { HostCode, syncInvoke } from "./host-code.ts";

const invokeB = (maxAttempts?: number) => ({
  service: "lambda",
  operation: "invoke",
  args: maxAttempts === undefined ? ["b", { durationMs: 10 }] : ["b", { durationMs: 10 }, "RequestResponse", null, maxAttempts],
  label: "invoke:b",
});

/**
 * A caller `a` (running 5 s) that invokes `b` at 100 ms, while `b`'s only unit of reserved concurrency is held by a
 * 10 s invocation: every attempt is throttled.
 */
function throttledChain(options: SimulationOptions = {}, maxAttempts?: number) {
  const sim = new Simulation({ seed: 7, ...options, model: { initPlatformMs: 0, ...options.model } });
  const a = new HostCode({ invoke: () => ({ durationMs: 5_000, services: [{ ...invokeB(maxAttempts), offsetMs: 100 }] }) });
  sim.deploy({ name: "a", timeoutMs: 10_000 }, a);
  sim.deploy({ name: "b", reservedConcurrency: 1, timeoutMs: 15_000 }, new HostCode());
  sim.invoke("b", "sync", { durationMs: 10_000 }, { at: 0 });
  syncInvoke(sim, "a", {}, 0);
  sim.run();
  const reply = a.happened("reply:invoke:b")[0]!;
  const throttled = sim.trace.filter((r) => r.functionName === "b" && r.outcome === "throttled");
  return { sim, reply, throttled };
}

describe("§4 AWS SDK retries: handler code's lambda.invoke retries a throttle like the SDK's standard mode", () => {
  it("§4 SDK retries: a simulated client retries 429 and 5xx up to 3 attempts with full-jitter backoff (base 100 ms, cap 20 s), then throws with the SDK's $metadata", () => {
    const { sim, reply, throttled } = throttledChain();
    expect(throttled.map((r) => r.arrivedAt)).toEqual([100, 100 + sim.sdkRetries[0]!.delayMs, 100 + sim.sdkRetries[0]!.delayMs + sim.sdkRetries[1]!.delayMs]);
    expect(sim.sdkRetries.map((r) => [r.attempt, r.errorName, r.httpStatus])).toEqual([
      [1, "TooManyRequestsException", 429],
      [2, "TooManyRequestsException", 429],
    ]);
    // Full jitter: after the n-th failed attempt, a draw in [0, 100 ms × 2^n).
    expect(sim.sdkRetries[0]!.delayMs).toBeGreaterThanOrEqual(0);
    expect(sim.sdkRetries[0]!.delayMs).toBeLessThan(200);
    expect(sim.sdkRetries[1]!.delayMs).toBeLessThan(400);
    const waited = sim.sdkRetries[0]!.delayMs + sim.sdkRetries[1]!.delayMs;
    expect(reply.t).toBe(100 + waited);
    expect(reply.detail).toMatchObject({
      ok: false,
      error: { name: "TooManyRequestsException", metadata: { httpStatusCode: 429, attempts: 3, totalRetryDelay: Math.round(waited) } },
    });
    // The caller waited inside its invocation (billed): the reply reached it before its 5 s handler ended.
    expect(sim.trace.find((r) => r.functionName === "a")!.endedAt).toBe(5_000);
  });

  it("draws its jitter from the seeded generator: the same seed gives the same delays, another seed other ones", () => {
    const delays = (seed: number) => throttledChain({ seed }).sim.sdkRetries.map((r) => r.delayMs);
    expect(delays(3)).toEqual(delays(3));
    expect(delays(3)).not.toEqual(delays(4));
  });

  it("succeeds on a later attempt when the throttle is gone by then", () => {
    const sim = new Simulation({ seed: 1, model: { initPlatformMs: 0, sdkRetries: { baseDelayMs: 10_000, maxDelayMs: 10_000 } } });
    const a = new HostCode({ invoke: () => ({ durationMs: 60_000, services: [invokeB()] }) });
    sim.deploy({ name: "a", timeoutMs: 60_000 }, a);
    sim.deploy({ name: "b", reservedConcurrency: 1 }, new HostCode());
    // b is busy for the first 1 ms only: the retry, up to 10 s later, finds it free.
    sim.invoke("b", "sync", { durationMs: 1 }, { at: 0 });
    syncInvoke(sim, "a", {}, 0);
    sim.run();
    expect(a.happened("reply:invoke:b")[0]!.detail).toMatchObject({ ok: true, value: { statusCode: 200, functionError: null } });
    expect(sim.sdkRetries).toHaveLength(1);
    const b = sim.trace.filter((r) => r.functionName === "b").sort((x, y) => x.seq - y.seq);
    expect(b.map((r) => r.outcome)).toEqual(["success", "throttled", "success"]);
  });

  it("makes one attempt when the call sets maxAttempts 1, or the scenario sets model.sdkRetries.maxAttempts 1", () => {
    const perCall = throttledChain({}, 1);
    expect(perCall.throttled).toHaveLength(1);
    expect(perCall.reply.detail).toMatchObject({ ok: false, error: { metadata: { attempts: 1, totalRetryDelay: 0 } } });
    const perScenario = throttledChain({ model: { sdkRetries: { maxAttempts: 1 } } });
    expect(perScenario.throttled).toHaveLength(1);
    expect(perScenario.sim.sdkRetries).toEqual([]);
  });

  it("uses the scenario's backoff constants: with base 1 s and cap 1.5 s the waits are under 1.5 s", () => {
    const { sim, throttled } = throttledChain({ model: { sdkRetries: { maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 1_500 } } });
    expect(throttled).toHaveLength(5);
    expect(sim.sdkRetries).toHaveLength(4);
    for (const r of sim.sdkRetries) expect(r.delayMs).toBeLessThan(1_500);
    expect(sim.sdkRetries.some((r) => r.delayMs >= 400)).toBe(true);
  });

  it("ends its retries with the caller's invocation: a caller that times out during the backoff makes no more attempts", () => {
    const sim = new Simulation({ seed: 1, model: { initPlatformMs: 0, sdkRetries: { baseDelayMs: 60_000, maxDelayMs: 60_000 } } });
    const a = new HostCode({ invoke: () => ({ hang: true, services: [invokeB()] }) });
    sim.deploy({ name: "a", timeoutMs: 1_000 }, a);
    sim.deploy({ name: "b", reservedConcurrency: 0 }, new HostCode());
    syncInvoke(sim, "a", {}, 0);
    sim.run();
    expect(sim.sdkRetries).toHaveLength(1);
    expect(sim.sdkRetries[0]!.delayMs).toBeGreaterThan(1_000);
    expect(sim.trace.filter((r) => r.functionName === "b")).toHaveLength(1);
    expect(sim.trace.find((r) => r.functionName === "a")!.outcome).toBe("timeout");
    expect(a.happened("reply:")).toEqual([]);
  });

  it("retries an Event invoke refused by the request rate quota, then gets 202", () => {
    const sim = new Simulation({ seed: 1, account: { concurrencyLimit: 1, unreservedMinimum: 0 }, model: { initPlatformMs: 0, requestsPerSecondPerConcurrency: 1, sdkRetries: { baseDelayMs: 1_000, maxDelayMs: 1_000 } } });
    const caller = new HostCode({ invoke: () => ({ durationMs: 5_000, services: [{ service: "lambda", operation: "invoke", args: ["g", {}, "Event", null, 20], label: "event" }] }) });
    sim.deploy({ name: "f" }, caller);
    sim.deploy({ name: "g" }, new HostCode());
    // The quota is 1 request per second and the client's request to f took this second's: f's Event invoke waits
    // for the next second.
    syncInvoke(sim, "f", {}, 0);
    sim.run();
    const reply = caller.happened("reply:event")[0]!;
    expect(reply.detail).toEqual({ ok: true, value: { statusCode: 202 } });
    expect(reply.t).toBeGreaterThanOrEqual(1_000);
    expect(sim.sdkRetries.every((r) => r.errorName === "TooManyRequestsException")).toBe(true);
  });
});

describe("§4 It never retries function errors, which arrive as HTTP 200 with X-Amz-Function-Error", () => {
  it("returns the callee's function error after one attempt", () => {
    const sim = new Simulation({ seed: 1, model: { initPlatformMs: 0 } });
    const a = new HostCode({ invoke: () => ({ durationMs: 1_000, services: [invokeB()] }) });
    sim.deploy({ name: "a" }, a);
    sim.deploy({ name: "b" }, new HostCode({ invoke: () => ({ durationMs: 5, error: { errorType: "Error", errorMessage: "boom" } }) }));
    syncInvoke(sim, "a", {}, 0);
    sim.run();
    expect(a.happened("reply:invoke:b")[0]!.detail).toMatchObject({ ok: true, value: { statusCode: 200, functionError: "Unhandled" } });
    expect(sim.trace.filter((r) => r.functionName === "b")).toHaveLength(1);
    expect(sim.sdkRetries).toEqual([]);
  });
});

describe("§4 AWS SDK retries apply to every AWS service of workbook:aws, never to the downstream dependency or the payment provider", () => {
  /** A table that answers 503 to its first two calls, and a downstream and a payment provider that always answer 503. */
  function flakyServices(): ServiceDispatcher & { calls: string[] } {
    const calls: string[] = [];
    let tableCalls = 0;
    return {
      calls,
      dispatch(service) {
        calls.push(service);
        const failing = service !== "table" || ++tableCalls <= 2;
        const result: ServiceResult = failing ? { ok: false, error: { name: "ServiceUnavailable", message: "503 Service Unavailable", httpStatus: 503 } } : { ok: true, value: "item" };
        return { latencyMs: 5, complete: () => result };
      },
    };
  }

  it("retries a table's 503 until it answers, and hands a downstream or payment 503 to the code at once", () => {
    const services = flakyServices();
    const sim = new Simulation({ seed: 1, services, model: { initPlatformMs: 0 } });
    const plan = ["table", "downstream", "payments"].map((service) => ({ service, operation: "get", args: [], label: service }));
    const a = new HostCode({ invoke: () => ({ durationMs: 2_000, services: plan }) });
    sim.deploy({ name: "a" }, a);
    syncInvoke(sim, "a", {}, 0);
    sim.run();
    expect(a.happened("reply:table")[0]!.detail).toEqual({ ok: true, value: "item" });
    expect(a.happened("reply:downstream")[0]!.detail).toEqual({ ok: false, error: { name: "ServiceUnavailable", message: "503 Service Unavailable", httpStatus: 503 } });
    expect(a.happened("reply:payments")[0]!.detail).not.toHaveProperty("error.metadata");
    expect(services.calls.filter((s) => s === "table")).toHaveLength(3);
    expect(services.calls.filter((s) => s !== "table")).toEqual(["downstream", "payments"]);
    expect(sim.sdkRetries.map((r) => r.service)).toEqual(["table", "table"]);
  });

  it("never retries a 4xx: a ValidationException reaches the code after one attempt, with the attempt count", () => {
    const sim = new Simulation({ seed: 1, model: { initPlatformMs: 0 }, services: { dispatch: () => ({ latencyMs: 1, complete: () => ({ ok: false, error: { name: "ValidationException", message: "bad key", httpStatus: 400 } }) }) } });
    const a = new HostCode({ invoke: () => ({ durationMs: 100, services: [{ service: "queue", operation: "send", args: [], label: "send" }] }) });
    sim.deploy({ name: "a" }, a);
    syncInvoke(sim, "a", {}, 0);
    sim.run();
    expect(a.happened("reply:send")[0]!.detail).toMatchObject({ ok: false, error: { name: "ValidationException", metadata: { httpStatusCode: 400, attempts: 1, totalRetryDelay: 0 } } });
  });
});

describe("§4 AWS SDK retries: the simplification a learner reads", () => {
  it("counts a throttle and every 5xx as retryable, never a success or another 4xx", () => {
    expect([200, 400, 404, 413, 429, 500, 502, 503, 504].filter(retryableStatus)).toEqual([429, 500, 502, 503, 504]);
  });

  it("names the unsourced backoff constants with the values in force", () => {
    expect(describeSdkRetries(SdkRetriesSchema.parse({}))).toMatchInlineSnapshot(`"AWS SDK retries: a call to an AWS service that gets a throttle (429) or a server error (5xx) is retried, up to 3 attempts in total (as in the SDK's standard mode), waiting a random time between 0 and min(20 s, 100 ms × 2^n) after the n-th failed attempt (up to 200 ms after the first); a function error (HTTP 200 with X-Amz-Function-Error) is never retried. The backoff's base and cap are the workbook's: AWS does not document them."`);
  });

  it("is listed in a run's simplifications once a retry happened", () => {
    expect(throttledChain().sim.simplificationsUsed.has("sdk-retries")).toBe(true);
    expect(throttledChain({}, 1).sim.simplificationsUsed.has("sdk-retries")).toBe(false);
  });
});
