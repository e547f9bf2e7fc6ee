/**
 * An event bus in the manner of EventBridge (lambda-model.md §5, "Neighbour services"). PutEvents takes at most 10
 * entries; each entry's size is 14 bytes if `time` is set plus the UTF-8 bytes of source, detail type, detail and each
 * resource, and must be under 1 MB. An entry that fails is reported in the response while the others go through
 * (for an oversize entry that is the model's choice: AWS does not say). Rules match on source and detail type and send
 * the event to functions (asynchronously) or queues. The first delivery happens at put time; a failed one is retried
 * within the target's retry policy (185 retries and 24 h by default, exponential backoff with jitter, see
 * delivery.ts), then the event goes to the target's dead-letter queue or is dropped.
 */
import { z } from "zod";
import type { Prng } from "../runtime/prng.ts";
import { utf8Length } from "../runtime/payload.ts";
import type { CallContext, ServiceReply } from "../runtime/types.ts";
import { isRecord, ok, serviceError } from "./errors.ts";
import { describeBytes, SERVICE_LIMITS as L } from "./limits.ts";
import type { Sender } from "./queue.ts";
import { deliver, DeliveryFaultSchema, EventBridgeBackoffSchema, eventBridgeSchedule, NON_RETRIABLE_DEFAULT, type DeliveryRecord } from "./delivery.ts";
import { targetWith, type TargetContext } from "./targets.ts";

/** A rule target's `RetryPolicy` ("Neighbour services: delivery and retries"). */
export const RetryPolicySchema = z
  .object({
    /** Whose defaults apply: a rule target's (185 retries, 24 h) or the newer subscriber model's (5 retries, 300 s). */
    defaults: z.enum(["rule", "subscriber"]).default("rule"),
    /** `MaximumRetryAttempts`: 0–185. */
    maximumRetryAttempts: z.number().int().min(0, "MaximumRetryAttempts is 0 to 185").max(L.eventBridgeMaxRetryAttempts, "MaximumRetryAttempts is 0 to 185").optional(),
    /** `MaximumEventAgeInSeconds`: 60–86,400. */
    maximumEventAgeInSeconds: z
      .number()
      .int()
      .min(L.eventBridgeMinEventAgeSeconds, "MaximumEventAgeInSeconds is 60 to 86,400")
      .max(L.eventBridgeMaxEventAgeSeconds, "MaximumEventAgeInSeconds is 60 to 86,400")
      .optional(),
  })
  .strict()
  .transform(({ defaults, maximumRetryAttempts, maximumEventAgeInSeconds }) => {
    const subscriber = defaults === "subscriber";
    return {
      maximumRetryAttempts: maximumRetryAttempts ?? (subscriber ? L.eventBridgeSubscriberRetryAttempts : L.eventBridgeMaxRetryAttempts),
      maximumEventAgeInSeconds: maximumEventAgeInSeconds ?? (subscriber ? L.eventBridgeSubscriberEventAgeSeconds : L.eventBridgeMaxEventAgeSeconds),
    };
  });

export const RuleTargetSchema = targetWith({
  retryPolicy: RetryPolicySchema.prefault({}),
  /**
   * An SQS queue for events EventBridge could not deliver. It gets the event with `ErrorCode` and `ErrorMessage`
   * attributes (a SIMPLIFICATION).
   */
  deadLetterQueue: z.string().min(1).optional(),
});

export const RuleSchema = z
  .object({
    name: z.string().min(1),
    /** Matches events whose source is one of these (any source if omitted). */
    source: z.array(z.string()).optional(),
    /** Matches events whose detail type is one of these (any if omitted). */
    detailType: z.array(z.string()).optional(),
    targets: z.array(RuleTargetSchema).min(1),
  })
  .strict();

export const EventBridgeConfigSchema = z
  .object({
    /** SIMPLIFICATION: virtual ms per PutEvents request (AWS documents no latency). */
    latencyMs: z.number().min(0).default(20),
    /** Rules of the default bus. */
    rules: z.array(RuleSchema).default([]),
    /** SIMPLIFICATION: the retry backoff's constants (the model says "exponential backoff with jitter", no numbers). */
    backoff: EventBridgeBackoffSchema.prefault({}),
    /** SIMPLIFICATION: error names EventBridge does not retry (the model does not say which failures are retriable). */
    nonRetriableErrors: z.array(z.string().min(1)).default(NON_RETRIABLE_DEFAULT),
    /** Targets a scenario makes unreachable for a while (fault injection). */
    faults: z.array(DeliveryFaultSchema).default([]),
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
  /** What became of the event at each matching rule's targets, in rule and target order. */
  deliveries: DeliveryRecord[];
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
  /** Draws the retry jitter; forked on the first failed delivery, so runs without one keep their ids. */
  private retryPrng: Prng | null = null;

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
        const policy = target.retryPolicy;
        const schedule = eventBridgeSchedule(now, policy.maximumRetryAttempts, policy.maximumEventAgeInSeconds * 1000, this.config.backoff, () => (this.retryPrng ??= this.prng.fork("retries")));
        const deadLetter = target.deadLetterQueue ? { queue: target.deadLetterQueue, body: text } : null;
        const payload = { event: text, queueBody: text };
        const spec = { service: "eventbridge" as const, resource: "default", id, target, payload, from, schedule, faults: this.config.faults, nonRetriable: this.config.nonRetriableErrors, deadLetter };
        record.deliveries.push(deliver(this.ctx, spec, now));
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
