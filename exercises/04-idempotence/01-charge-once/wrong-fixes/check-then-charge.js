// Wrong fix: read the table, charge if nothing is there, then write. Two deliveries running at once both read "nothing yet" before either writes.
import { payments, downstream, table } from "workbook:aws";

const charges = table("charges");

export async function handler(event) {
  const existing = await charges.get(event.orderId);
  let chargeId = existing?.chargeId;
  if (!chargeId) {
    const charge = await payments.charge({ orderId: event.orderId, amountCents: event.amountCents });
    chargeId = charge.chargeId;
    await charges.put(event.orderId, { chargeId });
  }
  await downstream.call("send-receipt", { orderId: event.orderId, chargeId, email: event.email });
  return { orderId: event.orderId, chargeId };
}
