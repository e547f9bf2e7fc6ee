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
import { describeBytes, SERVICE_LIMITS as L } from "./limits.ts";
import { sha256Hex } from "./sha256.ts";

export const QueueConfigSchema = z
  .object({
    /** Visibility timeout in ms: 30 s by default, 0 s – 12 h (§7). */
    visibilityTimeoutMs: z.number().int().min(0).max(L.sqsVisibilityTimeoutMaxMs).default(L.sqsVisibilityTimeoutDefaultMs),
    /** Retention in ms: 4 days by default, 60 s – 14 days (§7). */
    retentionMs: z.number().int().min(L.sqsRetentionMinMs).max(L.sqsRetentionMaxMs).default(L.sqsRetentionDefaultMs),
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
  what: "sent" | "deduplicated" | "received" | "deleted" | "stale-delete" | "moved-to-dlq" | "expired";
  receiveCount: number;
}

/** What a queue needs from its service: seeded randomness, the duplicate rate, other queues (DLQ), the hop log. */
export interface QueueEnvironment {
  prng: Prng;
  duplicateRate: number;
  resolve: (name: string) => Queue;
  hops: HopLog;
}

export class Queue {
  readonly name: string;
  readonly fifo: boolean;
  readonly config: QueueConfig;
  readonly arn: string;
  /** Everything that happened to this queue's messages, in order (graders read it). */
  readonly history: QueueEvent[] = [];
  /** Called after a message becomes available (sent or moved here): event source mappings wake up. */
  readonly listeners: Array<() => void> = [];
  private messages: Stored[] = [];
  private readonly dedup = new Map<string, { expiresAt: number; messageId: string; sequenceNumber: string | null }>();
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
  }

  /** Size SQS counts for a message: body plus each attribute's name, data type and value (§5, model). */
  static sizeOf(body: string, attributes: Record<string, AttributeValue> | null | undefined): number {
    let bytes = utf8Length(body);
    for (const [name, value] of Object.entries(attributes ?? {})) {
      bytes += utf8Length(name) + (typeof value === "number" ? 6 /* "Number" */ + utf8Length(String(value)) : 6 /* "String" */ + utf8Length(value));
    }
    return bytes;
  }

  send(now: number, input: SendInput, sender: Sender): SendOutcome {
    this.sweep(now);
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
      const seen = this.dedup.get(deduplicationId);
      if (seen && seen.expiresAt > now) {
        // Accepted but not delivered: the id was seen within the 5-minute interval (§7).
        this.hop(now, bytes, sender, null);
        this.history.push({ t: now, messageId: seen.messageId, copy: 1, what: "deduplicated", receiveCount: 0 });
        return { ok: true, messageId: seen.messageId, sequenceNumber: seen.sequenceNumber, deduplicated: true };
      }
    } else if (input.groupId != null || input.deduplicationId != null) {
      // SIMPLIFICATION: a standard queue refuses the FIFO parameters, so that a learner who meant a FIFO queue notices.
      return refuse("InvalidParameterValue", `${this.name} is a standard queue: groupId and deduplicationId are for FIFO queues (names ending in .fifo; refusing them is a workbook rule)`, bytes);
    }
    this.hop(now, bytes, sender, null);
    const messageId = this.env.prng.uuid();
    const sequenceNumber = this.fifo ? String(++this.sequence).padStart(20, "0") : null;
    if (deduplicationId !== null) this.dedup.set(deduplicationId, { expiresAt: now + L.sqsDeduplicationIntervalMs, messageId, sequenceNumber });
    const base = { messageId, body: input.body, attributes: { ...(input.attributes ?? {}) }, sentAt: now, groupId, deduplicationId, sequenceNumber, sender };
    this.store({ ...base, copy: 1 }, now);
    // At-least-once delivery (§7): on demand, a standard queue keeps a second copy that is delivered separately.
    if (!this.fifo && this.env.duplicateRate > 0 && this.env.prng.next() < this.env.duplicateRate) this.store({ ...base, copy: 2 }, now);
    this.notify();
    return { ok: true, messageId, sequenceNumber, deduplicated: false };
  }

  /**
   * Receives up to `max` visible messages and hides them for the visibility timeout. `accept` sees each candidate as
   * it would be received and can stop the batch (the event source mapping's 6 MB cap). FIFO: a group with a message
   * in flight gives nothing, so order holds within each group.
   */
  receive(now: number, max: number, options: { visibilityTimeoutMs?: number; accept?: (m: MessageView) => boolean } = {}): MessageView[] {
    this.sweep(now);
    const out: MessageView[] = [];
    const blocked = new Set<string>();
    if (this.fifo) for (const m of this.messages) if (m.visibleAt > now && m.groupId !== null) blocked.add(m.groupId);
    const redrive = this.config.redrive;
    for (const m of [...this.messages]) {
      if (out.length >= max) break;
      if (m.visibleAt > now || (m.groupId !== null && blocked.has(m.groupId))) continue;
      if (redrive && m.receiveCount >= redrive.maxReceiveCount) {
        this.moveToDeadLetterQueue(m, now, redrive.deadLetterQueue);
        continue;
      }
      const handle = `rh-${++this.handleCounter}-${m.messageId}`;
      const view = viewOf(m);
      view.receiveCount = m.receiveCount + 1;
      view.firstReceivedAt = m.firstReceivedAt ?? now;
      view.receiptHandle = handle;
      view.visibleAt = now + (options.visibilityTimeoutMs ?? this.config.visibilityTimeoutMs);
      if (options.accept && !options.accept(view)) break;
      m.receiveCount = view.receiveCount;
      m.firstReceivedAt = view.firstReceivedAt;
      m.receiptHandle = handle;
      m.visibleAt = view.visibleAt;
      this.handles.set(handle, m);
      this.history.push({ t: now, messageId: m.messageId, copy: m.copy, what: "received", receiveCount: m.receiveCount });
      out.push(view);
    }
    return out;
  }

  /**
   * Deletes a received message. A handle from an earlier receive of a message received again since deletes nothing
   * (the request still succeeds): the later receiver owns the message now.
   */
  delete(now: number, receiptHandle: string): { ok: true; deleted: boolean } | { ok: false; code: string; message: string } {
    const m = this.handles.get(receiptHandle);
    if (!m) return { ok: false, code: "ReceiptHandleIsInvalid", message: `no message of ${this.name} was received with this receipt handle` };
    const i = this.messages.indexOf(m);
    if (i < 0) return { ok: true, deleted: false };
    if (m.receiptHandle !== receiptHandle) {
      this.history.push({ t: now, messageId: m.messageId, copy: m.copy, what: "stale-delete", receiveCount: m.receiveCount });
      return { ok: true, deleted: false };
    }
    this.messages.splice(i, 1);
    this.history.push({ t: now, messageId: m.messageId, copy: m.copy, what: "deleted", receiveCount: m.receiveCount });
    return { ok: true, deleted: true };
  }

  /**
   * Takes a received message out of the queue: to the dead-letter queue when a redrive policy names one, else it is
   * deleted (the event source mapping does this when recursive loop detection stops an invoke, lambda-model.md §3).
   */
  deadLetter(now: number, receiptHandle: string): "moved" | "deleted" | "gone" {
    const m = this.handles.get(receiptHandle);
    if (!m || m.receiptHandle !== receiptHandle || !this.messages.includes(m)) return "gone";
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
    if (!m || m.receiptHandle !== receiptHandle || !this.messages.includes(m)) {
      return { ok: false, code: "ReceiptHandleIsInvalid", message: `the receipt handle is not the latest of a message in ${this.name}` };
    }
    m.visibleAt = now + Math.max(0, Math.min(timeoutMs, L.sqsVisibilityTimeoutMaxMs));
    if (m.visibleAt <= now) this.notify();
    return { ok: true };
  }

  /** Every message held now (visible or in flight), oldest first, as copies. */
  contents(now: number): MessageView[] {
    this.sweep(now);
    return this.messages.map(viewOf);
  }

  visibleCount(now: number): number {
    this.sweep(now);
    let n = 0;
    for (const m of this.messages) if (m.visibleAt <= now) n++;
    return n;
  }

  /** Bytes of the visible messages' bodies and attributes (the mapping's batching window closes at 6 MB). */
  visibleBytes(now: number): number {
    this.sweep(now);
    let bytes = 0;
    for (const m of this.messages) if (m.visibleAt <= now) bytes += Queue.sizeOf(m.body, m.attributes);
    return bytes;
  }

  size(now: number): number {
    this.sweep(now);
    return this.messages.length;
  }

  /** When the next hidden message becomes visible again, or null if none is hidden. */
  nextVisibleAt(now: number): number | null {
    let next: number | null = null;
    for (const m of this.messages) if (m.visibleAt > now && (next === null || m.visibleAt < next)) next = m.visibleAt;
    return next;
  }

  /** Age of the oldest message held, in ms (0 when empty). */
  oldestAgeMs(now: number): number {
    this.sweep(now);
    return this.messages.length === 0 ? 0 : now - Math.min(...this.messages.map((m) => m.sentAt));
  }

  /** Receives of each message id so far (graders count deliveries). */
  receivesOf(messageId: string): number {
    return this.history.filter((e) => e.messageId === messageId && e.what === "received").length;
  }

  /** A message moved here by a redrive keeps its id, body, attributes and send time. */
  acceptMoved(m: MessageView, now: number): void {
    this.store({ ...m, receiveCount: 0, firstReceivedAt: null }, now);
    this.notify();
  }

  private moveToDeadLetterQueue(m: Stored, now: number, dlqName: string): void {
    this.messages.splice(this.messages.indexOf(m), 1);
    this.history.push({ t: now, messageId: m.messageId, copy: m.copy, what: "moved-to-dlq", receiveCount: m.receiveCount });
    this.env.resolve(dlqName).acceptMoved(viewOf(m), now);
  }

  private store(m: Omit<Stored, "receiveCount" | "firstReceivedAt" | "visibleAt" | "receiptHandle"> & Partial<Stored>, now: number): void {
    this.messages.push({ receiveCount: 0, firstReceivedAt: null, receiptHandle: null, ...m, visibleAt: now });
    this.history.push({ t: now, messageId: m.messageId, copy: m.copy, what: "sent", receiveCount: 0 });
  }

  /** Drops messages older than the retention period (lazily, whenever the queue is used). */
  private sweep(now: number): void {
    const keep = this.config.retentionMs;
    if (!this.messages.some((m) => now - m.sentAt >= keep)) return;
    this.messages = this.messages.filter((m) => {
      if (now - m.sentAt < keep) return true;
      this.history.push({ t: now, messageId: m.messageId, copy: m.copy, what: "expired", receiveCount: m.receiveCount });
      return false;
    });
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }

  private hop(now: number, bytes: number, sender: Sender, error: { code: string; message: string } | null): void {
    this.env.hops.add({
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
