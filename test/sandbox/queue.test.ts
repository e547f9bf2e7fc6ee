/** Learner code using a queue from workbook:aws: long polling (§7). */
import { describe, expect, it } from "vitest";
import { payloadOf, runHandler } from "./harness.ts";

describe("§7 Long poll wait from learner code: queue(name).receive({ waitTimeSeconds })", () => {
  const code = (wait: string) => `
    import { queue } from "workbook:aws";
    export const handler = async () => {
      setTimeout(() => { queue("jobs").send("hello"); }, 4000);
      const started = Date.now();
      const messages = await queue("jobs").receive(${wait});
      return { waitedMs: Date.now() - started, bodies: messages.map((m) => m.body) };
    };`;

  it("§7 Long poll wait: waits for a message sent 4 s later and returns when it arrives; short polling returns nothing at once", async () => {
    const long = await runHandler(code("{ waitTimeSeconds: 20 }"), { function: { timeoutMs: 30_000 } });
    const got = payloadOf(long.results[0]) as { waitedMs: number; bodies: string[] };
    expect(got.bodies).toEqual(["hello"]);
    // The send leaves at 4 s and the queue stores it 10 ms later: the receive returns then, not after 20 s.
    expect(got.waitedMs).toBeGreaterThanOrEqual(4_010);
    expect(got.waitedMs).toBeLessThan(4_100);
    const short = await runHandler(code("{}"), { function: { timeoutMs: 30_000 } });
    expect(payloadOf(short.results[0])).toMatchObject({ bodies: [] });
    expect((payloadOf(short.results[0]) as { waitedMs: number }).waitedMs).toBeLessThan(100);
  });

  it("is stopped by the function's own timeout while it waits", async () => {
    const run = await runHandler(code("{ waitTimeSeconds: 20 }"), { function: { timeoutMs: 3_000 } });
    expect(run.records[0]).toMatchObject({ outcome: "timeout", durationMs: 3_000 });
  });

  it("refuses a waitTimeSeconds over 20 with InvalidParameterValue", async () => {
    const run = await runHandler(`
      import { queue } from "workbook:aws";
      export const handler = async () => {
        try { await queue("jobs").receive({ waitTimeSeconds: 30 }); return "received"; } catch (error) { return error.name + ": " + error.message; }
      };`);
    expect(payloadOf(run.results[0])).toMatchInlineSnapshot(`"InvalidParameterValue: receive: waitTimeSeconds must be a whole number from 0 to 20"`);
  });
});
