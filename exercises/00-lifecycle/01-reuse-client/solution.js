import { downstream } from "workbook:aws";

// Opened once per execution environment, during INIT (top-level await runs before the first invocation).
// Every warm invocation of this environment reuses it; a new or reset environment opens its own.
const db = await downstream.connect();

// Called synchronously for every product page: { "productId": "p-7" }.
export async function handler(event) {
  const price = await db.call("get-price", { productId: event.productId });
  return { productId: event.productId, price };
}
