import { describe, expect, it } from "vitest";
import { Simulation } from "../../src/runtime/simulation.ts";
import { SqsEventSourceMapping } from "../../src/runtime/sqs-mapping.ts";
import { ServiceHub } from "../../src/services/hub.ts";
import type { Sender } from "../../src/services/queue.ts";
import { HostCode, setup, syncInvoke } from "./host-code.ts";

const SENDER: Sender = { call: null, via: "scenario", chain: null };

const FAIL = { durationMs: 100, error: { errorType: "Error", errorMessage: "no" } };

describe("§3 Concurrency and scaling: metrics as a time series (concurrency, environments, throttles, errors, cold starts, cost)", () => {
  it("is off unless asked for", () => {
    const { sim } = setup();
    syncInvoke(sim, "f", {}, 0);
    sim.run();
    expect(sim.series).toBeNull();
    expect(sim.metricBuckets()).toEqual([]);
  });

  it("gives each fixed-width bucket the time-weighted mean and peak of concurrency and environments, and its counts", () => {
    const { sim } = setup({ model: { initPlatformMs: 0 }, sim: { metricSeries: { bucketMs: 5_000 } } });
    for (let i = 0; i < 10; i++) syncInvoke(sim, "f", { durationMs: 500 }, i * 1_000);
    sim.run({ until: 10_000 });
    const buckets = sim.metricBuckets();
    expect(buckets.map((b) => [b.start, b.end])).toEqual([
      [0, 5_000],
      [5_000, 10_000],
    ]);
    for (const b of buckets) {
      expect(b.concurrencyMean).toBeCloseTo(0.5, 12);
      expect(b.concurrencyMax).toBe(1);
      expect(b.environmentsMean).toBeCloseTo(1, 12);
      expect(b.invocations).toBe(5);
    }
    expect(buckets.map((b) => b.coldStarts)).toEqual([1, 0]);
  });

  it("counts throttles and errors in the bucket where they happened, and its cost", () => {
    const { sim } = setup({ fn: { reservedConcurrency: 1 }, model: { initPlatformMs: 0 }, sim: { metricSeries: { bucketMs: 1_000 } } });
    syncInvoke(sim, "f", { durationMs: 800 }, 0);
    syncInvoke(sim, "f", {}, 100); // throttled: the one reserved execution is busy
    syncInvoke(sim, "f", FAIL, 1_500);
    sim.run({ until: 3_000 });
    const buckets = sim.metricBuckets();
    expect(buckets.map((b) => [b.invocations, b.throttles, b.errors])).toEqual([
      [1, 1, 0],
      [1, 0, 1],
      [0, 0, 0],
    ]);
    expect(buckets.reduce((sum, b) => sum + b.costUsd, 0)).toBeCloseTo(sim.totals.costUsd, 15);
    expect(buckets[0]!.costUsd).toBeCloseTo(0.0000002 + 0.8 * (128 / 1024) * 0.0000166667, 15);
  });

  it("shows the async queue's depth and the age of its oldest event at each bucket's end", () => {
    const sim = new Simulation({ seed: 1, account: { concurrencyLimit: 1 }, metricSeries: { bucketMs: 10_000 } });
    sim.deploy({ name: "hog", timeoutMs: 900_000 }, new HostCode());
    sim.deploy({ name: "f" }, new HostCode());
    syncInvoke(sim, "hog", { durationMs: 25_000 }, 0); // holds the account's only execution until 25,250
    sim.invoke("f", "async", {}, { at: 2_000 });
    sim.invoke("f", "async", {}, { at: 4_000 });
    sim.run({ until: 60_000 });
    const buckets = sim.metricBuckets();
    expect(buckets.slice(0, 4).map((b) => [b.asyncQueueDepth, b.oldestEventAgeMs])).toEqual([
      [2, 8_000],
      [2, 18_000],
      [2, 28_000],
      [0, 0],
    ]);
  });

  it("shows each SQS queue's depth (visible + in flight) and the age of its oldest message at each bucket's end, and sampling them changes nothing", () => {
    const run = (metricSeries: { bucketMs: number } | undefined) => {
      const services = new ServiceHub({ sqs: { queues: { orders: { retentionMs: 60_000 } } } });
      const sim = new Simulation({ seed: 1, services, destinations: services, model: { initPlatformMs: 0 }, ...(metricSeries ? { metricSeries } : {}) });
      const code = new HostCode({ invoke: (call) => JSON.parse((call.event as { Records: Array<{ body: string }> }).Records[0]!.body) });
      sim.deploy({ name: "f" }, code);
      const mapping = new SqsEventSourceMapping(sim, services.sqs.queue("orders"), "f", { queue: "orders", batchSize: 1, maximumConcurrency: 2 }, { recordBatches: true });
      // Ten messages at 1 s; each batch of one takes 2.5 s, two at a time (maximum concurrency 2).
      for (let i = 0; i < 10; i++) sim.at(1_000, () => services.sqs.queue("orders").send(sim.now, { body: `{"durationMs":2500,"n":${i}}` }, SENDER));
      sim.run({ until: 40_000 });
      return { sim, mapping, history: services.sqs.queue("orders").history.map((e) => [e.t, e.what, e.messageId]) };
    };
    const charted = run({ bucketMs: 5_000 });
    const buckets = charted.sim.metricBuckets();
    // Deleted two by two at 3.5 s, 6 s, 8.5 s, 11 s and 13.5 s.
    expect(buckets.slice(0, 4).map((b) => b.queues.orders)).toEqual([
      { depth: 8, oldestMessageAgeMs: 4_000 },
      { depth: 4, oldestMessageAgeMs: 9_000 },
      { depth: 0, oldestMessageAgeMs: 0 },
      { depth: 0, oldestMessageAgeMs: 0 },
    ]);
    expect(charted.history).toEqual(run(undefined).history);
  });

  it("keeps its memory bounded: past maxBuckets, neighbouring buckets merge and the width doubles, totals unchanged", () => {
    const { sim } = setup({ sim: { metricSeries: { bucketMs: 1_000, maxBuckets: 4 } } });
    for (let i = 0; i < 100; i++) syncInvoke(sim, "f", { durationMs: 100 }, i * 500);
    sim.run({ until: 50_000 });
    const series = sim.series!;
    expect(series.buckets.length).toBeLessThan(4);
    expect(series.bucketMs).toBe(16_000);
    const buckets = sim.metricBuckets();
    expect(buckets.reduce((sum, b) => sum + b.invocations, 0)).toBe(100);
    expect(buckets[0]!.start).toBe(0);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]!.start).toBe(buckets[i - 1]!.end);
  });

  it("agrees with the whole-run aggregates it is derived from", () => {
    const { sim } = setup({ sim: { metricSeries: { bucketMs: 700 } } });
    for (let i = 0; i < 40; i++) syncInvoke(sim, "f", { durationMs: 37 * (i % 7) }, i * 113);
    sim.run({ until: 5_600 });
    const buckets = sim.metricBuckets();
    const area = buckets.reduce((sum, b) => sum + b.concurrencyMean * (b.end - b.start), 0);
    expect(area).toBeCloseTo(sim.aggregates.concurrency.areaUntil(5_600), 9);
    expect(Math.max(...buckets.map((b) => b.concurrencyMax))).toBe(sim.aggregates.concurrency.peak);
  });
});
