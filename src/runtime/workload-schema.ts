/**
 * The traffic and the work of a workload (see workload.ts): when requests arrive and how long each one's handler
 * runs. Times are in ms and keep their fractions (rounding arrival gaps down would bias every queueing figure).
 */
import { z } from "zod";
import type { Prng } from "./prng.ts";

const rate = z.number().positive().max(1_000_000);

/** When requests arrive. Rates are requests per second; the simulated window is [0, durationMs). */
export const ArrivalsSchema = z.discriminatedUnion("kind", [
  z
    .object({
      /** Evenly spaced arrivals, 1000 / ratePerSec ms apart, the first at `startMs`. */
      kind: z.literal("constant"),
      ratePerSec: rate,
      startMs: z.number().min(0).default(0),
    })
    .strict(),
  z
    .object({
      /** A Poisson process: independent exponential gaps with mean 1000 / ratePerSec ms. */
      kind: z.literal("poisson"),
      ratePerSec: rate,
    })
    .strict(),
  z
    .object({
      /** Poisson traffic at `baseRatePerSec`, rising to `spikeRatePerSec` for `spikeMs` every `everyMs`. */
      kind: z.literal("spikes"),
      baseRatePerSec: z.number().min(0).max(1_000_000),
      spikeRatePerSec: rate,
      everyMs: z.number().positive(),
      spikeMs: z.number().positive(),
      /** Start of the first spike. */
      firstAtMs: z.number().min(0).default(0),
    })
    .strict(),
  z
    .object({
      /** `size` requests at the same instant every `everyMs` (a burst), on top of optional Poisson traffic. */
      kind: z.literal("bursts"),
      size: z.number().int().min(1).max(100_000),
      everyMs: z.number().positive(),
      firstAtMs: z.number().min(0).default(0),
      baseRatePerSec: z.number().min(0).max(1_000_000).default(0),
    })
    .strict(),
  z
    .object({
      /**
       * A day-shaped Poisson process: the rate follows a cosine from `troughRatePerSec` up to `peakRatePerSec` at
       * `peakAtMs` and back, once per `periodMs` (a day by default).
       */
      kind: z.literal("day"),
      peakRatePerSec: rate,
      troughRatePerSec: z.number().min(0).max(1_000_000).default(0),
      peakAtMs: z.number().min(0).default(14 * 3_600_000),
      periodMs: z.number().positive().default(86_400_000),
    })
    .strict(),
  z
    .object({
      /** Explicit arrival times in ms (any order; equal times arrive together). */
      kind: z.literal("list"),
      atMs: z.array(z.number().min(0)).max(1_000_000),
    })
    .strict(),
]);
export type Arrivals = z.infer<typeof ArrivalsSchema>;

/** Share of invocations that fail with a function error (drawn from the seeded generator); 0 by default. */
const errorRate = z.number().min(0).max(1).default(0);

/** How long each request's handler runs (its INVOKE phase), in ms. */
export const WorkSchema = z.discriminatedUnion("kind", [
  z.object({ /** Every request takes `ms`. */ kind: z.literal("fixed"), ms: z.number().min(0), errorRate }).strict(),
  z.object({ /** Exponentially distributed, mean `meanMs`. */ kind: z.literal("exponential"), meanMs: z.number().positive(), errorRate }).strict(),
  z
    .object({ /** Uniform between `minMs` and `maxMs`. */ kind: z.literal("uniform"), minMs: z.number().min(0), maxMs: z.number().min(0), errorRate })
    .strict()
    .refine((w) => w.maxMs >= w.minMs, { path: ["maxMs"], message: "must be at least minMs" }),
  z
    .object({
      /** Log-normal: median `medianMs`, shape `sigma` (the standard deviation of the log); a long right tail. */
      kind: z.literal("lognormal"),
      medianMs: z.number().positive(),
      sigma: z.number().min(0).max(5),
      errorRate,
    })
    .strict(),
  z
    .object({
      /** A real handler file, run in the sandbox (the command loads it; its path is relative to the workload file). */
      kind: z.literal("handler"),
      file: z.string().min(1),
    })
    .strict(),
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
