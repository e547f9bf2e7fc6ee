/**
 * How fast functions may grow and how much they may reserve (lambda-model.md §3): the scaling rate (a token bucket per
 * function since 2023, an account-level burst before), the request rate quotas, and the unreserved minimum a
 * reservation must leave to the account.
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
 * A request rate limit: at most `limit` requests in each whole virtual second (SIMPLIFICATION: AWS does not say how
 * its per-second quotas are counted). It serves the Region's quota, the per-function variant and the cap of a
 * function with provisioned concurrency (§3).
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

/** The Region's request rate quota (10 × the concurrency quota, §3), or null when the model turns it off. */
export function accountRateQuota(perConcurrency: number | null, scope: "account" | "function", account: AccountConfig): RequestRateCap | null {
  if (perConcurrency === null || scope !== "account") return null;
  return new RequestRateCap(Math.max(1, Math.floor(perConcurrency * account.concurrencyLimit)));
}

/**
 * SIMPLIFICATION: the quota applied per function instead (`requestRateQuota: "function"`): 10 × its reserved
 * concurrency, or the account limit; null unless the model asks for it.
 */
export function requestRateCap(
  perConcurrency: number | null,
  scope: "account" | "function",
  reservedConcurrency: number | null,
  account: AccountConfig,
): RequestRateCap | null {
  if (perConcurrency === null || scope !== "function") return null;
  return new RequestRateCap(Math.max(1, Math.floor(perConcurrency * (reservedConcurrency ?? account.concurrencyLimit))));
}

/** The cap of a function with provisioned concurrency: 10 × it per second (§3); null without any. */
export function provisionedRateCap(provisioned: number, perConcurrency: number): RequestRateCap | null {
  return provisioned > 0 ? new RequestRateCap(provisioned * perConcurrency) : null;
}

const n = (v: number) => v.toLocaleString("en-US");

export function rateCapThrottle(name: string, cap: RequestRateCap, reserved: boolean): Throttle {
  return {
    code: reserved ? "ReservedFunctionInvocationRateLimitExceeded" : "FunctionInvocationRateLimitExceeded",
    reason: `${name} had already accepted ${n(cap.limit)} requests in this second, its request-rate cap (10 × its ${reserved ? "reserved" : "account"} concurrency; a modelling choice: AWS documents this quota per Region)`,
  };
}

export function accountRateThrottle(quota: RequestRateCap, perConcurrency: number, concurrencyLimit: number): Throttle {
  return {
    // SIMPLIFICATION: AWS does not document the Reason of this throttle.
    code: "FunctionInvocationRateLimitExceeded",
    reason: `the Region had already accepted ${n(quota.limit)} invocation requests in this second, its request rate quota (${n(perConcurrency)} × the account's ${n(concurrencyLimit)} concurrency)`,
  };
}

export function provisionedRateThrottle(name: string, cap: RequestRateCap, provisioned: number): Throttle {
  return {
    // SIMPLIFICATION: AWS does not document the Reason of this throttle.
    code: "FunctionInvocationRateLimitExceeded",
    reason: `${name} had already accepted ${n(cap.limit)} requests in this second: a function with provisioned concurrency takes at most 10 requests per second per provisioned environment, and it has ${n(provisioned)}`,
  };
}

/**
 * The scaling rule before November 2023 (§0, §3): functions of the account may together reach `burst` concurrent
 * executions at once, then `perMinute` more each minute. SIMPLIFICATION: the growth comes in whole-minute steps from
 * the moment concurrency first reaches the burst, and starts again from the burst once concurrency falls below it.
 */
export class AccountBurst {
  readonly burst: number;
  readonly perMinute: number;
  /** When concurrency reached the burst (-1 while it is below). */
  private reachedAt = -1;

  constructor(burst: number, perMinute: number) {
    this.burst = burst;
    this.perMinute = perMinute;
  }

  /** The ceiling on concurrent executions at `now`. */
  ceiling(now: number): number {
    if (this.reachedAt < 0) return this.burst;
    return this.burst + this.perMinute * Math.floor((now - this.reachedAt) / 60_000);
  }

  /** Whether a new environment may start at `now` with `inUse` executions running in the account. */
  admit(now: number, inUse: number): boolean {
    if (inUse < this.burst) {
      this.reachedAt = -1;
      return true;
    }
    if (this.reachedAt < 0) this.reachedAt = now;
    return inUse < this.ceiling(now);
  }

  throttle(name: string, now: number): Throttle {
    return {
      // SIMPLIFICATION: as for the current rule, AWS does not document the Reason.
      code: "ConcurrentInvocationLimitExceeded",
      reason: `${name} had no idle environment and the account may not scale further yet: under the pre-2023 rule its functions together could reach ${n(this.burst)} concurrent executions at once, then ${n(this.perMinute)} more each minute (${n(this.ceiling(now))} now)`,
    };
  }
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
