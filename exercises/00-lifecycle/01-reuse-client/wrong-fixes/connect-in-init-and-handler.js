// Wrong fix: open a connection during INIT but keep the old connect() call in the handler too, so warm invocations still pay for a connection.
import { downstream } from "workbook:aws";

const shared = await downstream.connect();

export async function handler(event) {
  const db = (await downstream.connect()) ?? shared;
  const price = await db.call("get-price", { productId: event.productId });
  return { productId: event.productId, price };
}
