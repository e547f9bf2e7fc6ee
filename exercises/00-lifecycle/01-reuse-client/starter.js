import { downstream } from "workbook:aws";

// Called synchronously for every product page: { "productId": "p-7" }.
// It asks the pricing database for the product's price.
export async function handler(event) {
  // Opening a connection costs ~180 ms (TCP, TLS, authentication) before the first query.
  const db = await downstream.connect();
  const price = await db.call("get-price", { productId: event.productId });
  await db.close();
  return { productId: event.productId, price };
}
