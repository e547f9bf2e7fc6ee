// Wrong fix: wait for the bookkeeping, but at most 100 ms. When the audit service is slow, the handler returns with the work still pending, and it is frozen.
import { table, downstream, sleep } from "workbook:aws";

async function audit(order, requestId) {
  const customer = await table("customers").get(order.customerId);
  await downstream.call("audit-log", { orderId: order.orderId, account: customer?.account ?? "unknown", requestId });
}

async function notifyWarehouse(order) {
  await downstream.call("reserve-stock", { orderId: order.orderId, items: order.items });
}

export async function handler(event, context) {
  await table("orders").put(event.orderId, { ...event, status: "placed" });
  await Promise.race([Promise.all([audit(event, context.awsRequestId), notifyWarehouse(event)]), sleep(100)]);
  return { orderId: event.orderId, status: "placed" };
}
