import { describe, expect, it } from "vitest";
import { LATENCY_RELATIVE_PRECISION, LatencyHistogram, TimeWeighted } from "../../src/runtime/aggregates.ts";
import { Prng } from "../../src/runtime/prng.ts";
import { newRecord, reuseRecord } from "../../src/runtime/records.ts";
import { Simulation } from "../../src/runtime/simulation.ts";
import type { CodeInstance, CodeOutcome, EnvironmentPort, FunctionCode } from "../../src/runtime/types.ts";
import { HostCode, syncInvoke } from "./host-code.ts";

/** Exact nearest-rank percentile of a list, for comparison. */
function exactPercentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
}

describe("streaming aggregates: a time-weighted level", () => {
  it("integrates a step function exactly and keeps its peak", () => {
    const level = new TimeWeighted();
    level.set(0, 2); // 2 over [0, 10)
    level.set(10, 5); // 5 over [10, 12)
    level.set(12, 1); // 1 over [12, 20]
    expect(level.areaUntil(20)).toBe(2 * 10 + 5 * 2 + 1 * 8);
    expect(level.meanUntil(20)).toBeCloseTo(38 / 20, 12);
    expect(level.peak).toBe(5);
    expect(level.current).toBe(1);
  });

  it("reports a mean of 0 over an empty window", () => {
    expect(new TimeWeighted().meanUntil(0)).toBe(0);
  });
});

describe("streaming aggregates: the latency histogram", () => {
  it(`reports every percentile within its stated relative precision (${LATENCY_RELATIVE_PRECISION * 100}%) of the exact value`, () => {
    const prng = new Prng(7);
    const values: number[] = [];
    const histogram = new LatencyHistogram();
    for (let i = 0; i < 20_000; i++) {
      // Log-uniform over 0.01 ms .. 100 s, so that many decades are exercised.
      const v = 10 ** (-2 + prng.next() * 7);
      values.push(v);
      histogram.add(v);
    }
    for (const p of [1, 10, 50, 90, 99, 99.9, 100]) {
      const exact = exactPercentile(values, p);
      expect(Math.abs(histogram.percentile(p) - exact) / exact).toBeLessThanOrEqual(LATENCY_RELATIVE_PRECISION);
    }
    expect(histogram.count).toBe(values.length);
    expect(histogram.mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 6);
  });

  it("is exact when the values sharing a bucket are equal (fixed work)", () => {
    const histogram = new LatencyHistogram();
    for (let i = 0; i < 90; i++) histogram.add(100);
    for (let i = 0; i < 10; i++) histogram.add(350.25);
    expect([histogram.percentile(50), histogram.percentile(90), histogram.percentile(91), histogram.percentile(99)]).toEqual([100, 100, 350.25, 350.25]);
  });

  it("handles zero latencies and values arriving below the smallest bucket so far", () => {
    const histogram = new LatencyHistogram();
    histogram.add(1_000);
    histogram.add(0);
    histogram.add(0.5);
    expect(histogram.percentile(34)).toBe(0.5);
    expect(histogram.percentile(1)).toBe(0);
    expect(histogram.max).toBe(1_000);
  });
});

/** Host code that only takes time, through the timed path or through callbacks, with the same durations. */
function fixedWork(initMs: number, workMs: (event: string) => number, timed: boolean): FunctionCode {
  const success: CodeOutcome = { kind: "success", response: undefined };
  return {
    createInstance(port: EnvironmentPort): CodeInstance {
      const instance: CodeInstance = {
        init: (_deadline, done) => port.defer(initMs, () => done(success)),
        invoke: (event, _context, _deadline, done) => port.defer(workMs(event), () => done(success)),
        abort: () => {},
        dispose: () => {},
        memoryUsedMB: () => 75,
      };
      if (timed) instance.timedInvoke = workMs;
      return instance;
    },
  };
}

function traffic(timed: boolean, record: boolean): Simulation {
  const sim = new Simulation({ seed: 3, recordTrace: record, recordLogs: record, model: { idleExpiryMs: 2_000 } });
  sim.deploy({ name: "f", reservedConcurrency: 3, timeoutMs: 1_000 }, fixedWork(40, (e) => JSON.parse(e).ms, timed));
  const prng = new Prng("traffic");
  let t = 0;
  for (let i = 0; i < 400; i++) {
    t += prng.next() * 200;
    const ms = prng.int(10) === 0 ? 1_500 : prng.next() * 300; // some time out
    if (record) syncInvoke(sim, "f", { ms }, t);
    else sim.invoke("f", "sync", { ms }, { at: t });
  }
  sim.run();
  return sim;
}

describe("the simulator's timed-handler path and its aggregates", () => {
  it("gives the same trace, logs and totals as the same durations through callbacks", () => {
    const a = traffic(false, true);
    const b = traffic(true, true);
    expect(a.totals.timeouts).toBeGreaterThan(0);
    expect(a.totals.throttles).toBeGreaterThan(0);
    const strip = (sim: Simulation) => JSON.stringify({ trace: sim.trace, logs: sim.logs, totals: sim.totals, metrics: sim.metrics, now: sim.now });
    expect(strip(b)).toBe(strip(a));
  });

  it("keeps the same aggregates whether or not the trace and logs are recorded", () => {
    const recorded = traffic(true, true);
    const bare = traffic(true, false);
    expect(bare.trace).toHaveLength(0);
    expect(bare.totals).toEqual(recorded.totals);
    const figures = (sim: Simulation) => {
      const a = sim.aggregates;
      return [a.environments.areaUntil(sim.now), a.concurrency.areaUntil(sim.now), a.environments.peak, a.concurrency.peak, a.latency.count, a.latency.percentile(50), a.latency.percentile(99)];
    };
    expect(figures(bare)).toEqual(figures(recorded));
  });

  it("integrates concurrency and live environments as the metric points describe them", () => {
    const sim = traffic(true, true);
    let area = 0;
    const points = sim.metrics;
    for (let i = 0; i + 1 < points.length; i++) area += points[i]!.concurrency * (points[i + 1]!.t - points[i]!.t);
    expect(sim.aggregates.concurrency.areaUntil(points[points.length - 1]!.t)).toBeCloseTo(area, 6);
    expect(sim.aggregates.concurrency.peak).toBe(Math.max(...points.map((p) => p.concurrency)));
    expect(sim.aggregates.environments.peak).toBe(Math.max(...points.map((p) => p.environments)));
  });

  it("measures a sync request's latency from its arrival to the end of its invocation, INIT included", () => {
    const sim = new Simulation({ seed: 1 });
    sim.deploy({ name: "f" }, new HostCode({ init: { durationMs: 100 }, invoke: () => ({ durationMs: 20 }) }));
    syncInvoke(sim, "f", {}, 0); // cold: 250 ms platform + 100 ms module + 20 ms handler
    syncInvoke(sim, "f", {}, 1_000); // warm: 20 ms
    sim.run();
    const latency = sim.aggregates.latency;
    expect([latency.count, latency.min, latency.max]).toEqual([2, 20, 370]);
  });
});

describe("records reused by unobserved invocations", () => {
  it("are rewritten into exactly the record a new invocation gets, every field included", () => {
    const fn = { config: { name: "f", memoryMB: 256 } } as unknown as Parameters<typeof newRecord>[2];
    const fresh = newRecord(7, 1_234.5, fn, "id", "sync", "req-3", 1, 1, "success", null, "{}");
    const used = newRecord(1, 0, fn, "old", "async", "evt-1", 3, 2, "timeout", 4, "[1]");
    Object.assign(used, { envId: "env-9", cold: true, initKind: "new", initMs: 12, error: { errorType: "x", errorMessage: "y" }, response: "1", chain: { chainId: "c", hops: 2 } });
    for (const key of Object.keys(used) as Array<keyof typeof used>) if (typeof used[key] === "number") (used as unknown as Record<string, number>)[key] = 99;
    expect(reuseRecord(used, 7, 1_234.5, fn, "id", "sync", "req-3", 1, 1, "success", null, "{}")).toStrictEqual(fresh);
  });
});
