/**
 * Provisioned concurrency (lambda-model.md §1, §3, §9): environments initialised ahead of traffic and kept ready. The
 * simulator creates and recycles them; this file holds what can be said without its internals: the standing charge.
 */

/** Pricing rounds the time provisioned concurrency is configured up to 5 minutes (§9). */
export const PROVISIONED_BILLING_STEP_MS = 300_000;

export interface ProvisionedCharge {
  /** Configured concurrency × memory × configured time (rounded up to 5 minutes), in GB-seconds. */
  gbSeconds: number;
  /** null when no price is configured: lambda-model.md gives none for provisioned concurrency. */
  costUsd: number | null;
}

/** The standing charge of `concurrency` provisioned environments of `memoryMB` configured from `since` to `now`. */
export function provisionedCharge(concurrency: number, memoryMB: number, since: number, now: number, pricePerGbSecond: number | null): ProvisionedCharge {
  if (concurrency === 0) return { gbSeconds: 0, costUsd: pricePerGbSecond === null ? null : 0 };
  const billedMs = Math.max(1, Math.ceil((now - since) / PROVISIONED_BILLING_STEP_MS)) * PROVISIONED_BILLING_STEP_MS;
  const gbSeconds = concurrency * (memoryMB / 1024) * (billedMs / 1000);
  return { gbSeconds, costUsd: pricePerGbSecond === null ? null : gbSeconds * pricePerGbSecond };
}
