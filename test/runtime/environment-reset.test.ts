import { describe, expect, it } from "vitest";
import type { ServiceDispatcher } from "../../src/runtime/types.ts";
import { HostCode, setup, type HostCodeOptions } from "./host-code.ts";
import type { FunctionConfigInput, ModelSettingsInput } from "../../src/runtime/config.ts";

/** A dispatcher that answers every call at once and records when each environment's runtime process ended. */
function recorder() {
  const resets: Array<[string, number]> = [];
  const services: ServiceDispatcher = {
    dispatch: () => ({ latencyMs: 0, complete: () => ({ ok: true, value: null }) }),
    environmentReset: (envId, time) => resets.push([envId, time]),
  };
  return { services, resets };
}

function run(options: { fn?: Partial<FunctionConfigInput>; model?: ModelSettingsInput; code?: HostCodeOptions }) {
  const { services, resets } = recorder();
  const { sim } = setup({ ...options, sim: { services } });
  return { sim, resets };
}

// With the defaults, INIT takes 250 ms of platform set-up and a handler call 10 ms: the first request ends at 260.
describe("§11 Connection exhaustion: the services hear when an environment's runtime process ends, and only then", () => {
  it("§1 Idle recycling: reports an idle environment recycled 10 minutes after its last invocation, not while it is frozen", () => {
    const { sim, resets } = run({});
    sim.invoke("f", "sync", {}, { at: 0 });
    sim.run({ until: 600_259 });
    expect(resets).toEqual([]);
    sim.run();
    expect(resets).toEqual([["env-1", 600_260]]);
  });

  it("§1 Maximum lifetime: reports an environment retired at its maximum lifetime, idle at once or busy when its invocation ends", () => {
    const { sim, resets } = run({ model: { maxLifetimeMs: 5_000 } });
    sim.invoke("f", "sync", {}, { at: 0 });
    sim.invoke("f", "sync", { durationMs: 2_000 }, { at: 0 });
    sim.invoke("f", "sync", { durationMs: 2_000 }, { at: 4_000 });
    sim.run({ until: 10_000 });
    // Both were created at 0; the tie goes to env-1, which takes the request at 4 s (§1, a SIMPLIFICATION).
    expect(resets).toEqual([
      ["env-2", 5_000],
      ["env-1", 6_000],
    ]);
  });

  it("§1 Reset after crash or timeout: reports the reset after a timeout, an out-of-memory error and a failed INIT; the environment itself lives on", () => {
    const timeout = run({ fn: { timeoutMs: 1_000 } });
    timeout.sim.invoke("f", "sync", { hang: true }, { at: 0 });
    timeout.sim.run({ until: 10_000 });
    expect(timeout.resets).toEqual([["env-1", 1_250]]);
    expect(timeout.sim.environmentsOf("f").map((e) => e.state)).toEqual(["idle"]);

    const oom = run({});
    oom.sim.invoke("f", "sync", { oom: true }, { at: 0 });
    oom.sim.run({ until: 10_000 });
    expect(oom.resets).toEqual([["env-1", 260]]);

    const failedInit = run({ code: { init: { error: { errorType: "Error", errorMessage: "no config" } } } });
    failedInit.sim.invoke("f", "sync", {}, { at: 0 });
    failedInit.sim.run({ until: 10_000 });
    expect(failedInit.resets).toEqual([["env-1", 250]]);
  });

  it("reports environments a redeploy or a scenario's recycle ends", () => {
    const redeploy = run({});
    redeploy.sim.invoke("f", "sync", {}, { at: 0 });
    redeploy.sim.at(1_000, () => redeploy.sim.deploy({ name: "f" }, new HostCode()));
    redeploy.sim.run({ until: 10_000 });
    expect(redeploy.resets).toEqual([["env-1", 1_000]]);

    const recycle = run({});
    recycle.sim.invoke("f", "sync", {}, { at: 0 });
    recycle.sim.invoke("f", "sync", { durationMs: 2_000 }, { at: 0 });
    recycle.sim.at(1_000, () => recycle.sim.recycle("f"));
    recycle.sim.run({ until: 10_000 });
    expect(recycle.resets).toEqual([
      ["env-1", 1_000],
      ["env-2", 2_250],
    ]);
  });

  it("§1 Provisioned concurrency: reports a provisioned environment once its replacement is ready", () => {
    const { sim, resets } = run({ fn: { provisionedConcurrency: 1 }, model: { provisionedRecycleMs: 3_600_000 } });
    sim.invoke("f", "sync", {}, { at: 3_599_000 });
    sim.run({ until: 3_700_000 });
    expect(resets).toEqual([["env-1", 3_600_250]]);
  });

  it("does not report the environments still alive when the simulation shuts down", () => {
    const { sim, resets } = run({});
    sim.invoke("f", "sync", {}, { at: 0 });
    sim.run({ until: 1_000 });
    sim.shutdown();
    expect(resets).toEqual([]);
  });
});
