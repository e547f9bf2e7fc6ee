// Wrong fix: remember handled orders in a module-level Set. The retry may run in another environment, or in the same one after the timeout reset it, and the Set is empty there.
import { payments, downstream } from "workbook:aws";

const seen = new Set();

export async function handler(event) {
  if (seen.has(event.orderId)) return { orderId: event.orderId, duplicate: true };
  seen.add(event.orderId);
  const charge = await payments.charge({ orderId: event.orderId, amountCents: event.amountCents });
  await downstream.call("send-receipt", { orderId: event.orderId, chargeId: charge.chargeId, email: event.email });
  return { orderId: event.orderId, chargeId: charge.chargeId };
}
