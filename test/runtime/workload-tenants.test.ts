/** Workloads with tenants and tenant isolation mode (lambda-model.md §11). */
import { describe, expect, it } from "vitest";
import { runWorkload, WorkloadSchema, type WorkloadInput } from "../../src/runtime/workload.ts";
import { SqsWorkloadSchema } from "../../src/runtime/workload-sqs-schema.ts";

const traffic: WorkloadInput = {
  seed: 3,
  durationMs: 600_000,
  function: { initMs: 250, maxLifetimeMs: null },
  arrivals: { kind: "poisson", ratePerSec: 5 },
  work: { kind: "exponential", meanMs: 100 },
  tenants: { count: 50, skew: 1 },
};

const issues = (input: unknown) => {
  const parsed = SqsWorkloadSchema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("§11 Tenant isolation mode (re:Invent 2025) in workloads", () => {
  it("§11 Tenant isolation mode (re:Invent 2025) causes more cold starts and uses more concurrency: the same traffic, with isolation off and on", () => {
    const off = runWorkload(traffic).summary;
    const on = runWorkload({ ...traffic, function: { ...traffic.function, tenantIsolation: true } }).summary;
    // The same arrivals and work: only where requests may run differs.
    expect(on.requests).toBe(off.requests);
    expect(on.invocations).toBe(off.invocations);
    expect(on.coldStarts).toBeGreaterThanOrEqual(50); // at least one per tenant
    expect(on.coldStarts).toBeGreaterThan(5 * off.coldStarts);
    expect(on.meanEnvironments).toBeGreaterThan(5 * off.meanEnvironments);
    expect(on.meanConcurrency).toBeGreaterThan(off.meanConcurrency);
    expect(on.billedGbSeconds).toBeGreaterThan(off.billedGbSeconds); // INIT is billed (§1)
    // Per tenant, sync: the cold starts add up, and every tenant had at least one of its own.
    const tenants = Object.values(on.tenants!);
    expect(tenants.reduce((s, t) => s + t.coldStarts, 0)).toBe(on.coldStarts);
    expect(tenants.every((t) => t.requests === 0 || t.coldStarts >= 1)).toBe(true);
    expect(Object.values(off.tenants!).reduce((s, t) => s + t.coldStarts, 0)).toBe(off.coldStarts);
  });

  it("sends each tenant's id with its async events too, so that isolation keys their environments", () => {
    const base = { ...traffic, invoke: "async" as const, durationMs: 120_000 };
    const off = runWorkload(base).summary;
    const on = runWorkload({ ...base, function: { ...base.function, tenantIsolation: true } }).summary;
    expect(on.rejected).toBe(0);
    expect(on.coldStarts).toBeGreaterThan(5 * off.coldStarts);
  });

  it("names the SIMPLIFICATIONS of tenant isolation among the run's simplifications, only when it is on", () => {
    const off = runWorkload({ ...traffic, durationMs: 10_000 });
    const on = runWorkload({ ...traffic, durationMs: 10_000, function: { tenantIsolation: true } });
    expect(off.simplifications.join("\n")).not.toContain("Tenant isolation");
    expect(on.simplifications.find((l) => l.startsWith("Tenant isolation"))).toMatchInlineSnapshot(
      `"Tenant isolation mode, as the workbook simplifies it: within a tenant, the most recently created idle environment takes the request; AWS's limit on how many tenant environments may exist is not modelled; a tenant id that does not fit the function gets InvalidParameterValueException with the workbook's wording; a REST API passes the client's X-Amz-Tenant-Id header on as it is (in AWS the integration maps a client value to it), an HTTP API passes none."`,
    );
  });

  it("refuses function.tenantIsolation without tenants, with provisioned concurrency and with invoke \"sqs\", naming the field", () => {
    expect(WorkloadSchema.parse({ durationMs: 1, arrivals: { kind: "list", atMs: [] } }).function.tenantIsolation).toBe(false);
    const isolated = { durationMs: 1_000, arrivals: { kind: "constant", ratePerSec: 1 }, function: { tenantIsolation: true } };
    expect(issues(isolated)).toMatchInlineSnapshot(`
      [
        "function.tenantIsolation: needs "tenants": with tenant isolation every request must carry a tenant id (lambda-model.md §11)",
      ]
    `);
    expect(issues({ ...isolated, tenants: { count: 2 }, function: { tenantIsolation: true, provisionedConcurrency: 1 } })).toMatchInlineSnapshot(`
      [
        "function.provisionedConcurrency: provisioned concurrency is not available for a function with tenant isolation",
      ]
    `);
    expect(issues({ ...isolated, invoke: "sqs", tenants: { count: 2 } })).toContain(
      "function.tenantIsolation: an SQS event source mapping cannot invoke a function with tenant isolation: its invokes carry no tenant id",
    );
    expect(issues({ ...isolated, function: { tenantIsolation: "yes" } })).toEqual(["function.tenantIsolation: Invalid input: expected boolean, received string"]);
  });
});
