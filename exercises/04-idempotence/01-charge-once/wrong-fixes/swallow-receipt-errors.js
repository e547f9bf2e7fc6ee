// Wrong fix: catch and ignore the receipt step's errors so that Lambda has nothing to retry. A hung call still times out, and the retry charges again.
import { payments, downstream } from "workbook:aws";

export async function handler(event) {
  const charge = await payments.charge({ orderId: event.orderId, amountCents: event.amountCents });
  try {
    await downstream.call("send-receipt", { orderId: event.orderId, chargeId: charge.chargeId, email: event.email });
  } catch (error) {
    console.warn("receipt failed, ignoring", error.message);
  }
  return { orderId: event.orderId, chargeId: charge.chargeId };
}
