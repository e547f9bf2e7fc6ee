/**
 * How fast a function may grow and how much it may reserve (lambda-model.md §3): the scaling rate as a token bucket,
 * the per-function request-rate cap, and the unreserved minimum a reservation must leave to the account.
 */
import type { AccountConfig } from "./config.ts";

/** Why a request was throttled: the 429 body's `Reason`, and a sentence for the learner. */
export interface Throttle {
  code: string;
  reason: string;
}

/**
 * The scaling rate: 1,000 new environments every 10 s per function, refilled continuously and never saved up beyond
 * 1,000 (§3). The bucket is refilled lazily, only when an environment is about to be created, so warm traffic never
 * touches it.
 */
export class ScalingBucket {
  private tokens: number;
  private updatedAt: number;
  private readonly size: number;
  private readonly refillPerMs: number;

  constructor(size: number, refillPerMs: number, now: number) {
    this.size = size;
    this.refillPerMs = refillPerMs;
    this.tokens = size;
    this.updatedAt = now;
  }

  /** Takes the token a new environment costs; false when none is left at `now`. */
  take(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Tokens left at `now` (whole environments that may still be created at once). */
  available(now: number): number {
    this.refill(now);
    return Math.floor(this.tokens);
  }

  private refill(now: number): void {
    if (now > this.updatedAt) {
      this.tokens = Math.min(this.size, this.tokens + (now - this.updatedAt) * this.refillPerMs);
      this.updatedAt = now;
    }
  }
}

/**
 * SIMPLIFICATION (§3): a function accepts at most `limit` sync requests in each whole virtual second. AWS documents a
 * Regional quota of 10 × the concurrency quota; the model applies it per function, so a function with a small
 * reservation is throttled below the concurrency one watches.
 */
export class RequestRateCap {
  readonly limit: number;
  private windowEnd = -Infinity;
  private count = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Counts a request at `now`; false when the second it falls in is already full. */
  admit(now: number): boolean {
    if (now >= this.windowEnd) {
      this.windowEnd = now - (now % 1_000) + 1_000;
      this.count = 0;
    }
    if (this.count >= this.limit) return false;
    this.count++;
    return true;
  }
}

/** The request-rate cap of a function, or null when the model turns it off. */
export function requestRateCap(
  perConcurrency: number | null,
  reservedConcurrency: number | null,
  account: AccountConfig,
): RequestRateCap | null {
  if (perConcurrency === null) return null;
  return new RequestRateCap(Math.max(1, Math.floor(perConcurrency * (reservedConcurrency ?? account.concurrencyLimit))));
}

export function rateCapThrottle(name: string, cap: RequestRateCap, reserved: boolean): Throttle {
  return {
    code: reserved ? "ReservedFunctionInvocationRateLimitExceeded" : "FunctionInvocationRateLimitExceeded",
    reason: `${name} had already accepted ${cap.limit.toLocaleString("en-US")} requests in this second, its request-rate cap (10 × its ${reserved ? "reserved" : "account"} concurrency; a modelling choice: AWS documents this quota per Region)`,
  };
}

export function scalingThrottle(name: string): Throttle {
  return {
    // SIMPLIFICATION: AWS does not document the Reason of a scaling-rate throttle.
    code: "ConcurrentInvocationLimitExceeded",
    reason: `${name} had no idle environment and may not create another yet: its scaling rate (1,000 new environments per 10 s, refilled continuously) was used up, although concurrency was still available`,
  };
}

/**
 * Why a function may not reserve `reserved` concurrent executions, or null if it may: reservations can take at most
 * the account limit minus the unreserved minimum (100), counting what other functions already reserve (§3).
 */
export function reservationError(name: string, reserved: number | null, othersReserved: number, account: AccountConfig): string | null {
  if (reserved === null) return null;
  const most = account.concurrencyLimit - account.unreservedMinimum - othersReserved;
  if (reserved <= most) return null;
  const n = (v: number) => v.toLocaleString("en-US");
  const others = othersReserved > 0 ? `, other functions reserve ${n(othersReserved)}` : "";
  return `${name} cannot reserve ${n(reserved)} concurrent executions: the account limit is ${n(account.concurrencyLimit)}${others}, and Lambda keeps ${n(account.unreservedMinimum)} unreserved for functions without a reservation, so at most ${n(Math.max(0, most))} can be reserved`;
}

/** A deployment Lambda would refuse (for example a reservation that leaves too little unreserved concurrency). */
export class DeploymentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DeploymentError";
  }
}
