// Wrong fix: catch the promises' errors so none goes unhandled. Nothing waits for them, so the work is frozen when the handler returns.
import { table, downstream } from "workbook:aws";

async function audit(order, requestId) {
  const customer = await table("customers").get(order.customerId);
  await downstream.call("audit-log", { orderId: order.orderId, account: customer?.account ?? "unknown", requestId });
}

async function notifyWarehouse(order) {
  await downstream.call("reserve-stock", { orderId: order.orderId, items: order.items });
}

export async function handler(event, context) {
  await table("orders").put(event.orderId, { ...event, status: "placed" });
  audit(event, context.awsRequestId).catch((error) => console.error("audit failed", error));
  notifyWarehouse(event).catch((error) => console.error("warehouse failed", error));
  return { orderId: event.orderId, status: "placed" };
}
