import { describe, expect, it } from "vitest";
import type { FunctionConfigInput } from "../../src/runtime/config.ts";
import { Simulation } from "../../src/runtime/simulation.ts";
import { HostCode, type HostCodeOptions, setup, syncInvoke } from "./host-code.ts";

const FAIL = { durationMs: 100, error: { errorType: "Error", errorMessage: "downstream said no" } };

/** Function "f" plus a function "hog" that holds all of the account's concurrency (1) until `hogUntil`. */
function throttledSetup(hogUntil: number, fn: Partial<FunctionConfigInput> = {}, code: HostCodeOptions = {}) {
  const sim = new Simulation({ seed: 1, account: { concurrencyLimit: 1 } });
  const f = new HostCode(code);
  sim.deploy({ name: "hog", timeoutMs: 900_000 }, new HostCode());
  sim.deploy({ name: "f", ...fn }, f);
  syncInvoke(sim, "hog", { durationMs: hogUntil - 250 }, 0);
  return { sim, code: f };
}

describe("§6 Asynchronous invocation: retries after function errors", () => {
  it("runs an accepted event without a caller waiting, as mode async", () => {
    const { sim, code } = setup();
    sim.invoke("f", "async", { hello: "world" }, { at: 500 });
    sim.run();
    expect(sim.trace).toHaveLength(1);
    expect(sim.trace[0]).toMatchObject({ mode: "async", outcome: "success", attempt: 1, delivery: 1, arrivedAt: 500, event: '{"hello":"world"}' });
    expect(code.invocations[0]!.event).toEqual({ hello: "world" });
  });

  it("§6 per function, a FIFO in-memory queue in arrival order, and §6 the dispatcher invokes whenever concurrency allows: queued events start in the order they came, at once", () => {
    const { sim, code } = setup();
    for (const [id, at] of [["a", 0], ["b", 0], ["c", 0], ["d", 40]] as const) sim.invoke("f", "async", { id, durationMs: 100 }, { at });
    sim.run();
    expect(code.invocations.map((i) => (i.event as { id: string }).id)).toEqual(["a", "b", "c", "d"]);
    expect(sim.trace.map((r) => [r.arrivedAt, r.startedAt])).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
      [40, 40],
    ]);
  });

  it("§6 Retries on function error (incl. timeout, crash) and §6 function-error retries come after exactly 60 s and 120 s: retries an event twice after function errors, 60 s and then 120 s after the failed attempt ends, keeping its request id", () => {
    const { sim } = setup();
    sim.invoke("f", "async", FAIL, { at: 0 });
    sim.run();
    const attempts = sim.trace.filter((r) => r.outcome === "error");
    expect(attempts.map((r) => [r.attempt, r.startedAt, r.endedAt])).toEqual([
      [1, 0, 350], // cold start: 250 ms INIT + 100 ms
      [2, 60_350, 60_450],
      [3, 180_450, 180_550],
    ]);
    expect(new Set(attempts.map((r) => r.requestId)).size).toBe(1);
    expect(new Set(attempts.map((r) => r.eventId)).size).toBe(1);
    expect(attempts.map((r) => r.previousAttempt)).toEqual([null, attempts[0]!.seq, attempts[1]!.seq]);
    const discarded = sim.trace.filter((r) => r.outcome === "discarded");
    expect(discarded).toHaveLength(1);
    expect(discarded[0]).toMatchObject({ requestId: attempts[0]!.requestId, attempt: 3, arrivedAt: 180_550 });
    expect(discarded[0]!.reason).toBe("all 3 attempts failed (the maximum retry attempts is 2)");
    expect(sim.totals).toMatchObject({ requests: 1, invocations: 3, errors: 3 });
  });

  it("stops retrying once an attempt succeeds", () => {
    const { sim } = setup({ code: { invoke: (c) => (c.callIndex === 0 ? FAIL : {}) } });
    sim.invoke("f", "async", {}, { at: 0 });
    sim.run();
    expect(sim.trace.map((r) => [r.attempt, r.outcome])).toEqual([
      [1, "error"],
      [2, "success"],
    ]);
  });

  it("does not retry at all when maxRetryAttempts is 0", () => {
    const { sim } = setup({ fn: { async: { maxRetryAttempts: 0 } } });
    sim.invoke("f", "async", FAIL, { at: 0 });
    sim.run();
    expect(sim.trace.map((r) => [r.attempt, r.outcome])).toEqual([
      [1, "error"],
      [1, "discarded"],
    ]);
    expect(sim.trace[1]!.reason).toBe("all 1 attempts failed (the maximum retry attempts is 0)");
    expect(sim.trace[1]!.arrivedAt).toBe(350);
  });

  it("retries once when maxRetryAttempts is 1", () => {
    const { sim } = setup({ fn: { async: { maxRetryAttempts: 1 } } });
    sim.invoke("f", "async", FAIL, { at: 0 });
    sim.run();
    expect(sim.trace.filter((r) => r.outcome === "error").map((r) => r.attempt)).toEqual([1, 2]);
  });

  it("retries out-of-memory crashes like function errors, on a reset environment", () => {
    const { sim } = setup();
    sim.invoke("f", "async", { oom: true }, { at: 0 });
    sim.run();
    const attempts = sim.trace.filter((r) => r.outcome === "oom");
    expect(attempts.map((r) => [r.attempt, r.initKind])).toEqual([
      [1, "new"],
      [2, "reset"],
      [3, "reset"],
    ]);
  });

  it("follows configured retry delays", () => {
    const { sim } = setup({ model: { asyncRetryDelaysMs: [1_000, 5_000] } });
    sim.invoke("f", "async", FAIL, { at: 0 });
    sim.run();
    expect(sim.trace.filter((r) => r.outcome === "error").map((r) => r.startedAt)).toEqual([0, 1_350, 6_450]);
  });

  it("§6 Maximum event age: discards a retry that would run after the maximum event age at the instant the event reaches that age", () => {
    const { sim, code } = setup({ fn: { async: { maxEventAgeMs: 60_000 } } });
    sim.invoke("f", "async", FAIL, { at: 0 });
    sim.run();
    // The first attempt ends at 350 ms; the retry would come due at 60,350 ms, after the event turns 60 s old.
    expect(sim.trace.map((r) => [r.attempt, r.outcome, r.arrivedAt])).toEqual([
      [1, "error", 0],
      [2, "discarded", 60_000],
    ]);
    expect(sim.trace[1]!.reason).toBe("the event was older than the maximum event age (1 min)");
    expect(code.invocations).toHaveLength(1);
  });
});

describe("§6 Throttles (429) and system errors (5xx), and §3 Async throttle", () => {
  it("§6 throttle backoff is 1 s, 2 s, 4 s, … capped at 300 s: the event stays in Lambda's queue meanwhile", () => {
    const { sim } = throttledSetup(899_250);
    sim.invoke("f", "async", {}, { at: 0 });
    sim.run();
    const records = sim.trace.filter((r) => r.functionName === "f");
    const throttled = records.filter((r) => r.outcome === "throttled");
    const times = throttled.map((r) => r.arrivedAt);
    expect(times).toEqual([0, 1_000, 3_000, 7_000, 15_000, 31_000, 63_000, 127_000, 255_000, 511_000, 811_000]);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(gaps).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000]);
    expect(throttled[0]!.reason).toBe(
      "the account's 1 unreserved concurrent executions were all in use; the event stays in Lambda's queue and is retried in 1 s",
    );
    expect(throttled.at(-1)!.reason).toContain("retried in 5 min");
    const success = records.filter((r) => r.outcome === "success");
    expect(success).toHaveLength(1);
    expect(success[0]).toMatchObject({ startedAt: 1_111_000, attempt: 1 });
    expect(new Set(records.map((r) => r.requestId)).size).toBe(1);
  });

  it("does not spend the function-error retries on throttles", () => {
    const { sim } = throttledSetup(5_000, {}, { invoke: () => FAIL });
    sim.invoke("f", "async", {}, { at: 0 });
    sim.run();
    const f = sim.trace.filter((r) => r.functionName === "f");
    expect(f.filter((r) => r.outcome === "throttled").map((r) => r.arrivedAt)).toEqual([0, 1_000, 3_000]);
    expect(f.filter((r) => r.outcome === "error").map((r) => r.attempt)).toEqual([1, 2, 3]);
  });

  it("throttles on reserved concurrency too, and backs off the same way", () => {
    const { sim } = setup({ fn: { reservedConcurrency: 1, timeoutMs: 10_000 } });
    syncInvoke(sim, "f", { durationMs: 9_000 }, 0); // holds the one reserved execution until 9,250
    sim.invoke("f", "async", {}, { at: 0 });
    sim.run();
    const throttled = sim.trace.filter((r) => r.outcome === "throttled");
    expect(throttled.map((r) => r.arrivedAt)).toEqual([0, 1_000, 3_000, 7_000]);
    expect(throttled[0]!.reason).toContain("reserved concurrent executions in use");
    expect(sim.trace.find((r) => r.mode === "async" && r.outcome === "success")!.startedAt).toBe(15_000);
  });

  it("discards an event that stays throttled past the maximum event age when it reaches that age, not at its next try", () => {
    const { sim, code } = throttledSetup(899_250, { async: { maxEventAgeMs: 60_000 } });
    sim.invoke("f", "async", {}, { at: 0 });
    sim.run();
    const f = sim.trace.filter((r) => r.functionName === "f");
    expect(f.map((r) => [r.outcome, r.arrivedAt])).toEqual([
      ["throttled", 0],
      ["throttled", 1_000],
      ["throttled", 3_000],
      ["throttled", 7_000],
      ["throttled", 15_000],
      ["throttled", 31_000],
      ["discarded", 60_000],
    ]);
    expect(f.at(-1)!.reason).toBe("the event was older than the maximum event age (1 min)");
    expect(code.invocations).toHaveLength(0);
  });

  it("§3 Async with reserved concurrency 0: discards every event at once, without retries or throttles", () => {
    const { sim, code } = setup({ fn: { reservedConcurrency: 0 } });
    for (const at of [0, 100, 200]) sim.invoke("f", "async", FAIL, { at });
    sim.run();
    expect(sim.trace.map((r) => [r.outcome, r.attempt, r.arrivedAt])).toEqual([
      ["discarded", 1, 0],
      ["discarded", 1, 100],
      ["discarded", 1, 200],
    ]);
    expect(sim.trace[0]!.reason).toBe("reserved concurrency is 0, so Lambda discards new events without retrying them");
    expect(code.instances).toHaveLength(0);
    expect(sim.totals).toMatchObject({ throttles: 0, invocations: 0, billedMs: 0 });
  });
});

describe("§6 Duplicates: duplicate deliveries", () => {
  it("gives a duplicate delivery of the same event a new request id and delivery number", () => {
    const { sim } = setup();
    sim.invoke("f", "async", { order: "o-17" }, { at: 0, deliveries: 2, duplicateDelayMs: 5_000 });
    sim.run();
    expect(sim.trace.map((r) => [r.delivery, r.attempt, r.outcome, r.startedAt, r.cold])).toEqual([
      [1, 1, "success", 0, true],
      [2, 1, "success", 5_000, false],
    ]);
    expect(sim.trace[0]!.eventId).toBe(sim.trace[1]!.eventId);
    expect(sim.trace[0]!.requestId).not.toBe(sim.trace[1]!.requestId);
    expect(sim.totals.requests).toBe(2);
  });

  it("retries each delivery separately, each keeping its own request id", () => {
    const { sim } = setup();
    sim.invoke("f", "async", FAIL, { at: 0, deliveries: 2, duplicateDelayMs: 1_000 });
    sim.run();
    const attempts = sim.trace.filter((r) => r.outcome === "error");
    expect(attempts).toHaveLength(6);
    for (const delivery of [1, 2]) {
      const mine = attempts.filter((r) => r.delivery === delivery);
      expect(mine.map((r) => r.attempt)).toEqual([1, 2, 3]);
      expect(new Set(mine.map((r) => r.requestId)).size).toBe(1);
    }
    expect(new Set(attempts.map((r) => r.requestId)).size).toBe(2);
    expect(new Set(attempts.map((r) => r.eventId)).size).toBe(1);
  });

  it("delivers simultaneous duplicates to separate environments", () => {
    const { sim, code } = setup();
    sim.invoke("f", "async", {}, { at: 0, deliveries: 3 });
    sim.run();
    expect(sim.trace.map((r) => r.delivery).sort()).toEqual([1, 2, 3]);
    expect(code.instances).toHaveLength(3);
  });
});
