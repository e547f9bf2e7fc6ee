import { describe, expect, it } from "vitest";
import { Simulation } from "../../src/runtime/simulation.ts";
import { HostCode, setup, syncInvoke } from "./host-code.ts";

const bodyOf = (call: { result: { payload: string } | null }) => JSON.parse(call.result!.payload);

describe("§3 Account concurrency: the account limit", () => {
  it("§3 Definition: uses one environment per in-flight request, so concurrency equals the number of overlapping requests", () => {
    const { sim } = setup();
    for (let i = 0; i < 5; i++) syncInvoke(sim, "f", { durationMs: 1_000 }, i * 100);
    sim.run();
    expect(new Set(sim.trace.map((r) => r.envId)).size).toBe(5);
    expect(Math.max(...sim.metrics.map((m) => m.concurrency))).toBe(5);
  });

  it("§3 Sync throttle: throttles a sync invoke over the account limit with 429 TooManyRequestsException, Reason ConcurrentInvocationLimitExceeded", () => {
    const { sim, code } = setup({ sim: { account: { concurrencyLimit: 2 } } });
    const calls = [0, 0, 0].map((at) => syncInvoke(sim, "f", { durationMs: 1_000 }, at));
    sim.run();
    expect(calls.map((c) => c.result!.statusCode)).toEqual([200, 200, 429]);
    const throttled = calls[2]!.result!;
    expect(throttled.functionError).toBeNull();
    expect(JSON.parse(throttled.payload)).toEqual({ Reason: "ConcurrentInvocationLimitExceeded", Type: "User", message: "Rate Exceeded." });
    expect(throttled.record).toMatchObject({ outcome: "throttled", envId: null, billedMs: 0 });
    expect(throttled.record.error?.errorType).toBe("TooManyRequestsException");
    expect(throttled.record.reason).toContain("2 unreserved concurrent executions were all in use");
    expect(code.instances).toHaveLength(2);
    expect(sim.totals).toMatchObject({ requests: 3, invocations: 2, throttles: 1 });
  });

  it("§3 Sync throttle: accepts requests again as soon as an in-flight request finishes (the caller must retry, Lambda does not)", () => {
    const { sim } = setup({ sim: { account: { concurrencyLimit: 1 } } });
    const first = syncInvoke(sim, "f", { durationMs: 1_000 }, 0); // busy until 1,250
    const during = syncInvoke(sim, "f", {}, 1_249);
    const after = syncInvoke(sim, "f", {}, 1_251);
    sim.run();
    expect(first.result!.statusCode).toBe(200);
    expect(during.result!.statusCode).toBe(429);
    expect(after.result!.statusCode).toBe(200);
    expect(after.result!.record).toMatchObject({ envId: "env-1", cold: false });
    // The throttled request is not retried by the simulator.
    expect(sim.trace.filter((r) => r.eventId === during.result!.record.eventId)).toHaveLength(1);
  });

  it("shares the account limit between all functions", () => {
    const sim = new Simulation({ seed: 1, account: { concurrencyLimit: 2 } });
    sim.deploy({ name: "a" }, new HostCode());
    sim.deploy({ name: "b" }, new HostCode());
    syncInvoke(sim, "a", { durationMs: 1_000 }, 0);
    syncInvoke(sim, "a", { durationMs: 1_000 }, 0);
    const b = syncInvoke(sim, "b", {}, 100);
    sim.run();
    expect(b.result!.statusCode).toBe(429);
    expect(bodyOf(b).Reason).toBe("ConcurrentInvocationLimitExceeded");
  });

  it("does not bill or count a throttled request as an invocation", () => {
    const { sim } = setup({ fn: { reservedConcurrency: 0 } });
    syncInvoke(sim, "f", {}, 0);
    sim.run();
    expect(sim.totals).toMatchObject({ requests: 1, invocations: 0, throttles: 1, billedMs: 0, costUsd: 0, coldStarts: 0 });
  });
});

describe("§3 Reserved concurrency", () => {
  it("§3 Sync throttle: throttles a sync invoke over the function's reserved concurrency with Reason ReservedFunctionConcurrentInvocationLimitExceeded", () => {
    const { sim } = setup({ fn: { reservedConcurrency: 1 } });
    const a = syncInvoke(sim, "f", { durationMs: 1_000 }, 0);
    const b = syncInvoke(sim, "f", {}, 500);
    sim.run();
    expect(a.result!.statusCode).toBe(200);
    expect(b.result!.statusCode).toBe(429);
    expect(bodyOf(b)).toEqual({ Reason: "ReservedFunctionConcurrentInvocationLimitExceeded", Type: "User", message: "Rate Exceeded." });
    expect(b.result!.record.reason).toBe("f already had 1 of its 1 reserved concurrent executions in use");
  });

  it("throttles every sync invoke when reserved concurrency is 0, and never creates an environment", () => {
    const { sim, code } = setup({ fn: { reservedConcurrency: 0 } });
    const calls = [0, 10_000, 600_000].map((at) => syncInvoke(sim, "f", {}, at));
    sim.run();
    for (const c of calls) {
      expect(c.result!.statusCode).toBe(429);
      expect(bodyOf(c).Reason).toBe("ReservedFunctionConcurrentInvocationLimitExceeded");
    }
    expect(code.instances).toHaveLength(0);
    expect(sim.metrics.every((m) => m.environments === 0)).toBe(true);
  });

  it("is a floor: capacity reserved for one function is taken away from the others even while it is unused", () => {
    const sim = new Simulation({ seed: 1, account: { concurrencyLimit: 3, unreservedMinimum: 0 } });
    sim.deploy({ name: "reserved", reservedConcurrency: 2 }, new HostCode());
    sim.deploy({ name: "other" }, new HostCode());
    const o1 = syncInvoke(sim, "other", { durationMs: 1_000 }, 0);
    const o2 = syncInvoke(sim, "other", { durationMs: 1_000 }, 0); // only 3 − 2 = 1 unreserved execution
    const r1 = syncInvoke(sim, "reserved", { durationMs: 1_000 }, 100);
    const r2 = syncInvoke(sim, "reserved", { durationMs: 1_000 }, 100);
    const r3 = syncInvoke(sim, "reserved", { durationMs: 1_000 }, 100);
    sim.run();
    expect(o1.result!.statusCode).toBe(200);
    expect(o2.result!.statusCode).toBe(429);
    expect(bodyOf(o2).Reason).toBe("ConcurrentInvocationLimitExceeded");
    expect(o2.result!.record.reason).toContain("account's 1 unreserved concurrent executions");
    expect([r1, r2].map((c) => c.result!.statusCode)).toEqual([200, 200]);
    expect(r3.result!.statusCode).toBe(429);
    expect(bodyOf(r3).Reason).toBe("ReservedFunctionConcurrentInvocationLimitExceeded");
  });

  it("is a ceiling that applies even when the account has spare concurrency", () => {
    const { sim } = setup({ fn: { reservedConcurrency: 2 }, sim: { account: { concurrencyLimit: 1_000 } } });
    const calls = [0, 0, 0, 0].map((at) => syncInvoke(sim, "f", { durationMs: 1_000 }, at));
    sim.run();
    expect(calls.map((c) => c.result!.statusCode)).toEqual([200, 200, 429, 429]);
  });
});
