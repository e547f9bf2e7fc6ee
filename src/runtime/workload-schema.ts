/**
 * The traffic and the work of a workload (see workload.ts): when requests arrive and how long each one's handler
 * runs. Times are in ms and keep their fractions (rounding arrival gaps down would bias every queueing figure).
 */
import { z } from "zod/mini";
import type { Prng } from "./prng.ts";

const rate = z.number().check(z.positive(), z.maximum(1_000_000));

/** When requests arrive. Rates are requests per second; the simulated window is [0, durationMs). */
export const ArrivalsSchema = z.discriminatedUnion("kind", [
  z.strictObject({
      /** Evenly spaced arrivals, 1000 / ratePerSec ms apart, the first at `startMs`. */
      kind: z.literal("constant"),
      ratePerSec: rate,
      startMs: z._default(z.number().check(z.minimum(0)), 0),
    }),
  z.strictObject({
      /** A Poisson process: independent exponential gaps with mean 1000 / ratePerSec ms. */
      kind: z.literal("poisson"),
      ratePerSec: rate,
    }),
  z.strictObject({
      /** Poisson traffic at `baseRatePerSec`, rising to `spikeRatePerSec` for `spikeMs` every `everyMs`. */
      kind: z.literal("spikes"),
      baseRatePerSec: z.number().check(z.minimum(0), z.maximum(1_000_000)),
      spikeRatePerSec: rate,
      everyMs: z.number().check(z.positive()),
      spikeMs: z.number().check(z.positive()),
      /** Start of the first spike. */
      firstAtMs: z._default(z.number().check(z.minimum(0)), 0),
    }),
  z.strictObject({
      /** `size` requests at the same instant every `everyMs` (a burst), on top of optional Poisson traffic. */
      kind: z.literal("bursts"),
      size: z.int().check(z.minimum(1), z.maximum(100_000)),
      everyMs: z.number().check(z.positive()),
      firstAtMs: z._default(z.number().check(z.minimum(0)), 0),
      baseRatePerSec: z._default(z.number().check(z.minimum(0), z.maximum(1_000_000)), 0),
    }),
  z.strictObject({
      /**
       * A day-shaped Poisson process: the rate follows a cosine from `troughRatePerSec` up to `peakRatePerSec` at
       * `peakAtMs` and back, once per `periodMs` (a day by default).
       */
      kind: z.literal("day"),
      peakRatePerSec: rate,
      troughRatePerSec: z._default(z.number().check(z.minimum(0), z.maximum(1_000_000)), 0),
      peakAtMs: z._default(z.number().check(z.minimum(0)), 14 * 3_600_000),
      periodMs: z._default(z.number().check(z.positive()), 86_400_000),
    }),
  z.strictObject({
      /** Explicit arrival times in ms (any order; equal times arrive together). */
      kind: z.literal("list"),
      atMs: z.array(z.number().check(z.minimum(0))).check(z.maxLength(1_000_000)),
    }),
]);
export type Arrivals = z.infer<typeof ArrivalsSchema>;

/** Share of invocations that fail with a function error (drawn from the seeded generator); 0 by default. */
const errorRate = z._default(z.number().check(z.minimum(0), z.maximum(1)), 0);

/** How long each request's handler runs (its INVOKE phase), in ms. */
export const WorkSchema = z.discriminatedUnion("kind", [
  z.strictObject({ /** Every request takes `ms`. */ kind: z.literal("fixed"), ms: z.number().check(z.minimum(0)), errorRate }),
  z.strictObject({ /** Exponentially distributed, mean `meanMs`. */ kind: z.literal("exponential"), meanMs: z.number().check(z.positive()), errorRate }),
  z.strictObject({ /** Uniform between `minMs` and `maxMs`. */ kind: z.literal("uniform"), minMs: z.number().check(z.minimum(0)), maxMs: z.number().check(z.minimum(0)), errorRate }).check(z.refine((w) => w.maxMs >= w.minMs, { path: ["maxMs"], message: "must be at least minMs" })),
  z.strictObject({
      /** Log-normal: median `medianMs`, shape `sigma` (the standard deviation of the log); a long right tail. */
      kind: z.literal("lognormal"),
      medianMs: z.number().check(z.positive()),
      sigma: z.number().check(z.minimum(0), z.maximum(5)),
      errorRate,
    }),
  z.strictObject({
      /** A real handler file, run in the sandbox (the command loads it; its path is relative to the workload file). */
      kind: z.literal("handler"),
      file: z.string().check(z.minLength(1)),
    }),
]);
export type Work = z.infer<typeof WorkSchema>;

/** A sampler of one request's work in ms, for the kinds that describe it with numbers. */
export function workSampler(work: Work, prng: Prng): () => number {
  switch (work.kind) {
    case "fixed": {
      const ms = work.ms;
      return () => ms;
    }
    case "exponential": {
      const mean = work.meanMs;
      return () => -mean * Math.log(1 - prng.next());
    }
    case "uniform": {
      const { minMs, maxMs } = work;
      return () => minMs + (maxMs - minMs) * prng.next();
    }
    case "lognormal": {
      const { medianMs, sigma } = work;
      // Box–Muller: one standard normal from two uniforms.
      return () => medianMs * Math.exp(sigma * Math.sqrt(-2 * Math.log(1 - prng.next())) * Math.cos(2 * Math.PI * prng.next()));
    }
    case "handler":
      throw new Error("a handler's work is measured by running it, not sampled");
  }
}
