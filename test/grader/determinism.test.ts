import { describe, expect, it } from "vitest";
import { allExercises, grade } from "../helpers.ts";

const exercises = await allExercises();

describe("determinism: same code, scenario and seed give the same report, trace and logs", () => {
  it.each(exercises.flatMap((e) => [[e.id, "starter", e, e.starter] as const, [e.id, "solution", e, e.solution] as const]))(
    "%s %s graded twice gives identical reports",
    async (_id, _which, ex, source) => {
      const first = await grade(ex, source);
      const second = await grade(ex, source);
      expect(JSON.stringify(second)).toBe(JSON.stringify(first));
    },
  );

  it("the failing scenario's trace carries request ids, environment ids and virtual times, never wall time", async () => {
    const ex = exercises.find((e) => e.id === "idempotence/charge-once")!;
    const report = await grade(ex, ex.starter);
    const trace = report.failure!.trace;
    expect(trace[0]!.startedAt).toBe(0);
    expect(trace.every((r) => /^[0-9a-f-]{36}$/.test(r.requestId))).toBe(true);
    const logs = report.failure!.logs;
    expect(logs[0]!.text).toMatch(/^START RequestId: [0-9a-f-]{36} Version: \$LATEST$/);
    // Log times are virtual ms from the start of the scenario (a minute and a bit for the retry), not epoch ms.
    expect(Math.max(...logs.map((l) => l.t))).toBeLessThan(120_000);
  });
});
