import { defineExercise } from "../../../src/grader/define.ts";
import { ms, unacceptedAnswers, unansweredVerdict, where } from "../../../src/grader/explain.ts";
import { isRecord } from "../../../src/services/errors.ts";
import type { CheckVerdict } from "../../../src/grader/schema.ts";
import type { ScenarioWorld } from "../../../src/grader/world.ts";

const LESSON = "/lifecycle/#init-runs-once-per-environment";
const CONNECT_MS = 180;

const opensOncePerEnvironment = {
  name: "opens one connection per environment, not one per request",
  lesson: LESSON,
  check: (w: ScenarioWorld): CheckVerdict => {
    const opened = w.services.downstream.connections.length;
    const inits = w.invocations.filter((r) => r.cold).length;
    // Zero connections is not reuse: without this the check would pass for a handler that never gets that far.
    if (opened === 0) {
      return {
        message:
          `no connection was opened at all during the ${w.invocations.length} invocation${w.invocations.length === 1 ? "" : "s"}, so there was nothing to reuse: ` +
          `open one with downstream.connect() in the module's top level (the INIT phase) and call the database on it.`,
        highlight: w.invocations.map((r) => r.seq),
      };
    }
    if (opened <= inits) return null;
    const warm = w.invocations.filter((r) => !r.cold);
    const envs = w.environments.length;
    return {
      message:
        `${opened} connections were opened for ${envs} environment${envs === 1 ? "" : "s"} (${inits} INIT phase${inits === 1 ? "" : "s"}): ` +
        `the ${warm.length} warm invocations each opened their own instead of reusing the one their environment already had.`,
      highlight: warm.map((r) => r.seq),
    };
  },
};

const warmIsFast = {
  name: `warm invocations do not wait for a new connection (${ms(CONNECT_MS)})`,
  lesson: LESSON,
  check: (w: ScenarioWorld): CheckVerdict => {
    const warmSuccesses = w.invocations.filter((r) => !r.cold && r.outcome === "success");
    if (warmSuccesses.length === 0) {
      const n = w.invocations.length;
      const cold = w.invocations.filter((r) => r.cold).length;
      return `no warm invocation finished successfully (${n} invocation${n === 1 ? "" : "s"}, ${cold} cold start${cold === 1 ? "" : "s"}), so none could show a reused connection.`;
    }
    const slow = warmSuccesses.filter((r) => r.durationMs >= CONNECT_MS);
    if (slow.length === 0) return null;
    const first = slow[0]!;
    const position = w.invocations.indexOf(first) + 1;
    return {
      message:
        `${slow.length} warm invocation${slow.length === 1 ? "" : "s"} took ${ms(CONNECT_MS)} or more; for example invocation ${position} ${where(first)} took ${ms(first.durationMs)}, ` +
        `of which ${ms(CONNECT_MS)} went into opening a connection. A warm environment already has one from its INIT phase.`,
      highlight: slow.map((r) => r.seq),
    };
  },
};

const everyRequestAnswered = {
  name: "answers every request with the product's price",
  lesson: LESSON,
  check: (w: ScenarioWorld): CheckVerdict =>
    unansweredVerdict(unacceptedAnswers(w, (body) => isRecord(body) && Boolean(body.price), "has no price"), "a price"),
};

function billedAtMost(limitMs: number) {
  return {
    name: `keeps the billed duration of these requests under ${ms(limitMs)}`,
    lesson: LESSON,
    check: (w: ScenarioWorld): CheckVerdict => {
      const billed = w.invocations.reduce((sum, r) => sum + r.billedMs, 0);
      if (billed <= limitMs) return null;
      const warmBilled = w.invocations.filter((r) => !r.cold).reduce((sum, r) => sum + r.billedMs, 0);
      return `the ${w.invocations.length} invocations were billed ${ms(billed)} in total (${ms(warmBilled)} of it on warm invocations). Lambda bills the time a handler spends waiting for a connection like any other time.`;
    },
  };
}

const page = (i: number) => ({ productId: `p-${i}` });
const steady = (count: number, startMs: number, gapMs: number) =>
  Array.from({ length: count }, (_, i) => ({ do: "invoke" as const, at: startMs + i * gapMs, mode: "sync" as const, event: page(i + 1) }));

export default defineExercise({
  title: "Reuse the client across warm invocations",
  summary:
    "A product-price function opens a database connection on every request. Warm invocations run in an environment " +
    "that already did its set-up, so make them reuse one connection per environment.",
  lesson: LESSON,
  function: { name: "product-price", memoryMB: 128, timeoutMs: 3_000 },
  scenarios: [
    {
      name: "steady traffic",
      description: "Twelve requests arrive one second apart, so one environment serves them all: one cold start, then eleven warm invocations.",
      services: { downstream: { connectMs: CONNECT_MS, requireConnection: true } },
      steps: steady(12, 0, 1_000),
      checks: [everyRequestAnswered, opensOncePerEnvironment, warmIsFast, billedAtMost(1_500)],
    },
    {
      name: "a burst, then steady traffic",
      description: "Five requests arrive at the same moment (five environments start), then ten more arrive one second apart.",
      hidden: true,
      seed: 2,
      services: { downstream: { connectMs: CONNECT_MS, requireConnection: true } },
      steps: [...steady(5, 0, 0), ...steady(10, 2_000, 1_000)],
      checks: [everyRequestAnswered, opensOncePerEnvironment, warmIsFast],
    },
    {
      name: "an environment is recycled",
      description: "Six requests a second apart, then Lambda recycles the idle environment, then six more: the second environment must open its own connection once.",
      hidden: true,
      seed: 3,
      services: { downstream: { connectMs: CONNECT_MS, requireConnection: true } },
      steps: [...steady(6, 0, 1_000), { do: "recycle", at: 6_500 }, ...steady(6, 7_000, 1_000)],
      checks: [everyRequestAnswered, opensOncePerEnvironment, warmIsFast],
    },
  ],
});
