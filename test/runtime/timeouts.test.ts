import { describe, expect, it } from "vitest";
import { logTexts, setup, syncInvoke } from "./host-code.ts";

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

describe("§4 Function timeout", () => {
  it("§4 a timed-out invocation reports Duration equal to the timeout, billed in full: the handler stops at the function timeout", () => {
    const { sim, code } = setup();
    syncInvoke(sim, "f", {}, 0); // warm the environment up, so no Init Duration is billed below
    const call = syncInvoke(sim, "f", { hang: true }, 1_000);
    sim.run();
    const rec = sim.trace[1]!;
    expect(rec).toMatchObject({ outcome: "timeout", failedIn: "invoke", cold: false, endedAt: 4_000 });
    expect(rec.durationMs).toBe(3_000);
    expect(rec.billedMs).toBe(3_000);
    expect(rec.error).toEqual({ errorType: "Sandbox.Timedout", errorMessage: "Task timed out after 3.00 seconds" });
    expect(code.instances[0]!.aborted).toBe(true);
    expect(call.result).toMatchObject({ statusCode: 200, functionError: "Unhandled" });
    expect(JSON.parse(call.result!.payload)).toEqual({ errorType: "Sandbox.Timedout", errorMessage: "Task timed out after 3.00 seconds" });
    expect(sim.totals).toMatchObject({ timeouts: 1, errors: 1 });
  });

  it("bills a timed-out cold start for the full timeout plus Init Duration", () => {
    const { sim } = setup({ code: { init: { durationMs: 100 } } });
    syncInvoke(sim, "f", { hang: true }, 0);
    sim.run();
    expect(sim.trace[0]).toMatchObject({ outcome: "timeout", initMs: 350, durationMs: 3_000, billedMs: 3_350, endedAt: 3_350 });
  });

  it("lets a handler that finishes 1 ms before the timeout succeed, and times out one that needs 1 ms more", () => {
    const { sim } = setup();
    syncInvoke(sim, "f", {}, 0);
    const inTime = syncInvoke(sim, "f", { durationMs: 2_999 }, 1_000);
    const late = syncInvoke(sim, "f", { durationMs: 3_001 }, 10_000);
    sim.run();
    expect(inTime.result!.functionError).toBeNull();
    expect(inTime.result!.record.durationMs).toBe(2_999);
    expect(late.result!.record).toMatchObject({ outcome: "timeout", durationMs: 3_000, endedAt: 13_000 });
  });

  it("gives the handler a deadline of invoke start + timeout (what getRemainingTimeInMillis counts down to)", () => {
    const { sim, code } = setup({ fn: { timeoutMs: 7_000 } });
    syncInvoke(sim, "f", {}, 0);
    syncInvoke(sim, "f", {}, 20_000);
    sim.run();
    expect(code.invocations.map((c) => [c.context.deadlineMs, c.deadline])).toEqual([
      [7_250, 7_250], // cold: the 250 ms INIT happens before the timeout starts
      [27_000, 27_000],
    ]);
  });

  it('§4 Timeout log (2026), §0 `Task timed out` log line and §4 the log format is a setting, and §8 on timeout, REPORT appends the status: in the 2026 style ends REPORT with "\\tStatus: timeout" and logs no "Task timed out" line', () => {
    const { sim } = setup();
    syncInvoke(sim, "f", {}, 0);
    syncInvoke(sim, "f", { hang: true }, 1_000);
    sim.run();
    const texts = logTexts(sim);
    const id = sim.trace[1]!.requestId;
    const report = texts.find((t) => t.startsWith(`REPORT RequestId: ${id}`))!;
    expect(report).toBe(
      `REPORT RequestId: ${id}\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB\tStatus: timeout`,
    );
    expect(texts.some((t) => t.includes("Task timed out"))).toBe(false);
  });

  it('§4 Timeout log (classic) and §4 the "classic" style instead emits the separate line: in the classic style logs "<timestamp> <requestId> Task timed out after 3.00 seconds" and no Status field', () => {
    const { sim } = setup({ model: { timeoutStyle: "classic" } });
    syncInvoke(sim, "f", {}, 0);
    syncInvoke(sim, "f", { hang: true }, 1_000);
    sim.run();
    const texts = logTexts(sim);
    const id = sim.trace[1]!.requestId;
    expect(texts.filter((t) => t.includes("Task timed out"))).toEqual([`2026-01-01T00:00:04.000Z ${id} Task timed out after 3.00 seconds`]);
    expect(texts.find((t) => t.startsWith(`REPORT RequestId: ${id}`))).not.toContain("Status");
    expect(texts.find((t) => t.includes("Task timed out"))).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z ${UUID} Task timed out after \\d+\\.\\d\\d seconds$`));
  });

  it("formats the timeout in seconds with 2 decimals for other timeouts too", () => {
    const { sim } = setup({ fn: { timeoutMs: 61_500 }, model: { timeoutStyle: "classic" } });
    syncInvoke(sim, "f", { hang: true }, 0);
    sim.run();
    expect(sim.trace[0]!.error!.errorMessage).toBe("Task timed out after 61.50 seconds");
    expect(logTexts(sim).some((t) => t.endsWith("Task timed out after 61.50 seconds"))).toBe(true);
  });

  it("§4 On timeout: counts a timeout as a function error that async invocation retries", () => {
    const { sim } = setup();
    sim.invoke("f", "async", { hang: true }, { at: 0 });
    sim.run();
    const attempts = sim.trace.filter((r) => r.outcome === "timeout");
    expect(attempts.map((r) => r.attempt)).toEqual([1, 2, 3]);
    expect(sim.totals.timeouts).toBe(3);
  });
});
