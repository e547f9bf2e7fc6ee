import { describe, expect, it } from "vitest";
import type { CallContext } from "../../src/runtime/types.ts";
import { KeyValueTable, TableConfigSchema } from "../../src/services/table.ts";

function caller(requestId: string): CallContext {
  return { time: 0, functionName: "f", envId: "env-1", invocation: 1, requestId, eventId: "e-1", attempt: 1 };
}

/** Issues every call first, then completes them in order: calls that were in flight together, as in virtual time. */
function together(table: KeyValueTable, calls: Array<[string, unknown[], CallContext]>) {
  const replies = calls.map(([operation, args, call]) => table.handle(operation, args, call));
  return replies.map((r) => r.complete());
}

describe("the key-value table", () => {
  it("§5 DynamoDB item: stores an item of exactly 400 KB (409,600 bytes, key included) and refuses one byte more with ValidationException", () => {
    const table = new KeyValueTable(TableConfigSchema.parse({}));
    const body = (n: number) => ({ d: "x".repeat(n) }); // JSON {"d":"…"} is n + 8 bytes; the key "k" adds 1
    const [fits, tooLarge] = together(table, [
      ["put", ["t", "k", body(409_600 - 9)], caller("r-1")],
      ["put", ["t", "k", body(409_600 - 8)], caller("r-2")],
    ]);
    expect(fits).toEqual({ ok: true, value: null });
    expect(tooLarge).toEqual({ ok: false, error: { name: "ValidationException", message: "Item size has exceeded the maximum allowed size" } });
    expect((table.item("t", "k") as { d: string }).d).toHaveLength(409_600 - 9);
  });

  it("§10 DynamoDB conditional write: a put if the key does not exist writes once, then fails with ConditionalCheckFailedException", () => {
    const table = new KeyValueTable(TableConfigSchema.parse({ seed: { orders: { "o-1": { paid: true } } } }));
    const [first, second, existing] = together(table, [
      ["put", ["orders", "o-2", { by: "r-1" }, { ifNotExists: true }], caller("r-1")],
      ["put", ["orders", "o-2", { by: "r-2" }, { ifNotExists: true }], caller("r-2")],
      ["put", ["orders", "o-1", { by: "r-3" }, { ifNotExists: true }], caller("r-3")],
    ]);
    expect(first).toEqual({ ok: true, value: null });
    expect(second).toEqual({ ok: false, error: { name: "ConditionalCheckFailedException", message: "The conditional request failed" } });
    expect(existing).toMatchObject({ ok: false, error: { name: "ConditionalCheckFailedException" } });
    expect(table.item("orders", "o-2")).toEqual({ by: "r-1" });
    expect(table.item("orders", "o-1")).toEqual({ paid: true });
  });

  it("§10 the simulated table implements conditional writes atomically in virtual time: of two claims in flight together, the one that completes first wins", () => {
    const table = new KeyValueTable(TableConfigSchema.parse({}));
    const a = table.handle("put", ["claims", "o-7", { by: "a" }, { ifNotExists: true }], caller("a"));
    const b = table.handle("put", ["claims", "o-7", { by: "b" }, { ifNotExists: true }], caller("b"));
    // Both calls were issued before either completed, so neither saw the other's item when it was issued.
    expect(b.complete()).toEqual({ ok: true, value: null });
    expect(a.complete()).toMatchObject({ ok: false, error: { name: "ConditionalCheckFailedException" } });
    expect(table.item("claims", "o-7")).toEqual({ by: "b" });
    expect(table.writes.map((w) => [w.call.requestId, w.succeeded])).toEqual([
      ["b", true],
      ["a", false],
    ]);
  });

  it("§10 DynamoDB conditional write: orIfBelow also lets a put replace an item whose named number is below the value given (attribute_not_exists OR expiration < :now)", () => {
    const table = new KeyValueTable(TableConfigSchema.parse({ seed: { idem: { live: { expiration: 200 }, stale: { expiration: 99 }, text: { expiration: "1" } } } }));
    const claim = (key: string, now: number) => ["put", ["idem", key, { by: now }, { ifNotExists: true, orIfBelow: { expiration: now, in_progress_expiration: now * 1000 } }], caller(key)] as [string, unknown[], CallContext];
    const [live, stale, text, fresh] = together(table, [claim("live", 100), claim("stale", 100), claim("text", 100), claim("new", 100)]);
    expect(live).toMatchObject({ ok: false, error: { name: "ConditionalCheckFailedException" } });
    expect(text).toMatchObject({ ok: false, error: { name: "ConditionalCheckFailedException" } }); // not a number
    expect([stale, fresh]).toEqual([{ ok: true, value: null }, { ok: true, value: null }]);
    expect(table.item("idem", "stale")).toEqual({ by: 100 });
    const [bad] = together(table, [["put", ["idem", "k", {}, { ifNotExists: true, orIfBelow: { expiration: "soon" } }], caller("x")]]);
    expect(bad).toMatchInlineSnapshot(`
      {
        "error": {
          "message": "put: orIfBelow must be an object of field names and numbers, such as { expiration: nowSeconds }",
          "name": "ValidationException",
        },
        "ok": false,
      }
    `);
  });
});
