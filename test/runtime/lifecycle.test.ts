import { describe, expect, it } from "vitest";
import type { ServiceDispatcher } from "../../src/runtime/types.ts";
import { HostCode, logTexts, setup, syncInvoke } from "./host-code.ts";

const reports = (texts: string[]) => texts.filter((t) => t.startsWith("REPORT "));

describe("§1 Execution environment lifecycle: INIT and warm reuse", () => {
  it("§1 INIT timing and §1 Cold-start time: runs INIT on the first invocation of a new environment: the 250 ms platform part plus the module's own init time", () => {
    const { sim, code } = setup({ code: { init: { durationMs: 40 } } });
    const call = syncInvoke(sim, "f", { durationMs: 100 }, 0);
    sim.run();
    const rec = sim.trace[0]!;
    expect(rec).toMatchObject({ envId: "env-1", cold: true, initKind: "new", startedAt: 0, invokeStartedAt: 290, endedAt: 390 });
    expect(rec.initMs).toBe(290);
    expect(rec.durationMs).toBe(100);
    expect(code.happened("init-start").map((h) => h.t)).toEqual([250]);
    expect(call.result?.statusCode).toBe(200);
    expect(sim.totals.coldStarts).toBe(1);
  });

  it("§1 Warm reuse: reuses a warm environment: module state survives between invocations of the same environment", () => {
    const { sim, code } = setup();
    const calls = [0, 1_000, 2_000].map((at) => syncInvoke(sim, "f", {}, at));
    sim.run();
    expect(calls.map((c) => JSON.parse(c.result!.payload).count)).toEqual([1, 2, 3]);
    expect(sim.trace.map((r) => r.envId)).toEqual(["env-1", "env-1", "env-1"]);
    expect(sim.trace.map((r) => r.cold)).toEqual([true, false, false]);
    expect(sim.trace.map((r) => r.initKind)).toEqual(["new", null, null]);
    expect(sim.trace[1]!.initMs).toBeNull();
    expect(sim.trace[1]!.startedAt).toBe(1_000);
    expect(sim.trace[1]!.invokeStartedAt).toBe(1_000);
    expect(code.instances).toHaveLength(1);
    expect(sim.totals.coldStarts).toBe(1);
  });

  it("logs Init Duration only in the REPORT of the first request an environment serves", () => {
    const { sim } = setup();
    syncInvoke(sim, "f", {}, 0);
    syncInvoke(sim, "f", {}, 1_000);
    sim.run();
    const [first, second] = reports(logTexts(sim));
    expect(first).toContain("\tInit Duration: 250.00 ms");
    expect(second).not.toContain("Init Duration");
  });

  it("§1 Phases: serves one request at a time: two concurrent sync invokes run in two environments, each with its own cold start", () => {
    const { sim, code } = setup();
    const a = syncInvoke(sim, "f", { durationMs: 100 }, 0);
    const b = syncInvoke(sim, "f", { durationMs: 100 }, 0);
    sim.run();
    expect(sim.trace.map((r) => r.envId).sort()).toEqual(["env-1", "env-2"]);
    expect(sim.trace.every((r) => r.cold && r.initKind === "new")).toBe(true);
    expect(code.instances).toHaveLength(2);
    expect(JSON.parse(a.result!.payload).count).toBe(1);
    expect(JSON.parse(b.result!.payload).count).toBe(1);
  });

  it("gives a request that arrives while the only environment is busy a new environment, not a queue slot", () => {
    const { sim } = setup();
    syncInvoke(sim, "f", { durationMs: 1_000 }, 0);
    syncInvoke(sim, "f", {}, 500);
    syncInvoke(sim, "f", {}, 5_000);
    sim.run();
    const byStart = [...sim.trace].sort((x, y) => x.startedAt - y.startedAt);
    expect(byStart.map((r) => [r.startedAt, r.envId, r.cold])).toEqual([
      [0, "env-1", true],
      [500, "env-2", true],
      [5_000, "env-2", false],
    ]);
  });

  it("§1 Which warm environment serves a request: gives the next request to the most recently created idle environment, not the most recently used one", () => {
    const { sim } = setup();
    syncInvoke(sim, "f", { durationMs: 2_000 }, 0); // env-1, created at 0, ends at 2,250 (used last)
    syncInvoke(sim, "f", { durationMs: 10 }, 100); // env-2, created at 100, ends at 360
    syncInvoke(sim, "f", {}, 5_000);
    syncInvoke(sim, "f", {}, 6_000);
    sim.run();
    const late = sim.trace.filter((r) => r.startedAt >= 5_000);
    expect(late.map((r) => [r.envId, r.cold])).toEqual([
      ["env-2", false],
      ["env-2", false],
    ]);
  });

  it("§11 Reuse is per function version: an idle environment of one function never serves another", () => {
    const { sim, code } = setup();
    const other = new HostCode();
    sim.deploy({ name: "g" }, other);
    syncInvoke(sim, "f", { durationMs: 100 }, 0);
    syncInvoke(sim, "g", { durationMs: 100 }, 1_000);
    syncInvoke(sim, "f", { durationMs: 100 }, 2_000);
    sim.run();
    expect(sim.trace.map((r) => [r.functionName, r.envId, r.cold])).toEqual([
      ["f", code.instances[0]!.envId, true],
      ["g", other.instances[0]!.envId, true],
      ["f", code.instances[0]!.envId, false],
    ]);
    expect(other.instances[0]!.envId).not.toBe(code.instances[0]!.envId);
  });

  it("§1 Which warm environment serves a request: breaks a tie between environments created at the same instant by the lowest id", () => {
    const { sim } = setup();
    syncInvoke(sim, "f", { durationMs: 10 }, 0);
    syncInvoke(sim, "f", { durationMs: 500 }, 0);
    syncInvoke(sim, "f", {}, 5_000);
    sim.run();
    expect(sim.trace.find((r) => r.startedAt === 5_000)!.envId).toBe("env-1");
  });
});

describe("§1 Execution environment lifecycle: idle recycling and maximum lifetime (SIMPLIFICATIONS)", () => {
  it("§1 Idle recycling: recycles an idle environment idleExpiryMs (10 min) after its last invocation ends, so the next invoke is cold", () => {
    const { sim, code } = setup();
    syncInvoke(sim, "f", {}, 0); // ends at 260
    sim.run({ until: 600_259 });
    expect(sim.environmentsOf("f").map((e) => e.id)).toEqual(["env-1"]);
    sim.run({ until: 600_260 });
    expect(sim.environmentsOf("f").map((e) => e.id)).toEqual([]);
    expect(code.instances[0]!.disposed).toBe(true);
    syncInvoke(sim, "f", {}, 600_261);
    sim.run();
    expect(sim.trace[1]).toMatchObject({ envId: "env-2", cold: true, initKind: "new" });
  });

  it("§1 Idle recycling: keeps an idle environment warm until just before idleExpiryMs has passed", () => {
    const { sim } = setup();
    syncInvoke(sim, "f", {}, 0); // ends at 260
    syncInvoke(sim, "f", {}, 260 + 600_000 - 1);
    sim.run();
    expect(sim.trace[1]).toMatchObject({ envId: "env-1", cold: false });
  });

  it("§1 Idle recycling: counts the idle period from the end of the latest invocation, not the first", () => {
    const { sim } = setup();
    syncInvoke(sim, "f", {}, 0); // ends at 260
    syncInvoke(sim, "f", {}, 300_000); // ends at 300,010
    syncInvoke(sim, "f", {}, 300_010 + 599_999);
    sim.run();
    expect(sim.trace.map((r) => [r.envId, r.cold])).toEqual([
      ["env-1", true],
      ["env-1", false],
      ["env-1", false],
    ]);
  });

  it("runs same-instant events in scheduling order at the expiry boundary: an invoke scheduled in advance wins, one scheduled after the environment parked loses", () => {
    const early = setup();
    syncInvoke(early.sim, "f", {}, 0); // ends at 260: expiry due at 600,260
    syncInvoke(early.sim, "f", {}, 600_260); // scheduled before the environment parked
    early.sim.run();
    expect(early.sim.trace[1]).toMatchObject({ envId: "env-1", cold: false });

    const late = setup();
    syncInvoke(late.sim, "f", {}, 0);
    late.sim.at(1_000, () => syncInvoke(late.sim, "f", {}, 600_260)); // scheduled after the environment parked
    late.sim.run();
    expect(late.sim.trace[1]).toMatchObject({ envId: "env-2", cold: true });
  });

  it("§1 Idle recycling: follows a configured idleExpiryMs", () => {
    const { sim } = setup({ model: { idleExpiryMs: 1_000 } });
    syncInvoke(sim, "f", {}, 0); // ends at 260
    syncInvoke(sim, "f", {}, 1_200); // 940 ms idle: warm; ends at 1,210
    syncInvoke(sim, "f", {}, 2_211); // 1,001 ms idle: cold
    sim.run();
    expect(sim.trace.map((r) => [r.envId, r.cold])).toEqual([
      ["env-1", true],
      ["env-1", false],
      ["env-2", true],
    ]);
  });

  it("§1 Maximum lifetime: retires a busy environment that reaches maxLifetimeMs once the invocation in progress finishes", () => {
    const { sim, code } = setup({ model: { maxLifetimeMs: 10_000 }, fn: { timeoutMs: 5_000 } });
    syncInvoke(sim, "f", {}, 0);
    const busy = syncInvoke(sim, "f", { durationMs: 2_000 }, 9_000); // running when env-1 turns 10 s old
    syncInvoke(sim, "f", {}, 11_500);
    sim.run({ until: 10_999 });
    expect(sim.environmentsOf("f").map((e) => e.id)).toEqual(["env-1"]);
    sim.run({ until: 11_000 });
    expect(busy.result?.statusCode).toBe(200);
    expect(busy.result?.functionError).toBeNull();
    expect(sim.trace[1]).toMatchObject({ envId: "env-1", outcome: "success", endedAt: 11_000 });
    expect(sim.environmentsOf("f").map((e) => e.id)).toEqual([]);
    expect(code.happened("dispose").map((h) => h.t)).toEqual([11_000]);
    sim.run();
    expect(sim.trace[2]).toMatchObject({ envId: "env-2", cold: true, initKind: "new" });
  });

  it("§1 Maximum lifetime: retires an idle environment as soon as it reaches maxLifetimeMs, even though it is not idle-expired", () => {
    const { sim } = setup({ model: { maxLifetimeMs: 10_000 } });
    syncInvoke(sim, "f", {}, 0);
    syncInvoke(sim, "f", {}, 9_000);
    sim.run({ until: 9_999 });
    expect(sim.environmentsOf("f").map((e) => e.id)).toHaveLength(1);
    sim.run({ until: 10_000 });
    expect(sim.environmentsOf("f").map((e) => e.id)).toHaveLength(0);
  });

  it("§1 Maximum lifetime: never retires an environment for age when maxLifetimeMs is null", () => {
    const { sim } = setup({ model: { maxLifetimeMs: null, idleExpiryMs: 100_000_000 } });
    syncInvoke(sim, "f", {}, 0);
    syncInvoke(sim, "f", {}, 8_000_000); // past the default 2 h lifetime
    sim.run();
    expect(sim.trace[1]).toMatchObject({ envId: "env-1", cold: false });
  });

  it("§1 Maximum lifetime: retires environments after 2 h by default", () => {
    const { sim } = setup({ model: { idleExpiryMs: 100_000_000 } });
    syncInvoke(sim, "f", {}, 0);
    syncInvoke(sim, "f", {}, 7_199_000);
    syncInvoke(sim, "f", {}, 7_201_000);
    sim.run();
    expect(sim.trace.map((r) => [r.envId, r.cold])).toEqual([
      ["env-1", true],
      ["env-1", false],
      ["env-2", true],
    ]);
  });
});

describe("§1 Early recycling: only when a scenario asks (sim.recycle), at any time", () => {
  it("destroys every idle environment of the function at once, so every next invocation is cold", () => {
    const { sim, code } = setup();
    for (let i = 0; i < 3; i++) syncInvoke(sim, "f", { durationMs: 100 }, 0); // env-1, env-2, env-3, all idle at 350
    sim.at(1_000, () => sim.recycle("f"));
    sim.run({ until: 1_000 });
    expect(sim.environmentsOf("f").map((e) => e.id)).toEqual([]);
    expect(code.instances.every((i) => i.disposed)).toBe(true);
    for (let i = 0; i < 3; i++) syncInvoke(sim, "f", {}, 2_000);
    sim.run();
    const late = sim.trace.filter((r) => r.startedAt === 2_000);
    expect(late.map((r) => r.cold)).toEqual([true, true, true]);
    expect(late.map((r) => r.envId).sort()).toEqual(["env-4", "env-5", "env-6"]);
  });

  it("lets a busy environment finish its invocation, then retires it", () => {
    const { sim } = setup();
    const busy = syncInvoke(sim, "f", { durationMs: 2_000 }, 0);
    sim.at(1_000, () => sim.recycle("f"));
    syncInvoke(sim, "f", {}, 3_000);
    sim.run({ until: 2_250 });
    expect(busy.result?.statusCode).toBe(200);
    expect(busy.result?.functionError).toBeNull();
    expect(sim.environmentsOf("f").map((e) => e.id)).toEqual([]);
    sim.run();
    expect(sim.trace[1]).toMatchObject({ envId: "env-2", cold: true, initKind: "new" });
  });

  it("only recycles the named function's environments", () => {
    const { sim, code } = setup();
    sim.deploy({ name: "g" }, code);
    syncInvoke(sim, "f", {}, 0);
    syncInvoke(sim, "g", {}, 0);
    sim.at(1_000, () => sim.recycle("f"));
    syncInvoke(sim, "f", {}, 2_000);
    syncInvoke(sim, "g", {}, 2_000);
    sim.run();
    const late = sim.trace.filter((r) => r.startedAt === 2_000);
    expect(late.find((r) => r.functionName === "f")!.cold).toBe(true);
    expect(late.find((r) => r.functionName === "g")!.cold).toBe(false);
  });

  it("ends every environment and frees its code on shutdown", () => {
    const { sim, code } = setup();
    syncInvoke(sim, "f", {}, 0);
    syncInvoke(sim, "f", {}, 0);
    sim.run({ until: 1_000 });
    sim.shutdown();
    expect(sim.environmentsOf("f").map((e) => e.id)).toEqual([]);
    expect(code.instances.map((i) => i.disposed)).toEqual([true, true]);
  });
});

describe("§1 Reset after crash or timeout (and the §1 Reset decision: a new QuickJS context, the same environment and /tmp)", () => {
  it("resets an environment after a timeout: the next invocation on it runs INIT again (initKind reset) and module state is lost", () => {
    const { sim, code } = setup();
    syncInvoke(sim, "f", {}, 0); // count 1 on instance 0
    syncInvoke(sim, "f", { hang: true }, 1_000); // count 2, times out at 4,000
    const after = syncInvoke(sim, "f", {}, 5_000);
    sim.run();
    expect(sim.trace[1]).toMatchObject({ outcome: "timeout", envId: "env-1" });
    expect(code.instances[0]).toMatchObject({ aborted: true, disposed: true });
    expect(sim.trace[2]).toMatchObject({ envId: "env-1", cold: true, initKind: "reset", initMs: 250 });
    expect(JSON.parse(after.result!.payload)).toEqual({ envId: "env-1", instance: 1, count: 1 });
    expect(reports(logTexts(sim))[2]).toContain("\tInit Duration: 250.00 ms");
    expect(sim.totals.coldStarts).toBe(2);
  });

  it("resets an environment after an out-of-memory crash: the next invocation re-initialises it", () => {
    const { sim, code } = setup();
    syncInvoke(sim, "f", {}, 0);
    syncInvoke(sim, "f", { oom: true }, 1_000);
    const after = syncInvoke(sim, "f", {}, 5_000);
    sim.run();
    expect(sim.trace[1]!.outcome).toBe("oom");
    expect(code.instances[0]!.disposed).toBe(true);
    expect(sim.trace[2]).toMatchObject({ envId: "env-1", cold: true, initKind: "reset" });
    expect(JSON.parse(after.result!.payload).count).toBe(1);
  });

  it("does not reset after a handled function error: the next invocation is warm and module state survives", () => {
    const { sim, code } = setup();
    syncInvoke(sim, "f", {}, 0);
    syncInvoke(sim, "f", { error: { errorType: "Error", errorMessage: "nope" } }, 1_000);
    const after = syncInvoke(sim, "f", {}, 2_000);
    sim.run();
    expect(sim.trace[1]!.outcome).toBe("error");
    expect(sim.trace[2]).toMatchObject({ envId: "env-1", cold: false, initKind: null });
    expect(JSON.parse(after.result!.payload).count).toBe(3);
    expect(code.instances).toHaveLength(1);
  });

  it("keeps the environment id and its log stream across a reset: only the code instance is replaced", () => {
    const { sim } = setup();
    syncInvoke(sim, "f", { hang: true }, 0);
    syncInvoke(sim, "f", {}, 10_000);
    sim.run({ until: 20_000 });
    const streams = new Set(sim.logs.map((l) => l.stream));
    expect(streams).toEqual(new Set(["2026/01/01/[$LATEST]env-1"]));
    expect(sim.environmentsOf("f").map((e) => e.id)).toEqual(["env-1"]);
  });

  it("§1 Re-init after a reset: re-runs init inside the invocation after a reset, so init counts against the function timeout and is part of Duration", () => {
    const { sim, code } = setup({ code: { init: (i) => ({ durationMs: i.index === 0 ? 0 : 1_000 }) } });
    syncInvoke(sim, "f", { hang: true }, 0); // times out at 3,250
    const after = syncInvoke(sim, "f", { durationMs: 500 }, 5_000);
    sim.run();
    const rec = sim.trace[1]!;
    expect(rec).toMatchObject({ initKind: "reset", startedAt: 5_000, invokeStartedAt: 5_000, endedAt: 6_750, initMs: 1_250 });
    expect(rec.durationMs).toBe(1_750);
    expect(rec.billedMs).toBe(1_750); // init is inside Duration, not added a second time
    expect(code.invocations[1]!.deadline).toBe(8_000); // the handler keeps the deadline set when the invocation began
    expect(after.result?.statusCode).toBe(200);
  });

  it("§1 Re-init after a reset: never gets past INIT after a reset when re-init takes longer than the function timeout (obs)", () => {
    const { sim, code } = setup({ code: { init: (i) => ({ durationMs: i.index === 0 ? 0 : 3_000 }) } });
    syncInvoke(sim, "f", { hang: true }, 0);
    const second = syncInvoke(sim, "f", {}, 5_000);
    const third = syncInvoke(sim, "f", {}, 10_000);
    sim.run();
    for (const rec of [sim.trace[1]!, sim.trace[2]!]) {
      expect(rec).toMatchObject({ outcome: "timeout", initKind: "reset", failedIn: "init", durationMs: 3_000 });
    }
    expect(code.invocations).toHaveLength(1); // the handler never ran again
    expect(JSON.parse(second.result!.payload).errorType).toBe("Sandbox.Timedout");
    expect(JSON.parse(third.result!.payload).errorType).toBe("Sandbox.Timedout");
  });

  it("resets an environment whose INIT failed: the caller gets the error and the next invocation runs INIT again", () => {
    const { sim, code } = setup({
      code: { init: (i) => (i.index === 0 ? { durationMs: 20, error: { errorType: "Error", errorMessage: "boom at top level" } } : {}) },
    });
    const first = syncInvoke(sim, "f", {}, 0);
    const second = syncInvoke(sim, "f", {}, 1_000);
    sim.run();
    expect(first.result).toMatchObject({ statusCode: 200, functionError: "Unhandled" });
    expect(JSON.parse(first.result!.payload)).toMatchObject({ errorType: "Error", errorMessage: "boom at top level" });
    expect(sim.trace[0]).toMatchObject({ outcome: "error", failedIn: "init", initKind: "new", initMs: 270, durationMs: 0, billedMs: 270 });
    expect(code.instances[0]!.disposed).toBe(true);
    expect(sim.trace[1]).toMatchObject({ envId: "env-1", cold: true, initKind: "reset", outcome: "success" });
    expect(JSON.parse(second.result!.payload)).toEqual({ envId: "env-1", instance: 1, count: 1 });
    expect(code.invocations).toHaveLength(1);
    // The failed invocation still has its START line, before the error document.
    const id = sim.trace[0]!.requestId;
    expect(sim.logs.filter((l) => l.requestId === id).map((l) => l.text.split(/[ \t]/)[0])).toEqual(["START", "2026-01-01T00:00:00.270Z", "END", "REPORT"]);
  });
});

describe("§1 INIT limit: 10 s, then a retry inside the first invocation", () => {
  it("stops an INIT that runs past 10 s and retries it inside the first invocation, under the function timeout", () => {
    const { sim, code } = setup({
      fn: { timeoutMs: 5_000 },
      code: { init: (i) => ({ durationMs: i.index === 0 ? 12_000 : 1_000 }) },
    });
    const call = syncInvoke(sim, "f", { durationMs: 100 }, 0);
    sim.run();
    const initReport = sim.logs.find((l) => l.text.startsWith("INIT_REPORT"))!;
    expect(initReport.t).toBe(10_000);
    expect(initReport.text).toBe("INIT_REPORT Init Duration: 10000.00 ms\tPhase: init\tStatus: timeout");
    const id = sim.trace[0]!.requestId;
    expect(sim.logs.map((l) => [l.t, l.text.split(/[ \t]/)[0]])).toEqual([
      [10_000, "INIT_REPORT"],
      [10_000, "START"], // the retried INIT runs inside the invocation
      [11_350, "END"],
      [11_350, "REPORT"],
    ]);
    expect(sim.logs.at(-1)!.text).toBe(
      `REPORT RequestId: ${id}\tDuration: 1350.00 ms\tBilled Duration: 11350 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB\tInit Duration: 10000.00 ms`,
    );
    expect(code.instances[0]).toMatchObject({ aborted: true, disposed: true });
    expect(code.instances[1]!.createdAt).toBe(10_250);
    const rec = sim.trace[0]!;
    expect(rec).toMatchObject({ outcome: "success", envId: "env-1", initKind: "new", initMs: 10_000, invokeStartedAt: 10_000, endedAt: 11_350 });
    expect(rec.durationMs).toBe(1_350);
    expect(rec.billedMs).toBe(11_350);
    expect(code.invocations[0]!.deadline).toBe(15_000);
    expect(call.result?.statusCode).toBe(200);
    expect(call.result?.functionError).toBeNull();
    expect(sim.trace).toHaveLength(1);
    expect(code.instances).toHaveLength(2);
  });

  it("counts the 250 ms platform part against the 10 s INIT limit", () => {
    const ok = setup({ code: { init: { durationMs: 9_749 } } });
    syncInvoke(ok.sim, "f", {}, 0);
    ok.sim.run();
    expect(ok.sim.trace[0]).toMatchObject({ outcome: "success", initMs: 9_999 });
    expect(ok.sim.logs.some((l) => l.text.startsWith("INIT_REPORT"))).toBe(false);

    const late = setup({ code: { init: (i) => ({ durationMs: i.index === 0 ? 9_751 : 0 }) } });
    syncInvoke(late.sim, "f", {}, 0);
    late.sim.run();
    expect(late.sim.logs.some((l) => l.text.startsWith("INIT_REPORT") && l.t === 10_000)).toBe(true);
    expect(late.sim.trace[0]!.initMs).toBe(10_000);
  });

  it("fails the invocation with a timeout when the retried INIT does not finish within the function timeout", () => {
    const { sim, code } = setup({ fn: { timeoutMs: 5_000 }, code: { init: (i) => ({ durationMs: i.index === 0 ? 12_000 : 6_000 }) } });
    const call = syncInvoke(sim, "f", {}, 0);
    syncInvoke(sim, "f", { durationMs: 1 }, 20_000);
    sim.run();
    expect(sim.trace[0]).toMatchObject({ outcome: "timeout", failedIn: "init", endedAt: 15_000, durationMs: 5_000, initMs: 10_000 });
    expect(sim.trace[0]!.billedMs).toBe(15_000);
    expect(JSON.parse(call.result!.payload)).toEqual({ errorType: "Sandbox.Timedout", errorMessage: "Task timed out after 5.00 seconds" });
    expect(code.invocations).toHaveLength(0);
    expect(sim.trace[1]).toMatchObject({ envId: "env-1", initKind: "reset" });
  });
});

describe("§1 Freeze / thaw (and the §1 Freeze decision: frozen callbacks resume on the next invoke, or are dropped)", () => {
  it("runs a port.defer callback that came due while the environment was idle only when the next invocation thaws it", () => {
    const { sim, code } = setup();
    syncInvoke(sim, "f", { durationMs: 10, defer: [{ delayMs: 5_000, label: "tick" }] }, 0); // due at 5,250; idle from 260
    syncInvoke(sim, "f", {}, 20_000);
    sim.run({ until: 19_999 });
    expect(code.happened("callback:")).toEqual([]);
    sim.run();
    const ticks = code.happened("callback:tick");
    expect(ticks).toHaveLength(1);
    expect(ticks[0]!.t).toBe(20_000);
    // It runs inside the thawing invocation (its log line carries that request id), before the handler.
    const line = sim.logs.find((l) => l.text.endsWith("\tINFO\tcallback:tick"))!;
    expect(line.requestId).toBe(sim.trace[1]!.requestId);
    expect(line.t).toBe(20_000);
    const order = code.happenings.map((h) => h.what);
    expect(order.lastIndexOf("callback:tick")).toBeLessThan(order.lastIndexOf("invoke"));
  });

  it("runs a callback that comes due while the environment is busy at its own time", () => {
    const { sim, code } = setup();
    syncInvoke(sim, "f", { durationMs: 1_000, defer: [{ delayMs: 500, label: "tick" }] }, 0);
    sim.run();
    expect(code.happened("callback:tick").map((h) => h.t)).toEqual([750]);
  });

  it("freezes timers left behind by the module's top level as well", () => {
    const { sim, code } = setup({ code: { init: { defer: [{ delayMs: 1_000, label: "init-timer" }] } } });
    syncInvoke(sim, "f", {}, 0); // INIT at 250, timer due at 1,250, idle from 260
    syncInvoke(sim, "f", {}, 5_000);
    sim.run();
    expect(code.happened("callback:init-timer").map((h) => h.t)).toEqual([5_000]);
  });

  it("drops a frozen callback when the environment is recycled before the next invocation", () => {
    const { sim, code } = setup();
    syncInvoke(sim, "f", { defer: [{ delayMs: 5_000, label: "tick" }] }, 0);
    sim.at(10_000, () => sim.recycle("f"));
    syncInvoke(sim, "f", {}, 20_000);
    sim.run();
    expect(code.happened("callback:")).toEqual([]);
    expect(sim.trace[1]).toMatchObject({ envId: "env-2", cold: true });
  });

  it("drops a frozen callback when the idle environment expires", () => {
    const { sim, code } = setup();
    syncInvoke(sim, "f", { defer: [{ delayMs: 5_000, label: "tick" }] }, 0);
    syncInvoke(sim, "f", {}, 700_000);
    sim.run();
    expect(code.happened("callback:")).toEqual([]);
  });

  it("drops pending callbacks when the environment is reset after a timeout", () => {
    const { sim, code } = setup();
    syncInvoke(sim, "f", { hang: true, defer: [{ delayMs: 5_000, label: "tick" }] }, 0); // times out at 3,250
    syncInvoke(sim, "f", {}, 4_000);
    syncInvoke(sim, "f", {}, 20_000);
    sim.run();
    expect(code.happened("callback:")).toEqual([]);
  });

  it("applies a service call at reply time while the caller is frozen, and delivers the reply when the next invocation thaws it", () => {
    const applied: number[] = [];
    const services: ServiceDispatcher = {
      dispatch: (_service, _operation, _args, call) => ({
        latencyMs: 1_000,
        complete: () => {
          applied.push(call.time);
          return { ok: true, value: "sent" };
        },
      }),
    };
    const { sim, code } = setup({ sim: { services } });
    syncInvoke(sim, "f", { durationMs: 10, services: [{ service: "mail", operation: "send", label: "mail" }] }, 0);
    syncInvoke(sim, "f", {}, 8_000);
    sim.run({ until: 7_999 });
    expect(applied).toEqual([250]); // issued at 250 by the first invocation; the effect happened at 1,250
    expect(code.happened("reply:")).toEqual([]);
    sim.run();
    const replies = code.happened("reply:mail");
    expect(replies.map((h) => h.t)).toEqual([8_000]);
    expect(replies[0]!.detail).toEqual({ ok: true, value: "sent" });
  });
});

describe("§1 SHUTDOWN", () => {
  it("§1 SHUTDOWN: the trace records a SHUTDOWN phase when an idle environment is recycled, with no time taken and nothing billed (no extensions are modelled)", () => {
    const { sim } = setup({ model: { idleExpiryMs: 60_000 } });
    syncInvoke(sim, "f", { durationMs: 100 }, 0);
    sim.run();
    expect(sim.platformEvents).toEqual([{ kind: "shutdown", t: 60_350, functionName: "f", envId: "env-1", cause: "idle-expiry", durationMs: 0, capMs: 2_000 }]);
    // The invocation's figures are those of a run without SHUTDOWN: one billed INIT + INVOKE, nothing after it.
    expect(sim.totals).toMatchObject({ invocations: 1, billedMs: 350 });
    expect(sim.environmentsOf("f")).toEqual([]);
  });

  it("§1 SHUTDOWN: names its cause: the maximum lifetime, a recycle, or a redeploy", () => {
    const causes = (model: object, fn: object, after: (sim: ReturnType<typeof setup>["sim"]) => void) => {
      const { sim } = setup({ model, fn });
      syncInvoke(sim, "f", { durationMs: 20_000 }, 0);
      after(sim);
      sim.run({ until: 100_000 });
      return sim.platformEvents.map((e) => e.kind === "shutdown" && [e.t, e.cause]);
    };
    expect(causes({ maxLifetimeMs: 10_000 }, { timeoutMs: 30_000 }, () => {})).toEqual([[20_250, "max-lifetime"]]);
    expect(causes({}, { timeoutMs: 30_000 }, (sim) => sim.at(25_000, () => sim.recycle("f")))).toEqual([[25_000, "recycled"]]);
    expect(causes({}, { timeoutMs: 30_000 }, (sim) => sim.at(25_000, () => sim.deploy({ name: "f" }, new HostCode())))).toEqual([[25_000, "redeploy"]]);
  });
});
