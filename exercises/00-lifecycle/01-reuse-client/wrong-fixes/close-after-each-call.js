// Wrong fix: keep the connection in a module-level variable but close it at the end of every invocation. The next warm invocation finds it closed and opens another one.
import { downstream } from "workbook:aws";

let db = null;

export async function handler(event) {
  if (!db) db = await downstream.connect();
  const price = await db.call("get-price", { productId: event.productId });
  await db.close();
  db = null;
  return { productId: event.productId, price };
}
