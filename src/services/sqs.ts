/**
 * The queue service: named queues (created on first use; a name ending in `.fifo` makes a FIFO queue) and the
 * operations handler code may call. Host code (scenario steps, topic subscriptions, destinations, the event source
 * mapping) uses `queue(name)` and the Queue methods directly.
 */
import { z } from "zod";
import type { HopLog } from "../runtime/hops.ts";
import type { Prng } from "../runtime/prng.ts";
import type { CallContext, ServiceReply, ServiceResult } from "../runtime/types.ts";
import { isRecord, ok, serviceError } from "./errors.ts";
import { SERVICE_LIMITS } from "./limits.ts";
import { Queue, QueueConfigSchema, type AttributeValue, type QueueGauge, type SendInput, type Sender } from "./queue.ts";

export const SqsConfigSchema = z
  .object({
    /** SIMPLIFICATION: virtual ms per queue request (AWS documents no latency). */
    latencyMs: z.number().min(0).default(10),
    /** Share of standard-queue sends stored twice, so at-least-once delivery shows on demand (seeded, default 0, §7). */
    duplicateRate: z.number().min(0).max(1).default(0),
    /** Queues with settings other than the defaults, by name (the others are created on first use). */
    queues: z.record(z.string().regex(/^[A-Za-z0-9_-]{1,75}(\.fifo)?$/, "letters, digits, '-' or '_', optionally ending in .fifo"), QueueConfigSchema).default({}),
  })
  .strict();
export type SqsConfig = z.infer<typeof SqsConfigSchema>;

export class QueueService {
  private readonly queues = new Map<string, Queue>();
  private readonly config: SqsConfig;
  private readonly prng: Prng;
  private readonly hops: HopLog;

  constructor(config: SqsConfig, prng: Prng, hops: HopLog) {
    this.config = config;
    this.prng = prng;
    this.hops = hops;
    for (const name of Object.keys(config.queues)) this.queue(name);
  }

  /** The queue called `name`, created with the configured (or default) settings on first use. */
  queue(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, this.config.queues[name] ?? QueueConfigSchema.parse({}), {
        prng: this.prng,
        duplicateRate: this.config.duplicateRate,
        resolve: (other) => this.queue(other),
        hops: this.hops,
      });
      this.queues.set(name, q);
    }
    return q;
  }

  names(): string[] {
    return [...this.queues.keys()];
  }

  /** Every queue's depth and oldest message age now, by name (read only). */
  gauges(now: number): Record<string, QueueGauge> {
    const out: Record<string, QueueGauge> = {};
    for (const [name, q] of this.queues) out[name] = q.gauge(now);
    return out;
  }

  handle(operation: string, args: unknown[], call: CallContext): ServiceReply {
    const latencyMs = this.config.latencyMs;
    const at = call.time + latencyMs;
    const [name, a, b] = args;
    if (typeof name !== "string" || name === "") return { latencyMs, complete: () => serviceError("InvalidParameterValue", "queue(name): name must be a non-empty string") };
    const sender: Sender = { call, via: "handler", chain: call.chain ?? null };
    switch (operation) {
      case "send": {
        const input = sendInput(a, b);
        return { latencyMs, complete: () => sendResult(this.queue(name).send(at, input, sender)) };
      }
      case "sendBatch": {
        if (!Array.isArray(a)) return { latencyMs, complete: () => serviceError("InvalidParameterValue", "sendBatch(entries): entries must be an array") };
        if (a.length === 0) return { latencyMs, complete: () => serviceError("EmptyBatchRequest", "sendBatch: the batch has no entries") };
        if (a.length > SERVICE_LIMITS.sqsBatchMaxEntries) {
          return { latencyMs, complete: () => serviceError("TooManyEntriesInBatchRequest", `sendBatch: ${a.length} entries; a batch holds at most ${SERVICE_LIMITS.sqsBatchMaxEntries}`) };
        }
        return {
          latencyMs,
          complete: () => {
            const successful: Array<{ id: string; messageId: string }> = [];
            const failed: Array<{ id: string; code: string; message: string }> = [];
            a.forEach((entry, i) => {
              const id = isRecord(entry) && typeof entry.id === "string" ? entry.id : String(i);
              const r = this.queue(name).send(at, sendInput(isRecord(entry) ? entry.body : undefined, entry), sender);
              if (r.ok) successful.push({ id, messageId: r.messageId });
              else failed.push({ id, code: r.code, message: r.message });
            });
            return ok({ successful, failed });
          },
        };
      }
      case "receive": {
        const max = isRecord(a) && typeof a.maxMessages === "number" ? Math.floor(a.maxMessages) : 1;
        const vt = isRecord(a) && typeof a.visibilityTimeoutMs === "number" ? a.visibilityTimeoutMs : undefined;
        if (max < 1 || max > SERVICE_LIMITS.sqsBatchMaxEntries) {
          return { latencyMs, complete: () => serviceError("InvalidParameterValue", `receive: maxMessages must be 1 to ${SERVICE_LIMITS.sqsBatchMaxEntries}`) };
        }
        const q = this.queue(name);
        const asked = isRecord(a) ? a.waitTimeSeconds : undefined;
        const wait = asked === undefined || asked === null ? q.config.receiveMessageWaitTimeSeconds : asked;
        if (typeof wait !== "number" || !Number.isInteger(wait) || wait < 0 || wait > SERVICE_LIMITS.sqsReceiveWaitMaxSeconds) {
          return { latencyMs, complete: () => serviceError("InvalidParameterValue", `receive: waitTimeSeconds must be a whole number from 0 to ${SERVICE_LIMITS.sqsReceiveWaitMaxSeconds}`) };
        }
        const take = (now: number): ServiceResult =>
          ok(
            q
              .receive(now, max, vt === undefined ? {} : { visibilityTimeoutMs: vt })
              .map((m) => ({ messageId: m.messageId, receiptHandle: m.receiptHandle, body: m.body, attributes: m.attributes, receiveCount: m.receiveCount, groupId: m.groupId })),
          );
        // Short polling, or a message is there already: the answer comes after the queue's latency.
        if (wait === 0 || q.hasReceivable(call.time)) return { latencyMs, complete: () => take(at) };
        // Long polling on an empty queue (§7): the receive waits until a message arrives (its send wakes it, and it
        // answers at that instant) or the wait ends; a message whose visibility timeout ends first ends the wait then.
        const reappears = q.nextVisibleAt(call.time);
        const waitMs = Math.max(latencyMs, Math.min(wait * 1_000, reappears === null ? Infinity : reappears - call.time));
        let wokenAt: number | null = null;
        return {
          latencyMs: waitMs,
          complete: () => take(wokenAt ?? call.time + waitMs),
          wakeEarly: (wake) =>
            q.waitForMessage((now) => {
              if (!wake()) return false;
              wokenAt = now;
              return true;
            }),
        };
      }
      case "delete":
        return {
          latencyMs,
          complete: () => {
            const r = this.queue(name).delete(at, String(a));
            return r.ok ? ok(null) : serviceError(r.code, r.message);
          },
        };
      case "changeVisibility":
        return {
          latencyMs,
          complete: () => {
            const r = this.queue(name).changeVisibility(at, String(a), typeof b === "number" ? b : 0);
            return r.ok ? ok(null) : serviceError(r.code, r.message);
          },
        };
      default:
        return { latencyMs, complete: () => serviceError("InvalidParameterValue", `unknown queue operation ${operation}`) };
    }
  }
}

/** The learner's `send(body, options)` as a SendInput; the queue validates the values. */
function sendInput(body: unknown, options: unknown): SendInput {
  const o = isRecord(options) ? options : {};
  return {
    body: body as string,
    groupId: typeof o.groupId === "string" ? o.groupId : null,
    deduplicationId: typeof o.deduplicationId === "string" ? o.deduplicationId : null,
    attributes: isRecord(o.attributes) ? (Object.fromEntries(Object.entries(o.attributes).filter(([, v]) => typeof v === "string" || typeof v === "number")) as Record<string, AttributeValue>) : null,
  };
}

function sendResult(r: ReturnType<Queue["send"]>) {
  return r.ok ? ok({ messageId: r.messageId, sequenceNumber: r.sequenceNumber }) : serviceError(r.code, r.message);
}
