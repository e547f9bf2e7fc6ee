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
    expect(describeSimplifications(sim.model, sim.simplificationsUsed).at(-1)).toMatchInlineSnapshot(`"Provisioned environments are replaced every 2 h (the replacement initialises first; a period without traffic pauses this); they count toward concurrency only while serving a request; their standing charge is not priced (no price in the workbook's sources), and their invocations are billed at the on-demand duration rate. AWS documents none of these details."`);
    expect(setup().sim.simplificationsUsed.has("provisioned-concurrency")).toBe(false);
  });
});
