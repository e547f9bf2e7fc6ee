/**
 * An event bus in the manner of EventBridge (lambda-model.md §5, "Neighbour services"). PutEvents takes at most 10
 * entries; each entry's size is 14 bytes if `time` is set plus the UTF-8 bytes of source, detail type, detail and each
 * resource, and must be under 1 MB. An entry that fails is reported in the response while the others go through
 * (for an oversize entry that is the model's choice: AWS does not say). Rules match on source and detail type and send
 * the event to functions (asynchronously) or queues. SIMPLIFICATION: targets get the event at put time, and a target's
 * refusal is not retried.
 */
import { z } from "zod";
import type { Prng } from "../runtime/prng.ts";
import { utf8Length } from "../runtime/payload.ts";
import type { CallContext, ServiceReply } from "../runtime/types.ts";
import { isRecord, ok, serviceError } from "./errors.ts";
import { describeBytes, SERVICE_LIMITS as L } from "./limits.ts";
import type { Sender } from "./queue.ts";
import { handOff, TargetSchema, type HandOffRecord, type TargetContext } from "./targets.ts";

export const RuleSchema = z
  .object({
    name: z.string().min(1),
    /** Matches events whose source is one of these (any source if omitted). */
    source: z.array(z.string()).optional(),
    /** Matches events whose detail type is one of these (any if omitted). */
    detailType: z.array(z.string()).optional(),
    targets: z.array(TargetSchema).min(1),
  })
  .strict();

export const EventBridgeConfigSchema = z
  .object({
    /** SIMPLIFICATION: virtual ms per PutEvents request (AWS documents no latency). */
    latencyMs: z.number().min(0).default(20),
    /** Rules of the default bus. */
    rules: z.array(RuleSchema).default([]),
  })
  .strict();
export type EventBridgeConfig = z.infer<typeof EventBridgeConfigSchema>;

/** One PutEvents entry, as handler code or a scenario writes it. */
export interface EntryInput {
  source?: unknown;
  detailType?: unknown;
  /** A JSON object, or its JSON text. */
  detail?: unknown;
  resources?: unknown;
  /** ISO time; when set it adds 14 bytes to the entry size. */
  time?: unknown;
}

export type EntryResult = { eventId: string } | { errorCode: string; errorMessage: string };

export interface PutEventsResult {
  failedEntryCount: number;
  entries: EntryResult[];
}

export interface BusEvent {
  t: number;
  id: string;
  event: Record<string, unknown>;
  sender: Sender;
  deliveries: HandOffRecord[];
}

/** Entry size by the documented formula (§5). */
export function entrySize(entry: { source: string; detailType: string; detail: string; resources: string[]; time: string | null }): number {
  let bytes = entry.time !== null ? L.eventBridgeTimeBytes : 0;
  bytes += utf8Length(entry.source) + utf8Length(entry.detailType) + utf8Length(entry.detail);
  for (const r of entry.resources) bytes += utf8Length(r);
  return bytes;
}

export class EventBus {
  readonly events: BusEvent[] = [];
  private readonly config: EventBridgeConfig;
  private readonly prng: Prng;
  private readonly ctx: TargetContext;
  private readonly epochMs: () => number;

  constructor(config: EventBridgeConfig, prng: Prng, ctx: TargetContext, epochMs: () => number) {
    this.config = config;
    this.prng = prng;
    this.ctx = ctx;
    this.epochMs = epochMs;
  }

  putEvents(now: number, entries: unknown, sender: Sender): { ok: true; value: PutEventsResult } | { ok: false; code: string; message: string } {
    if (!Array.isArray(entries) || entries.length === 0 || entries.length > L.eventBridgeMaxEntries) {
      return { ok: false, code: "ValidationException", message: `putEvents takes a list of 1 to ${L.eventBridgeMaxEntries} entries` };
    }
    const results = entries.map((entry) => this.putOne(now, isRecord(entry) ? (entry as EntryInput) : {}, sender));
    return { ok: true, value: { failedEntryCount: results.filter((r) => "errorCode" in r).length, entries: results } };
  }

  private putOne(now: number, input: EntryInput, sender: Sender): EntryResult {
    const fail = (errorCode: string, errorMessage: string, bytes = 0): EntryResult => {
      this.hop(now, bytes, sender, { code: errorCode, message: errorMessage });
      return { errorCode, errorMessage };
    };
    if (typeof input.source !== "string" || input.source === "") return fail("InvalidArgument", "an entry needs a source");
    if (typeof input.detailType !== "string" || input.detailType === "") return fail("InvalidArgument", "an entry needs a detailType");
    const detailText = typeof input.detail === "string" ? input.detail : JSON.stringify(input.detail ?? {});
    let detail: unknown;
    try {
      detail = JSON.parse(detailText);
    } catch {
      detail = undefined;
    }
    if (!isRecord(detail)) return fail("MalformedDetail", "the detail must be a JSON object");
    const resources = Array.isArray(input.resources) ? input.resources.filter((r): r is string => typeof r === "string") : [];
    const time = typeof input.time === "string" ? input.time : null;
    const bytes = entrySize({ source: input.source, detailType: input.detailType, detail: detailText, resources, time });
    if (bytes >= L.eventBridgeEntryLimitBytes) {
      return fail("ValidationException", `the entry is ${bytes.toLocaleString("en-US")} bytes by EventBridge's entry-size formula; it must be under ${describeBytes(L.eventBridgeEntryLimitBytes)}`, bytes);
    }
    this.hop(now, bytes, sender, null);
    const id = this.prng.uuid();
    const event = {
      version: "0",
      id,
      "detail-type": input.detailType,
      source: input.source,
      account: "123456789012",
      time: time ?? new Date(this.epochMs() + now).toISOString().replace(/\.\d{3}Z$/, "Z"),
      region: "us-east-1",
      resources,
      detail,
    };
    const record: BusEvent = { t: now, id, event, sender, deliveries: [] };
    this.events.push(record);
    const text = JSON.stringify(event);
    const from = { ...sender, via: "event bus default", service: "eventbridge" as const, resource: "default" };
    for (const rule of this.config.rules) {
      if (rule.source && !rule.source.includes(input.source)) continue;
      if (rule.detailType && !rule.detailType.includes(input.detailType)) continue;
      for (const target of rule.targets) {
        const r = handOff(this.ctx, target, now, { event: text, queueBody: text }, from);
        record.deliveries.push({ t: now, id, target, delivered: r.ok, error: r.ok ? null : r.error });
      }
    }
    return { eventId: id };
  }

  handle(operation: string, args: unknown[], call: CallContext): ServiceReply {
    const latencyMs = this.config.latencyMs;
    if (operation !== "putEvents") return { latencyMs, complete: () => serviceError("ValidationException", `unknown bus operation ${operation}`) };
    const sender: Sender = { call, via: "handler", chain: call.chain ?? null };
    return {
      latencyMs,
      complete: () => {
        const r = this.putEvents(call.time + latencyMs, args[0], sender);
        return r.ok ? ok(r.value) : serviceError(r.code, r.message);
      },
    };
  }

  private hop(now: number, bytes: number, sender: Sender, error: { code: string; message: string } | null): void {
    this.ctx.hops.add({ t: now, service: "eventbridge", resource: "default", operation: "PutEvents", bytes, limitBytes: L.eventBridgeEntryLimitBytes, outcome: error ? "rejected" : "accepted", error, invocation: sender.call?.invocation ?? null, chain: sender.chain });
  }
}
