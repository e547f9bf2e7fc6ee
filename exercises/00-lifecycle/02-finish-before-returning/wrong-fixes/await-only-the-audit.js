// Wrong fix: await the audit but still fire and forget the warehouse call. The handler returns before the warehouse answers, so its answer (or its failure) is frozen with the environment.
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
  await audit(event, context.awsRequestId);
  notifyWarehouse(event);
  return { orderId: event.orderId, status: "placed" };
}
