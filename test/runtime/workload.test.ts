import { describe, expect, it } from "vitest";
import { Prng } from "../../src/runtime/prng.ts";
import { runWorkload, WorkloadSchema, payloadOfBytes, type WorkloadInput } from "../../src/runtime/workload.ts";
import { sampleArrivals } from "../../src/runtime/workload-arrivals.ts";
import { ArrivalsSchema } from "../../src/runtime/workload-schema.ts";
import { utf8Length } from "../../src/runtime/payload.ts";

const base: WorkloadInput = {
  seed: 1,
  durationMs: 60_000,
  function: { initMs: 0, maxLifetimeMs: null },
  arrivals: { kind: "constant", ratePerSec: 10 },
  work: { kind: "fixed", ms: 50 },
};

function arrivalTimes(input: unknown, until: number): number[] {
  const process = sampleArrivals(ArrivalsSchema.parse(input), new Prng("arrivals"));
  const out: number[] = [];
  for (let t = process.next(); t < until; t = process.next()) out.push(t);
  return out;
}

describe("workloads: arrivals", () => {
  it("spaces constant arrivals exactly 1000 / rate ms apart and keeps the fractional milliseconds", () => {
    const times = arrivalTimes({ kind: "constant", ratePerSec: 3 }, 10_000);
    expect(times).toHaveLength(30);
    expect(times[1]).toBeCloseTo(333.333333, 5);
    expect(times[29]).toBeCloseTo(9_666.666667, 5);
  });

  it("sends a burst's requests at one instant, on top of the base traffic", () => {
    const times = arrivalTimes({ kind: "bursts", size: 50, everyMs: 10_000, firstAtMs: 1_000, baseRatePerSec: 1 }, 30_000);
    const at1000 = times.filter((t) => t === 1_000).length;
    expect(at1000).toBe(50);
    expect(times.filter((t) => t === 11_000 || t === 21_000)).toHaveLength(100);
    expect(times.length).toBeGreaterThan(150 + 10);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it("follows the spike rate inside spikes and the base rate outside them", () => {
    const times = arrivalTimes({ kind: "spikes", baseRatePerSec: 5, spikeRatePerSec: 500, everyMs: 60_000, spikeMs: 5_000, firstAtMs: 30_000 }, 600_000);
    const inSpike = times.filter((t) => t >= 30_000 && (t - 30_000) % 60_000 < 5_000).length;
    // 10 spikes × 5 s × 500/s = 25,000 expected; the rest 5/s over 550 s = 2,750.
    expect(inSpike / 25_000).toBeGreaterThan(0.97);
    expect(inSpike / 25_000).toBeLessThan(1.03);
    expect((times.length - inSpike) / 2_750).toBeGreaterThan(0.9);
    expect((times.length - inSpike) / 2_750).toBeLessThan(1.1);
  });

  it("shapes a day: many more arrivals in the hour around the peak than around the trough", () => {
    const times = arrivalTimes({ kind: "day", peakRatePerSec: 20, troughRatePerSec: 1, peakAtMs: 14 * 3_600_000 }, 86_400_000);
    const hour = (h: number) => times.filter((t) => t >= h * 3_600_000 && t < (h + 1) * 3_600_000).length;
    // The mean rate over a day is (20 + 1) / 2 per second.
    expect(times.length / (10.5 * 86_400)).toBeGreaterThan(0.98);
    expect(times.length / (10.5 * 86_400)).toBeLessThan(1.02);
    expect(hour(13) + hour(14)).toBeGreaterThan(10 * (hour(1) + hour(2)));
  });

  it("takes an explicit list in time order", () => {
    expect(arrivalTimes({ kind: "list", atMs: [300, 0.5, 300, 20] }, 1_000)).toEqual([0.5, 20, 300, 300]);
  });
});

describe("workloads: runWorkload", () => {
  it("counts every arrival as a request and runs each one", () => {
    const { summary } = runWorkload(base);
    expect(summary).toMatchObject({ requests: 600, invocations: 600, coldStarts: 1, throttles: 0, errors: 0 });
    expect(summary.latencyMs).toMatchObject({ p50: 50, p90: 50, p99: 50 });
  });

  it("handles a completion before an arrival at the same instant, so one environment serves back-to-back requests", () => {
    // Arrivals every 100 ms, each busy exactly 100 ms: the environment frees itself at the instant the next one comes.
    const { summary } = runWorkload({ ...base, work: { kind: "fixed", ms: 100 } });
    expect(summary).toMatchObject({ coldStarts: 1, peakEnvironments: 1, peakConcurrency: 1 });
    expect(summary.meanConcurrency).toBeCloseTo(1, 9);
  });

  it("handles an idle expiry before an arrival at the same instant (§1): the request finds no environment", () => {
    const { summary } = runWorkload({
      ...base,
      function: { initMs: 0, idleExpiryMs: 1_000, maxLifetimeMs: null },
      arrivals: { kind: "list", atMs: [0, 1_050, 2_000] },
      work: { kind: "fixed", ms: 50 },
    });
    // Ends at 50, expires at 1,050 exactly when the second request arrives; the third comes 950 ms after the second ends.
    expect(summary).toMatchObject({ requests: 3, coldStarts: 2 });
  });

  it("gives the same figures for the same seed and different ones for another seed", () => {
    const poisson: WorkloadInput = { ...base, arrivals: { kind: "poisson", ratePerSec: 30 }, work: { kind: "exponential", meanMs: 200 } };
    expect(runWorkload(poisson).summary).toEqual(runWorkload(poisson).summary);
    expect(runWorkload({ ...poisson, seed: 2 }).summary.requests).not.toBe(runWorkload(poisson).summary.requests);
  });

  it("samples a timeline of levels and running counts at evenly spaced instants", () => {
    const { timeline, summary } = runWorkload(base, { timelinePoints: 6 });
    expect(timeline.map((p) => p.t)).toEqual([0, 10_000, 20_000, 30_000, 40_000, 50_000, 60_000]);
    expect(timeline[6]!.requests).toBe(summary.requests);
    expect(timeline[3]).toMatchObject({ environments: 1, coldStarts: 1 });
  });

  it("throttles sync requests beyond reserved concurrency (§3) and reports the ratio", () => {
    const { summary } = runWorkload({ ...base, function: { initMs: 0, reservedConcurrency: 2 }, arrivals: { kind: "bursts", size: 5, everyMs: 1_000 } });
    expect(summary).toMatchObject({ requests: 300, throttles: 180, invocations: 120, peakConcurrency: 2 });
    expect(summary.throttleRatio).toBeCloseTo(0.6, 12);
  });

  it("retries failing async events twice and sends them to the dead-letter queue when given up (§6)", () => {
    const { summary } = runWorkload({
      ...base,
      durationMs: 10_000,
      invoke: "async",
      function: { initMs: 0, deadLetterQueue: true },
      arrivals: { kind: "constant", ratePerSec: 1 },
      work: { kind: "fixed", ms: 10, errorRate: 1 },
    });
    expect(summary).toMatchObject({ requests: 10, invocations: 30, errors: 30, retries: 20, droppedEvents: 10, deadLettered: 10 });
    expect(summary.latencyMs.p50).toBe(0); // no attempt succeeded
  });

  it("refuses events over the payload limit of their invoke (§5) and counts them as rejected", () => {
    const { summary } = runWorkload({ ...base, durationMs: 1_000, invoke: "async", payloadBytes: 1_048_577 });
    expect(summary).toMatchObject({ requests: 10, rejected: 10, invocations: 0 });
    expect(utf8Length(payloadOfBytes(1_048_577, null))).toBe(1_048_577);
    expect(utf8Length(payloadOfBytes(300, "t12"))).toBe(300);
  });

  it("splits requests between tenants with the requested skew and counts each tenant's throttles", () => {
    const { summary } = runWorkload({ ...base, tenants: { count: 3, skew: 1 }, function: { initMs: 0, reservedConcurrency: 1 }, arrivals: { kind: "bursts", size: 3, everyMs: 1_000 } });
    const tenants = summary.tenants!;
    expect(Object.keys(tenants)).toEqual(["t1", "t2", "t3"]);
    expect(Object.values(tenants).reduce((s, t) => s + t.requests, 0)).toBe(summary.requests);
    expect(Object.values(tenants).reduce((s, t) => s + t.throttles, 0)).toBe(summary.throttles);
    expect(tenants.t1!.requests).toBeGreaterThan(tenants.t3!.requests);
  });

  it("keeps provisioned environments ready (§1, §3): steady traffic within them has no cold start, and their standing GB-seconds are reported (§9)", () => {
    const { summary } = runWorkload({
      ...base,
      function: { initMs: 300, provisionedConcurrency: 2, memoryMB: 1024 },
      arrivals: { kind: "constant", ratePerSec: 10, startMs: 1_000 },
      work: { kind: "fixed", ms: 150 },
    });
    expect(summary).toMatchObject({ requests: 590, invocations: 590, coldStarts: 0, peakConcurrency: 2 });
    // 2 environments × 1 GB × the window (60 s), rounded up to 5 minutes.
    expect(summary.provisionedGbSeconds).toBe(2 * 1 * 300);
    const tooMany = WorkloadSchema.safeParse({ ...base, function: { reservedConcurrency: 1, provisionedConcurrency: 2 } });
    expect(tooMany.success ? [] : tooMany.error.issues.map((i) => i.path.join("."))).toEqual(["function.provisionedConcurrency"]);
  });

  it("§9 Other charges: reports /tmp above 512 MB as GB-seconds of billed duration, outside costUsd, and says the price is not modelled", () => {
    const plain = runWorkload(base);
    const big = runWorkload({ ...base, function: { ...base.function, ephemeralStorageMB: 2_560 } });
    expect(plain.summary.ephemeralStorageGbSeconds).toBe(0);
    expect(big.summary.costUsd).toBe(plain.summary.costUsd);
    // 600 invocations × 50 ms billed, × 2 GB above the 512 MB included.
    expect(big.summary.ephemeralStorageGbSeconds).toBeCloseTo(600 * 0.05 * 2, 9);
    expect(plain.simplifications.join("\n")).not.toContain("/tmp above 512 MB");
    expect(big.simplifications.find((l) => l.includes("/tmp above 512 MB"))).toMatchInlineSnapshot(`"SIMPLIFICATION: /tmp above 512 MB is billed separately (§9) at a price the model lacks: ephemeralStorageGbSeconds, (2,560 − 512 MB) × billed duration, is not in costUsd."`);
    const bad = WorkloadSchema.safeParse({ ...base, function: { ephemeralStorageMB: 10_241 } });
    expect(bad.success ? [] : bad.error.issues.map((i) => i.path.join("."))).toEqual(["function.ephemeralStorageMB"]);
  });

  it("refuses a reservation that leaves fewer than 100 unreserved (§3)", () => {
    const tooMuch = WorkloadSchema.safeParse({ ...base, function: { reservedConcurrency: 950 } });
    expect(tooMuch.success ? [] : tooMuch.error.issues.map((i) => i.path.join("."))).toEqual(["function.reservedConcurrency"]);
  });
});

describe("§3 Scaling rate (old) in workloads", () => {
  it("§3 Scaling rate (old): account.scalingRule \"pre-2023\" throttles a ramp the current rule absorbs", () => {
    // 100 new 100-second requests per second for a minute: concurrency climbs to 6,000.
    const ramp: WorkloadInput = {
      durationMs: 60_000,
      account: { concurrencyLimit: 10_000 },
      function: { timeoutMs: 900_000 },
      arrivals: { kind: "constant", ratePerSec: 100 },
      work: { kind: "fixed", ms: 100_000 },
    };
    const now = runWorkload(ramp).summary;
    const before = runWorkload({ ...ramp, account: { ...ramp.account, scalingRule: "pre-2023", burstConcurrency: 1_000 } });
    // Today the function adds up to 1,000 environments per 10 s: none is throttled. Before 2023 the account stopped
    // at its 1,000 burst after 10 s and could add 500 only a minute later, after the ramp.
    expect(now.throttles).toBe(0);
    expect(before.summary.throttles).toBe(5_000);
    expect(before.summary.peakConcurrency).toBe(1_000);
    expect(before.simplifications.some((s) => s.includes("pre-2023 scaling rule"))).toBe(true);
  });
});

describe("modelling choices a workload can change (model)", () => {
  const steady: WorkloadInput = {
    durationMs: 10_000,
    // No INIT time: every request takes 10 ms, so concurrency stays far below the reservation.
    function: { reservedConcurrency: 5, initMs: 0 },
    arrivals: { kind: "constant", ratePerSec: 100 },
    work: { kind: "fixed", ms: 10 },
  };

  it("§3 Request rate quota: model.requestRateQuota \"function\" caps each function at 10 × its reserved concurrency per second, where the Region's quota throttles nothing", () => {
    const region = runWorkload(steady).summary;
    const perFunction = runWorkload({ ...steady, model: { requestRateQuota: "function" } });
    expect(region.throttles).toBe(0);
    // 100 requests a second against 10 × 5 = 50 a second.
    expect(perFunction.summary.throttleRatio).toBeCloseTo(0.5, 2);
    expect(perFunction.simplifications.some((s) => s.includes('requestRateQuota "function"'))).toBe(true);
  });

  it("names the field of a malformed or unknown choice", () => {
    const paths = (model: unknown) => {
      const r = WorkloadSchema.safeParse({ ...steady, model });
      return r.success ? [] : r.error.issues.map((i) => i.path.join("."));
    };
    expect(paths({ requestRateQuota: "region" })).toEqual(["model.requestRateQuota"]);
    expect(paths({ provisionedRecycleMs: 0 })).toEqual(["model.provisionedRecycleMs"]);
    expect(paths({ idleExpiryMs: 5 })).toEqual(["model"]);
    expect(paths({ provisionedInitRetryMs: null, provisionedHoldsConcurrency: false })).toEqual([]);
  });
});
