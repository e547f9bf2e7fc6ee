import { defineExercise } from "../../../src/grader/define.ts";
import { eventOf, invocationsWhere, list, story, times, where, whyItRan } from "../../../src/grader/explain.ts";
import type { CheckVerdict } from "../../../src/grader/schema.ts";
import type { ScenarioWorld } from "../../../src/grader/world.ts";

const LESSON = "/idempotence/#everything-is-retried";

/** The order was charged exactly once, for the right amount; otherwise say which attempts charged it and why they ran. */
function chargedOnce(orderId: string, amountCents: number) {
  return {
    name: `charges order ${orderId} exactly once`,
    lesson: LESSON,
    check: (w: ScenarioWorld): CheckVerdict => {
      const charges = w.services.payments.chargesFor(orderId);
      const ran = invocationsWhere(w, "orderId", orderId);
      if (charges.length === 0) {
        return { message: `order ${orderId} was never charged: ${story(ran, w)}.`, highlight: ran.map((r) => r.seq) };
      }
      const records = charges.map((c) => (c.call.invocation === null ? undefined : w.record(c.call.invocation)));
      if (charges.length > 1) {
        const first = records[0];
        const why = records.slice(1).map((r) => {
          if (!r) return "a charge was made while the module was loading (INIT), outside any invocation";
          if (first && r.seq === first.seq) return `attempt ${r.attempt} charged it more than once by itself`;
          const overlap = first && r.startedAt < first.endedAt ? `, while the first was still running on ${first.envId}` : "";
          return `${whyItRan(r, w)}; it ran ${where(r)} and charged again${overlap}`;
        });
        const keys = [...new Set(charges.map((c) => c.idempotencyKey))];
        const keyNote =
          keys.length > 1 && keys.every((k) => k !== null)
            ? ` The charges carried different idempotency keys (${list(keys.map((k) => `"${k}"`))}), so the provider could not tell they were for the same order.`
            : "";
        return {
          message: `order ${orderId} was charged ${times(charges.length)}: ${why.join("; ")}.${keyNote} Every attempt of the same event must lead to one charge.`,
          highlight: records.flatMap((r) => (r ? [r.seq] : [])),
        };
      }
      const charge = charges[0]!;
      if (charge.amountCents !== amountCents) {
        return `order ${orderId} was charged ${charge.amountCents} cents instead of ${amountCents}.`;
      }
      return null;
    },
  };
}

/** A receipt went out for the order (a call to send-receipt that was answered). */
function receiptSent(orderId: string) {
  return {
    name: `sends a receipt for order ${orderId}`,
    lesson: LESSON,
    check: (w: ScenarioWorld): CheckVerdict => {
      const sent = w.services.downstream.calls.some(
        (c) => c.operation === "send-receipt" && c.fault === null && (c.payload as { orderId?: unknown } | null)?.orderId === orderId,
      );
      if (sent) return null;
      const ran = invocationsWhere(w, "orderId", orderId);
      return {
        message: `no receipt was sent for order ${orderId}: ${story(ran, w)}. A retry that finds the charge already made must still finish the work the failed attempt left undone.`,
        highlight: ran.map((r) => r.seq),
      };
    },
  };
}

/** Every delivery of the order ends in a successful attempt, so nothing is left failing (or discarded). */
function endsInSuccess(orderId: string) {
  return {
    name: `handles order ${orderId} without leaving a failed event`,
    lesson: LESSON,
    check: (w: ScenarioWorld): CheckVerdict => {
      const records = w.trace.filter((r) => (eventOf(r) as { orderId?: unknown } | null)?.orderId === orderId);
      const deliveries = new Map<number, (typeof records)[number]>();
      for (const r of records) deliveries.set(r.delivery, r);
      const failed = [...deliveries.values()].filter((r) => r.outcome !== "success");
      if (failed.length === 0) return null;
      return {
        message: `the last attempt of ${list(failed.map((r) => `delivery ${r.delivery}`))} of order ${orderId} did not succeed: ${story(failed, w)}. A duplicate that finds the order already handled should return normally, not fail.`,
        highlight: failed.map((r) => r.seq),
      };
    },
  };
}

const order = (orderId: string, amountCents = 4200) => ({ orderId, amountCents, email: `${orderId}@example.com` });
const allChecks = (orderId: string, amountCents = 4200) => [chargedOnce(orderId, amountCents), receiptSent(orderId), endsInSuccess(orderId)];

export default defineExercise({
  title: "Charge once, however often Lambda retries",
  summary:
    "A checkout function is invoked asynchronously for each order. When the receipt step after the charge fails or " +
    "hangs, Lambda retries the event and the customer is charged again. Make the handler charge each order exactly once.",
  lesson: LESSON,
  function: { name: "checkout", memoryMB: 256, timeoutMs: 3_000 },
  scenarios: [
    {
      name: "the receipt service hangs on the first attempt",
      description: "Order o-17 arrives once. The receipt call of attempt 1 never answers, so attempt 1 times out and Lambda retries the event a minute later.",
      services: { downstream: { faults: [{ operation: "send-receipt", attempt: 1, effect: "hang" }] } },
      steps: [{ do: "invoke", at: 0, mode: "async", event: order("o-17") }],
      checks: allChecks("o-17"),
    },
    {
      name: "three ordinary orders",
      description: "Orders o-1, o-2 and o-3 arrive a second apart and nothing fails.",
      steps: [
        { do: "invoke", at: 0, mode: "async", event: order("o-1", 1500) },
        { do: "invoke", at: 1_000, mode: "async", event: order("o-2", 2500) },
        { do: "invoke", at: 2_000, mode: "async", event: order("o-3", 9900) },
      ],
      checks: [...allChecks("o-1", 1500), ...allChecks("o-2", 2500), ...allChecks("o-3", 9900)],
    },
    {
      name: "an error, then the environment is recycled before the retry",
      description: "The receipt call of attempt 1 fails with a 503 error. Thirty seconds later Lambda recycles the idle environment, so the retry starts in a new one.",
      hidden: true,
      seed: 2,
      services: { downstream: { faults: [{ operation: "send-receipt", attempt: 1, effect: "error" }] } },
      steps: [
        { do: "invoke", at: 0, mode: "async", event: order("o-21") },
        { do: "recycle", at: 30_000 },
      ],
      checks: allChecks("o-21"),
    },
    {
      name: "the retry lands on another environment",
      description: "The receipt call of attempt 1 for order o-31 fails. When Lambda retries it, the warm environment is busy with order o-32, so the retry runs in a new environment.",
      hidden: true,
      seed: 3,
      services: {
        downstream: {
          faults: [
            { operation: "send-receipt", attempt: 1, nth: 1, effect: "error" },
            { operation: "send-receipt", attempt: 1, nth: 2, effect: "slow", latencyMs: 2_500 },
          ],
        },
      },
      steps: [
        { do: "invoke", at: 0, mode: "async", event: order("o-31") },
        { do: "invoke", at: 59_000, mode: "async", event: order("o-32", 1200) },
      ],
      checks: [...allChecks("o-31"), chargedOnce("o-32", 1200)],
    },
    {
      name: "two deliveries of one event at the same moment",
      description: "Lambda's event queue delivers order o-88 twice at once; the two deliveries run side by side in two environments.",
      hidden: true,
      seed: 4,
      steps: [{ do: "invoke", at: 0, mode: "async", event: order("o-88"), deliveries: 2 }],
      checks: allChecks("o-88"),
    },
    {
      name: "a duplicate delivery a minute later",
      description: "Order o-90 is delivered a second time a minute after the first delivery succeeded.",
      hidden: true,
      seed: 5,
      steps: [{ do: "invoke", at: 0, mode: "async", event: order("o-90"), deliveries: 2, duplicateDelayMs: 60_000 }],
      checks: allChecks("o-90"),
    },
    {
      name: "two different orders for the same amount",
      description: "Orders o-41 and o-42, from different customers, arrive half a second apart for the same amount. Both must be charged.",
      hidden: true,
      seed: 6,
      steps: [
        { do: "invoke", at: 0, mode: "async", event: order("o-41") },
        { do: "invoke", at: 500, mode: "async", event: order("o-42") },
      ],
      checks: [...allChecks("o-41"), ...allChecks("o-42")],
    },
  ],
});
