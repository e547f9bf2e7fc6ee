import { afterEach, describe, expect, it, vi } from "vitest";
import { Simulation } from "../../src/runtime/simulation.ts";
import type { ServiceDispatcher } from "../../src/runtime/types.ts";
import { HostCode, syncInvoke } from "./host-code.ts";

/** A scenario that touches most of the simulator: cold and warm starts, errors, timeouts, OOM, throttles, async retries, duplicates, recycling, frozen timers, service calls and Math.random seeds. */
function scenario(seed: number | string): { sim: Simulation; code: HostCode } {
  const services: ServiceDispatcher = {
    dispatch: (_s, _o, args) => ({ latencyMs: 25, complete: () => ({ ok: true, value: args }) }),
  };
  const sim = new Simulation({ seed, account: { concurrencyLimit: 3, unreservedMinimum: 0 }, services });
  const code = new HostCode({
    init: (i) => ({ durationMs: 30 + i.index, defer: [{ delayMs: 2_000, label: `init-${i.index}` }] }),
    invoke: (c) => {
      const r = c.instance.port.seed() % 5; // the per-environment Math.random seed stream
      const event = c.event as { kind?: string };
      if (event.kind === "hang") return { hang: true };
      if (event.kind === "oom") return { oom: true };
      if (event.kind === "fail") return { durationMs: 50, error: { errorType: "Error", errorMessage: `fail ${r}` } };
      return {
        durationMs: 100 + r * 10,
        log: [`seed ${r}`],
        defer: [{ delayMs: 500, label: "bg" }],
        services: [{ service: "db", operation: "put", args: [c.context.awsRequestId], label: "put" }],
      };
    },
  });
  sim.deploy({ name: "f" }, code);
  sim.deploy({ name: "g", reservedConcurrency: 1, async: { maxRetryAttempts: 1 } }, code);
  for (let i = 0; i < 6; i++) syncInvoke(sim, "f", {}, i * 40);
  syncInvoke(sim, "f", { kind: "hang" }, 5_000);
  syncInvoke(sim, "f", { kind: "oom" }, 5_000);
  sim.invoke("f", "async", { kind: "fail" }, { at: 6_000, deliveries: 2, duplicateDelayMs: 300 });
  sim.invoke("g", "async", {}, { at: 7_000 });
  sim.invoke("g", "async", {}, { at: 7_000 });
  sim.at(9_000, () => sim.recycle("f"));
  for (let i = 0; i < 4; i++) syncInvoke(sim, "f", {}, 10_000 + i);
  sim.run();
  return { sim, code };
}

const snapshot = (sim: Simulation) => JSON.stringify({ trace: sim.trace, logs: sim.logs, metrics: sim.metrics, totals: sim.totals });

describe("determinism: seeded randomness and virtual time (§8 request ids come from the seeded PRNG)", () => {
  afterEach(() => vi.restoreAllMocks());

  it("produces an identical trace, log, metrics and totals JSON when the same seed runs twice", () => {
    const a = scenario(42);
    const b = scenario(42);
    expect(a.sim.trace.length).toBeGreaterThan(20);
    expect(snapshot(b.sim)).toBe(snapshot(a.sim));
    expect(JSON.stringify(b.code.happenings.map(({ t, envId, what, requestId }) => [t, envId, what, requestId]))).toBe(
      JSON.stringify(a.code.happenings.map(({ t, envId, what, requestId }) => [t, envId, what, requestId])),
    );
  });

  it("changes request ids, but nothing the seed does not drive, when the seed changes", () => {
    const a = scenario(42).sim;
    const b = scenario(43).sim;
    expect(b.trace.map((r) => r.requestId)).not.toEqual(a.trace.map((r) => r.requestId));
    // Same arrivals, same environments and outcomes: only the random draws differ.
    expect(b.trace.filter((r) => r.functionName === "g").map((r) => [r.outcome, r.arrivedAt])).toEqual(
      a.trace.filter((r) => r.functionName === "g").map((r) => [r.outcome, r.arrivedAt]),
    );
    expect(b.totals.coldStarts).toBe(a.totals.coldStarts);
  });

  it("never calls Math.random or the wall clock while it runs", () => {
    const random = vi.spyOn(Math, "random").mockImplementation(() => {
      throw new Error("Math.random used by the simulator");
    });
    const now = vi.spyOn(Date, "now").mockImplementation(() => {
      throw new Error("Date.now used by the simulator");
    });
    const perf = vi.spyOn(performance, "now").mockImplementation(() => {
      throw new Error("performance.now used by the simulator");
    });
    const { sim } = scenario(7);
    expect(sim.trace.length).toBeGreaterThan(0);
    expect(random).not.toHaveBeenCalled();
    expect(now).not.toHaveBeenCalled();
    expect(perf).not.toHaveBeenCalled();
  });

  it("gives each record a unique seq in creation order, and a retry's previousAttempt is the seq of the attempt it retries", () => {
    const { sim } = scenario(42);
    const seqs = sim.trace.map((r) => r.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs.map((_, i) => i));
    const bySeq = new Map(sim.trace.map((r) => [r.seq, r]));
    const retries = sim.trace.filter((r) => r.attempt > 1 && r.outcome !== "discarded" && r.outcome !== "throttled");
    expect(retries.length).toBeGreaterThan(0);
    for (const r of retries) {
      const previous = bySeq.get(r.previousAttempt!)!;
      expect(previous).toMatchObject({ eventId: r.eventId, requestId: r.requestId, attempt: r.attempt - 1 });
      expect(previous.endedAt).toBeLessThanOrEqual(r.startedAt);
    }
  });
});
