// Wrong fix: use context.awsRequestId as the idempotency key. In this model a retry keeps its request id, but a duplicate delivery of the same event gets a new one.
import { payments, downstream } from "workbook:aws";

export async function handler(event, context) {
  const charge = await payments.charge({
    orderId: event.orderId,
    amountCents: event.amountCents,
    idempotencyKey: context.awsRequestId,
  });
  await downstream.call("send-receipt", { orderId: event.orderId, chargeId: charge.chargeId, email: event.email });
  return { orderId: event.orderId, chargeId: charge.chargeId };
}
