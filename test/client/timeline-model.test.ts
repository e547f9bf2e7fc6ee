import { describe, expect, it } from "vitest";
import { buildTimeline, describeRecord, logsOf } from "../../src/client/timeline-model.ts";
import type { FailureDetail } from "../../src/grader/report.ts";
import { exercise, grade } from "../helpers.ts";

// Each starter is graded once for the whole file (grading is CPU-bound and other test files run beside this one).
const failures = new Map<string, Promise<FailureDetail>>();
function starterFailure(id: string): Promise<FailureDetail> {
  let failure = failures.get(id);
  if (!failure) {
    failure = exercise(id).then(async (ex) => {
      const report = await grade(ex, ex.starter);
      if (!report.failure) throw new Error("the starter should fail");
      return report.failure;
    });
    failures.set(id, failure);
  }
  return failure;
}

const CONTROL_NAMES = /run|grade|reset|show hint|show solution|export progress|import progress/i;

describe("timeline model", () => {
  it("draws one lane per environment with every invocation as a bar and marks the records that broke the check", async () => {
    const failure = await starterFailure("lifecycle/reuse-client");
    const model = buildTimeline(failure);
    expect(model.lanes.map((l) => l.name)).toEqual(["env-1"]);
    const bars = model.lanes[0]!.bars;
    expect(bars).toHaveLength(12);
    expect(bars.filter((b) => b.highlighted).map((b) => b.seq).sort()).toEqual([...failure.highlight].sort());
    expect(bars[0]!.initShare).toBeGreaterThan(0);
    expect(bars[1]!.initShare).toBe(0);
    for (const bar of bars) {
      expect(bar.left).toBeGreaterThanOrEqual(0);
      expect(bar.left + bar.width).toBeLessThanOrEqual(100.001);
    }
    expect(bars[1]!.name).toMatchInlineSnapshot(`"Invocation 2: env-1, warm, succeeded, broke the check"`);
    expect(bars[1]!.label).toMatchInlineSnapshot(`"Invocation 2, on env-1, warm, sync, succeeded, from 1.000 s to 1.211 s, duration 211 ms, billed 212 ms, this one broke the check."`);
  });

  it("names the tenant of an invocation of a function with tenant isolation in its bar's description", async () => {
    const record = (await starterFailure("lifecycle/reuse-client")).trace[1]!;
    expect(describeRecord({ ...record, tenantId: "blue" }, 2, false)).toMatch(/^Invocation 2, on env-1, warm, sync for tenant blue, succeeded, /);
    expect(describeRecord(record, 2, false)).not.toContain("tenant");
  });

  it("shortens the idle minute before an async retry and says how long it was", async () => {
    const failure = await starterFailure("idempotence/charge-once");
    const model = buildTimeline(failure);
    const bars = model.lanes.flatMap((l) => l.bars).sort((a, b) => a.number - b.number);
    expect(bars.map((b) => [b.record.attempt, b.record.outcome, b.tag])).toEqual([
      [1, "timeout", "◷ timeout"],
      [2, "success", ""],
    ]);
    expect(model.breaks).toEqual([{ at: expect.any(Number), width: 4, label: "60.000 s later" }]);
    // The retry is drawn after the break, with a visible width, not squeezed into the last pixel.
    expect(bars[1]!.left).toBeGreaterThan(model.breaks[0]!.at);
    expect(bars[0]!.width).toBeGreaterThan(10);
  });

  it("gives bars accessible names that never contain the name of a control", async () => {
    for (const id of ["lifecycle/reuse-client", "idempotence/charge-once"]) {
      const model = buildTimeline(await starterFailure(id));
      for (const bar of model.lanes.flatMap((l) => l.bars)) expect(bar.name).not.toMatch(CONTROL_NAMES);
    }
  });

  it("finds the START, END and REPORT lines of one invocation, not its neighbours'", async () => {
    const failure = await starterFailure("lifecycle/reuse-client");
    const bars = buildTimeline(failure).lanes[0]!.bars;
    const lines = logsOf(bars[2]!.record, failure.logs).map((l) => l.text.split(" ")[0]);
    expect(lines).toEqual(["START", "END", "REPORT"]);
  });
});

describe("timeline axis", () => {
  it("labels the start and the end and never puts two time labels on top of each other", async () => {
    const failure = await starterFailure("idempotence/charge-once");
    const { ticks } = buildTimeline(failure);
    expect(ticks[0]).toMatchObject({ at: 0, edge: "start" });
    expect(ticks[ticks.length - 1]).toMatchObject({ at: 100, edge: "end", label: "63.664 s" });
    for (let i = 1; i < ticks.length; i++) expect(ticks[i]!.at - ticks[i - 1]!.at).toBeGreaterThanOrEqual(16);
  });
});
