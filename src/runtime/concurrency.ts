/**
 * Who may run now (lambda-model.md §3): a function with reserved concurrency is limited by its reservation; the others
 * share what the account limit leaves after every reservation. Provisioned environments are allocated concurrency:
 * with `holdsProvisioned` (a SIMPLIFICATION implied by §3), idle ones count too, so on-demand room shrinks by them.
 */
import type { AccountConfig } from "./config.ts";
import type { Throttle } from "./scaling.ts";
import type { FunctionState } from "./state.ts";

/** Concurrency a function holds: its executions, plus its idle provisioned environments when they hold theirs. */
function held(fn: FunctionState, holdsProvisioned: boolean): number {
  if (!holdsProvisioned) return fn.inUse;
  const idleProvisioned = fn.config.provisionedConcurrency - fn.provisionedBusy;
  return idleProvisioned > 0 ? fn.inUse + idleProvisioned : fn.inUse;
}

/** The concurrency throttle a request of `fn` that needs an on-demand environment meets now, or null. */
export function concurrencyThrottle(
  fn: FunctionState,
  functions: readonly FunctionState[],
  accountInUse: number,
  account: AccountConfig,
  holdsProvisioned: boolean,
): Throttle | null {
  const reserved = fn.config.reservedConcurrency;
  if (reserved !== null) {
    const using = held(fn, holdsProvisioned);
    if (using >= reserved) {
      const provisioned = using - fn.inUse;
      return {
        code: "ReservedFunctionConcurrentInvocationLimitExceeded",
        reason:
          provisioned > 0
            ? `${fn.config.name} already had ${fn.inUse} of its ${reserved} reserved concurrent executions in use, and ${provisioned} provisioned environment${provisioned === 1 ? "" : "s"} not serving a request held the rest`
            : `${fn.config.name} already had ${fn.inUse} of its ${reserved} reserved concurrent executions in use`,
      };
    }
    return null;
  }
  // Plain loops: this runs for every request, and an iterator or closure per call would show in the profile.
  let reservedTotal = 0;
  let reservedInUse = 0;
  let idleProvisioned = 0;
  for (let i = 0; i < functions.length; i++) {
    const f = functions[i]!;
    const r = f.config.reservedConcurrency;
    if (r !== null) {
      reservedTotal += r;
      reservedInUse += f.inUse;
    } else if (holdsProvisioned) {
      const idle = f.config.provisionedConcurrency - f.provisionedBusy;
      if (idle > 0) idleProvisioned += idle;
    }
  }
  const unreservedLimit = account.concurrencyLimit - reservedTotal;
  const unreservedInUse = accountInUse - reservedInUse;
  if (unreservedInUse + idleProvisioned >= unreservedLimit) {
    const limit = unreservedLimit.toLocaleString("en-US");
    return {
      code: "ConcurrentInvocationLimitExceeded",
      reason:
        idleProvisioned > 0
          ? `the account's ${limit} unreserved concurrent executions were all taken: ${unreservedInUse.toLocaleString("en-US")} running and ${idleProvisioned.toLocaleString("en-US")} held by provisioned environments not serving a request`
          : `the account's ${limit} unreserved concurrent executions were all in use`,
    };
  }
  return null;
}
