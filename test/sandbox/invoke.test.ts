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
