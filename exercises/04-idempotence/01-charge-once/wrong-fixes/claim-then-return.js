// Wrong fix: claim the order with a conditional write and return early when the claim fails. The charge happens once, but a retry after a failed receipt never sends the receipt.
import { payments, downstream, table } from "workbook:aws";

const claims = table("charges");

export async function handler(event) {
  try {
    await claims.put(event.orderId, { status: "claimed" }, { ifNotExists: true });
  } catch (error) {
    if (error.name === "ConditionalCheckFailedException") return { orderId: event.orderId, duplicate: true };
    throw error;
  }
  const charge = await payments.charge({ orderId: event.orderId, amountCents: event.amountCents });
  await downstream.call("send-receipt", { orderId: event.orderId, chargeId: charge.chargeId, email: event.email });
  return { orderId: event.orderId, chargeId: charge.chargeId };
}
