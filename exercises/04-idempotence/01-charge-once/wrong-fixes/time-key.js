// Wrong fix: an idempotency key built from the order id and the current time. A retry runs a minute later, so its key differs.
import { payments, downstream } from "workbook:aws";

export async function handler(event) {
  const charge = await payments.charge({
    orderId: event.orderId,
    amountCents: event.amountCents,
    idempotencyKey: `${event.orderId}-${Date.now()}`,
  });
  await downstream.call("send-receipt", { orderId: event.orderId, chargeId: charge.chargeId, email: event.email });
  return { orderId: event.orderId, chargeId: charge.chargeId };
}
