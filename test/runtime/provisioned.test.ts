import { describe, expect, it } from "vitest";
import { FunctionConfigSchema } from "../../src/runtime/config.ts";
import { DeploymentError } from "../../src/runtime/scaling.ts";
import { describeSimplifications } from "../../src/runtime/simplifications.ts";
import { Simulation } from "../../src/runtime/simulation.ts";
import { HostCode, setup, syncInvoke } from "./host-code.ts";

describe("§3 Provisioned concurrency", () => {
  it("§1 INIT timing: initialises its environments ahead of traffic, at deployment", () => {
    const { sim, code } = setup({ fn: { provisionedConcurrency: 2 }, code: { init: { durationMs: 1_000 } } });
    expect(sim.environmentsOf("f").map((e) => [e.state, e.provisioned])).toEqual([
      ["init", true],
      ["init", true],
    ]);
    sim.run({ until: 5_000 });
    expect(code.instances.map((i) => i.initEndedAt)).toEqual([1_250, 1_250]);
    expect(sim.environmentsOf("f").map((e) => e.state)).toEqual(["idle", "idle"]);
    expect(sim.trace).toHaveLength(0);
  });

  it("serves requests without a cold start, and spills over to on-demand environments when all are busy", () => {
    const { sim } = setup({ fn: { provisionedConcurrency: 1 } });
    const calls = [5_000, 5_000, 5_010].map((at) => syncInvoke(sim, "f", { durationMs: 100 }, at));
    sim.run({ until: 10_000 });
    const records = calls.map((c) => c.result!.record);
    expect(records.map((r) => [r.envId, r.cold, r.initMs])).toEqual([
      ["env-1", false, null],
      ["env-2", true, 250],
      ["env-3", true, 250],
    ]);
    const provisioned = new Set(sim.environmentsOf("f").filter((e) => e.provisioned).map((e) => e.id));
    expect(provisioned).toEqual(new Set(["env-1"]));
  });

  it("sends a request that arrives while provisioned environments are still initialising to an on-demand one", () => {
    const { sim } = setup({ fn: { provisionedConcurrency: 1 }, code: { init: { durationMs: 1_000 } } });
    const early = syncInvoke(sim, "f", {}, 100);
    const later = syncInvoke(sim, "f", {}, 3_000);
    sim.run();
    expect(early.result!.record).toMatchObject({ envId: "env-2", cold: true });
    expect(later.result!.record).toMatchObject({ envId: "env-1", cold: false });
  });

  it("never idle-expires a provisioned environment", () => {
    const { sim } = setup({ fn: { provisionedConcurrency: 1 }, model: { idleExpiryMs: 60_000, provisionedRecycleMs: null } });
    const late = syncInvoke(sim, "f", {}, 3_600_000);
    sim.run();
    expect(late.result!.record).toMatchObject({ envId: "env-1", cold: false });
  });

  it("§1 INIT limit with provisioned concurrency or SnapStart: up to 130 s (or the function timeout if higher) instead of 10 s", () => {
    const { sim, code } = setup({ fn: { provisionedConcurrency: 1 }, code: { init: { durationMs: 60_000 } } });
    sim.run({ until: 200_000 });
    expect(code.instances[0]!.initEndedAt).toBe(60_250);
    expect(sim.provisionedInitFailures).toEqual([]);
    const slow = setup({ fn: { provisionedConcurrency: 1 }, code: { init: { hang: true } } });
    slow.sim.run({ until: 200_000 });
    expect(slow.sim.provisionedInitFailures).toEqual([{ t: 130_000, functionName: "f", envId: "env-1", reason: "INIT did not finish within 130 s" }]);
    const longTimeout = setup({ fn: { provisionedConcurrency: 1, timeoutMs: 300_000 }, code: { init: { hang: true } } });
    longTimeout.sim.run({ until: 400_000 });
    expect(longTimeout.sim.provisionedInitFailures[0]!.t).toBe(300_000);
  });

  it("§1 Provisioned concurrency: recycles provisioned environments periodically (a SIMPLIFICATION): the replacement is ready before the old one retires", () => {
    const { sim } = setup({ fn: { provisionedConcurrency: 1 }, model: { provisionedRecycleMs: 3_600_000 } });
    const before = syncInvoke(sim, "f", {}, 3_599_000);
    const during = syncInvoke(sim, "f", {}, 3_600_100); // the replacement is still initialising: the old one serves
    const after = syncInvoke(sim, "f", {}, 3_601_000);
    sim.run({ until: 3_700_000 });
    expect([before, during, after].map((c) => [c.result!.record.envId, c.result!.record.cold])).toEqual([
      ["env-1", false],
      ["env-1", false],
      ["env-2", false],
    ]);
    expect(sim.environmentsOf("f").map((e) => e.id)).toEqual(["env-2"]);
  });

  it("§3 Provisioned concurrency: a provisioned environment lost to a scenario's recycle is initialised anew, so the configured count is ready again", () => {
    const { sim } = setup({ fn: { provisionedConcurrency: 2 }, model: { provisionedRecycleMs: null } });
    const busy = syncInvoke(sim, "f", { durationMs: 2_500 }, 1_000);
    sim.at(2_000, () => sim.recycle("f"));
    const after = syncInvoke(sim, "f", {}, 10_000);
    sim.run({ until: 20_000 });
    // env-1 was busy (it retires when its request ends), env-2 idle (it goes at once); env-3 and env-4 replace them.
    expect(busy.result!.record.envId).toBe("env-1");
    expect(sim.platformEvents.map((e) => (e.kind === "shutdown" ? [e.envId, e.t, e.cause] : e.kind))).toEqual([
      ["env-2", 2_000, "recycled"],
      ["env-1", 3_500, "recycled"],
    ]);
    expect(busy.result!.record.outcome).toBe("success");
    expect(after.result!.record.cold).toBe(false);
    expect(["env-3", "env-4"]).toContain(after.result!.record.envId);
    expect(sim.environmentsOf("f").map((e) => [e.id, e.provisioned, e.state])).toEqual([
      ["env-3", true, "idle"],
      ["env-4", true, "idle"],
    ]);
  });

  it("cannot exceed the function's reserved concurrency, and counts against the unreserved minimum without one", () => {
    expect(FunctionConfigSchema.safeParse({ reservedConcurrency: 2, provisionedConcurrency: 3 }).success).toBe(false);
    expect(FunctionConfigSchema.safeParse({ reservedConcurrency: 3, provisionedConcurrency: 3 }).success).toBe(true);
    const sim = new Simulation();
    expect(() => sim.deploy({ name: "f", provisionedConcurrency: 901 }, new HostCode())).toThrowError(DeploymentError);
  });

  it("§9 Provisioned concurrency: keeps its standing charge unpriced unless a price is configured, rounding the configured time up to 5 minutes", () => {
    const { sim } = setup({ fn: { provisionedConcurrency: 2, memoryMB: 1_024 } });
    sim.run({ until: 301_000 });
    expect(sim.provisionedChargeOf("f")).toEqual({ gbSeconds: 2 * 1 * 600, costUsd: null });
    const priced = setup({ fn: { provisionedConcurrency: 1, memoryMB: 512 }, model: { provisionedPricePerGbSecondUsd: 0.000004 } });
    priced.sim.run({ until: 60_000 });
    expect(priced.sim.provisionedChargeOf("f").costUsd).toBeCloseTo(0.5 * 300 * 0.000004, 12);
  });

  it("bills invocations on provisioned environments at the on-demand duration rate unless a provisioned rate is set", () => {
    const onDemand = setup({ fn: { provisionedConcurrency: 1, memoryMB: 1_024 } });
    syncInvoke(onDemand.sim, "f", { durationMs: 1_000 }, 1_000);
    onDemand.sim.run({ until: 10_000 });
    expect(onDemand.sim.totals.costUsd).toBeCloseTo(0.0000002 + 0.0000166667, 12);
    const priced = setup({ fn: { provisionedConcurrency: 1, memoryMB: 1_024 }, model: { provisionedDurationPricePerGbSecondUsd: 0.00001 } });
    syncInvoke(priced.sim, "f", { durationMs: 1_000 }, 1_000);
    priced.sim.run({ until: 10_000 });
    expect(priced.sim.totals.costUsd).toBeCloseTo(0.0000002 + 0.00001, 12);
  });
});

describe("§3 Provisioned concurrency: what issue 4 added", () => {
  it("§3 Provisioned concurrency: requests per second are limited to 10 × provisioned concurrency, counted in whole seconds", () => {
    const { sim } = setup({ fn: { provisionedConcurrency: 1 }, model: { initPlatformMs: 0 } });
    const calls = Array.from({ length: 12 }, (_, i) => syncInvoke(sim, "f", { durationMs: 1 }, 1_000 + i * 10));
    const nextSecond = syncInvoke(sim, "f", { durationMs: 1 }, 2_000);
    sim.run({ until: 10_000 });
    expect(calls.map((c) => c.result!.statusCode)).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 429, 429]);
    expect(JSON.parse(calls[10]!.result!.payload).Reason).toBe("FunctionInvocationRateLimitExceeded");
    expect(calls[10]!.result!.record.reason).toMatchInlineSnapshot(`"f had already accepted 10 requests in this second: a function with provisioned concurrency takes at most 10 requests per second per provisioned environment, and it has 1"`);
    expect(nextSecond.result!.statusCode).toBe(200);
  });

  it("§3 Provisioned concurrency: idle provisioned environments hold account concurrency, so on-demand room shrinks by them (a SIMPLIFICATION, configurable)", () => {
    const run = (holds: boolean) => {
      const sim = new Simulation({ account: { concurrencyLimit: 5, unreservedMinimum: 0 }, model: { provisionedHoldsConcurrency: holds } });
      sim.deploy({ name: "warm", provisionedConcurrency: 2 }, new HostCode());
      sim.deploy({ name: "busy" }, new HostCode());
      const calls = Array.from({ length: 5 }, () => syncInvoke(sim, "busy", { durationMs: 1_000 }, 5_000));
      sim.run({ until: 10_000 });
      return calls.map((c) => c.result!);
    };
    const held = run(true);
    expect(held.map((r) => r.statusCode)).toEqual([200, 200, 200, 429, 429]);
    expect(held[3]!.record.reason).toMatchInlineSnapshot(`"the account's 5 unreserved concurrent executions were all taken: 3 running and 2 held by provisioned environments not serving a request"`);
    expect(run(false).map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
  });

  it("§3 Provisioned concurrency: provisioned environments hold the function's reserved concurrency even while they initialise", () => {
    const { sim } = setup({ fn: { reservedConcurrency: 3, provisionedConcurrency: 2 }, code: { init: { durationMs: 5_000 } } });
    // Both provisioned environments are still initialising: requests go on demand, and only one fits beside them.
    const early = [syncInvoke(sim, "f", { durationMs: 10 }, 100), syncInvoke(sim, "f", { durationMs: 10 }, 100)];
    // Once they are ready, requests take them without needing more concurrency.
    const later = [syncInvoke(sim, "f", { durationMs: 10_000 }, 6_000), syncInvoke(sim, "f", { durationMs: 10_000 }, 6_000)];
    sim.run({ until: 30_000 });
    expect(early.map((c) => c.result!.statusCode)).toEqual([200, 429]);
    expect(early[1]!.result!.record.reason).toMatchInlineSnapshot(`"f already had 1 of its 3 reserved concurrent executions in use, and 2 provisioned environments not serving a request held the rest"`);
    expect(later.map((c) => [c.result!.statusCode, c.result!.record.envId])).toEqual([
      [200, "env-1"],
      [200, "env-2"],
    ]);
  });

  it("§1 INIT limit with provisioned concurrency or SnapStart: a failed provisioned INIT is tried again after a delay (a SIMPLIFICATION), and the trace shows it", () => {
    // Every INIT started in the first 35 s fails.
    const code = new HostCode({ init: (i) => (i.createdAt < 35_000 ? { durationMs: 10, error: { errorType: "Error", errorMessage: "no config" } } : { durationMs: 10 }) });
    const sim = new Simulation({ model: { provisionedInitRetryMs: 30_000 } });
    sim.deploy({ name: "f", provisionedConcurrency: 1 }, code);
    // Traffic between the failures: the retries go on.
    syncInvoke(sim, "f", {}, 10_000);
    syncInvoke(sim, "f", {}, 40_000);
    const late = syncInvoke(sim, "f", {}, 120_000);
    sim.run({ until: 200_000 });
    expect(sim.platformEvents.filter((e) => e.kind === "provisioned-init-failed")).toEqual([
      { kind: "provisioned-init-failed", t: 260, functionName: "f", envId: "env-1", reason: "INIT failed: Error: no config", retryAt: 30_260 },
      { kind: "provisioned-init-failed", t: 30_520, functionName: "f", envId: "env-3", reason: "INIT failed: Error: no config", retryAt: 60_520 },
    ]);
    expect(late.result!.record).toMatchObject({ envId: "env-4", cold: false });
    expect(sim.environmentsOf("f").filter((e) => e.provisioned).map((e) => [e.id, e.state])).toEqual([["env-4", "idle"]]);
  });

  it("§1 INIT limit with provisioned concurrency or SnapStart: retries pause while the function gets no traffic, so a quiet simulation ends", () => {
    const code = new HostCode({ init: { hang: true } });
    const sim = new Simulation();
    sim.deploy({ name: "f", provisionedConcurrency: 1 }, code);
    sim.run();
    const failures = sim.platformEvents.filter((e) => e.kind === "provisioned-init-failed");
    expect(failures.map((e) => [e.t, e.retryAt])).toEqual([
      [130_000, 190_000],
      [320_000, null],
    ]);
    const resumeAt = sim.now + 1_000;
    syncInvoke(sim, "f", {}, resumeAt); // the next invocation resumes them
    sim.run({ until: resumeAt });
    expect(sim.environmentsOf("f").filter((e) => e.provisioned).map((e) => e.state)).toEqual(["init"]);
  });
});

describe("§11 Reuse is per function version", () => {
  it("§11 Reuse is per function version: a redeploy replaces the old version's provisioned environments; its on-demand ones drain and retire", () => {
    const first = new HostCode();
    const second = new HostCode();
    const sim = new Simulation({ model: { initPlatformMs: 0 } });
    sim.deploy({ name: "f", provisionedConcurrency: 1 }, first);
    const busy = syncInvoke(sim, "f", { durationMs: 2_500 }, 1_000); // takes env-1, the provisioned one
    const onDemand = syncInvoke(sim, "f", { durationMs: 10 }, 1_000); // env-2, on demand, then idle
    sim.at(2_000, () => sim.deploy({ name: "f", provisionedConcurrency: 1, memoryMB: 256 }, second));
    const after = syncInvoke(sim, "f", { durationMs: 10 }, 3_000);
    sim.run({ until: 10_000 });
    // The request in flight ends on the old version's environment and code, billed at its memory size.
    expect(busy.result!.record).toMatchObject({ envId: "env-1", memorySizeMB: 128, outcome: "success" });
    expect(first.instances.map((i) => i.envId)).toEqual(["env-1", "env-2"]);
    // The new version starts its own provisioned environment; the next request uses it, never an old one.
    expect(after.result!.record).toMatchObject({ envId: "env-3", cold: false, memorySizeMB: 256 });
    expect(second.instances.map((i) => i.envId)).toEqual(["env-3"]);
    expect(sim.environmentsOf("f").map((e) => e.id)).toEqual(["env-3"]);
    expect(onDemand.result!.statusCode).toBe(200);
    expect(sim.platformEvents.filter((e) => e.kind === "shutdown").map((e) => [e.t, e.envId, e.kind === "shutdown" && e.cause])).toEqual([
      [2_000, "env-2", "redeploy"],
      [3_500, "env-1", "redeploy"],
    ]);
  });

  it("§11 Reuse is per function version: async events waiting in Lambda's queue run on the new version", () => {
    const first = new HostCode();
    const second = new HostCode();
    const sim = new Simulation();
    sim.deploy({ name: "f", async: { maxRetryAttempts: 1 } }, first);
    sim.invoke("f", "async", { durationMs: 10, error: { errorType: "Error", errorMessage: "first version fails" } }, { at: 0 });
    sim.at(30_000, () => sim.deploy({ name: "f", async: { maxRetryAttempts: 1 } }, second));
    sim.run();
    // The retry (a minute after the failure) runs the new code in a new environment.
    expect(first.invocations).toHaveLength(1);
    expect(second.invocations).toHaveLength(1);
    expect(sim.trace.map((r) => [r.attempt, r.envId, r.outcome])).toEqual([
      [1, "env-1", "error"],
      [2, "env-2", "error"],
      [2, null, "discarded"],
    ]);
  });
});

describe("§1 Execution environment lifecycle: provisioned environments are recycled periodically (a SIMPLIFICATION)", () => {
  it("pauses recycling while the function gets no traffic, so that a quiet simulation ends", () => {
    const { sim } = setup({ fn: { provisionedConcurrency: 2 }, model: { provisionedRecycleMs: 600_000 } });
    syncInvoke(sim, "f", {}, 1_000);
    const events = sim.run();
    expect(events).toBeLessThan(100);
    // One recycle happened (there was traffic in the first period), then recycling paused.
    expect(sim.environmentsOf("f").map((e) => e.id)).toEqual(["env-3", "env-4"]);
    const later = syncInvoke(sim, "f", {}, 5_000_000);
    sim.run({ until: 5_000_000 + 600_000 + 1_000 });
    expect(later.result!.record.cold).toBe(false);
    expect(sim.environmentsOf("f").map((e) => e.id)).toEqual(["env-5", "env-6"]);
  });
});

describe("§3 Concurrency and scaling: provisioned concurrency's modelling choices are named", () => {
  it("names them when a function has provisioned concurrency", () => {
    const { sim } = setup({ fn: { provisionedConcurrency: 1 } });
    expect(describeSimplifications(sim.model, sim.simplificationsUsed).at(-1)).toMatchInlineSnapshot(`"Provisioned environments are replaced every 2 h (the replacement initialises first; a period without traffic pauses this); idle ones hold the concurrency they are allocated (implied by AWS, not stated); a failed INIT is retried after 1 min; their standing charge is not priced (no price in the workbook's sources), and their invocations are billed at the on-demand duration rate. AWS documents none of these details."`);
    expect(setup().sim.simplificationsUsed.has("provisioned-concurrency")).toBe(false);
  });
});
