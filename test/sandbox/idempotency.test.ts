import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { payloadOf, runHandler } from "./harness.ts";

/** A handler whose charge step is wrapped by the Powertools-like layer; `work` runs inside the wrapped function. */
const layered = (work: string, options = "") => `
import { payments, table, sleep } from "workbook:aws";
import { makeIdempotent, IdempotencyConfig, md5 } from "workbook:idempotency";
const config = new IdempotencyConfig({ ${options} });
export const handler = makeIdempotent(async (event, context) => {
  ${work}
}, { persistenceStore: table("idem"), config });
`;

const CHARGE = `const c = await payments.charge({ orderId: event.orderId, amountCents: 100 }); return { chargeId: c.chargeId };`;

describe("the Powertools-like idempotency layer (workbook:idempotency)", () => {
  it("§10 Powertools idempotency key: stores the record under <functionName>#<md5 of the event's JSON>, or of the part eventKeyJmesPath picks", async () => {
    const whole = await runHandler(layered(CHARGE), { invokes: [{ event: { orderId: "o-1", note: "ü€😀" } }] });
    const hash = (text: string) => createHash("md5").update(text).digest("hex");
    expect(whole.services.table.keys("idem")).toEqual([`fn#${hash(JSON.stringify({ orderId: "o-1", note: "ü€😀" }))}`]);
    const picked = await runHandler(layered(CHARGE, 'eventKeyJmesPath: "[orderId, customer.id]"'), { invokes: [{ event: { orderId: "o-1", customer: { id: 7 } } }] });
    expect(picked.services.table.keys("idem")).toEqual([`fn#${hash(JSON.stringify(["o-1", 7]))}`]);
  });

  it("§10 Record and §10 Lock: claims the key as INPROGRESS with one conditional put, then stores the result as COMPLETED with its expiry", async () => {
    const run = await runHandler(layered(CHARGE), { invokes: [{ event: { orderId: "o-1" } }] });
    const writes = run.services.table.writes.map((w) => `${w.operation}${w.conditional ? " (conditional)" : ""} ${w.succeeded ? "ok" : "failed"}`);
    expect(writes).toEqual(["put (conditional) ok", "put ok"]);
    const [key] = run.services.table.keys("idem");
    const record = run.services.table.item("idem", key!) as Record<string, unknown>;
    expect(record).toMatchObject({ status: "COMPLETED", data: payloadOf(run.results[0]) });
    const startedSeconds = Math.floor((Date.UTC(2026, 0, 1) + run.records[0]!.startedAt) / 1000);
    expect(record.expiration).toBe(startedSeconds + 3600);
  });

  it("§10 Repeat within the window and §10 Expiry: a repeat returns the stored result without running the function; after expiresAfterSeconds it runs again", async () => {
    const run = await runHandler(layered(CHARGE, "expiresAfterSeconds: 60"), {
      invokes: [{ at: 0, event: { orderId: "o-1" } }, { at: 30_000, event: { orderId: "o-1" } }, { at: 120_000, event: { orderId: "o-1" } }],
    });
    expect(run.services.payments.charges.map((c) => c.orderId)).toEqual(["o-1", "o-1"]);
    expect(payloadOf(run.results[1])).toEqual(payloadOf(run.results[0]));
    expect(payloadOf(run.results[2])).not.toEqual(payloadOf(run.results[0]));
  });

  it("§10 Concurrent duplicate: a second call while the first holds the key throws IdempotencyAlreadyInProgressError", async () => {
    const run = await runHandler(layered(`await sleep(500); ${CHARGE}`), { invokes: [{ at: 0, event: { orderId: "o-1" } }, { at: 100, event: { orderId: "o-1" } }] });
    expect(run.services.payments.charges).toHaveLength(1);
    expect(payloadOf(run.results[1])).toMatchObject({ errorType: "IdempotencyAlreadyInProgressError" });
    expect((payloadOf(run.results[1]) as { errorMessage: string }).errorMessage).toMatch(/^There is already an execution in progress with idempotency key: fn#[0-9a-f]{32}$/);
  });

  it("§10 Handler throws: the record is deleted, so a retry runs the function again", async () => {
    const run = await runHandler(layered(`if (event.fail) throw new Error("no"); ${CHARGE}`), {
      invokes: [{ at: 0, event: { orderId: "o-1", fail: true } }, { at: 1_000, event: { orderId: "o-1", fail: true } }],
    });
    expect(run.records.map((r) => r.outcome)).toEqual(["error", "error"]);
    expect(run.services.table.keys("idem")).toEqual([]);
    expect(run.services.table.writes.filter((w) => w.operation === "delete")).toHaveLength(2);
  });

  it("§10 Function timed out mid-way: the claim expires with the context's remaining time, after which the key can be claimed again", async () => {
    const run = await runHandler(layered(`if (event.slow) await sleep(10_000); ${CHARGE}`, 'eventKeyJmesPath: "orderId"'), {
      function: { timeoutMs: 3_000 },
      invokes: [{ at: 0, event: { orderId: "o-1", slow: true } }, { at: 2_000, event: { orderId: "o-1" } }, { at: 10_000, event: { orderId: "o-1" } }],
    });
    expect(run.records.map((r) => r.outcome)).toEqual(["timeout", "error", "success"]);
    expect(payloadOf(run.results[1])).toMatchObject({ errorType: "IdempotencyAlreadyInProgressError" });
    expect(run.services.payments.charges).toHaveLength(1);
  });

  it("§10 Limits: a result too large for the table's 400 KB item fails the call, and nothing is stored as COMPLETED", async () => {
    const run = await runHandler(layered(`return "x".repeat(420_000);`), { invokes: [{ event: { orderId: "o-1" } }] });
    expect(payloadOf(run.results[0])).toMatchObject({ errorType: "ValidationException", errorMessage: "Item size has exceeded the maximum allowed size" });
    const [key] = run.services.table.keys("idem");
    expect(run.services.table.item("idem", key!)).toMatchObject({ status: "INPROGRESS" });
  });

  it("refuses a JMESPath expression beyond dotted paths and lists with a message saying what it understands", async () => {
    const run = await runHandler(layered(CHARGE, 'eventKeyJmesPath: "orders[0].id"'), { invokes: [{ event: { orderId: "o-1" } }] });
    expect(payloadOf(run.results[0])).toMatchObject({
      errorType: "TypeError",
      errorMessage: `eventKeyJmesPath: the workbook's layer understands dotted paths and [a, b.c] lists only, not "orders[0].id"`,
    });
  });

  it("hashes like MD5 for text of every length around the 64-byte block edges", async () => {
    const texts = Array.from({ length: 140 }, (_, n) => "a€".repeat(n).slice(0, n));
    const run = await runHandler(`import { md5 } from "workbook:idempotency"; export const handler = (e) => e.texts.map(md5);`, { invokes: [{ event: { texts } }] });
    expect(payloadOf(run.results[0])).toEqual(texts.map((t) => createHash("md5").update(t).digest("hex")));
  });
});
