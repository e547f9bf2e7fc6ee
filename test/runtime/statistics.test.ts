/**
 * Statistical tests against closed forms: fixed seeds, and tolerances of several standard errors, so they hold for
 * these seeds and would catch a model that is off by more than noise. Each names the lambda-model.md section it checks.
 */
import { describe, expect, it } from "vitest";
import { LAMBDA_FACTS } from "../../src/runtime/config.ts";
import { runWorkload, type WorkloadInput } from "../../src/runtime/workload.ts";

/** Erlang's loss formula B(c, a): the share of arrivals that find all c servers busy (M/G/c/c, any service law). */
function erlangB(c: number, a: number): number {
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  return b;
}

const HOUR = 3_600_000;

describe("statistics against closed forms", () => {
  it("§3 Definition: concurrency = average requests per second × average duration (Little's law), for Poisson arrivals and no limit", () => {
    // 40 requests/s, exponential work with mean 250 ms, no INIT time: expected concurrency 40 × 0.25 = 10.
    for (const seed of [1, 2]) {
      const { summary } = runWorkload({
        seed,
        durationMs: 2 * HOUR,
        function: { initMs: 0, maxLifetimeMs: null, timeoutMs: 900_000 },
        arrivals: { kind: "poisson", ratePerSec: 40 },
        work: { kind: "exponential", meanMs: 250 },
      });
      expect(summary.meanConcurrency).toBeGreaterThan(10 * 0.97);
      expect(summary.meanConcurrency).toBeLessThan(10 * 1.03);
      expect(summary.throttles).toBe(0);
    }
  });

  it("§1 idle recycling: one environment with exponential idle gaps has cold-start ratio P(gap > idle expiry) = e^(−λT)", () => {
    // One request a minute on average, handled instantly, recycled after 60 s idle: P(cold) = e^(−1) ≈ 0.368.
    const { summary } = runWorkload({
      seed: 3,
      durationMs: 60 * 24 * HOUR,
      function: { initMs: 0, idleExpiryMs: 60_000, maxLifetimeMs: null },
      arrivals: { kind: "poisson", ratePerSec: 1 / 60 },
      work: { kind: "fixed", ms: 0 },
    });
    expect(summary.requests).toBeGreaterThan(80_000);
    expect(summary.peakEnvironments).toBe(1);
    // Standard error sqrt(p(1 − p) / n) ≈ 0.0017; the tolerance is about 4 of them.
    expect(Math.abs(summary.coldStartRatio - Math.exp(-1))).toBeLessThan(0.007);
  });

  it("§3 reserved concurrency is a ceiling: the sync throttle ratio is Erlang's loss formula B(c, λ × mean duration)", () => {
    // c = 10 environments, offered load a = 8 (8 requests/s × 1 s): B(10, 8) ≈ 0.1217, whatever the work's distribution.
    const expected = erlangB(10, 8);
    for (const work of [{ kind: "exponential", meanMs: 1_000 }, { kind: "fixed", ms: 1_000 }] as const) {
      const { summary } = runWorkload({
        seed: 4,
        durationMs: 6 * HOUR,
        // A long timeout: with the default 3 s, 5% of exponential requests would be cut short (§4).
        function: { initMs: 0, reservedConcurrency: 10, maxLifetimeMs: null, timeoutMs: 900_000 },
        arrivals: { kind: "poisson", ratePerSec: 8 },
        work,
      });
      expect(Math.abs(summary.throttleRatio - expected)).toBeLessThan(0.008);
      expect(summary.peakConcurrency).toBe(10);
    }
  });

  it("§4 Function timeout: the timeout cuts work short: timeouts are P(work > T) = e^(−T/mean) and concurrency is λ × mean × (1 − e^(−T/mean))", () => {
    // Exponential work with mean 1 s under the 1 s minimum timeout: e^(−1) ≈ 36.8% time out.
    const { summary } = runWorkload({
      seed: 7,
      durationMs: 2 * HOUR,
      function: { initMs: 0, maxLifetimeMs: null, timeoutMs: 1_000 },
      arrivals: { kind: "poisson", ratePerSec: 5 },
      work: { kind: "exponential", meanMs: 1_000 },
    });
    expect(Math.abs(summary.timeouts / summary.invocations - Math.exp(-1))).toBeLessThan(0.01);
    const expected = 5 * (1 - Math.exp(-1));
    expect(Math.abs(summary.meanConcurrency / expected - 1)).toBeLessThan(0.03);
  });

  it("§1 Warm path overhead: none, so the warm latency of exponential work is the work's own: p50, p90 and p99 are the mean × ln 2, ln 10 and ln 100", () => {
    const mean = 200;
    const { summary } = runWorkload({
      seed: 5,
      durationMs: 2 * HOUR,
      function: { initMs: 0, maxLifetimeMs: null, timeoutMs: 900_000 },
      arrivals: { kind: "poisson", ratePerSec: 20 },
      work: { kind: "exponential", meanMs: mean },
    });
    const l = summary.latencyMs;
    expect(Math.abs(l.p50 / (mean * Math.LN2) - 1)).toBeLessThan(0.02);
    expect(Math.abs(l.p90 / (mean * Math.log(10)) - 1)).toBeLessThan(0.02);
    expect(Math.abs(l.p99 / (mean * Math.log(100)) - 1)).toBeLessThan(0.04);
    expect(Math.abs(l.mean / mean - 1)).toBeLessThan(0.02);
  });

  it("§9 cost = requests × $0.20 per million + Σ ceil(duration + init) ms × GB × the x86 or Arm rate", () => {
    // Every request warm but the first, 100.2 ms of work → 101 billed ms; the first adds 50 ms of INIT → 151 ms.
    const workload = (architecture: "x86_64" | "arm64"): WorkloadInput => ({
      seed: 6,
      durationMs: 1_000_000,
      function: { memoryMB: 512, initMs: 50, architecture, maxLifetimeMs: null },
      arrivals: { kind: "constant", ratePerSec: 2 },
      work: { kind: "fixed", ms: 100.2 },
    });
    for (const architecture of ["x86_64", "arm64"] as const) {
      const { summary } = runWorkload(workload(architecture));
      const n = 2_000;
      const billedMs = 151 + (n - 1) * 101;
      const gbSeconds = (billedMs / 1000) * 0.5;
      expect(summary).toMatchObject({ requests: n, invocations: n, coldStarts: 1 });
      expect(summary.billedGbSeconds).toBeCloseTo(gbSeconds, 9);
      expect(summary.costUsd).toBeCloseTo(n * LAMBDA_FACTS.pricePerRequestUsd + gbSeconds * LAMBDA_FACTS.pricePerGbSecondUsd[architecture], 12);
    }
  });
});
