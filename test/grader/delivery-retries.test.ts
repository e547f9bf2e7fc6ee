import { describe, expect, it } from "vitest";
import { gradeExercise } from "../../src/grader/grade.ts";
import type { GradeReport } from "../../src/grader/report.ts";
import { ExerciseSchema, type ExerciseInput } from "../../src/grader/schema.ts";
import type { ScenarioWorld } from "../../src/grader/world.ts";
import { loadQuickJS } from "../../src/sandbox/quickjs.ts";

type ScenarioInput = ExerciseInput["scenarios"][number];

/** Grades `source` on one scenario; returns the world its check saw and the report. */
async function grade(source: string, scenario: Omit<ScenarioInput, "name" | "description" | "checks">): Promise<{ world: ScenarioWorld; report: GradeReport }> {
  let seen: ScenarioWorld | null = null;
  const definition = ExerciseSchema.parse({
    title: "Retries",
    summary: "Delivery retries of topics and rules.",
    lesson: "/test/",
    function: { name: "fn", timeoutMs: 10_000, memoryMB: 1_024 },
    scenarios: [{ name: "s", description: "d", ...scenario, checks: [{ name: "sees the world", check: (w: ScenarioWorld) => void (seen = w) }] }],
  });
  const result = await gradeExercise(await loadQuickJS(), { id: "test/retries", definition }, source);
  if (!result.usable) throw new Error(result.problem.message);
  if (!seen) throw new Error("the check did not run");
  return { world: seen, report: result.report };
}

describe("SNS → Lambda/SQS", () => {
  it("in a graded scenario: a subscriber unavailable for 5.5 s gets the message at SNS's ninth attempt, and the report names the retry choices", async () => {
    const source = `export const handler = async (event) => ({ got: event.Records[0].Sns.Message });`;
    const { world, report } = await grade(source, {
      services: { sns: { topics: { orders: { subscriptions: [{ lambda: "fn" }] } }, faults: [{ function: "fn", until: 5_500 }] } },
      steps: [{ do: "publish", topic: "orders", message: "o-1" }],
    });
    expect(world.invocations.map((r) => [r.arrivedAt, r.outcome])).toEqual([[6_341, "success"]]);
    expect(world.hops.filter((h) => h.service === "lambda").map((h) => [h.outcome, h.attempts])).toEqual([
      ["rejected", { first: 1, last: 1, lastT: 0 }],
      ["rejected", { first: 2, last: 8, lastT: 4_395 }],
      ["accepted", { first: 9, last: 9, lastT: 6_341 }],
    ]);
    expect(report.simplifications.find((s) => s.startsWith("SNS makes"))).toMatchInlineSnapshot(`"SNS makes its 100,015 retries after the first delivery attempt at exact times, with no jitter, and spaces its 10 backoff retries between 1 s and 20 s on an exponential curve (unless set to linear); EventBridge's retry delays double from 1 s up to 10 min, each half fixed and half drawn from the seeded generator (by default). A hand-off refused with RequestTooLargeException, InvalidParameterValue or MissingParameter is not retried (the same bytes cannot succeed) and goes to the dead-letter queue at once; other failures, a missing function included, are retried. A dead-letter message is the undelivered message with ErrorCode and ErrorMessage attributes, as in Lambda's own dead-letter queue; if the dead-letter queue refuses it, it is lost. AWS documents none of these details."`);
  });
});

describe("EventBridge / SNS / S3 → Lambda", () => {
  it("a loop through a topic whose hand-off needed retries is still stopped at its 17th invocation: §3 Recursive loop detection follows the chain through SNS's retries", async () => {
    const source = `
      import { topic } from "workbook:aws";
      export const handler = async (event) => { await topic("loop").publish("again"); };`;
    const { world } = await grade(source, {
      services: { sns: { topics: { loop: { subscriptions: [{ lambda: "fn" }] } }, faults: [{ function: "fn", from: 100, until: 30_000 }] } },
      steps: [{ do: "publish", topic: "loop", message: "start" }],
    });
    // A hand-off in the middle of the chain fails until 30 s; SNS's retry that gets through still carries the chain.
    const retried = world.hops.find((h) => h.service === "lambda" && h.outcome === "accepted" && h.attempts!.first > 1)!;
    expect(retried.t).toBeGreaterThanOrEqual(30_000);
    const next = world.trace.find((r) => r.arrivedAt === retried.t)!;
    expect(next.chain).toEqual({ chainId: retried.chain!.chainId, hops: retried.chain!.hops + 1 });
    const stopped = world.trace.filter((r) => r.outcome === "discarded");
    expect(stopped.map((r) => r.chain?.hops)).toEqual([17]);
    expect(world.invocations).toHaveLength(16);
  });
});
