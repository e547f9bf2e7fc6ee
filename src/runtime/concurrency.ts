/**
 * Who may run now (lambda-model.md §3): a function with reserved concurrency is limited by its reservation; the others
 * share what the account limit leaves after every reservation.
 */
import type { AccountConfig } from "./config.ts";
import type { Throttle } from "./scaling.ts";
import type { FunctionState } from "./state.ts";

/** The concurrency throttle a request of `fn` meets now, or null when an execution may start. */
export function concurrencyThrottle(fn: FunctionState, functions: readonly FunctionState[], accountInUse: number, account: AccountConfig): Throttle | null {
  const reserved = fn.config.reservedConcurrency;
  if (reserved !== null) {
    if (fn.inUse >= reserved) {
      return {
        code: "ReservedFunctionConcurrentInvocationLimitExceeded",
        reason: `${fn.config.name} already had ${fn.inUse} of its ${reserved} reserved concurrent executions in use`,
      };
    }
    return null;
  }
  const unreservedLimit = account.concurrencyLimit - reservedTotal(functions);
  const unreservedInUse = accountInUse - reservedInUse(functions);
  if (unreservedInUse >= unreservedLimit) {
    return {
      code: "ConcurrentInvocationLimitExceeded",
      reason: `the account's ${unreservedLimit.toLocaleString("en-US")} unreserved concurrent executions were all in use`,
    };
  }
  return null;
}

// Plain loops: these run for every request, and an iterator or closure per call would show in the profile.

function reservedTotal(functions: readonly FunctionState[]): number {
  let sum = 0;
  for (let i = 0; i < functions.length; i++) sum += functions[i]!.config.reservedConcurrency ?? 0;
  return sum;
}

function reservedInUse(functions: readonly FunctionState[]): number {
  let sum = 0;
  for (let i = 0; i < functions.length; i++) {
    const f = functions[i]!;
    if (f.config.reservedConcurrency !== null) sum += f.inUse;
  }
  return sum;
}
