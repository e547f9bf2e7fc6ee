import { describe, expect, it } from "vitest";
import { axisLabels, coldStartsSvg } from "../../../src/client/widgets/cold-starts-chart.ts";
import { describeRate, simulateColdStarts, statsOf, summarise } from "../../../src/client/widgets/cold-starts.ts";
import { runWorkload } from "../../../src/runtime/workload.ts";

describe("the cold-starts widget's simulation", () => {
  it("gives a smaller cold share as requests arrive more often", () => {
    const ratios = [1 / 20, 1 / 5, 1, 60].map((ratePerMinute) => simulateColdStarts({ ratePerMinute, burst: 1 }).summary.coldStartRatio);
    for (let i = 1; i < ratios.length; i++) expect(ratios[i]).toBeLessThan(ratios[i - 1]!);
    expect(ratios[0]).toBeGreaterThan(0.3);
    expect(ratios.at(-1)).toBeLessThan(0.01);
  });

  it("gives the same result for the same seed, and different traffic for another seed", () => {
    const a = simulateColdStarts({ ratePerMinute: 1 / 3, burst: 1, seed: 11 });
    const b = simulateColdStarts({ ratePerMinute: 1 / 3, burst: 1, seed: 11 });
    expect(b).toEqual(a);
    const c = simulateColdStarts({ ratePerMinute: 1 / 3, burst: 1, seed: 12 });
    expect(c.environments.map((e) => e.createdAt)).not.toEqual(a.environments.map((e) => e.createdAt));
  });

  it("needs as many environments at once as a burst has requests", () => {
    const steady = simulateColdStarts({ ratePerMinute: 1, burst: 1 });
    const bursty = simulateColdStarts({ ratePerMinute: 1, burst: 10 });
    expect(steady.summary.peakConcurrency).toBe(1);
    expect(bursty.summary.peakConcurrency).toBe(10);
    expect(bursty.environments.length).toBeGreaterThanOrEqual(10);
    expect(bursty.summary.coldStarts).toBeGreaterThan(steady.summary.coldStarts);
  });

  it("makes every burst cold when bursts come further apart than the idle expiry (a simplification), and keeps them warm when closer", () => {
    const apart = simulateColdStarts({ ratePerMinute: 1 / 15, burst: 5 });
    expect(apart.summary.coldStarts).toBe(apart.summary.invocations);
    const close = simulateColdStarts({ ratePerMinute: 1 / 5, burst: 5 });
    expect(close.summary.coldStarts).toBe(5);
  });

  it("recycles an environment only after it has been idle for the idle expiry, so a shorter expiry means more cold starts", () => {
    const usual = simulateColdStarts({ ratePerMinute: 1 / 3, burst: 1 });
    for (const env of usual.environments.filter((e) => e.recycled)) {
      const lastUse = Math.max(env.createdAt, ...env.warmStarts);
      expect(env.endedAt - lastUse).toBeGreaterThanOrEqual(600_000);
    }
    const short = simulateColdStarts({ ratePerMinute: 1 / 3, burst: 1, idleExpiryMs: 60_000 });
    expect(short.summary.coldStarts).toBeGreaterThan(usual.summary.coldStarts);
  });

  it("sees each environment the simulator created: one cold start each, and every other invocation warm on one of them", () => {
    const r = simulateColdStarts({ ratePerMinute: 10, burst: 5 });
    expect(r.environments).toHaveLength(r.summary.coldStarts);
    const warm = r.environments.reduce((n, e) => n + e.warmStarts.length, 0);
    expect(r.summary.coldStarts + warm).toBe(r.summary.invocations);
    expect(r.summary.throttles).toBe(0);
  });

  it("gives the figures npm run simulate gives for the same workload with fixed work", () => {
    const r = simulateColdStarts({ ratePerMinute: 2, burst: 1 });
    const plain = runWorkload(r.workload).summary;
    expect(plain.coldStarts).toBe(r.summary.coldStarts);
    expect(plain.requests).toBe(r.summary.requests);
    expect(plain.peakConcurrency).toBe(r.summary.peakConcurrency);
  });

  it("rejects a rate or burst that makes no traffic", () => {
    expect(() => simulateColdStarts({ ratePerMinute: 0, burst: 1 })).toThrow(RangeError);
    expect(() => simulateColdStarts({ ratePerMinute: 1, burst: 0 })).toThrow(RangeError);
  });
});

describe("what the cold-starts widget shows", () => {
  it("summarises the default setting in words (the chart's text alternative)", () => {
    const r = simulateColdStarts({ ratePerMinute: 1 / 5, burst: 1 });
    expect(summarise(r)).toMatchInlineSnapshot(`"With requests arriving at random, 1 every 5 minutes on average, for 2 hours, 5 of 20 invocations were cold starts (25%). 5 environments were created, and at most 1 was needed at the same moment."`);
    expect(statsOf(r).map((s) => `${s.label}: ${s.value}`)).toMatchInlineSnapshot(`
      [
        "Requests: 20",
        "Cold starts: 5",
        "Cold share: 25%",
        "Environments created: 5",
        "Needed at once: 1",
        "Slowest 1% waited: 570 ms or more",
      ]
    `);
  });

  it("describes rates the way a reader says them", () => {
    expect([1 / 20, 1 / 2, 1, 5, 60].map(describeRate)).toEqual(["1 every 20 minutes", "1 every 2 minutes", "1 per minute", "5 per minute", "1 per second"]);
  });

  it("draws one cold-start mark per environment and labels the chart with the summary", () => {
    const r = simulateColdStarts({ ratePerMinute: 1, burst: 5 });
    const svg = coldStartsSvg(r, "the-summary");
    expect(svg.match(/class="lw-cold"/g)).toHaveLength(r.environments.length);
    expect(svg).toContain('aria-labelledby="the-summary"');
    expect(svg).toContain('role="img"');
    expect(axisLabels(r.input.windowMs)).toEqual(["0 min", "30 min", "60 min", "90 min", "120 min"]);
  });
});
