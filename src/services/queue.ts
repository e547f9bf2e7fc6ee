/**
 * A message queue in the manner of SQS (lambda-model.md §5, §7, §10). Standard queues deliver at least once (a
 * seeded `duplicateRate` stores a second copy of a message on demand); a queue whose name ends in `.fifo` keeps order
 * per message group and drops a send whose deduplication id was seen in the last 5 minutes (even if that message was
 * deleted since), the id being the SHA-256 of the body with content-based deduplication. Received messages stay
 * hidden for the visibility timeout; a message about to be received more than `maxReceiveCount` times moves to the
 * dead-letter queue instead; messages older than the retention period are dropped.
 *
 * Every method takes the virtual time `now`: the queue holds no clock and schedules nothing, so the simulator, the
 * SQS event source mapping and graders can all drive it. Sizes count the body plus attribute names, types and values.
 */
import { z } from "zod";
import type { HopLog } from "../runtime/hops.ts";
import type { Prng } from "../runtime/prng.ts";
import { utf8Length } from "../runtime/payload.ts";
import type { CallContext } from "../runtime/types.ts";
import { TimeWeighted } from "../runtime/aggregates.ts";
import { IndexedHeap } from "./indexed-heap.ts";
import { describeBytes, SERVICE_LIMITS as L } from "./limits.ts";
import { sha256Hex } from "./sha256.ts";

export const QueueConfigSchema = z
  .object({
    /** Visibility timeout in ms: 30 s by default, 0 s – 12 h (§7). */
    visibilityTimeoutMs: z.number().int().min(0).max(L.sqsVisibilityTimeoutMaxMs).default(L.sqsVisibilityTimeoutDefaultMs),
    /** Retention in ms: 4 days by default, 60 s – 14 days (§7). */
    retentionMs: z.number().int().min(L.sqsRetentionMinMs).max(L.sqsRetentionMaxMs).default(L.sqsRetentionDefaultMs),
    /** `ReceiveMessageWaitTimeSeconds`: how long a receive on an empty queue waits for a message, 0 (short polling) – 20 s (§7). */
    receiveMessageWaitTimeSeconds: z.number().int().min(0).max(L.sqsReceiveWaitMaxSeconds).default(0),
    /** `MaximumMessageSize` in bytes: 1,024 – 1,048,576, default 1 MiB (§5). */
    maximumMessageSize: z.number().int().min(L.sqsMaximumMessageSizeMin).max(L.sqsMessageMaxBytes).default(L.sqsMessageMaxBytes),
    /** FIFO only: derive the deduplication id from the body (SHA-256) when a send gives none (§7). */
    contentBasedDeduplication: z.boolean().default(false),
    /** Redrive policy: move a message to `deadLetterQueue` when its receive count would exceed `maxReceiveCount` (§7). */
    redrive: z
      .object({
        deadLetterQueue: z.string().min(1),
        maxReceiveCount: z.number().int().min(1).max(1_000).default(L.sqsMaxReceiveCountDefault),
      })
      .strict()
      .nullable()
      .default(null),
  })
  .strict();
export type QueueConfig = z.infer<typeof QueueConfigSchema>;
export type QueueConfigInput = z.input<typeof QueueConfigSchema>;

/** A message attribute: a string or a number, sent with the body (it counts toward the size). */
export type AttributeValue = string | number;

export interface SendInput {
  body: string;
  /** FIFO: the message group; order is kept within a group. Required for FIFO queues. */
  groupId?: string | null;
  /** FIFO: the deduplication id (required unless the queue uses content-based deduplication). */
  deduplicationId?: string | null;
  attributes?: Record<string, AttributeValue> | null;
}

export type SendOutcome =
  | { ok: true; messageId: string; sequenceNumber: string | null; /** Dropped as a duplicate within the FIFO interval. */ deduplicated: boolean }
  | { ok: false; code: string; message: string };

/** Who or what sent a message: a handler's call, a service (a topic subscription, a destination) or the scenario. */
export interface Sender {
  call: CallContext | null;
  via: string;
  chain: { chainId: string; hops: number } | null;
}

interface Stored {
  messageId: string;
  /** 1, or 2 for the extra copy at-least-once delivery stored. */
  copy: number;
  body: string;
  attributes: Record<string, AttributeValue>;
  sentAt: number;
  groupId: string | null;
  deduplicationId: string | null;
  sequenceNumber: string | null;
  receiveCount: number;
  firstReceivedAt: number | null;
  visibleAt: number;
  receiptHandle: string | null;
  sender: Sender;
  // The queue's bookkeeping (never shown to receivers):
  /** Store order: the order in which visible messages are received. */
  seq: number;
  /** Size as SQS counts it, for the visible bytes. */
  bytes: number;
  /** FIFO: the message's group (messages without a group share one that never blocks). */
  group: Group | null;
  /** In flight: hidden until `visibleAt` (as of the last time the queue caught up with the clock). */
  hidden: boolean;
  /** Still in the arrival-order list of never-received messages (standard queues). */
  fresh: boolean;
  gone: boolean;
  /** Positions in the ready heap (returned or group), the in-flight heap and the send-time heap (-1 when out). */
  readyPos: number;
  flightPos: number;
  sentPos: number;
  /** Without history: the receipt handles issued for this message, forgotten when it leaves. */
  handles: string[] | null;
}

/** A FIFO message group: its visible messages by store order, how many of its messages are held and in flight. */
interface Group {
  id: string | null;
  ready: IndexedHeap<Stored>;
  held: number;
  hidden: number;
  pos: number;
}

/** Counts of what happened to a queue's messages, kept with or without history (simulate reads them). */
export interface QueueStats {
  sent: number;
  deduplicated: number;
  /** Receives (every delivery, redeliveries included). */
  received: number;
  /** Receives of a message received before (`ApproximateReceiveCount` > 1). */
  redelivered: number;
  deleted: number;
  staleDeletes: number;
  movedToDlq: number;
  /** Messages moved here from another queue's redrive. */
  movedIn: number;
  expired: number;
  /** Messages removed by `purge`. */
  purged: number;
  /** The highest age the oldest message held reached, in ms. */
  maxOldestAgeMs: number;
}

/** A message as a receiver (or a grader) sees it: a copy. */
export interface MessageView {
  messageId: string;
  copy: number;
  body: string;
  attributes: Record<string, AttributeValue>;
  sentAt: number;
  /** Receives so far, this one included (`ApproximateReceiveCount`). */
  receiveCount: number;
  firstReceivedAt: number | null;
  /** Hidden until this time (in flight) when later than now. */
  visibleAt: number;
  receiptHandle: string | null;
  groupId: string | null;
  deduplicationId: string | null;
  sequenceNumber: string | null;
  sender: Sender;
}

export interface QueueEvent {
  t: number;
  messageId: string;
  copy: number;
  /** What happened: received (with the receive count), deleted, moved to the DLQ, expired, or a delete that came too late. */
  what: "sent" | "deduplicated" | "received" | "deleted" | "stale-delete" | "moved-to-dlq" | "expired" | "purged";
  receiveCount: number;
}

/** What a queue needs from its service: seeded randomness, the duplicate rate, other queues (DLQ), the hop log. */
export interface QueueEnvironment {
  prng: Prng;
  duplicateRate: number;
  resolve: (name: string) => Queue;
  /** Where sends are logged as hops; null keeps none (simulate's aggregate-only queues). */
  hops: HopLog | null;
  /**
   * Keep every event in `history` and every receipt handle ever issued (the default; graders read them). Without
   * history the queue keeps only what it holds and `stats`, so memory follows the backlog, not the run's length; a
   * receipt handle of a message that has left the queue is then answered as invalid rather than as a stale success.
   */
  history?: boolean;
}

/** A deduplication id seen within the interval (§7). */
interface Seen {
  id: string;
  expiresAt: number;
  messageId: string;
  sequenceNumber: string | null;
}

const bySeq = (a: Stored, b: Stored) => a.seq < b.seq;

/** A queue's depth and the age of its oldest message at one instant (metric series, lambda-model.md §7). */
export interface QueueGauge {
  depth: number;
  oldestMessageAgeMs: number;
}

/**
 * Indexed so that every operation costs O(log n) in the messages held: never-received messages in arrival order
 * (standard) or per group (FIFO), returned messages in a heap by store order, in-flight messages in a heap by
 * visibility deadline and all messages in a heap by send time (retention and the oldest age). Time only moves
 * forward: each operation first catches up with `now` (messages whose deadline passed become visible, expired
 * ones leave), as the list-scanning original did on every call.
 */
export class Queue {
  readonly name: string;
  readonly fifo: boolean;
  readonly config: QueueConfig;
  readonly arn: string;
  /** Everything that happened to this queue's messages, in order (graders read it); empty without history. */
  readonly history: QueueEvent[] = [];
  readonly stats: QueueStats = { sent: 0, deduplicated: 0, received: 0, redelivered: 0, deleted: 0, staleDeletes: 0, movedToDlq: 0, movedIn: 0, expired: 0, purged: 0, maxOldestAgeMs: 0 };
  /** Messages held (visible or in flight) over time: time-weighted mean and peak. */
  readonly depth = new TimeWeighted();
  /** Called after a message becomes available (sent or moved here): event source mappings wake up. */
  readonly listeners: Array<() => void> = [];
  /** Long polls waiting for a message, oldest first: each is called with the time (stale ones answer false). */
  private readonly waiters: Array<(now: number) => boolean> = [];
  /** Called when a message is deleted after processing (simulate measures send-to-delete latency). */
  onDeleted: ((now: number, sentAt: number) => void) | null = null;
  private readonly keepHistory: boolean;
  /** Every message held, in store order. */
  private readonly live = new Set<Stored>();
  /** Standard queues: never-received messages in arrival order (`freshHead` onwards; left-behind ones are stale). */
  private fresh: Stored[] = [];
  private freshHead = 0;
  /** Standard queues: visible messages received before, by store order. */
  private readonly returned = new IndexedHeap<Stored>(bySeq, (m) => m.readyPos, (m, i) => (m.readyPos = i));
  /** FIFO: groups by id, and the groups a receive may take from (visible messages, none in flight) by their head. */
  private readonly groups = new Map<string | null, Group>();
  private readonly eligible = new IndexedHeap<Group>(
    (a, b) => a.ready.peek()!.seq < b.ready.peek()!.seq,
    (g) => g.pos,
    (g, i) => (g.pos = i),
  );
  private readonly inFlight = new IndexedHeap<Stored>(
    (a, b) => a.visibleAt < b.visibleAt || (a.visibleAt === b.visibleAt && a.seq < b.seq),
    (m) => m.flightPos,
    (m, i) => (m.flightPos = i),
  );
  private readonly bySentAt = new IndexedHeap<Stored>(
    (a, b) => a.sentAt < b.sentAt || (a.sentAt === b.sentAt && a.seq < b.seq),
    (m) => m.sentPos,
    (m, i) => (m.sentPos = i),
  );
  private visibleBytesHeld = 0;
  private storeCounter = 0;
  /** A receive is taking messages: groups it took from stay open to it until it ends (FIFO). */
  private receiving = false;
  private readonly dedup = new Map<string, Seen>();
  /** Deduplication ids in the order they were seen, pruned once their 5 minutes are over. */
  private readonly dedupOrder: Seen[] = [];
  private dedupHead = 0;
  private readonly handles = new Map<string, Stored>();
  private handleCounter = 0;
  private sequence = 0;
  private readonly env: QueueEnvironment;

  constructor(name: string, config: QueueConfig, env: QueueEnvironment) {
    this.env = env;
    this.name = name;
    this.fifo = name.endsWith(".fifo");
    this.config = config;
    this.arn = `arn:aws:sqs:us-east-1:123456789012:${name}`;
    this.keepHistory = env.history ?? true;
  }

  /** Size SQS counts for a message: body plus each attribute's name, data type and value (§5, model). */
  static sizeOf(body: string, attributes: Record<string, AttributeValue> | null | undefined): number {
    let bytes = utf8Length(body);
    if (!attributes) return bytes;
    for (const [name, value] of Object.entries(attributes)) {
      bytes += utf8Length(name) + (typeof value === "number" ? 6 /* "Number" */ + utf8Length(String(value)) : 6 /* "String" */ + utf8Length(value));
    }
    return bytes;
  }

  send(now: number, input: SendInput, sender: Sender): SendOutcome {
    this.catchUp(now);
    const refuse = (code: string, message: string, bytes = 0): SendOutcome => {
      this.hop(now, bytes, sender, { code, message });
      return { ok: false, code, message };
    };
    if (typeof input.body !== "string") return refuse("InvalidParameterValue", "the message body must be a string (serialize objects with JSON.stringify)");
    const bytes = Queue.sizeOf(input.body, input.attributes);
    if (input.body.length === 0) return refuse("InvalidParameterValue", "the message body must be at least 1 byte long", bytes);
    if (bytes > this.config.maximumMessageSize) {
      return refuse(
        "InvalidParameterValue",
        `the message is ${bytes.toLocaleString("en-US")} bytes (body and attributes), over the queue's maximum message size of ${describeBytes(this.config.maximumMessageSize)}`,
        bytes,
      );
    }
    let groupId: string | null = null;
    let deduplicationId: string | null = null;
    if (this.fifo) {
      if (typeof input.groupId !== "string" || input.groupId === "") return refuse("MissingParameter", `${this.name} is a FIFO queue: every message needs a groupId`, bytes);
      groupId = input.groupId;
      if (typeof input.deduplicationId === "string" && input.deduplicationId !== "") deduplicationId = input.deduplicationId;
      else if (this.config.contentBasedDeduplication) deduplicationId = sha256Hex(input.body);
      else {
        return refuse(
          "InvalidParameterValue",
          `${this.name} is a FIFO queue without content-based deduplication: every message needs a deduplicationId`,
          bytes,
        );
      }
      this.pruneDedup(now);
      const seen = this.dedup.get(deduplicationId);
      if (seen && seen.expiresAt > now) {
        // Accepted but not delivered: the id was seen within the 5-minute interval (§7).
        this.hop(now, bytes, sender, null);
        this.stats.deduplicated++;
        this.event(now, seen.messageId, 1, "deduplicated", 0);
        return { ok: true, messageId: seen.messageId, sequenceNumber: seen.sequenceNumber, deduplicated: true };
      }
    } else if (input.groupId != null || input.deduplicationId != null) {
      // SIMPLIFICATION: a standard queue refuses the FIFO parameters, so that a learner who meant a FIFO queue notices.
      return refuse("InvalidParameterValue", `${this.name} is a standard queue: groupId and deduplicationId are for FIFO queues (names ending in .fifo; refusing them is a workbook rule)`, bytes);
    }
    this.hop(now, bytes, sender, null);
    const messageId = this.env.prng.uuid();
    const sequenceNumber = this.fifo ? String(++this.sequence).padStart(20, "0") : null;
    if (deduplicationId !== null) {
      const seen: Seen = { id: deduplicationId, expiresAt: now + L.sqsDeduplicationIntervalMs, messageId, sequenceNumber };
      this.dedup.set(deduplicationId, seen);
      this.dedupOrder.push(seen);
    }
    const attributes = input.attributes ? { ...input.attributes } : {};
    this.store(messageId, 1, input.body, attributes, bytes, now, groupId, deduplicationId, sequenceNumber, sender, null, now);
    this.stats.sent++;
    // At-least-once delivery (§7): on demand, a standard queue keeps a second copy that is delivered separately.
    if (!this.fifo && this.env.duplicateRate > 0 && this.env.prng.next() < this.env.duplicateRate) {
      this.store(messageId, 2, input.body, { ...attributes }, bytes, now, groupId, deduplicationId, sequenceNumber, sender, null, now);
    }
    this.notify(now);
    return { ok: true, messageId, sequenceNumber, deduplicated: false };
  }

  /**
   * Receives up to `max` visible messages and hides them for the visibility timeout. `accept` sees each candidate as
   * it would be received and can stop the batch (the event source mapping's 6 MB cap). FIFO: a group with a message
   * in flight gives nothing, so order holds within each group.
   */
  receive(now: number, max: number, options: { visibilityTimeoutMs?: number; accept?: (m: MessageView) => boolean } = {}): MessageView[] {
    this.catchUp(now);
    const out: MessageView[] = [];
    const redrive = this.config.redrive;
    const timeout = options.visibilityTimeoutMs ?? this.config.visibilityTimeoutMs;
    // Messages received with a visibility timeout of 0 stay visible, but not to this receive (made when needed).
    let visibleAgain: Stored[] | null = null;
    let touched: Group[] | null = null;
    this.receiving = true;
    try {
      while (out.length < max) {
        const m = this.nextReady();
        if (m === undefined) break;
        if (redrive && m.receiveCount >= redrive.maxReceiveCount) {
          this.moveToDeadLetterQueue(m, now, redrive.deadLetterQueue);
          continue;
        }
        const handle = `rh-${++this.handleCounter}-${m.messageId}`;
        const view = viewOf(m);
        view.receiveCount = m.receiveCount + 1;
        view.firstReceivedAt = m.firstReceivedAt ?? now;
        view.receiptHandle = handle;
        view.visibleAt = now + timeout;
        if (options.accept && !options.accept(view)) break;
        this.takeFromReady(m);
        if (m.group !== null) {
          if (touched === null) touched = [m.group];
          else if (!touched.includes(m.group)) touched.push(m.group);
        }
        m.receiveCount = view.receiveCount;
        m.firstReceivedAt = view.firstReceivedAt;
        m.receiptHandle = handle;
        m.visibleAt = view.visibleAt;
        if (m.visibleAt > now) this.hide(m);
        else (visibleAgain ??= []).push(m);
        this.handles.set(handle, m);
        if (m.handles !== null) m.handles.push(handle);
        this.stats.received++;
        if (m.receiveCount > 1) this.stats.redelivered++;
        this.event(now, m.messageId, m.copy, "received", m.receiveCount);
        out.push(view);
      }
    } finally {
      this.receiving = false;
    }
    if (touched !== null) for (const g of touched) this.refreshGroup(g);
    if (visibleAgain !== null) for (const m of visibleAgain) this.putInReady(m);
    return out;
  }

  /**
   * Deletes a received message. A handle from an earlier receive of a message received again since deletes nothing
   * (the request still succeeds): the later receiver owns the message now.
   */
  delete(now: number, receiptHandle: string): { ok: true; deleted: boolean } | { ok: false; code: string; message: string } {
    const m = this.handles.get(receiptHandle);
    if (!m) return { ok: false, code: "ReceiptHandleIsInvalid", message: `no message of ${this.name} was received with this receipt handle` };
    if (m.gone) return { ok: true, deleted: false };
    if (m.receiptHandle !== receiptHandle) {
      this.stats.staleDeletes++;
      this.event(now, m.messageId, m.copy, "stale-delete", m.receiveCount);
      return { ok: true, deleted: false };
    }
    this.leave(m, now);
    this.stats.deleted++;
    this.event(now, m.messageId, m.copy, "deleted", m.receiveCount);
    this.onDeleted?.(now, m.sentAt);
    return { ok: true, deleted: true };
  }

  /**
   * Takes a received message out of the queue: to the dead-letter queue when a redrive policy names one, else it is
   * deleted (the event source mapping does this when recursive loop detection stops an invoke, lambda-model.md §3).
   */
  deadLetter(now: number, receiptHandle: string): "moved" | "deleted" | "gone" {
    const m = this.handles.get(receiptHandle);
    if (!m || m.receiptHandle !== receiptHandle || m.gone) return "gone";
    const redrive = this.config.redrive;
    if (redrive) {
      this.moveToDeadLetterQueue(m, now, redrive.deadLetterQueue);
      return "moved";
    }
    this.delete(now, receiptHandle);
    return "deleted";
  }

  /** Sets how long a received message stays hidden from now (0 makes it visible at once). */
  changeVisibility(now: number, receiptHandle: string, timeoutMs: number): { ok: true } | { ok: false; code: string; message: string } {
    const m = this.handles.get(receiptHandle);
    if (!m || m.receiptHandle !== receiptHandle || m.gone) {
      return { ok: false, code: "ReceiptHandleIsInvalid", message: `the receipt handle is not the latest of a message in ${this.name}` };
    }
    m.visibleAt = now + Math.max(0, Math.min(timeoutMs, L.sqsVisibilityTimeoutMaxMs));
    if (m.hidden) {
      if (m.visibleAt > now) this.inFlight.fix(m);
      else this.unhide(m);
    } else if (m.visibleAt > now) {
      this.takeFromReady(m);
      this.hide(m);
      if (m.group !== null) this.refreshGroup(m.group);
    }
    if (m.visibleAt <= now) this.notify(now);
    return { ok: true };
  }

  /** Removes every message held (PurgeQueue); returns how many. */
  purge(now: number): number {
    const all = [...this.live];
    for (const m of all) {
      this.leave(m, now);
      this.stats.purged++;
      this.event(now, m.messageId, m.copy, "purged", m.receiveCount);
    }
    return all.length;
  }

  /** Every message held now (visible or in flight), oldest first, as copies. */
  contents(now: number): MessageView[] {
    this.catchUp(now);
    return [...this.live].map(viewOf);
  }

  visibleCount(now: number): number {
    this.catchUp(now);
    return this.live.size - this.inFlight.size;
  }

  /** Bytes of the visible messages' bodies and attributes (the mapping's batching window closes at 6 MB). */
  visibleBytes(now: number): number {
    this.catchUp(now);
    return this.visibleBytesHeld;
  }

  size(now: number): number {
    this.catchUp(now);
    return this.live.size;
  }

  /** Whether a receive now would get a message (FIFO: one of a group with nothing in flight). */
  hasReceivable(now: number): boolean {
    this.catchUp(now);
    return this.nextReady() !== undefined;
  }

  /** A long poll waits (§7): `wake` is called when a message can be received, unless another waiter took the turn. */
  waitForMessage(wake: (now: number) => boolean): void {
    this.waiters.push(wake);
  }

  /** When the next hidden message becomes visible again, or null if none is hidden. */
  nextVisibleAt(now: number): number | null {
    this.reveal(now);
    return this.inFlight.peek()?.visibleAt ?? null;
  }

  /**
   * Depth (messages visible or in flight) and the age of the oldest message at `now`, read without catching up, so
   * that sampling them for a chart never changes the run: messages past retention count until the queue's next
   * operation drops them, and the age is capped at the retention period.
   */
  gauge(now: number): QueueGauge {
    const oldest = this.bySentAt.peek();
    return { depth: this.live.size, oldestMessageAgeMs: oldest === undefined ? 0 : Math.min(now - oldest.sentAt, this.config.retentionMs) };
  }

  /** Age of the oldest message held, in ms (0 when empty). */
  oldestAgeMs(now: number): number {
    this.catchUp(now);
    const oldest = this.bySentAt.peek();
    return oldest === undefined ? 0 : now - oldest.sentAt;
  }

  /** Receives of each message id so far (graders count deliveries; needs history). */
  receivesOf(messageId: string): number {
    if (!this.keepHistory) throw new Error(`queue ${this.name} keeps no history`);
    return this.history.filter((e) => e.messageId === messageId && e.what === "received").length;
  }

  /** A message moved here by a redrive keeps its id, body, attributes and send time. */
  acceptMoved(m: MessageView, now: number): void {
    const attributes = { ...m.attributes };
    this.store(m.messageId, m.copy, m.body, attributes, Queue.sizeOf(m.body, attributes), m.sentAt, m.groupId, m.deduplicationId, m.sequenceNumber, m.sender, m.receiptHandle, now);
    this.stats.movedIn++;
    this.notify(now);
  }

  private moveToDeadLetterQueue(m: Stored, now: number, dlqName: string): void {
    this.leave(m, now);
    this.stats.movedToDlq++;
    this.event(now, m.messageId, m.copy, "moved-to-dlq", m.receiveCount);
    this.env.resolve(dlqName).acceptMoved(viewOf(m), now);
  }

  private store(
    messageId: string,
    copy: number,
    body: string,
    attributes: Record<string, AttributeValue>,
    bytes: number,
    sentAt: number,
    groupId: string | null,
    deduplicationId: string | null,
    sequenceNumber: string | null,
    sender: Sender,
    receiptHandle: string | null,
    now: number,
  ): void {
    const m: Stored = {
      messageId,
      copy,
      body,
      attributes,
      sentAt,
      groupId,
      deduplicationId,
      sequenceNumber,
      receiveCount: 0,
      firstReceivedAt: null,
      visibleAt: now,
      receiptHandle,
      sender,
      seq: ++this.storeCounter,
      bytes,
      group: this.fifo ? this.groupOf(groupId) : null,
      hidden: false,
      fresh: !this.fifo,
      gone: false,
      readyPos: -1,
      flightPos: -1,
      sentPos: -1,
      handles: this.keepHistory ? null : [],
    };
    this.live.add(m);
    if (m.group !== null) m.group.held++;
    this.bySentAt.push(m);
    this.visibleBytesHeld += bytes;
    if (m.fresh) this.fresh.push(m);
    else this.putInReady(m);
    this.depth.set(now, this.live.size);
    this.event(now, messageId, copy, "sent", 0);
  }

  /** Catches up with the clock: expired messages leave, messages whose visibility timeout ended become visible. */
  private catchUp(now: number): void {
    this.sweep(now);
    this.reveal(now);
  }

  private reveal(now: number): void {
    for (let m = this.inFlight.peek(); m !== undefined && m.visibleAt <= now; m = this.inFlight.peek()) this.unhide(m);
  }

  /** Drops messages older than the retention period, in store order. */
  private sweep(now: number): void {
    const keep = this.config.retentionMs;
    let top = this.bySentAt.peek();
    if (top === undefined || now - top.sentAt < keep) return;
    const expired: Stored[] = [];
    for (; top !== undefined && now - top.sentAt >= keep; top = this.bySentAt.peek()) {
      expired.push(top);
      this.bySentAt.remove(top);
    }
    expired.sort((a, b) => a.seq - b.seq);
    for (const m of expired) {
      this.leave(m, now);
      this.stats.expired++;
      this.event(now, m.messageId, m.copy, "expired", m.receiveCount);
    }
  }

  /** The visible message a receive takes next: the lowest store order among those it may take. */
  private nextReady(): Stored | undefined {
    if (this.fifo) return this.eligible.peek()?.ready.peek();
    const fresh = this.fresh;
    while (this.freshHead < fresh.length && !fresh[this.freshHead]!.fresh) this.freshHead++;
    if (this.freshHead > 1_024 && this.freshHead * 2 > fresh.length) {
      this.fresh = fresh.slice(this.freshHead);
      this.freshHead = 0;
    }
    const first = this.fresh[this.freshHead];
    const returned = this.returned.peek();
    if (first === undefined) return returned;
    return returned !== undefined && returned.seq < first.seq ? returned : first;
  }

  private putInReady(m: Stored): void {
    if (m.group !== null) {
      m.group.ready.push(m);
      this.refreshGroup(m.group);
    } else this.returned.push(m);
  }

  private takeFromReady(m: Stored): void {
    if (m.fresh) m.fresh = false;
    else if (m.group !== null) {
      m.group.ready.remove(m);
      this.refreshGroup(m.group);
    } else this.returned.remove(m);
  }

  /** A visible message, out of the ready structures, goes in flight. */
  private hide(m: Stored): void {
    m.hidden = true;
    this.visibleBytesHeld -= m.bytes;
    this.inFlight.push(m);
    if (m.group !== null) m.group.hidden++;
  }

  /** An in-flight message becomes visible (its visibility timeout ended or was cut to 0). */
  private unhide(m: Stored): void {
    this.inFlight.remove(m);
    m.hidden = false;
    this.visibleBytesHeld += m.bytes;
    if (m.group !== null) m.group.hidden--;
    this.putInReady(m);
  }

  /** Takes a message out of every structure (deleted, moved to the DLQ or expired). */
  private leave(m: Stored, now: number): void {
    const oldest = this.bySentAt.peek();
    if (oldest !== undefined && now - oldest.sentAt > this.stats.maxOldestAgeMs) this.stats.maxOldestAgeMs = now - oldest.sentAt;
    if (m.hidden) {
      this.inFlight.remove(m);
      m.hidden = false;
      if (m.group !== null) {
        m.group.hidden--;
        this.refreshGroup(m.group);
      }
    } else {
      this.visibleBytesHeld -= m.bytes;
      this.takeFromReady(m);
    }
    this.bySentAt.remove(m);
    this.live.delete(m);
    if (m.group !== null && --m.group.held === 0) this.refreshGroup(m.group);
    m.gone = true;
    if (m.handles !== null) {
      for (const h of m.handles) this.handles.delete(h);
      m.handles = null;
    }
    this.depth.set(now, this.live.size);
  }

  private groupOf(id: string | null): Group {
    let g = this.groups.get(id);
    if (g === undefined) {
      g = { id, ready: new IndexedHeap<Stored>(bySeq, (m) => m.readyPos, (m, i) => (m.readyPos = i)), held: 0, hidden: 0, pos: -1 };
      this.groups.set(id, g);
    }
    return g;
  }

  /**
   * Keeps a group in the eligible heap exactly when a receive may take from it: it has visible messages and none in
   * flight (messages without a group never block). During a receive, a group it took from stays in until the end.
   */
  private refreshGroup(g: Group): void {
    const inHeap = this.eligible.has(g);
    const open = g.ready.size > 0 && (this.receiving ? inHeap : g.hidden === 0 || g.id === null);
    if (open) {
      if (inHeap) this.eligible.fix(g);
      else this.eligible.push(g);
    } else {
      if (inHeap) this.eligible.remove(g);
      if (g.held === 0) this.groups.delete(g.id);
    }
  }

  /** Forgets deduplication ids whose 5 minutes are over (they no longer block a send). */
  private pruneDedup(now: number): void {
    const order = this.dedupOrder;
    while (this.dedupHead < order.length && order[this.dedupHead]!.expiresAt <= now) {
      const seen = order[this.dedupHead++]!;
      if (this.dedup.get(seen.id) === seen) this.dedup.delete(seen.id);
    }
    if (this.dedupHead > 1_024 && this.dedupHead * 2 > order.length) {
      order.splice(0, this.dedupHead);
      this.dedupHead = 0;
    }
  }

  private event(t: number, messageId: string, copy: number, what: QueueEvent["what"], receiveCount: number): void {
    if (this.keepHistory) this.history.push({ t, messageId, copy, what, receiveCount });
  }

  private notify(now: number): void {
    for (const listener of this.listeners) listener();
    // One long poll per message made available: the oldest waiter still waiting (woken ones receive in events of their own).
    const waiters = this.waiters;
    while (waiters.length > 0 && this.nextReady() !== undefined) if (waiters.shift()!(now)) break;
  }

  private hop(now: number, bytes: number, sender: Sender, error: { code: string; message: string } | null): void {
    this.env.hops?.add({
      t: now,
      service: "sqs",
      resource: this.name,
      operation: "SendMessage",
      bytes,
      limitBytes: this.config.maximumMessageSize,
      outcome: error ? "rejected" : "accepted",
      error,
      invocation: sender.call?.invocation ?? null,
      chain: sender.chain,
    });
  }
}

function viewOf(m: Stored): MessageView {
  return {
    messageId: m.messageId,
    copy: m.copy,
    body: m.body,
    attributes: { ...m.attributes },
    sentAt: m.sentAt,
    receiveCount: m.receiveCount,
    firstReceivedAt: m.firstReceivedAt,
    visibleAt: m.visibleAt,
    receiptHandle: m.receiptHandle,
    groupId: m.groupId,
    deduplicationId: m.deduplicationId,
    sequenceNumber: m.sequenceNumber,
    sender: m.sender,
  };
}
