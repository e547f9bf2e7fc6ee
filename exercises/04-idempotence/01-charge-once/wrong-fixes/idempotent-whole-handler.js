import { payments, downstream } from "workbook:aws";
import { makeIdempotent } from "workbook:idempotency";

// Wrong: the whole handler is made idempotent. When the receipt call hangs, the attempt times out with its claim
// still INPROGRESS; the claim expires with the timeout, so the retry claims the order again and charges it again.
export const handler = makeIdempotent(async (event) => {
  const charge = await payments.charge({ orderId: event.orderId, amountCents: event.amountCents });
  await downstream.call("send-receipt", { orderId: event.orderId, chargeId: charge.chargeId, email: event.email });
  return { orderId: event.orderId, chargeId: charge.chargeId };
});
