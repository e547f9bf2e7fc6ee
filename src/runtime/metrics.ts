/**
 * Metrics as time series for charts (issue 4): fixed-width buckets of virtual time, each with the mean and peak of
 * concurrency and of live environments, the invocations, cold starts, throttles and errors that happened in it, the
 * async queue's and each SQS queue's depth and the age of its oldest event or message at its end, and its cost.
 *
 * Nothing is accumulated twice: the bucket means come from the run aggregates' time-weighted integrals
 * (aggregates.ts) and the counts and cost from differences of the simulation's totals, both read only when a bucket
 * closes. Memory is bounded: when `maxBuckets` would be exceeded, neighbouring buckets merge and the width doubles.
 * Off unless a simulation asks for it; then the simulator pays one comparison per event.
 */
import { z } from "zod/mini";
import type { RunAggregates } from "./aggregates.ts";
import type { Totals } from "./trace.ts";

export const MetricSeriesOptionsSchema = z.strictObject({
    /** Width of a bucket in virtual ms (default 1 min). */
    bucketMs: z._default(z.number().check(z.positive()), 60_000),
    /** At most this many buckets are kept: past it, pairs merge and the width doubles (default 2,000). */
    maxBuckets: z._default(z.int().check(z.minimum(2)), 2_000),
  });
export type MetricSeriesOptions = z.input<typeof MetricSeriesOptionsSchema>;

export interface MetricBucket {
  /** [start, end) in virtual ms. */
  start: number;
  end: number;
  /** Concurrent executions (environments initialising or running a request): time-weighted mean and peak. */
  concurrencyMean: number;
  concurrencyMax: number;
  /** Live environments (busy, initialising or idle): time-weighted mean and peak. */
  environmentsMean: number;
  environmentsMax: number;
  /** Invocations that ended, cold starts that began, throttles and errors, in this bucket. */
  invocations: number;
  coldStarts: number;
  throttles: number;
  errors: number;
  /** Async events accepted and waiting (queued, backing off or waiting for a retry) at the bucket's end. */
  asyncQueueDepth: number;
  /** Age of the oldest waiting async event at the bucket's end, in ms (0 when none waits). */
  oldestEventAgeMs: number;
  /** Cost of the invocations that ended in this bucket (requests and duration, §9). */
  costUsd: number;
  /** Each SQS queue's depth (visible + in flight) and the age of its oldest message at the bucket's end (§7). */
  queues: Record<string, { depth: number; oldestMessageAgeMs: number }>;
}

/** What the series reads from the simulation when a bucket closes. */
export interface SeriesSource {
  readonly totals: Readonly<Totals>;
  readonly aggregates: RunAggregates;
  /** Async events waiting now, with the times they were accepted. */
  readonly waitingAsync: ReadonlySet<{ acceptedAt: number }>;
  /** The services' queues at a time (none when the simulation has no queue service). */
  readonly queues: (t: number) => MetricBucket["queues"];
}

interface Mark {
  concurrencyArea: number;
  environmentsArea: number;
  invocations: number;
  coldStarts: number;
  throttles: number;
  errors: number;
  costUsd: number;
}

export class MetricSeries {
  readonly buckets: MetricBucket[] = [];
  private width: number;
  private readonly maxBuckets: number;
  private readonly source: SeriesSource;
  private start = 0;
  private mark: Mark;
  private concurrencyMax = 0;
  private environmentsMax = 0;

  constructor(options: MetricSeriesOptions, source: SeriesSource) {
    const parsed = MetricSeriesOptionsSchema.parse(options);
    this.width = parsed.bucketMs;
    this.maxBuckets = parsed.maxBuckets;
    this.source = source;
    this.mark = this.markAt(0);
  }

  /** Width of a bucket now (it doubles each time the buckets are merged). */
  get bucketMs(): number {
    return this.width;
  }

  /** End of the open bucket: the simulation calls `advance` once its clock reaches it. */
  get nextBoundary(): number {
    return this.start + this.width;
  }

  /** The gauges changed at the current instant (called with their new levels): keeps the bucket's peaks. */
  gauges(concurrency: number, environments: number): void {
    if (concurrency > this.concurrencyMax) this.concurrencyMax = concurrency;
    if (environments > this.environmentsMax) this.environmentsMax = environments;
  }

  /** Closes every bucket that ends at or before `t` (before anything happens at `t`). */
  advance(t: number): void {
    while (this.start + this.width <= t) this.close(this.start + this.width);
  }

  /** The closed buckets and the open one up to `t` (for a chart of a run that stopped at `t`). */
  snapshot(t: number): MetricBucket[] {
    this.advance(t);
    return t > this.start ? [...this.buckets, this.bucketUntil(t)] : [...this.buckets];
  }

  private close(end: number): void {
    this.buckets.push(this.bucketUntil(end));
    this.start = end;
    this.mark = this.markAt(end);
    const { concurrency, environments } = this.source.aggregates;
    this.concurrencyMax = concurrency.current;
    this.environmentsMax = environments.current;
    if (this.buckets.length >= this.maxBuckets) this.merge();
  }

  private bucketUntil(end: number): MetricBucket {
    const now = this.markAt(end);
    const before = this.mark;
    const span = end - this.start;
    let depth = 0;
    let oldest = Infinity;
    for (const event of this.source.waitingAsync) {
      depth++;
      if (event.acceptedAt < oldest) oldest = event.acceptedAt;
    }
    return {
      start: this.start,
      end,
      concurrencyMean: span > 0 ? (now.concurrencyArea - before.concurrencyArea) / span : 0,
      concurrencyMax: this.concurrencyMax,
      environmentsMean: span > 0 ? (now.environmentsArea - before.environmentsArea) / span : 0,
      environmentsMax: this.environmentsMax,
      invocations: now.invocations - before.invocations,
      coldStarts: now.coldStarts - before.coldStarts,
      throttles: now.throttles - before.throttles,
      errors: now.errors - before.errors,
      asyncQueueDepth: depth,
      oldestEventAgeMs: depth > 0 ? end - oldest : 0,
      costUsd: now.costUsd - before.costUsd,
      queues: this.source.queues(end),
    };
  }

  private markAt(t: number): Mark {
    const { totals, aggregates } = this.source;
    return {
      concurrencyArea: aggregates.concurrency.areaUntil(t),
      environmentsArea: aggregates.environments.areaUntil(t),
      invocations: totals.invocations,
      coldStarts: totals.coldStarts,
      throttles: totals.throttles,
      errors: totals.errors,
      costUsd: totals.costUsd,
    };
  }

  /** Halves the number of buckets: pairs merge (means averaged, peaks and counts combined), the width doubles. */
  private merge(): void {
    const merged: MetricBucket[] = [];
    for (let i = 0; i + 1 < this.buckets.length; i += 2) {
      const a = this.buckets[i]!;
      const b = this.buckets[i + 1]!;
      merged.push({
        start: a.start,
        end: b.end,
        concurrencyMean: (a.concurrencyMean + b.concurrencyMean) / 2,
        concurrencyMax: Math.max(a.concurrencyMax, b.concurrencyMax),
        environmentsMean: (a.environmentsMean + b.environmentsMean) / 2,
        environmentsMax: Math.max(a.environmentsMax, b.environmentsMax),
        invocations: a.invocations + b.invocations,
        coldStarts: a.coldStarts + b.coldStarts,
        throttles: a.throttles + b.throttles,
        errors: a.errors + b.errors,
        asyncQueueDepth: b.asyncQueueDepth,
        oldestEventAgeMs: b.oldestEventAgeMs,
        costUsd: a.costUsd + b.costUsd,
        queues: b.queues,
      });
    }
    // An even count is merged whole; with an odd one, the last bucket starts the next pair.
    const leftover = this.buckets.length % 2 === 1 ? this.buckets[this.buckets.length - 1]! : null;
    this.buckets.length = 0;
    this.buckets.push(...merged);
    this.width *= 2;
    if (leftover !== null) {
      // The open bucket is merged into the leftover one when it closes: start the open bucket at the leftover's start.
      this.start = leftover.start;
      this.mark = this.markFromBucketStart(leftover);
      this.concurrencyMax = Math.max(this.concurrencyMax, leftover.concurrencyMax);
      this.environmentsMax = Math.max(this.environmentsMax, leftover.environmentsMax);
    }
  }

  /** The mark at a closed bucket's start, rebuilt from the mark at its end and its own figures. */
  private markFromBucketStart(bucket: MetricBucket): Mark {
    const m = this.mark;
    const span = bucket.end - bucket.start;
    return {
      concurrencyArea: m.concurrencyArea - bucket.concurrencyMean * span,
      environmentsArea: m.environmentsArea - bucket.environmentsMean * span,
      invocations: m.invocations - bucket.invocations,
      coldStarts: m.coldStarts - bucket.coldStarts,
      throttles: m.throttles - bucket.throttles,
      errors: m.errors - bucket.errors,
      costUsd: m.costUsd - bucket.costUsd,
    };
  }
}
