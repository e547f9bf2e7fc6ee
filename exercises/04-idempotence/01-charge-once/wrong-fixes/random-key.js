// Wrong fix: an idempotency key made with crypto.randomUUID(). Each attempt draws a new key, so the provider sees a new charge every time.
import { payments, downstream } from "workbook:aws";

export async function handler(event) {
  const charge = await payments.charge({
    orderId: event.orderId,
    amountCents: event.amountCents,
    idempotencyKey: crypto.randomUUID(),
  });
  await downstream.call("send-receipt", { orderId: event.orderId, chargeId: charge.chargeId, email: event.email });
  return { orderId: event.orderId, chargeId: charge.chargeId };
}
