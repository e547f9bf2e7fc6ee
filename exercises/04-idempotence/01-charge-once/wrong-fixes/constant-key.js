// Wrong fix: one fixed idempotency key for every charge. The provider then treats a different order as a repeat of the first one.
import { payments, downstream } from "workbook:aws";

export async function handler(event) {
  const charge = await payments.charge({
    orderId: event.orderId,
    amountCents: event.amountCents,
    idempotencyKey: "checkout-charge",
  });
  await downstream.call("send-receipt", { orderId: event.orderId, chargeId: charge.chargeId, email: event.email });
  return { orderId: event.orderId, chargeId: charge.chargeId };
}
