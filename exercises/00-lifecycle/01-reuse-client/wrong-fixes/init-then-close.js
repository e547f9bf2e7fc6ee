// Wrong fix: open the connection during INIT and still close it at the end of the handler. The second invocation in the environment uses a closed connection and fails.
import { downstream } from "workbook:aws";

const db = await downstream.connect();

export async function handler(event) {
  const price = await db.call("get-price", { productId: event.productId });
  await db.close();
  return { productId: event.productId, price };
}
