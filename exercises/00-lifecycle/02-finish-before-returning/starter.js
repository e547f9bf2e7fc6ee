import { table, downstream } from "workbook:aws";

// Compliance needs one audit entry per order, tagged with the customer's account.
async function audit(order, requestId) {
  const customer = await table("customers").get(order.customerId);
  await downstream.call("audit-log", { orderId: order.orderId, account: customer?.account ?? "unknown", requestId });
}

// The warehouse reserves the stock for the order.
async function notifyWarehouse(order) {
  await downstream.call("reserve-stock", { orderId: order.orderId, items: order.items });
}

// Called synchronously when a customer places an order: { "orderId": "o-1", "customerId": "c-1", "items": [...] }.
export async function handler(event, context) {
  await table("orders").put(event.orderId, { ...event, status: "placed" });
  // Bookkeeping should not slow the customer down: start it and answer at once.
  audit(event, context.awsRequestId);
  notifyWarehouse(event);
  return { orderId: event.orderId, status: "placed" };
}
