/**
 * What invocations cost (lambda-model.md §9): a price per request plus a price per GB-second of billed duration, at the
 * first pricing tier only, with the monthly free tier applied when a scenario asks for it.
 */
import { LAMBDA_FACTS } from "./config.ts";

/** The free tier taken off a bill so far, summed over the months it covered. */
export interface FreeTierUse {
  requests: number;
  gbSeconds: number;
}

/** A GB-second in MB-milliseconds, the unit whole billed milliseconds and whole MB multiply into exactly. */
const MB_MS_PER_GB_SECOND = 1024 * 1000;

/**
 * One account's running Lambda bill. The rate per GB-second never changes with the month's usage: tiers beyond the
 * first are ignored (a SIMPLIFICATION of §9; they start billions of GB-seconds in).
 */
export class LambdaBill {
  readonly appliesFreeTier: boolean;
  private readonly epochMs: number;
  /** Virtual time the current calendar month (UTC) ends; the allowance renews then. */
  private monthEndsAt = -Infinity;
  private freeRequestsLeft = 0;
  // Counted in whole MB-ms, so that the allowance runs out exactly, whatever the number of invocations.
  private freeMbMsLeft = 0;
  private freeRequestsUsed = 0;
  private freeMbMsUsed = 0;

  constructor(applyFreeTier: boolean, epochMs: number) {
    this.appliesFreeTier = applyFreeTier;
    this.epochMs = epochMs;
  }

  /** What the free tier took off so far; null when it is not applied. */
  get freeTierUsed(): FreeTierUse | null {
    return this.appliesFreeTier ? { requests: this.freeRequestsUsed, gbSeconds: this.freeMbMsUsed / MB_MS_PER_GB_SECOND } : null;
  }

  /**
   * The cost in USD of one invocation of `billedMs` (whole ms) at `memoryMB`, billed at virtual time `t`. The free
   * tier covers requests and the duration billed at the on-demand rate; `onDemand` false (a provisioned duration price
   * set by a scenario) leaves the duration charged.
   */
  invocationUsd(billedMs: number, memoryMB: number, ratePerGbSecond: number, t: number, onDemand = true): number {
    if (!this.appliesFreeTier) return LAMBDA_FACTS.pricePerRequestUsd + (billedMs / 1000) * (memoryMB / 1024) * ratePerGbSecond;
    const mbMs = billedMs * memoryMB;
    if (t >= this.monthEndsAt) this.renew(t);
    let usd = 0;
    if (this.freeRequestsLeft > 0) {
      this.freeRequestsLeft--;
      this.freeRequestsUsed++;
    } else {
      usd += LAMBDA_FACTS.pricePerRequestUsd;
    }
    const free = onDemand ? Math.min(mbMs, this.freeMbMsLeft) : 0;
    this.freeMbMsLeft -= free;
    this.freeMbMsUsed += free;
    return usd + ((mbMs - free) / MB_MS_PER_GB_SECOND) * ratePerGbSecond;
  }

  private renew(t: number): void {
    const at = new Date(this.epochMs + t);
    this.monthEndsAt = Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1) - this.epochMs;
    this.freeRequestsLeft = LAMBDA_FACTS.freeTierRequestsPerMonth;
    this.freeMbMsLeft = LAMBDA_FACTS.freeTierGbSecondsPerMonth * MB_MS_PER_GB_SECOND;
  }
}
