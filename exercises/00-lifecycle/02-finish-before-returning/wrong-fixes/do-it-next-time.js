// Wrong fix: keep the bookkeeping in a module-level list and do it at the start of the next invocation. The next request may land on another environment, come much later, or never come before the environment is recycled.
import { table, downstream } from "workbook:aws";

async function audit(order, requestId) {
  const customer = await table("customers").get(order.customerId);
  await downstream.call("audit-log", { orderId: order.orderId, account: customer?.account ?? "unknown", requestId });
}

async function notifyWarehouse(order) {
  await downstream.call("reserve-stock", { orderId: order.orderId, items: order.items });
}

const pending = [];

export async function handler(event, context) {
  while (pending.length > 0) {
    const [order, requestId] = pending.shift();
    await Promise.all([audit(order, requestId), notifyWarehouse(order)]);
  }
  await table("orders").put(event.orderId, { ...event, status: "placed" });
  pending.push([event, context.awsRequestId]);
  return { orderId: event.orderId, status: "placed" };
}
