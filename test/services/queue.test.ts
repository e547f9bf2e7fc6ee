import { describe, expect, it } from "vitest";
import { ServiceHub } from "../../src/services/hub.ts";
import type { Sender } from "../../src/services/queue.ts";
import { sha256Hex } from "../../src/services/sha256.ts";

const SCENARIO: Sender = { call: null, via: "scenario", chain: null };

function hub(sqs: ConstructorParameters<typeof ServiceHub>[0] = {}, seed = 1) {
  return new ServiceHub(sqs, seed);
}

describe("§5 SQS message: 1 MiB with attributes counted, per-queue MaximumMessageSize", () => {
  it("§0 SQS max message size: accepts a message of exactly 1,048,576 bytes and refuses one byte more, naming the size and the limit", () => {
    const q = hub().sqs.queue("orders");
    expect(q.send(0, { body: "x".repeat(1_048_576) }, SCENARIO)).toMatchObject({ ok: true });
    expect(q.send(0, { body: "x".repeat(1_048_577) }, SCENARIO)).toMatchInlineSnapshot(`
      {
        "code": "InvalidParameterValue",
        "message": "the message is 1,048,577 bytes (body and attributes), over the queue's maximum message size of 1 MB (1,048,576 bytes)",
        "ok": false,
      }
    `);
  });

  it("counts attribute names, data types and values toward the size", () => {
    const q = hub({ sqs: { queues: { small: { maximumMessageSize: 1_024 } } } }).sqs.queue("small");
    // 1,000 body bytes + "tenant" (6) + "String" (6) + "acme" (4) = 1,016 fits; a longer value does not.
    expect(q.send(0, { body: "x".repeat(1_000), attributes: { tenant: "acme" } }, SCENARIO).ok).toBe(true);
    const r = q.send(0, { body: "x".repeat(1_000), attributes: { tenant: "x".repeat(13) } }, SCENARIO);
    expect(r).toMatchObject({ ok: false, code: "InvalidParameterValue" });
    expect(!r.ok && r.message).toContain("1,025 bytes");
    expect(!r.ok && r.message).toContain("1 KB (1,024 bytes)");
  });

  it("counts UTF-8 bytes, not characters", () => {
    const q = hub({ sqs: { queues: { small: { maximumMessageSize: 1_024 } } } }).sqs.queue("small");
    expect(q.send(0, { body: "é".repeat(512) }, SCENARIO).ok).toBe(true); // 1,024 bytes
    expect(q.send(0, { body: "é".repeat(513) }, SCENARIO).ok).toBe(false);
  });

  it("refuses an empty body (the minimum is 1 byte)", () => {
    expect(hub().sqs.queue("q").send(0, { body: "" }, SCENARIO)).toMatchObject({ ok: false, code: "InvalidParameterValue" });
  });

  it("records every send as a hop, refused ones with their error", () => {
    const h = hub();
    h.sqs.queue("q").send(5, { body: "ok" }, SCENARIO);
    h.sqs.queue("q").send(6, { body: "x".repeat(1_048_577) }, SCENARIO);
    expect(h.hops.records.map((r) => [r.t, r.service, r.resource, r.bytes, r.limitBytes, r.outcome, r.error?.code ?? null])).toEqual([
      [5, "sqs", "q", 2, 1_048_576, "accepted", null],
      [6, "sqs", "q", 1_048_577, 1_048_576, "rejected", "InvalidParameterValue"],
    ]);
  });
});

describe("§5 SQS message: up to 10 messages per batch", () => {
  const call = { time: 0, functionName: "f", envId: "env-1", invocation: 0, requestId: "r", eventId: "e", attempt: 1 };
  it("refuses a batch of 11 entries and reports failed entries one by one in a batch of 10", () => {
    const h = hub();
    const tooMany = h.dispatch("queue", "sendBatch", ["q", Array.from({ length: 11 }, (_, i) => ({ id: `m${i}`, body: "b" }))], call).complete();
    expect(tooMany).toMatchObject({ ok: false, error: { name: "TooManyEntriesInBatchRequest" } });
    const entries = Array.from({ length: 10 }, (_, i) => ({ id: `m${i}`, body: i === 3 ? "" : "b" }));
    const batch = h.dispatch("queue", "sendBatch", ["q", entries], call).complete();
    expect(batch.ok && (batch.value as { successful: unknown[] }).successful).toHaveLength(9);
    expect(batch.ok && (batch.value as { failed: unknown[] }).failed).toEqual([{ id: "m3", code: "InvalidParameterValue", message: "the message body must be at least 1 byte long" }]);
  });
});

describe("§7 Visibility timeout, the receive count and retention", () => {
  it("hides a received message for 30 s by default, then delivers it again with ApproximateReceiveCount 2", () => {
    const q = hub().sqs.queue("q");
    q.send(0, { body: "a" }, SCENARIO);
    const [first] = q.receive(1_000, 10);
    expect(first).toMatchObject({ body: "a", receiveCount: 1, visibleAt: 31_000 });
    expect(q.receive(30_999, 10)).toEqual([]);
    const [second] = q.receive(31_000, 10);
    expect(second).toMatchObject({ messageId: first!.messageId, receiveCount: 2 });
    expect(second!.receiptHandle).not.toBe(first!.receiptHandle);
  });

  it("deletes with the latest receipt handle only: an older handle succeeds but deletes nothing", () => {
    const q = hub().sqs.queue("q");
    q.send(0, { body: "a" }, SCENARIO);
    const [first] = q.receive(0, 1);
    const [second] = q.receive(30_000, 1);
    expect(q.delete(30_001, first!.receiptHandle!)).toEqual({ ok: true, deleted: false });
    expect(q.size(30_001)).toBe(1);
    expect(q.delete(30_002, second!.receiptHandle!)).toEqual({ ok: true, deleted: true });
    expect(q.size(30_002)).toBe(0);
    expect(q.delete(30_003, "made-up")).toMatchObject({ ok: false, code: "ReceiptHandleIsInvalid" });
  });

  it("§7 Retention: drops messages after the retention period (4 days by default)", () => {
    const q = hub().sqs.queue("q");
    q.send(0, { body: "a" }, SCENARIO);
    expect(q.size(4 * 86_400_000 - 1)).toBe(1);
    expect(q.size(4 * 86_400_000)).toBe(0);
    expect(q.history.map((e) => e.what)).toEqual(["sent", "expired"]);
  });
});

describe("§7 Redrive to a DLQ", () => {
  it("§7 a message about to be received for the (maxReceiveCount + 1)-th time goes to the DLQ instead", () => {
    const h = hub({ sqs: { queues: { q: { visibilityTimeoutMs: 1_000, redrive: { deadLetterQueue: "q-dlq", maxReceiveCount: 3 } } } } });
    const q = h.sqs.queue("q");
    q.send(0, { body: "poison" }, SCENARIO);
    for (let i = 0; i < 3; i++) expect(q.receive(i * 1_000, 1)).toHaveLength(1);
    expect(q.receive(3_000, 1)).toEqual([]);
    const dlq = h.sqs.queue("q-dlq");
    expect(dlq.contents(3_000).map((m) => [m.body, m.receiveCount])).toEqual([["poison", 0]]);
    expect(q.history.map((e) => e.what)).toEqual(["sent", "received", "received", "received", "moved-to-dlq"]);
  });
});

describe("§7 Standard queue: at-least-once delivery on demand", () => {
  it("§7 sqs.duplicateRate (default 0) injects standard-queue duplicates on demand: nothing is delivered twice by default", () => {
    const q = hub().sqs.queue("q");
    for (let i = 0; i < 50; i++) q.send(0, { body: `m${i}` }, SCENARIO);
    expect(q.receive(0, 10).length + q.receive(0, 10).length + q.receive(0, 10).length + q.receive(0, 10).length + q.receive(0, 10).length).toBe(50);
    expect(q.size(0)).toBe(50);
  });

  it("stores a second copy with the same message id for a seeded share of sends, the same for the same seed", () => {
    const run = (seed: number) => {
      const q = hub({ sqs: { duplicateRate: 0.5 } }, seed).sqs.queue("q");
      for (let i = 0; i < 40; i++) q.send(0, { body: `m${i}` }, SCENARIO);
      return q.contents(0).filter((m) => m.copy === 2).map((m) => m.body);
    };
    const copies = run(7);
    expect(copies.length).toBeGreaterThan(5);
    expect(copies.length).toBeLessThan(35);
    expect(run(7)).toEqual(copies);
    const q = hub({ sqs: { duplicateRate: 1 } }).sqs.queue("q");
    q.send(0, { body: "once" }, SCENARIO);
    const both = q.receive(0, 10);
    expect(both.map((m) => m.body)).toEqual(["once", "once"]);
    expect(both[0]!.messageId).toBe(both[1]!.messageId);
  });
});

describe("§7 FIFO queue: deduplication and order per message group", () => {
  it("§10 SQS FIFO dedup: accepts but does not deliver a send whose deduplication id was seen within 5 minutes, even after deletion", () => {
    const q = hub().sqs.queue("orders.fifo");
    const first = q.send(0, { body: "charge o-1", groupId: "o-1", deduplicationId: "d-1" }, SCENARIO);
    const [m] = q.receive(10, 10);
    q.delete(20, m!.receiptHandle!);
    const again = q.send(299_999, { body: "charge o-1", groupId: "o-1", deduplicationId: "d-1" }, SCENARIO);
    expect(again).toEqual({ ...first, deduplicated: true });
    expect(q.size(299_999)).toBe(0);
    const later = q.send(300_000, { body: "charge o-1", groupId: "o-1", deduplicationId: "d-1" }, SCENARIO);
    expect(later).toMatchObject({ ok: true, deduplicated: false });
    expect(q.size(300_000)).toBe(1);
  });

  it("derives the deduplication id from the SHA-256 of the body with content-based deduplication", () => {
    const q = hub({ sqs: { queues: { "orders.fifo": { contentBasedDeduplication: true } } } }).sqs.queue("orders.fifo");
    q.send(0, { body: "same", groupId: "g" }, SCENARIO);
    expect(q.send(1, { body: "same", groupId: "g" }, SCENARIO)).toMatchObject({ deduplicated: true });
    expect(q.contents(1)[0]!.deduplicationId).toBe(sha256Hex("same"));
  });

  it("requires a group id, and a deduplication id unless content-based deduplication is on", () => {
    const q = hub().sqs.queue("orders.fifo");
    expect(q.send(0, { body: "a" }, SCENARIO)).toMatchObject({ ok: false, code: "MissingParameter" });
    expect(q.send(0, { body: "a", groupId: "g" }, SCENARIO)).toMatchObject({ ok: false, code: "InvalidParameterValue" });
  });

  it("gives nothing from a group while one of its messages is in flight, and keeps other groups flowing", () => {
    const q = hub().sqs.queue("orders.fifo");
    for (const [g, n] of [["a", 1], ["a", 2], ["b", 1], ["a", 3]] as const) q.send(0, { body: `${g}${n}`, groupId: g, deduplicationId: `${g}${n}` }, SCENARIO);
    expect(q.receive(0, 2).map((m) => m.body)).toEqual(["a1", "a2"]);
    expect(q.receive(1, 10).map((m) => m.body)).toEqual(["b1"]);
    expect(q.receive(30_000, 10).map((m) => m.body)).toEqual(["a1", "a2", "a3"]);
  });

  it("refuses FIFO parameters on a standard queue (a workbook rule, so that a learner who meant FIFO notices)", () => {
    expect(hub().sqs.queue("orders").send(0, { body: "a", groupId: "g" }, SCENARIO)).toMatchInlineSnapshot(`
      {
        "code": "InvalidParameterValue",
        "message": "orders is a standard queue: groupId and deduplicationId are for FIFO queues (names ending in .fifo; refusing them is a workbook rule)",
        "ok": false,
      }
    `);
  });

  it("computes SHA-256 as the standard test vectors say", () => {
    expect(sha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")).toBe("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  });
});
