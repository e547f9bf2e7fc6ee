/**
 * Streaming aggregates of a simulation: figures whose memory stays the same however long the simulated run, so a
 * simulated day or a simulated week costs the same memory (issue 4, the `simulate` command).
 *
 * - Time-weighted means and peaks of live environments and of concurrency, integrated at every change.
 * - Latency percentiles from a log-bucketed histogram with a stated relative precision.
 * - Counters the totals do not hold (retries, events given up).
 *
 * Bucketed time series for charts are a different thing (src/runtime/metrics.ts); these are whole-run figures.
 */

/**
 * A step function of time (a level that changes at instants), integrated as it goes: its time-weighted mean over
 * [0, t] and its peak, without keeping the steps.
 */
export class TimeWeighted {
  private level = 0;
  private since = 0;
  private area = 0;
  private top = 0;

  /** The level becomes `value` at time `t` (t never goes back). */
  set(t: number, value: number): void {
    if (value === this.level) return;
    this.area += this.level * (t - this.since);
    this.since = t;
    this.level = value;
    if (value > this.top) this.top = value;
  }

  get current(): number {
    return this.level;
  }

  /** The highest level reached so far. */
  get peak(): number {
    return this.top;
  }

  /** The integral of the level over [0, t], for any t at or after the last change. */
  areaUntil(t: number): number {
    return this.area + this.level * Math.max(0, t - this.since);
  }

  /** The time-weighted mean over [0, t] (0 for an empty window). */
  meanUntil(t: number): number {
    return t > 0 ? this.areaUntil(t) / t : 0;
  }
}

/**
 * Relative precision of the latency histogram: every reported percentile is within 0.5% of the exact value of the
 * same rank (and exact when the values sharing its bucket are all equal, as with fixed work).
 */
export const LATENCY_RELATIVE_PRECISION = 0.005;

/** Values at or below this many ms share the lowest bucket (a latency of a microsecond or less). */
const SMALLEST_MS = 0.001;

/**
 * A log-bucketed histogram (the idea of DDSketch): bucket i holds values in (γ^(i-1), γ^i] with
 * γ = (1 + α) / (1 − α), so any value in a bucket is within a relative α of the bucket's midpoint. Each bucket also
 * keeps the sum of its values and a percentile reports the bucket's mean, which is exact when its values are equal.
 * Memory: one slot per bucket between the smallest and largest value seen (about 2,100 slots per 9 decades).
 */
export class LatencyHistogram {
  private readonly logGamma = Math.log((1 + LATENCY_RELATIVE_PRECISION) / (1 - LATENCY_RELATIVE_PRECISION));
  private counts: number[] = [];
  private sums: number[] = [];
  /** Bucket index of counts[0]. */
  private offset = 0;
  private n = 0;
  private total = 0;
  private lowest = Infinity;
  private highest = -Infinity;

  get count(): number {
    return this.n;
  }

  /** The exact mean of every value added. */
  get mean(): number {
    return this.n > 0 ? this.total / this.n : 0;
  }

  get min(): number {
    return this.n > 0 ? this.lowest : 0;
  }

  get max(): number {
    return this.n > 0 ? this.highest : 0;
  }

  add(ms: number): void {
    const index = ms <= SMALLEST_MS ? 0 : Math.ceil(Math.log(ms / SMALLEST_MS) / this.logGamma);
    let slot = index - this.offset;
    if (this.counts.length === 0) {
      this.offset = index;
      slot = 0;
    } else if (slot < 0) {
      // Grow downwards: shift the slots up by the missing amount.
      const pad = new Array<number>(-slot).fill(0);
      this.counts = pad.concat(this.counts);
      this.sums = pad.concat(this.sums);
      this.offset = index;
      slot = 0;
    }
    while (this.counts.length <= slot) {
      this.counts.push(0);
      this.sums.push(0);
    }
    this.counts[slot]!++;
    this.sums[slot]! += ms;
    this.n++;
    this.total += ms;
    if (ms < this.lowest) this.lowest = ms;
    if (ms > this.highest) this.highest = ms;
  }

  /**
   * The p-th percentile (0 < p ≤ 100) by nearest rank: the value below or at which p% of the values fall, within the
   * stated relative precision. 0 when nothing was added.
   */
  percentile(p: number): number {
    if (this.n === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.n));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      const c = this.counts[i]!;
      if (c === 0) continue;
      seen += c;
      if (seen >= rank) return Math.min(this.highest, Math.max(this.lowest, this.sums[i]! / c));
    }
    return this.highest;
  }
}

/** Whole-run aggregates a Simulation keeps as it runs, whatever it records. */
export class RunAggregates {
  /** Live execution environments: busy, initialising or idle. */
  readonly environments = new TimeWeighted();
  /** Environments initialising or running a request (concurrent executions, lambda-model.md §3). */
  readonly concurrency = new TimeWeighted();
  /**
   * Client-observed latency of every request that got a response from the function: for a sync request, from its
   * arrival to the end of its invocation (INIT included on a cold start; throttled and rejected requests are not
   * counted); for an async event, from its acceptance (202) to the end of the attempt that succeeded, queueing,
   * throttle backoff and retries included. The network round trip is not included.
   */
  readonly latency = new LatencyHistogram();
  /** Async attempts after a function error (attempts 2 and 3, lambda-model.md §6). */
  retries = 0;
  /** Async events given up: retries exhausted, older than the maximum event age, or reserved concurrency 0 (§6). */
  eventsDropped = 0;
  /** Requests refused before running because their payload was over the invoke's limit (§5). */
  rejectedRequests = 0;
}
