/**
 * The AWS SDK's retries as a simulated client makes them (lambda-model.md §4): standard mode retries a throttle (429)
 * or a server error (5xx) up to `maxAttempts` attempts in total, waiting a full-jitter backoff between attempts, and
 * never retries a function error (HTTP 200 with X-Amz-Function-Error). Used by handler code's `workbook:aws` calls
 * (code-calls.ts) and by `simulate`'s sync clients (workload-client.ts). The backoff constants are unsourced: they are
 * settings (`model.sdkRetries`), named as a SIMPLIFICATION wherever a learner sees them.
 */
import { z } from "zod/mini";
import { formatMs } from "./format.ts";
import type { Prng } from "./prng.ts";

export const SdkRetriesSchema = z.strictObject({
  /** Attempts in total, the first included: 3 in standard mode (§4, documented); 1 turns retries off. */
  maxAttempts: z._default(z.int().check(z.minimum(1), z.maximum(20)), 3),
  /** SIMPLIFICATION: the backoff's base: after the n-th failed attempt the client waits up to base × 2^n ms. */
  baseDelayMs: z._default(z.number().check(z.positive()), 100),
  /** SIMPLIFICATION: the longest the client waits between two attempts. */
  maxDelayMs: z._default(z.number().check(z.positive()), 20_000),
});
export type SdkRetries = z.infer<typeof SdkRetriesSchema>;
export type SdkRetriesInput = z.input<typeof SdkRetriesSchema>;

/** Whether the SDK retries an answer with this HTTP status: a throttle or a server error. */
export function retryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Full jitter: after the n-th failed attempt (n ≥ 1), a uniform draw in [0, min(maxDelayMs, baseDelayMs × 2^n)). */
export function backoffMs(settings: SdkRetries, failedAttempts: number, prng: Prng): number {
  return prng.next() * Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** failedAttempts);
}

/** The simplification in words, with the values in force. */
export function describeSdkRetries(settings: SdkRetries): string {
  const first = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2);
  return (
    `AWS SDK retries: a call to an AWS service that gets a throttle (429) or a server error (5xx) is retried, up to ${settings.maxAttempts} attempts in total (${settings.maxAttempts === 3 ? "as in" : "3 in"} the SDK's standard mode), ` +
    `waiting a random time between 0 and min(${formatMs(settings.maxDelayMs)}, ${formatMs(settings.baseDelayMs)} × 2^n) after the n-th failed attempt (up to ${formatMs(first)} after the first); ` +
    "a function error (HTTP 200 with X-Amz-Function-Error) is never retried. The backoff's base and cap are the workbook's: AWS does not document them."
  );
}
