import { defineExercise } from "../../../src/grader/define.ts";
import { eventOf, ms, unacceptedAnswers, unansweredVerdict, where } from "../../../src/grader/explain.ts";
import { isRecord } from "../../../src/services/errors.ts";
import type { CheckVerdict } from "../../../src/grader/schema.ts";
import type { ScenarioWorld } from "../../../src/grader/world.ts";
import type { InvocationRecord } from "../../../src/runtime/trace.ts";

const LESSON = "/lifecycle/#frozen-between-requests";

/** The order an invocation was placing (its event's orderId). */
function orderOf(record: InvocationRecord): string {
  const event = eventOf(record);
  return typeof event === "object" && event !== null ? String((event as { orderId?: unknown }).orderId) : "?";
}

/**
 * What went wrong with one order's call to `operation`, or null when the invocation that placed the order made the
 * call and had its answer before it returned.
 */
function problemWith(w: ScenarioWorld, placed: InvocationRecord, operation: string): Problem | null {
  const orderId = orderOf(placed);
  const call = w.services.downstream.calls.find(
    (c) => c.operation === operation && typeof c.payload === "object" && c.payload !== null && (c.payload as { orderId?: unknown }).orderId === orderId,
  );
  if (!call) return { kind: "never", text: `order ${orderId}: never sent (${placed.envId} was recycled with the work still frozen in it)` };
  if (call.call.requestId !== placed.requestId) {
    // Work thawed by the next request runs just before its handler starts: find that invocation by its request id.
    const by = w.invocations.find((r) => r.requestId === call.call.requestId);
    const who = by ? `invocation ${w.invocations.indexOf(by) + 1} (another request's) ${where(by)}` : "another invocation";
    return { kind: "later", text: `order ${orderId}: sent at ${ms(call.call.time)} by ${who}, ${ms(call.call.time - placed.endedAt)} after its own invocation had returned` };
  }
  if (call.answeredAt === null || call.answeredAt > placed.endedAt) {
    const answered = call.answeredAt === null ? "never came" : `came at ${ms(call.answeredAt)}`;
    return { kind: "unanswered", text: `order ${orderId}: sent, but its invocation returned at ${ms(placed.endedAt)} and the answer ${answered} (a failure would have gone unnoticed)` };
  }
  return null;
}

interface Problem {
  kind: "later" | "never" | "unanswered";
  text: string;
}
const ORDER_OF_KINDS = ["later", "never", "unanswered"];

function finishedBeforeReturning(operation: string, what: string, whats: string) {
  return {
    name: `each invocation finishes its own ${what} before it returns`,
    lesson: LESSON,
    check: (w: ScenarioWorld): CheckVerdict => {
      const placed = w.results.flatMap((r) => (r && r.record.outcome === "success" ? [r.record] : []));
      const bad = placed.flatMap((record) => {
        const problem = problemWith(w, record, operation);
        return problem === null ? [] : [{ record, problem }];
      });
      if (bad.length === 0) return null;
      // One example of each kind of problem (sent later, never sent, unanswered), earliest first.
      const shown = ORDER_OF_KINDS.flatMap((k) => bad.filter((b) => b.problem.kind === k).slice(0, 1)).map((b) => b.problem.text);
      const examples = shown.join("; ");
      return {
        message:
          `${bad.length} of ${placed.length} ${whats} ${bad.length === 1 ? "was" : "were"} not finished by the invocation that placed the order. ` +
          `${examples.charAt(0).toUpperCase()}${examples.slice(1)}${bad.length > shown.length ? `; ${bad.length - shown.length} more like these` : ""}. ` +
          "When the handler returns, Lambda freezes the environment: work still pending waits for the next request to thaw it, or is lost if the environment is recycled first.",
        highlight: bad.map((b) => b.record.seq),
      };
    },
  };
}

const everyOrderPlaced = {
  name: "answers every order with status placed",
  lesson: LESSON,
  check: (w: ScenarioWorld): CheckVerdict =>
    unansweredVerdict(unacceptedAnswers(w, (body) => isRecord(body) && body.status === "placed", 'does not say "placed"'), "an answer"),
};

const checks = [everyOrderPlaced, finishedBeforeReturning("audit-log", "audit entry", "audit entries"), finishedBeforeReturning("reserve-stock", "warehouse reservation", "warehouse reservations")];

const order = (i: number) => ({ orderId: `o-${i}`, customerId: `c-${((i - 1) % 3) + 1}`, items: [{ sku: `sku-${i}`, quantity: 1 }] });
const orders = (from: number, count: number, startMs: number, gapMs: number) =>
  Array.from({ length: count }, (_, i) => ({ do: "invoke" as const, at: startMs + i * gapMs, mode: "sync" as const, event: order(from + i) }));

const customers = { customers: { "c-1": { account: "acct-1" }, "c-2": { account: "acct-2" }, "c-3": { account: "acct-3" } } };

export default defineExercise({
  title: "Finish the work before returning",
  summary:
    "An order handler starts its audit entry and its warehouse reservation without waiting for them, to answer the " +
    "customer sooner. Make every invocation finish its own work before it returns.",
  lesson: LESSON,
  function: { name: "place-order", memoryMB: 256, timeoutMs: 3_000 },
  scenarios: [
    {
      name: "orders a second apart",
      description: "Five orders arrive one second apart, so one environment serves them all; after the last one, traffic stops.",
      services: { table: { seed: customers } },
      steps: orders(1, 5, 0, 1_000),
      checks,
    },
    {
      name: "a slow audit service",
      description: "The audit service takes 900 ms to answer; four orders arrive two seconds apart.",
      hidden: true,
      seed: 2,
      services: { table: { seed: customers }, downstream: { faults: [{ operation: "audit-log", effect: "slow", latencyMs: 900 }] } },
      steps: orders(1, 4, 0, 2_000),
      checks,
    },
    {
      name: "a burst, then quiet",
      description: "Four orders arrive at the same moment (four environments start), then two more five seconds later.",
      hidden: true,
      seed: 3,
      services: { table: { seed: customers } },
      steps: [...orders(1, 4, 0, 0), ...orders(5, 2, 5_000, 1_000)],
      checks,
    },
  ],
});
