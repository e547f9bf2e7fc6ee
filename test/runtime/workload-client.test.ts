import { describe, expect, it } from "vitest";
import { runWorkload, WorkloadSchema, type WorkloadInput } from "../../src/runtime/workload.ts";

/** Bursts of 5 requests every second against 2 units of reserved concurrency: 3 of each burst are throttled at first. */
const throttled: WorkloadInput = {
  seed: 1,
  durationMs: 60_000,
  function: { initMs: 0, maxLifetimeMs: null, reservedConcurrency: 2 },
  arrivals: { kind: "bursts", size: 5, everyMs: 1_000 },
  work: { kind: "fixed", ms: 50 },
};

describe('§4 AWS SDK retries in simulate: client.retries "sdk-standard" retries throttled sync requests', () => {
  it("§4 SDK retries: a simulated client retries 429 and 5xx up to 3 attempts; retries amplify the invoke requests Lambda receives", () => {
    const none = runWorkload(throttled).summary;
    const sdk = runWorkload({ ...throttled, client: { retries: "sdk-standard" } }).summary;
    expect(none).toMatchObject({ requests: 300, invocations: 120, throttles: 180 });
    const client = sdk.client!;
    expect(sdk.requests).toBe(300);
    expect(client.invokeRequests).toBe(300 + client.retries);
    // Each request either ran once or was throttled on every one of its 3 attempts.
    expect(sdk.invocations + client.failedAfterAllAttempts).toBe(300);
    expect(client.retries).toBeGreaterThan(0);
    expect(client.retries).toBeLessThanOrEqual(2 * 300);
    expect(sdk.throttles).toBe(client.invokeRequests - sdk.invocations);
    expect(sdk.throttleRatio).toBeCloseTo(sdk.throttles / client.invokeRequests, 12);
    // A retry up to 600 ms later finds a free environment (the work takes 50 ms): more requests are served.
    expect(sdk.invocations).toBeGreaterThan(none.invocations);
    expect(client.failedAfterAllAttempts).toBeLessThan(none.throttles);
  });

  it("measures latency from a request's first attempt, so a retried request's backoff counts", () => {
    const none = runWorkload(throttled).summary;
    const sdk = runWorkload({ ...throttled, client: { retries: "sdk-standard" } }).summary;
    expect(none.latencyMs.max).toBeLessThan(51);
    expect(sdk.latencyMs.max).toBeGreaterThan(100);
    expect(none.latencyMs.mean).toBeCloseTo(50, 0);
    // Three of every five requests are retried at least once: they wait a backoff on top of their 50 ms.
    expect(sdk.latencyMs.p50).toBeGreaterThan(60);
  });

  it("counts every attempt as a failure after all attempts when the function is fully throttled, and maxAttempts sets how many", () => {
    const blocked = { ...throttled, durationMs: 10_000, function: { ...throttled.function, reservedConcurrency: 0 } };
    const three = runWorkload({ ...blocked, client: { retries: "sdk-standard" } }).summary;
    expect(three).toMatchObject({ requests: 50, invocations: 0, throttles: 150, client: { retries: 100, failedAfterAllAttempts: 50, invokeRequests: 150 } });
    const five = runWorkload({ ...blocked, client: { retries: "sdk-standard", maxAttempts: 5 } }).summary;
    expect(five).toMatchObject({ throttles: 250, client: { retries: 200, failedAfterAllAttempts: 50 } });
  });

  it("gives the same figures for the same seed", () => {
    const input: WorkloadInput = { ...throttled, client: { retries: "sdk-standard" } };
    expect(runWorkload(input)).toEqual(runWorkload(input));
    expect(runWorkload({ ...input, seed: 2 }).summary.client).not.toEqual(runWorkload(input).summary.client);
  });

  it('changes nothing by default: "none" gives the same summary as no client key, without a client block', () => {
    const plain = runWorkload(throttled);
    expect(runWorkload({ ...throttled, client: { retries: "none" } })).toEqual(plain);
    expect(plain.summary).not.toHaveProperty("client");
    expect(plain.simplifications.join("\n")).not.toContain("AWS SDK retries");
  });

  it("names the backoff constants as a simplification, with the workload's values", () => {
    const { simplifications } = runWorkload({ ...throttled, client: { retries: "sdk-standard", baseDelayMs: 50, maxDelayMs: 5_000 } });
    expect(simplifications.find((l) => l.includes("AWS SDK retries"))).toMatchInlineSnapshot(`"SIMPLIFICATION: AWS SDK retries: a call to an AWS service that gets a throttle (429) or a server error (5xx) is retried, up to 3 attempts in total (as in the SDK's standard mode), waiting a random time between 0 and min(5 s, 50 ms × 2^n) after the n-th failed attempt (up to 100 ms after the first); a function error (HTTP 200 with X-Amz-Function-Error) is never retried. The backoff's base and cap are the workbook's: AWS does not document them."`);
  });

  it("counts each tenant's throttled attempts, which add up to the throttles", () => {
    const { summary } = runWorkload({ ...throttled, tenants: { count: 3, skew: 1 }, client: { retries: "sdk-standard" } });
    const tenants = Object.values(summary.tenants!);
    expect(tenants.reduce((s, t) => s + t.requests, 0)).toBe(summary.requests);
    expect(tenants.reduce((s, t) => s + t.throttles, 0)).toBe(summary.throttles);
  });

  it("sends every retry of an isolated function's request with its tenant id (§11 Tenant isolation mode)", () => {
    const { summary } = runWorkload({ ...throttled, function: { ...throttled.function, tenantIsolation: true }, tenants: { count: 3, skew: 0 }, client: { retries: "sdk-standard" } });
    const tenants = Object.values(summary.tenants!);
    expect(summary.client!.retries).toBeGreaterThan(0);
    expect(summary.rejected).toBe(0);
    expect(summary.invocations + summary.client!.failedAfterAllAttempts).toBe(summary.requests);
    expect(tenants.reduce((s, t) => s + t.throttles, 0)).toBe(summary.throttles);
  });

  it("refuses client retries for async and sqs workloads, naming the field", () => {
    const bad = WorkloadSchema.safeParse({ ...throttled, invoke: "async", client: { retries: "sdk-standard" } });
    expect(bad.success ? [] : bad.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toMatchInlineSnapshot(`
      [
        "client.retries: client retries apply to sync invokes only ("invoke": "sync"); Lambda retries async events itself (§6)",
      ]
    `);
  });
});
