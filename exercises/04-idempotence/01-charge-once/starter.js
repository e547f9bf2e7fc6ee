import { payments, downstream } from "workbook:aws";

// Lambda invokes this function asynchronously for every order placed:
//   { "orderId": "o-17", "amountCents": 4200, "email": "ada@example.com" }
// It charges the customer, then asks the receipts service to email a receipt.
export async function handler(event) {
  const charge = await payments.charge({
    orderId: event.orderId,
    amountCents: event.amountCents,
  });

  await downstream.call("send-receipt", {
    orderId: event.orderId,
    chargeId: charge.chargeId,
    email: event.email,
  });

  return { orderId: event.orderId, chargeId: charge.chargeId };
}
