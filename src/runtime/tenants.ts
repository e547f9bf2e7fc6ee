/**
 * Tenant isolation mode (lambda-model.md §0, §11): a function created with `tenantIsolation` takes invokes that carry a
 * tenant id and gives each tenant its own execution environments (keyed by version and tenant). The checks a request
 * meets, and the idle lists keyed by tenant. A function without isolation keeps its one idle list (the fast path).
 *
 * Sourced from AWS's tenant-isolation troubleshooting page, not yet in lambda-model.md: an invoke without a tenant id
 * to an isolated function, or with one to a function without isolation, is refused with InvalidParameterValueException
 * (HTTP 400, the status of that exception in the Invoke API). The message text is the workbook's own.
 */
import type { FunctionConfig } from "./config.ts";
import type { Environment, FunctionState } from "./state.ts";

/** The refusal of an invoke whose tenant id does not fit the function, or null when it fits. */
export interface TenantRefusal {
  statusCode: 400;
  errorType: "InvalidParameterValueException";
  errorMessage: string;
  /** In words, for the trace and graders. */
  reason: string;
}

/** Whether an invoke carrying `tenantId` (null for none) may reach the function. */
export function tenantRefusal(config: FunctionConfig, tenantId: string | null): TenantRefusal | null {
  if (config.tenantIsolation) {
    if (tenantId !== null && tenantId !== "") return null;
    return {
      statusCode: 400,
      errorType: "InvalidParameterValueException",
      errorMessage: `Function ${config.name} uses tenant isolation mode: the invoke must carry a tenant id (X-Amz-Tenant-Id).`,
      reason: `${config.name} uses tenant isolation mode, and the invoke carried no tenant id, so Lambda refused it (400) without running anything`,
    };
  }
  if (tenantId === null) return null;
  return {
    statusCode: 400,
    errorType: "InvalidParameterValueException",
    errorMessage: `Function ${config.name} does not use tenant isolation mode: the invoke must not carry a tenant id.`,
    reason: `${config.name} does not use tenant isolation mode, and the invoke carried tenant id "${tenantId}", so Lambda refused it (400) without running anything`,
  };
}

/**
 * The idle list an invoke of this tenant may take an environment from: the function's own list without isolation;
 * with it, the tenant's list (undefined before the tenant's first environment went idle).
 */
export function idleOf(fn: FunctionState, tenantId: string | null): Environment[] | undefined {
  const byTenant = fn.tenantIdle;
  return byTenant === null || tenantId === null ? fn.idle : byTenant.get(tenantId);
}

/** The idle list an environment joins when it parks (created for its tenant's first idle environment). */
export function idleListFor(env: Environment): Environment[] {
  const byTenant = env.fn.tenantIdle;
  const tenant = env.tenantId;
  if (byTenant === null || tenant === null) return env.fn.idle;
  let list = byTenant.get(tenant);
  if (list === undefined) byTenant.set(tenant, (list = []));
  return list;
}

/** Forgets a tenant's idle list once it is empty after a recycle, so that a day of one-off tenants keeps no lists. */
export function dropEmptyIdle(env: Environment, list: Environment[]): void {
  const byTenant = env.fn.tenantIdle;
  if (byTenant !== null && env.tenantId !== null && list.length === 0) byTenant.delete(env.tenantId);
}
