import { payments, downstream } from "workbook:aws";

// Lambda invokes this function asynchronously for every order placed:
//   { "orderId": "o-17", "amountCents": 4200, "email": "ada@example.com" }
// Any attempt may be a retry or a duplicate delivery of an event that was already (partly) handled, so the charge
// carries an idempotency key derived from the order itself: the provider charges each key once and answers a
// repeat with the original charge. The key must be the same on every attempt, so it cannot be random, time-based
// or taken from the request id.
export async function handler(event) {
  const charge = await payments.charge({
    orderId: event.orderId,
    amountCents: event.amountCents,
    idempotencyKey: `order-${event.orderId}`,
  });

  // Sending the receipt again on a retry is harmless; charging again is not.
  await downstream.call("send-receipt", {
    orderId: event.orderId,
    chargeId: charge.chargeId,
    email: event.email,
  });

  return { orderId: event.orderId, chargeId: charge.chargeId };
}
