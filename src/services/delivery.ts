/**
 * How SNS and EventBridge deliver to a target and retry a failed hand-off (lambda-model.md "Neighbour services:
 * delivery and retries"). Lambda accepting the async event ends the service's part: from then on §6 applies, so these
 * retries cover only a hand-off that failed (derived in the model).
 *
 * Cheap in time and memory: a hand-off's result depends only on the configuration and on the scenario's fault windows,
 * so after a failure the next attempt that could go differently is computed (the first one after the fault clears, or
 * none), and the attempts in between are one hop record. 100,015 retries of a missing target cost two events.
 *
 * SIMPLIFICATIONS (named in reports, "delivery-retries"): which failures are retried; the shape of SNS's backoff phase;
 * EventBridge's backoff constants; what a dead-letter message looks like; and that a refused dead-letter send loses the
 * message.
 */
import { z } from "zod";
import type { Prng } from "../runtime/prng.ts";
import { registerSimplification } from "../runtime/simplifications.ts";
import type { HopRecord, HopService } from "../runtime/trace.ts";
import { SERVICE_LIMITS as L } from "./limits.ts";
import type { Sender } from "./queue.ts";
import { describeTarget, handOff, type HandOffRecord, type Target, type TargetContext } from "./targets.ts";

registerSimplification(
  "delivery-retries",
  () =>
    "SNS makes its 100,015 retries after the first delivery attempt at exact times, with no jitter, and spaces its 10 backoff retries between 1 s and 20 s on an exponential curve (unless set to linear); EventBridge's retry delays double from 1 s up to 10 min, each half fixed and half drawn from the seeded generator (by default). A hand-off refused with RequestTooLargeException, InvalidParameterValue or MissingParameter is not retried (the same bytes cannot succeed) and goes to the dead-letter queue at once; other failures, a missing function included, are retried. A dead-letter message is the undelivered message with ErrorCode and ErrorMessage attributes, as in Lambda's own dead-letter queue; if the dead-letter queue refuses it, it is lost. AWS documents none of these details.",
);

/** Error names a service does not retry: sending the same bytes to the same target again cannot succeed (a choice). */
export const NON_RETRIABLE_DEFAULT = ["RequestTooLargeException", "InvalidParameterValue", "MissingParameter"];

/** A target a scenario makes unreachable for a while (fault injection): its hand-offs fail with `code`. */
export const DeliveryFaultSchema = z
  .object({
    /** The function that cannot be reached. */
    function: z.string().min(1).optional(),
    /** Or the queue that cannot be reached. */
    queue: z.string().min(1).optional(),
    /** Virtual ms the fault starts. */
    from: z.number().min(0).default(0),
    /** Virtual ms it clears (never, when omitted). */
    until: z.number().min(0).optional(),
    /** The error each hand-off gets (the workbook's name for a service-side failure). */
    code: z.string().min(1).default("ServiceException"),
    message: z.string().min(1).default("the target is unavailable (a fault the scenario injected)"),
    /** Whether the service retries this failure. */
    retriable: z.boolean().default(true),
  })
  .strict()
  .refine((f) => (f.function === undefined) !== (f.queue === undefined), { message: "name either a function or a queue", path: ["function"] })
  .refine((f) => f.until === undefined || f.until > f.from, { message: "until must be later than from", path: ["until"] });
export type DeliveryFault = z.infer<typeof DeliveryFaultSchema>;

// ---- attempt schedules ----

/** When a delivery's attempts happen if each one fails: attempt 1 is the first delivery, at `start`. */
export interface AttemptSchedule {
  /** When attempt `k` happens (if the policy makes it). */
  timeOf(k: number): number;
  /** The first attempt numbered `k` or later that happens at or after `t`, or null when the policy ends before. */
  firstFrom(k: number, t: number): { k: number; t: number } | null;
  /** The policy's last attempt. */
  last(): { k: number; t: number };
}

export type SnsBackoffFunction = "exponential" | "linear";

/**
 * SNS's policy for Lambda and SQS endpoints: retries 1–3 at once, 4–5 one second apart, 6–15 with backoff from 1 s to
 * 20 s, then 20 s apart up to retry 100,015. The backoff curve between 1 s and 20 s is not in the model: exponential
 * (each delay 20^(1/9) times the last) by default, or linear (a SIMPLIFICATION either way). No jitter.
 */
export function snsSchedule(start: number, backoff: SnsBackoffFunction): AttemptSchedule {
  const offsets = (SNS_OFFSETS[backoff] ??= snsOffsets(backoff));
  const phased = offsets.length - 1;
  const lastRetry = phased + L.snsPostBackoffRetries;
  const offsetOf = (r: number) => (r <= phased ? offsets[r]! : offsets[phased]! + (r - phased) * L.snsPostBackoffDelayMs);
  return {
    timeOf: (k) => start + offsetOf(k - 1),
    firstFrom(k, t) {
      let r = k - 1;
      while (r <= phased && start + offsetOf(r) < t) r++;
      if (r > phased && start + offsetOf(r) < t) r = phased + Math.ceil((t - start - offsets[phased]!) / L.snsPostBackoffDelayMs);
      return r > lastRetry ? null : { k: r + 1, t: start + offsetOf(r) };
    },
    last: () => ({ k: lastRetry + 1, t: start + offsetOf(lastRetry) }),
  };
}

/** Ms from the first attempt to retry r, for the first three phases (index 0 is the first attempt), by curve. */
const SNS_OFFSETS: Partial<Record<SnsBackoffFunction, number[]>> = {};

function snsOffsets(backoff: SnsBackoffFunction): number[] {
  const offsets = [0];
  let at = 0;
  for (let r = 0; r < L.snsImmediateRetries; r++) offsets.push(at);
  for (let r = 0; r < L.snsPreBackoffRetries; r++) offsets.push((at += L.snsPreBackoffDelayMs));
  const n: number = L.snsBackoffRetries;
  const min = L.snsBackoffMinDelayMs;
  const max = L.snsBackoffMaxDelayMs;
  for (let j = 0; j < n; j++) {
    const f = n === 1 ? 0 : j / (n - 1);
    offsets.push((at += Math.round(backoff === "linear" ? min + (max - min) * f : min * (max / min) ** f)));
  }
  return offsets;
}

export const EventBridgeBackoffSchema = z
  .object({
    /** Delay before the first retry, doubled for each further one. */
    baseMs: z.number().min(1).default(1_000),
    /** Largest delay between retries. */
    capMs: z.number().min(1).default(600_000),
    /** "equal": each delay is half fixed and half drawn from the seeded generator; "none": exact doubling. */
    jitter: z.enum(["equal", "none"]).default("equal"),
  })
  .strict();
export type EventBridgeBackoff = z.infer<typeof EventBridgeBackoffSchema>;

/**
 * An EventBridge rule target's retries: at most `maxRetries`, none later than `maxAgeMs` after the event was put,
 * spaced by exponential backoff with jitter (the constants are the workbook's: a SIMPLIFICATION). Delays are drawn
 * when first needed, in order, from `prng`, so a schedule is fixed by the seed.
 */
export function eventBridgeSchedule(start: number, maxRetries: number, maxAgeMs: number, backoff: EventBridgeBackoff, prng: () => Prng): AttemptSchedule {
  let times: number[] | null = null;
  const all = (): number[] => {
    if (times) return times;
    const random = prng();
    times = [start];
    let t = start;
    for (let r = 1; r <= maxRetries; r++) {
      const step = Math.min(backoff.capMs, backoff.baseMs * 2 ** (r - 1));
      t += Math.round(backoff.jitter === "none" ? step : step / 2 + (random.next() * step) / 2);
      if (t - start > maxAgeMs) break;
      times.push(t);
    }
    return times;
  };
  return {
    timeOf: (k) => all()[k - 1] ?? Infinity,
    firstFrom(k, t) {
      const ts = all();
      for (let i = k - 1; i < ts.length; i++) if (ts[i]! >= t) return { k: i + 1, t: ts[i]! };
      return null;
    },
    last() {
      const ts = all();
      return { k: ts.length, t: ts[ts.length - 1]! };
    },
  };
}

// ---- a retried delivery ----

export type DeliveryOutcome =
  /** The target took the message (for a function: Lambda accepted the async event). */
  | "delivered"
  /** A retry is due (or the run ended before the policy did). */
  | "retrying"
  /** Every attempt failed, or one failed in a way that is not retried; the message went to the dead-letter queue. */
  | "dead-lettered"
  /** Every attempt failed, or one failed in a way that is not retried, and there is no dead-letter queue. */
  | "dropped"
  /** As "dead-lettered", but the dead-letter queue refused the message, so it is lost. */
  | "dead-letter-failed";

/** What became of one message at one target: kept by the sending service, updated as attempts happen. */
export interface DeliveryRecord extends HandOffRecord {
  outcome: DeliveryOutcome;
  /** Attempts made so far (1 = the first delivery). */
  attempts: number;
  firstAttemptAt: number;
  lastAttemptAt: number;
  /** The next attempt's time while retrying; null otherwise. */
  nextAttemptAt: number | null;
  /** When the last attempt will be made, once every remaining attempt is known to fail the same way. */
  givesUpAt: number | null;
  /** Whether the last failure was one the service retries (null when delivered). */
  retriable: boolean | null;
  deadLetterQueue: string | null;
}

export interface DeliverySpec {
  /** The sending service and its resource (topic name, or the bus). */
  service: Extract<HopService, "sns" | "eventbridge">;
  resource: string;
  /** The message or event id. */
  id: string;
  target: Target;
  payload: { event: string; queueBody: string };
  from: Sender & { service: HopService; resource: string };
  schedule: AttemptSchedule;
  faults: readonly DeliveryFault[];
  nonRetriable: readonly string[];
  /** Queue for messages that could not be delivered, and the body it gets. */
  deadLetter: { queue: string; body: string } | null;
}

/** Makes the first attempt now and schedules the retries the policy calls for; returns the record it keeps updated. */
export function deliver(ctx: TargetContext, spec: DeliverySpec, now: number): DeliveryRecord {
  const record: DeliveryRecord = {
    t: now,
    id: spec.id,
    target: spec.target,
    delivered: false,
    error: null,
    outcome: "retrying",
    attempts: 0,
    firstAttemptAt: now,
    lastAttemptAt: now,
    nextAttemptAt: null,
    givesUpAt: null,
    retriable: null,
    deadLetterQueue: spec.deadLetter?.queue ?? null,
  };
  const name = "queue" in spec.target ? spec.target.queue : spec.target.lambda;
  const kind = "queue" in spec.target ? "queue" : "function";
  // The last attempt's hop: the records that stand for several attempts repeat its target, size and limit.
  let lastHop: HopRecord | null = null;

  const attempt = (k: number, t: number): void => {
    const fault = spec.faults.find((f) => (kind === "queue" ? f.queue : f.function) === name && f.from <= t && (f.until === undefined || t < f.until)) ?? null;
    const before = ctx.hops.records.length;
    const r = handOff(ctx, spec.target, t, spec.payload, spec.from, fault && { code: fault.code, message: fault.message });
    const hop = ctx.hops.records[before];
    if (hop) {
      hop.attempts = { first: k, last: k, lastT: t };
      lastHop = hop;
    }
    record.attempts = k;
    record.lastAttemptAt = t;
    record.nextAttemptAt = null;
    if (r.ok) {
      record.delivered = true;
      record.error = null;
      record.outcome = "delivered";
      record.retriable = null;
      return;
    }
    record.error = r.error;
    record.retriable = fault ? fault.retriable : !spec.nonRetriable.includes(r.error.name);
    ctx.functions()?.noteSimplification("delivery-retries");
    if (!record.retriable) return giveUp(t, "not retried");
    // Nothing can change before the fault clears (or ever, for a failure of the configuration itself).
    const clears = fault ? (fault.until ?? Infinity) : Infinity;
    const next = clears === Infinity ? null : spec.schedule.firstFrom(k + 1, clears);
    const port = ctx.functions();
    if (!port) return; // no clock attached: the delivery stays "retrying"
    if (next) {
      record.nextAttemptAt = next.t;
      port.at(next.t, () => {
        repeated(k + 1, next.k - 1);
        attempt(next.k, next.t);
      });
      return;
    }
    const last = spec.schedule.last();
    if (last.k <= k) return giveUp(t, "retries exhausted");
    const following = spec.schedule.firstFrom(k + 1, t)!;
    record.nextAttemptAt = following.t;
    record.givesUpAt = last.t;
    port.at(last.t, () => {
      repeated(k + 1, last.k);
      record.attempts = last.k;
      record.lastAttemptAt = last.t;
      record.nextAttemptAt = null;
      giveUp(last.t, "retries exhausted");
    });
  };

  /** One hop record for attempts `first`–`last`, which all failed like the one before them. */
  const repeated = (first: number, last: number): void => {
    if (last < first || !lastHop) return;
    const { seq: _seq, ...like } = lastHop;
    ctx.hops.add({ ...like, t: spec.schedule.timeOf(first), attempts: { first, last, lastT: spec.schedule.timeOf(last) } });
  };

  const giveUp = (t: number, why: "not retried" | "retries exhausted"): void => {
    const error = record.error!;
    const dlq = spec.deadLetter;
    const tries = `${record.attempts.toLocaleString("en-US")} attempt${record.attempts === 1 ? "" : "s"}`;
    const reason = why === "not retried" ? `${error.name} is not retried` : `the retry policy ended after ${tries}`;
    ctx.hops.add({
      t,
      service: spec.service,
      resource: spec.resource,
      operation: `Deliver to ${describeTarget(spec.target)}`,
      bytes: lastHop?.bytes ?? 0,
      limitBytes: lastHop?.limitBytes ?? 0,
      outcome: "given-up",
      error: { code: error.name, message: `${reason}; the message ${dlq ? `goes to the dead-letter queue ${dlq.queue}` : "is dropped (no dead-letter queue)"}` },
      invocation: spec.from.call?.invocation ?? null,
      chain: spec.from.chain,
      attempts: { first: 1, last: record.attempts, lastT: t },
    });
    if (!dlq) {
      record.outcome = "dropped";
      return;
    }
    const sender: Sender = { call: null, via: `${spec.service} ${spec.resource} dead-letter queue`, chain: spec.from.chain };
    const sent = ctx.queues.queue(dlq.queue).send(t, { body: dlq.body, attributes: { ErrorCode: error.name, ErrorMessage: error.message } }, sender);
    record.outcome = sent.ok ? "dead-lettered" : "dead-letter-failed";
  };

  attempt(1, now);
  return record;
}
