/**
 * The indexed queue against a reference model: a plain list scanned on every call (the way the queue was first
 * written), driven through the same randomised operation sequences. Every answer, the history and the hop log must be
 * identical; without history, every answer must still be identical except for a receipt handle of a message that has
 * left the queue (forgotten there, so answered as invalid).
 */
import { describe, expect, it } from "vitest";
import { HopLog } from "../../src/runtime/hops.ts";
import { Prng } from "../../src/runtime/prng.ts";
import { Queue, QueueConfigSchema, type MessageView, type QueueConfig, type QueueEvent, type Sender, type SendInput } from "../../src/services/queue.ts";
import { sha256Hex } from "../../src/services/sha256.ts";

const SENDER: Sender = { call: null, via: "test", chain: null };
const DEDUP_MS = 300_000;

interface ModelMessage extends MessageView {
  attributes: Record<string, string | number>;
}

/** The reference: the semantics of lambda-model.md §7 as the simplest code that states them. */
class ModelQueue {
  readonly history: QueueEvent[] = [];
  readonly hops: Array<[number, string]> = [];
  private messages: ModelMessage[] = [];
  private readonly dedup = new Map<string, { until: number; messageId: string; sequenceNumber: string | null }>();
  private readonly handles = new Map<string, ModelMessage>();
  private counter = 0;
  private sequence = 0;
  private readonly fifo: boolean;
  private readonly config: QueueConfig;
  private readonly prng: Prng;
  private readonly duplicateRate: number;
  private readonly resolve: (name: string) => ModelQueue;
  constructor(name: string, config: QueueConfig, prng: Prng, duplicateRate: number, resolve: (name: string) => ModelQueue) {
    this.fifo = name.endsWith(".fifo");
    this.config = config;
    this.prng = prng;
    this.duplicateRate = duplicateRate;
    this.resolve = resolve;
  }
  private log(t: number, m: { messageId: string; copy: number; receiveCount: number }, what: QueueEvent["what"]) {
    this.history.push({ t, messageId: m.messageId, copy: m.copy, what, receiveCount: what === "sent" || what === "deduplicated" ? 0 : m.receiveCount });
  }
  private expire(now: number) {
    for (const m of this.messages) if (now - m.sentAt >= this.config.retentionMs) this.log(now, m, "expired");
    this.messages = this.messages.filter((m) => now - m.sentAt < this.config.retentionMs);
  }
  send(now: number, input: SendInput) {
    this.expire(now);
    if (this.fifo && !input.groupId) return (this.hops.push([now, "rejected"]), { ok: false, code: "MissingParameter" });
    const dedupId = this.fifo ? (input.deduplicationId ?? (this.config.contentBasedDeduplication ? sha256Hex(input.body) : null)) : null;
    if (this.fifo && dedupId === null) return (this.hops.push([now, "rejected"]), { ok: false, code: "InvalidParameterValue" });
    this.hops.push([now, "accepted"]);
    const seen = dedupId === null ? undefined : this.dedup.get(dedupId);
    if (seen && seen.until > now) {
      this.log(now, { messageId: seen.messageId, copy: 1, receiveCount: 0 }, "deduplicated");
      return { ok: true, messageId: seen.messageId, sequenceNumber: seen.sequenceNumber, deduplicated: true };
    }
    const messageId = this.prng.uuid();
    const sequenceNumber = this.fifo ? String(++this.sequence).padStart(20, "0") : null;
    if (dedupId !== null) this.dedup.set(dedupId, { until: now + DEDUP_MS, messageId, sequenceNumber });
    const base = { messageId, body: input.body, attributes: { ...(input.attributes ?? {}) }, sentAt: now, receiveCount: 0, firstReceivedAt: null, visibleAt: now, receiptHandle: null, groupId: input.groupId ?? null, deduplicationId: dedupId, sequenceNumber, sender: SENDER };
    this.add({ ...base, copy: 1 }, now);
    if (!this.fifo && this.duplicateRate > 0 && this.prng.next() < this.duplicateRate) this.add({ ...base, attributes: { ...base.attributes }, copy: 2 }, now);
    return { ok: true, messageId, sequenceNumber, deduplicated: false };
  }
  private add(m: ModelMessage, now: number) {
    this.messages.push(m);
    this.log(now, m, "sent");
  }
  receive(now: number, max: number, timeout: number | undefined, accept: ((m: MessageView) => boolean) | undefined) {
    this.expire(now);
    const blocked = new Set(this.fifo ? this.messages.filter((m) => m.visibleAt > now && m.groupId !== null).map((m) => m.groupId) : []);
    const out: MessageView[] = [];
    for (const m of [...this.messages]) {
      if (out.length >= max) break;
      if (m.visibleAt > now || (m.groupId !== null && blocked.has(m.groupId))) continue;
      if (this.config.redrive && m.receiveCount >= this.config.redrive.maxReceiveCount) {
        this.leaveFor(m, now, this.config.redrive.deadLetterQueue);
        continue;
      }
      const view = { ...m, attributes: { ...m.attributes }, receiveCount: m.receiveCount + 1, firstReceivedAt: m.firstReceivedAt ?? now, receiptHandle: `rh-${++this.counter}-${m.messageId}`, visibleAt: now + (timeout ?? this.config.visibilityTimeoutMs) };
      if (accept && !accept(view)) break;
      Object.assign(m, { receiveCount: view.receiveCount, firstReceivedAt: view.firstReceivedAt, receiptHandle: view.receiptHandle, visibleAt: view.visibleAt });
      this.handles.set(view.receiptHandle, m);
      this.log(now, m, "received");
      out.push(view);
    }
    return out;
  }
  private leaveFor(m: ModelMessage, now: number, dlq: string) {
    this.messages.splice(this.messages.indexOf(m), 1);
    this.log(now, m, "moved-to-dlq");
    const target = this.resolve(dlq);
    target.messages.push({ ...m, attributes: { ...m.attributes }, receiveCount: 0, firstReceivedAt: null, visibleAt: now });
    target.log(now, m, "sent");
  }
  delete(now: number, handle: string) {
    const m = this.handles.get(handle);
    if (!m) return { ok: false, code: "ReceiptHandleIsInvalid" };
    if (!this.messages.includes(m)) return { ok: true, deleted: false };
    if (m.receiptHandle !== handle) return (this.log(now, m, "stale-delete"), { ok: true, deleted: false });
    this.messages.splice(this.messages.indexOf(m), 1);
    this.log(now, m, "deleted");
    return { ok: true, deleted: true };
  }
  deadLetter(now: number, handle: string) {
    const m = this.handles.get(handle);
    if (!m || m.receiptHandle !== handle || !this.messages.includes(m)) return "gone";
    if (!this.config.redrive) return (this.delete(now, handle), "deleted");
    this.leaveFor(m, now, this.config.redrive.deadLetterQueue);
    return "moved";
  }
  changeVisibility(now: number, handle: string, timeout: number) {
    const m = this.handles.get(handle);
    if (!m || m.receiptHandle !== handle || !this.messages.includes(m)) return { ok: false, code: "ReceiptHandleIsInvalid" };
    m.visibleAt = now + timeout;
    return { ok: true };
  }
  figures(now: number) {
    this.expire(now);
    const visible = this.messages.filter((m) => m.visibleAt <= now);
    const hidden = this.messages.filter((m) => m.visibleAt > now).map((m) => m.visibleAt);
    return {
      visible: visible.length,
      visibleBytes: visible.reduce((s, m) => s + Queue.sizeOf(m.body, m.attributes), 0),
      size: this.messages.length,
      nextVisibleAt: hidden.length > 0 ? Math.min(...hidden) : null,
      oldestAgeMs: this.messages.length > 0 ? now - Math.min(...this.messages.map((m) => m.sentAt)) : 0,
    };
  }
  contents(now: number) {
    this.expire(now);
    return this.messages.map((m) => ({ ...m, attributes: { ...m.attributes } }));
  }
}

/** The same world twice: a queue with its dead-letter queue, in the model and in the real code. */
function worlds(seed: number, history: boolean) {
  const fifo = seed % 2 === 1;
  const name = fifo ? "main.fifo" : "main";
  const dlqName = fifo && seed % 4 === 1 ? "dlq.fifo" : "dlq";
  const configOf = (n: string) =>
    QueueConfigSchema.parse(
      n === name
        ? { visibilityTimeoutMs: 2_000, retentionMs: 60_000, contentBasedDeduplication: seed % 6 === 1, redrive: seed % 3 === 0 ? null : { deadLetterQueue: dlqName, maxReceiveCount: 1 + (seed % 3) } }
        : { retentionMs: 120_000 },
    );
  const duplicateRate = seed % 5 === 0 ? 0.3 : 0;
  const realPrng = new Prng(`world ${seed}`);
  const modelPrng = new Prng(`world ${seed}`);
  const hops = new HopLog();
  const real = new Map<string, Queue>();
  const model = new Map<string, ModelQueue>();
  const realOf = (n: string): Queue => real.get(n) ?? (real.set(n, new Queue(n, configOf(n), { prng: realPrng, duplicateRate, resolve: realOf, hops: history ? hops : null, history })), real.get(n)!);
  const modelOf = (n: string): ModelQueue => model.get(n) ?? (model.set(n, new ModelQueue(n, configOf(n), modelPrng, duplicateRate, modelOf)), model.get(n)!);
  return { fifo, name, dlqName, realOf, modelOf, hops };
}

/** JSON with object keys sorted, so that answers compare by content. */
function canon(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : 1))) : v,
  );
}

/** Runs one random sequence of operations on both; returns the first difference, or null. */
function compare(seed: number, steps: number, history: boolean): string | null {
  const w = worlds(seed, history);
  const r = new Prng(`ops ${seed}`);
  const pick = (n: number) => Math.floor(r.next() * n);
  const handles: string[] = [];
  const gone = new Set<string>();
  let now = 0;
  for (let step = 0; step < steps; step++) {
    now += [0, 0, 1, 500, 1_000, 2_000, 3_000, 20_000][pick(8)]!;
    const q = w.realOf(w.name);
    const m = w.modelOf(w.name);
    const op = pick(12);
    let a: unknown;
    let b: unknown;
    if (op <= 2) {
      const input: SendInput = { body: `b${pick(6)}`, groupId: w.fifo ? `g${pick(3)}` : null, deduplicationId: w.fifo && pick(2) ? `d${pick(8)}` : null, attributes: pick(3) === 0 ? { n: pick(10) } : null };
      const sent = q.send(now, input, SENDER);
      a = sent.ok ? sent : { ok: false, code: sent.code };
      b = m.send(now, input);
    } else if (op <= 5) {
      const max = 1 + pick(5);
      const timeout = pick(4) === 0 ? [0, 500, 5_000][pick(3)] : undefined;
      const limit = pick(4) === 0 ? 1 + pick(3) : Infinity;
      let takenA = 0;
      let takenB = 0;
      const got = q.receive(now, max, { ...(timeout === undefined ? {} : { visibilityTimeoutMs: timeout }), accept: () => takenA++ < limit });
      for (const v of got) handles.push(v.receiptHandle!);
      a = got;
      b = m.receive(now, max, timeout, () => takenB++ < limit);
    } else if (op <= 7) {
      const handle = pick(6) === 0 ? "made-up" : (handles[pick(handles.length)] ?? "none");
      const deleted = q.delete(now, handle);
      a = deleted.ok ? deleted : { ok: false, code: deleted.code };
      b = m.delete(now, handle);
      // Without history, a handle of a message that left is forgotten: the one answer allowed to differ.
      if (!history && !deleted.ok && handle.startsWith("rh-")) gone.add(handle);
      if (gone.has(handle)) b = a;
    } else if (op === 8) {
      const handle = handles[pick(handles.length)] ?? "none";
      const timeout = [0, 100, 3_000][pick(3)]!;
      const changed = q.changeVisibility(now, handle, timeout);
      a = changed.ok ? changed : { ok: false, code: changed.code };
      b = m.changeVisibility(now, handle, timeout);
    } else if (op === 9) {
      const handle = handles[pick(handles.length)] ?? "none";
      a = q.deadLetter(now, handle);
      b = m.deadLetter(now, handle);
    } else if (op === 10) {
      a = { visible: q.visibleCount(now), visibleBytes: q.visibleBytes(now), size: q.size(now), nextVisibleAt: q.nextVisibleAt(now), oldestAgeMs: q.oldestAgeMs(now) };
      b = m.figures(now);
    } else {
      a = [q.contents(now), w.realOf(w.dlqName).contents(now)];
      b = [m.contents(now), w.modelOf(w.dlqName).contents(now)];
    }
    const sa = canon(a);
    const sb = canon(b);
    if (sa !== sb) return `seed ${seed}, step ${step} (operation ${op} at ${now} ms):\n  queue ${sa}\n  model ${sb}`;
  }
  if (history) {
    for (const n of [w.name, w.dlqName]) {
      const sa = canon(w.realOf(n).history);
      const sb = canon(w.modelOf(n).history);
      if (sa !== sb) return `seed ${seed}: the history of ${n} differs`;
    }
    const hopsA = JSON.stringify(w.hops.records.map((h) => [h.t, h.outcome]));
    const hopsB = JSON.stringify(w.modelOf(w.name).hops);
    if (hopsA !== hopsB) return `seed ${seed}: the hop log differs`;
  } else if (w.realOf(w.name).history.length > 0) return `seed ${seed}: a queue without history kept events`;
  return null;
}

describe("§7 Standard queue and §7 FIFO queue: the indexed queue behaves exactly as a list scanned on every call", () => {
  it("gives the same answers, history and hops over 300 random sequences (standard and FIFO, redrive, duplicates, retention, visibility changes)", () => {
    const differences: string[] = [];
    for (let seed = 0; seed < 300 && differences.length === 0; seed++) {
      const d = compare(seed, 300, true);
      if (d) differences.push(d);
    }
    expect(differences).toEqual([]);
  });

  it("gives the same answers without history, keeping no events", () => {
    const differences: string[] = [];
    for (let seed = 0; seed < 150 && differences.length === 0; seed++) {
      const d = compare(seed, 300, false);
      if (d) differences.push(d);
    }
    expect(differences).toEqual([]);
  });
});

describe("The SQS queue without history (simulate's aggregate-only mode)", () => {
  const config = QueueConfigSchema.parse({ visibilityTimeoutMs: 1_000 });
  const make = (name = "q"): Queue => new Queue(name, config, { prng: new Prng(1), duplicateRate: 0, resolve: () => make("dlq"), hops: null, history: false });

  it("counts what happened in stats: sends, receives, redeliveries, deletes and the oldest age reached", () => {
    const q = make();
    const deletedAt: Array<[number, number]> = [];
    q.onDeleted = (now, sentAt) => deletedAt.push([now, sentAt]);
    q.send(0, { body: "a" }, SENDER);
    q.send(500, { body: "b" }, SENDER);
    q.receive(1_000, 10);
    const again = q.receive(2_000, 10);
    for (const m of again) q.delete(2_500, m.receiptHandle!);
    expect(q.stats).toMatchObject({ sent: 2, received: 4, redelivered: 2, deleted: 2, maxOldestAgeMs: 2_500 });
    expect(deletedAt).toEqual([[2_500, 0], [2_500, 500]]);
    expect(q.depth.peak).toBe(2);
    expect(q.depth.meanUntil(5_000)).toBeCloseTo((500 * 1 + 2_000 * 2) / 5_000, 9);
    expect(q.history).toEqual([]);
  });

  it("purges every message it holds, counting them", () => {
    const q = make();
    q.send(0, { body: "a" }, SENDER);
    q.send(0, { body: "b" }, SENDER);
    q.receive(0, 1);
    expect(q.purge(10)).toBe(2);
    expect(q.size(10)).toBe(0);
    expect(q.receive(2_000, 10)).toEqual([]);
    expect(q.stats).toMatchObject({ sent: 2, purged: 2 });
  });

  it("forgets a message's receipt handles when it leaves, answering them as invalid", () => {
    const q = make();
    q.send(0, { body: "a" }, SENDER);
    const [m] = q.receive(0, 1);
    expect(q.delete(1, m!.receiptHandle!)).toEqual({ ok: true, deleted: true });
    expect(q.delete(2, m!.receiptHandle!)).toMatchObject({ ok: false, code: "ReceiptHandleIsInvalid" });
  });

  it("forgets FIFO deduplication ids once their 5 minutes are over, and still drops a repeat within them", () => {
    const q = make("q.fifo");
    const sends = (t: number) => q.send(t, { body: "x", groupId: "g", deduplicationId: "same" }, SENDER);
    expect(sends(0)).toMatchObject({ deduplicated: false });
    expect(sends(299_999)).toMatchObject({ deduplicated: true });
    expect(sends(300_000)).toMatchObject({ deduplicated: false });
    expect(q.stats).toMatchObject({ sent: 2, deduplicated: 1 });
  });
});
