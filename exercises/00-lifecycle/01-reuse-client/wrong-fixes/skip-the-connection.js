// Wrong fix: avoid the connection by calling the database without one. The pricing database answers only over a connection, so every request fails.
import { downstream } from "workbook:aws";

export async function handler(event) {
  const price = await downstream.call("get-price", { productId: event.productId });
  return { productId: event.productId, price };
}
