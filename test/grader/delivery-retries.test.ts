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

describe("scenarios long enough for SNS's give-up", () => {
  const source = `export const handler = async () => null;`;
  const scenario = (horizonMs?: number) => ({
    ...(horizonMs === undefined ? {} : { horizonMs }),
    services: { sns: { topics: { orders: { subscriptions: [{ lambda: "missing", deadLetterQueue: "orders-dlq" }] } } } },
    steps: [{ do: "publish" as const, topic: "orders", message: "o-1" }],
  });

  it("stops at 8 h by default, while SNS is still retrying a hand-off to a missing function, and at horizonMs (up to 30 days) when a scenario sets it, after the message reached the dead-letter queue", async () => {
    const short = await grade(source, scenario());
    expect(short.world.services.sqs.queue("orders-dlq").size(8 * 3_600_000)).toBe(0);
    const long = await grade(source, scenario(30 * 86_400_000));
    // The dead-letter message is sent once; the queue's 4-day retention has dropped it by the end.
    const sent = long.world.services.sqs.queue("orders-dlq").history.filter((e) => e.what === "sent");
    expect(sent).toHaveLength(1);
    // 100,015 retries, nearly all 20 s apart: about 23 days.
    expect(sent[0]!.t / 86_400_000).toBeGreaterThan(23);
    expect(sent[0]!.t / 86_400_000).toBeLessThan(23.2);
  });

  it("refuses a horizon beyond 30 days, naming the field", () => {
    const input = { title: "t", summary: "s", lesson: "/test/", function: { name: "fn" }, scenarios: [{ name: "s", description: "d", horizonMs: 31 * 86_400_000, steps: [{ do: "invoke", mode: "sync", event: {} }], checks: [{ name: "c", check: () => null }] }] };
    const parsed = ExerciseSchema.safeParse(input);
    expect(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toEqual(["scenarios.0.horizonMs: Too big: expected number to be <=2592000000"]);
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
    // Graders see the Health Dashboard notice the stop sent (§3).
    expect(world.platformEvents.filter((e) => e.kind === "health-notice")).toMatchObject([{ t: stopped[0]!.endedAt, functionName: "fn" }]);
  });
});
