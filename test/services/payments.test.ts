import { describe, expect, it } from "vitest";
import type { CallContext } from "../../src/runtime/types.ts";
import { PaymentProvider, PaymentsConfigSchema } from "../../src/services/payments.ts";

function caller(requestId: string, attempt: number): CallContext {
  return { time: 0, functionName: "charge", envId: "env-1", invocation: attempt, requestId, eventId: "e-1", attempt };
}

describe("the payment provider", () => {
  it("§10 the payments service records every charge, so graders can count duplicate side effects, with who made each one", () => {
    const payments = new PaymentProvider(PaymentsConfigSchema.parse({}));
    for (const attempt of [1, 2]) payments.handle("charge", [{ orderId: "o-17", amountCents: 500 }], caller("r-1", attempt)).complete();
    payments.handle("charge", [{ orderId: "o-18", amountCents: 900 }], caller("r-2", 1)).complete();
    expect(payments.chargesFor("o-17").map((c) => [c.chargeId, c.call.requestId, c.call.attempt])).toEqual([
      ["ch_1", "r-1", 1],
      ["ch_2", "r-1", 2],
    ]);
    expect(payments.charges).toHaveLength(3);
  });

  it("charges once per idempotency key: a repeat returns the first charge and is recorded as a replay, not a charge", () => {
    const payments = new PaymentProvider(PaymentsConfigSchema.parse({}));
    const charge = (attempt: number) =>
      payments.handle("charge", [{ orderId: "o-17", amountCents: 500, idempotencyKey: "order-o-17" }], caller("r-1", attempt)).complete();
    expect(charge(1)).toEqual({ ok: true, value: { chargeId: "ch_1", orderId: "o-17", amountCents: 500, replayed: false } });
    expect(charge(2)).toEqual({ ok: true, value: { chargeId: "ch_1", orderId: "o-17", amountCents: 500, replayed: true } });
    expect(payments.charges).toHaveLength(1);
    expect(payments.replays.map((r) => r.call.attempt)).toEqual([2]);
  });
});
