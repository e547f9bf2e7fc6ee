/** Learner code invoking another function of the simulation: `lambda` from workbook:aws. */
import { describe, expect, it } from "vitest";
import { payloadOf, runHandler } from "./harness.ts";

describe("§3 Concurrency and scaling: handler code invokes another function (lambda.invoke)", () => {
  it("waits for a synchronous callee and gets its result; a function error comes back as functionError, not thrown", async () => {
    const run = await runHandler(`
      import { lambda } from "workbook:aws";
      export const handler = async (event) => {
        if (event.inner) { if (event.fail) throw new Error("inner failed"); return { inner: event.n * 2 }; }
        const ok = await lambda.invoke("fn", { inner: true, n: 21 });
        const failed = await lambda.invoke("fn", { inner: true, fail: true });
        const queued = await lambda.invoke("fn", { inner: true, n: 1 }, { invocationType: "Event" });
        return { ok, failed: failed.functionError, queued };
      };`);
    expect(payloadOf(run.results[0])).toEqual({
      ok: { statusCode: 200, functionError: null, payload: { inner: 42 } },
      failed: "Unhandled",
      queued: { statusCode: 202 },
    });
  });
});

describe("§4 AWS SDK retries: learner code's lambda.invoke", () => {
  // The function invokes itself while holding its only unit of reserved concurrency: every inner attempt is throttled.
  const throttledSelf = (options: string) => `
    import { lambda } from "workbook:aws";
    export const handler = async (event) => {
      if (event.inner) return "inner";
      const started = Date.now();
      try {
        await lambda.invoke("fn", { inner: true }${options});
        return "not throttled";
      } catch (error) {
        return { name: error.name, metadata: error.$metadata, waitedMs: Date.now() - started };
      }
    };`;

  it("§4 SDK retries: a simulated client retries 429 and 5xx up to 3 attempts, and the code waits (billed) for them", async () => {
    const run = await runHandler(throttledSelf(""), { function: { reservedConcurrency: 1 } });
    const waited = run.sim.sdkRetries.reduce((sum, r) => sum + r.delayMs, 0);
    expect(run.sim.sdkRetries).toHaveLength(2);
    expect(payloadOf(run.results[0])).toEqual({
      name: "TooManyRequestsException",
      metadata: { httpStatusCode: 429, attempts: 3, totalRetryDelay: Math.round(waited) },
      waitedMs: expect.any(Number),
    });
    expect((payloadOf(run.results[0]) as { waitedMs: number }).waitedMs).toBeGreaterThanOrEqual(Math.floor(waited));
    expect(run.sim.trace.filter((r) => r.outcome === "throttled")).toHaveLength(3);
  });

  it("makes a single attempt with { maxAttempts: 1 }, and refuses a maxAttempts that is not a whole number from 1 to 20", async () => {
    const once = await runHandler(throttledSelf(", { maxAttempts: 1 }"), { function: { reservedConcurrency: 1 } });
    expect(payloadOf(once.results[0])).toEqual({ name: "TooManyRequestsException", metadata: { httpStatusCode: 429, attempts: 1, totalRetryDelay: 0 }, waitedMs: expect.any(Number) });
    expect(once.sim.sdkRetries).toEqual([]);
    expect(once.sim.trace.filter((r) => r.outcome === "throttled")).toHaveLength(1);
    const bad = await runHandler(`
      import { lambda } from "workbook:aws";
      export const handler = async () => {
        try { await lambda.invoke("fn", {}, { maxAttempts: 0 }); } catch (error) { return error instanceof TypeError ? error.message : "not a TypeError"; }
      };`);
    expect(payloadOf(bad.results[0])).toMatchInlineSnapshot(`"lambda.invoke: maxAttempts must be a whole number from 1 to 20 (1 turns retries off)"`);
  });
});
