// Wrong fix: a "cache" variable declared inside the handler. It is created anew on every call, so every invocation still connects.
import { downstream } from "workbook:aws";

export async function handler(event) {
  let db;
  if (!db) db = await downstream.connect();
  const price = await db.call("get-price", { productId: event.productId });
  return { productId: event.productId, price };
}
