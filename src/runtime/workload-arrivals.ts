/** Arrival processes of a workload: each gives the next arrival time, in ms, in order (see workload-schema.ts). */
import type { Prng } from "./prng.ts";
import type { Arrivals } from "./workload-schema.ts";

export interface ArrivalProcess {
  /** The next arrival time (never earlier than the previous one); Infinity when there are no more. */
  next(): number;
}

/** An exponential gap with `perMs` arrivals per ms (1 − u keeps the argument of the log above 0). */
function exponentialGap(prng: Prng, perMs: number): number {
  return -Math.log(1 - prng.next()) / perMs;
}

export function sampleArrivals(arrivals: Arrivals, prng: Prng): ArrivalProcess {
  switch (arrivals.kind) {
    case "constant": {
      const gap = 1000 / arrivals.ratePerSec;
      const start = arrivals.startMs;
      let k = 0;
      // start + k × gap rather than a running sum, so that no rounding error accumulates over millions of arrivals.
      return { next: () => start + k++ * gap };
    }
    case "poisson": {
      const perMs = arrivals.ratePerSec / 1000;
      let t = 0;
      return { next: () => (t += exponentialGap(prng, perMs)) };
    }
    case "spikes": {
      const { baseRatePerSec, spikeRatePerSec, everyMs, spikeMs, firstAtMs } = arrivals;
      // The rate is constant between changes, so an exponential gap drawn at the current rate that would cross the
      // next change is dropped and drawn again from the change (exact, since the process has no memory).
      const phase = (t: number): { perMs: number; until: number } => {
        if (t < firstAtMs) return { perMs: baseRatePerSec / 1000, until: firstAtMs };
        const k = Math.floor((t - firstAtMs) / everyMs);
        const start = firstAtMs + k * everyMs;
        if (t < start + Math.min(spikeMs, everyMs)) return { perMs: spikeRatePerSec / 1000, until: start + Math.min(spikeMs, everyMs) };
        return { perMs: baseRatePerSec / 1000, until: start + everyMs };
      };
      let t = 0;
      return {
        next: () => {
          for (;;) {
            const { perMs, until } = phase(t);
            const candidate = perMs > 0 ? t + exponentialGap(prng, perMs) : Infinity;
            if (candidate < until) return (t = candidate);
            if (until === Infinity) return Infinity;
            t = until;
          }
        },
      };
    }
    case "bursts": {
      const { size, everyMs, firstAtMs, baseRatePerSec } = arrivals;
      let burst = 0;
      let inBurst = 0;
      const basePerMs = baseRatePerSec / 1000;
      let nextBase = basePerMs > 0 ? exponentialGap(prng, basePerMs) : Infinity;
      return {
        next: () => {
          const burstAt = firstAtMs + burst * everyMs;
          if (burstAt <= nextBase) {
            if (++inBurst === size) {
              inBurst = 0;
              burst++;
            }
            return burstAt;
          }
          const t = nextBase;
          nextBase += exponentialGap(prng, basePerMs);
          return t;
        },
      };
    }
    case "day": {
      const { peakRatePerSec, troughRatePerSec, peakAtMs, periodMs } = arrivals;
      const rateAt = (t: number) =>
        (troughRatePerSec + ((peakRatePerSec - troughRatePerSec) * (1 + Math.cos((2 * Math.PI * (t - peakAtMs)) / periodMs))) / 2) / 1000;
      // Thinning (Lewis and Shedler) under a step envelope: the period is cut into slices, each bounded by the
      // highest rate it reaches; a candidate is kept with probability rate(t) / bound, so few are wasted.
      const slices = 96;
      const sliceMs = periodMs / slices;
      const bound = (i: number) => {
        const start = i * sliceMs;
        const end = start + sliceMs;
        const peak = ((peakAtMs % periodMs) + periodMs) % periodMs;
        const containsPeak = (peak >= start && peak <= end) || (peak === 0 && end >= periodMs);
        return containsPeak ? Math.max(peakRatePerSec, troughRatePerSec) / 1000 : Math.max(rateAt(start), rateAt(end));
      };
      const bounds = Array.from({ length: slices }, (_, i) => bound(i));
      // The slice is tracked as a count, never recomputed from t, so a boundary that rounds badly cannot stall it.
      let slice = 0;
      let t = 0;
      return {
        next: () => {
          for (;;) {
            const top = bounds[slice % slices]!;
            const until = (slice + 1) * sliceMs;
            const candidate = top > 0 ? t + exponentialGap(prng, top) : Infinity;
            if (candidate >= until) {
              t = until;
              slice++;
              continue;
            }
            t = candidate;
            if (prng.next() * top < rateAt(t)) return t;
          }
        },
      };
    }
    case "list": {
      const times = [...arrivals.atMs].sort((a, b) => a - b);
      let i = 0;
      return { next: () => (i < times.length ? times[i++]! : Infinity) };
    }
  }
}
