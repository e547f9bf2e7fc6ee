/**
 * Where an asynchronous invocation's outcome goes (lambda-model.md §6): on-success and on-failure destinations with
 * their invocation record, and the older dead-letter queue with the bare event and three attributes.
 *
 * The simulator builds the messages; a `DestinationTargets` (the simulated queues, topics, buses and buckets, when a
 * scenario has them) accepts or refuses them. Every delivery is also kept in `Simulation.deliveries`, so graders can
 * read what was sent even without those services.
 */
import { z } from "zod/mini";
import { formatLogTime } from "./logs.ts";
import type { Chain } from "./recursion.ts";
import type { InvocationRecord } from "./trace.ts";
import type { JsonText } from "./types.ts";

/** A destination of async invocation records (§6): S3 only on failure (checked by the function schema). */
export const DestinationSchema = z.strictObject({
    type: z.enum(["sqs", "sns", "lambda", "eventbridge", "s3"]),
    /** Queue, topic, function, bus or bucket name. A queue or topic named `*.fifo` is FIFO, which Lambda refuses. */
    name: z.string().check(z.minLength(1)),
  });
export type Destination = z.infer<typeof DestinationSchema>;

/** The older dead-letter queue of a function: an SQS queue or SNS topic (§6). */
export const DeadLetterQueueSchema = z.strictObject({ type: z.enum(["sqs", "sns"]), name: z.string().check(z.minLength(1)) });
export type DeadLetterQueue = z.infer<typeof DeadLetterQueueSchema>;

/** `requestContext.condition`: RetriesExhausted is documented; EventAgeExceeded and Success are unsourced names (§6). */
export type RecordCondition = "RetriesExhausted" | "EventAgeExceeded" | "Success";

export type DeliveryKind = "on-success" | "on-failure" | "dead-letter";

/** One message sent (or refused) at a destination or dead-letter queue. */
export interface Delivery {
  t: number;
  kind: DeliveryKind;
  functionName: string;
  /** The async event it concerns (InvocationRecord.eventId) and its request id. */
  eventId: string;
  requestId: string;
  target: Destination;
  /** The message body: the invocation record (destinations) or the event itself (dead-letter queue). */
  body: JsonText;
  /** Message attributes (the dead-letter queue's RequestID, ErrorCode, ErrorMessage). */
  attributes: Record<string, string>;
  delivered: boolean;
  error: { name: string; message: string } | null;
}

/** What a destination service answers: accepted, or refused with a named error. */
export type DeliveryResult = { ok: true } | { ok: false; error: { name: string; message: string } };

/** The simulated services that can receive destination records (queues, topics, buses, buckets). */
export interface DestinationTargets {
  /** `chain` is the chain of the invocation the record is about: the message carries it (recursion detection, §3). */
  deliver(target: Destination, body: JsonText, attributes: Record<string, string>, at: number, chain: Chain): DeliveryResult;
}

/** SNS destinations take 256 KB; a larger record is sent without its payloads (§5, [L-onfailure]). */
const SNS_DESTINATION_LIMIT_BYTES = 262_144;

export interface RecordInput {
  now: number;
  epochMs: number;
  functionArn: string;
  requestId: string;
  condition: RecordCondition;
  /** Attempts that ran (0 when none did: reserved concurrency 0, or throttled until too old). */
  invokeCount: number;
  event: JsonText;
  /** The last attempt that ran, if any. */
  last: InvocationRecord | null;
}

/** The invocation record of §6, as JSON text. */
export function invocationRecord(input: RecordInput): JsonText {
  const { last } = input;
  const head =
    `{"version":"1.0","timestamp":${JSON.stringify(formatLogTime(input.epochMs, input.now))},` +
    `"requestContext":{"requestId":${JSON.stringify(input.requestId)},"functionArn":${JSON.stringify(`${input.functionArn}:$LATEST`)},` +
    `"condition":"${input.condition}","approximateInvokeCount":${input.invokeCount}},"requestPayload":${input.event}`;
  // SIMPLIFICATION: when no attempt ran, the record has no response part (AWS's examples always show one).
  if (last === null) return `${head}}`;
  if (last.outcome === "success") {
    return `${head},"responseContext":{"statusCode":200,"executedVersion":"$LATEST"},"responsePayload":${last.response ?? "null"}}`;
  }
  const error = last.error ?? { errorType: "Unknown", errorMessage: "" };
  return `${head},"responseContext":{"statusCode":200,"executedVersion":"$LATEST","functionError":"Unhandled"},"responsePayload":${JSON.stringify(error)}}`;
}

/** The record as an SNS destination receives it: without request and response payloads when over 256 KB (§5). */
export function recordForTarget(target: Destination, record: JsonText, sizeOf: (text: string) => number): JsonText {
  if (target.type !== "sns" || sizeOf(record) <= SNS_DESTINATION_LIMIT_BYTES) return record;
  const parsed = JSON.parse(record) as Record<string, unknown>;
  delete parsed.requestPayload;
  delete parsed.responsePayload;
  return JSON.stringify(parsed);
}

/**
 * The dead-letter queue's message attributes (§6; names from an image in the docs). SIMPLIFICATION: ErrorCode is the
 * HTTP status of the last attempt (200 for a function error, 429 when it never ran) and ErrorMessage its error text.
 */
export function deadLetterAttributes(requestId: string, last: InvocationRecord | null, reason: string): Record<string, string> {
  if (last === null || last.outcome === "success") return { RequestID: requestId, ErrorCode: "429", ErrorMessage: reason };
  return { RequestID: requestId, ErrorCode: "200", ErrorMessage: last.error?.errorMessage ?? reason };
}

/** Lambda refuses FIFO queues and topics as destinations and dead-letter queues (§6). */
export function fifoRefusal(target: Destination): DeliveryResult | null {
  if ((target.type === "sqs" || target.type === "sns") && target.name.endsWith(".fifo")) {
    return {
      ok: false,
      error: {
        name: "InvalidParameterValueException",
        message: `${target.type === "sqs" ? "queue" : "topic"} ${target.name} is FIFO; Lambda sends async records only to standard queues and topics`,
      },
    };
  }
  return null;
}

/** How a destination is named in a sentence: "SQS queue failed-orders". */
export function describeTarget(target: Destination): string {
  const kinds = { sqs: "SQS queue", sns: "SNS topic", lambda: "function", eventbridge: "event bus", s3: "S3 bucket" } as const;
  return `${kinds[target.type]} ${target.name}`;
}

/** What the router needs from the simulation. */
export interface DestinationHost {
  readonly now: number;
  readonly epochMs: number;
  /** Hands a record to another function as an async event (a Lambda destination). */
  invokeFunction(name: string, body: JsonText, chain: Chain): DeliveryResult;
}

/** The async event an outcome concerns. */
export interface OutcomeEvent {
  functionName: string;
  functionArn: string;
  eventId: string;
  requestId: string;
  payload: JsonText;
  chain: Chain;
}

/** Sends async outcomes to their destinations and dead-letter queue, and counts what could not be sent (§6). */
export class DestinationRouter {
  /** Every message sent or refused, in order (kept only when the simulation records its trace). */
  readonly deliveries: Delivery[] = [];
  /** CloudWatch `DestinationDeliveryFailures`: records a destination refused. */
  destinationDeliveryFailures = 0;
  /** CloudWatch `DeadLetterErrors`: events the dead-letter queue refused (they are deleted). */
  deadLetterErrors = 0;
  private readonly host: DestinationHost;
  private readonly targets: DestinationTargets | null;
  private readonly keep: boolean;
  private readonly sizeOf: (text: string) => number;

  constructor(host: DestinationHost, targets: DestinationTargets | null, keep: boolean, sizeOf: (text: string) => number) {
    this.host = host;
    this.targets = targets;
    this.keep = keep;
    this.sizeOf = sizeOf;
  }

  /** An event succeeded: its record goes to the on-success destination. */
  succeeded(target: Destination, event: OutcomeEvent, last: InvocationRecord): void {
    const record = this.record(event, "Success", last.attempt, last);
    this.send("on-success", target, event, record, {});
  }

  /**
   * An event was given up: its record goes to the on-failure destination and its body to the dead-letter queue.
   * Returns where it went, as a clause for the learner ("" when neither is configured).
   */
  failed(
    onFailure: Destination | null,
    deadLetter: DeadLetterQueue | null,
    event: OutcomeEvent,
    condition: RecordCondition,
    last: InvocationRecord | null,
    reason: string,
  ): string {
    const parts: string[] = [];
    if (onFailure) {
      const record = this.record(event, condition, last?.attempt ?? 0, last);
      const result = this.send("on-failure", onFailure, event, record, {});
      parts.push(result.ok ? `its record went to the on-failure destination (${describeTarget(onFailure)})` : `the on-failure destination (${describeTarget(onFailure)}) refused its record: ${result.error.message}`);
    }
    if (deadLetter) {
      const result = this.send("dead-letter", deadLetter, event, event.payload, deadLetterAttributes(event.requestId, last, reason));
      parts.push(result.ok ? `it went to the dead-letter queue (${describeTarget(deadLetter)})` : `the dead-letter queue (${describeTarget(deadLetter)}) refused it, so it was deleted: ${result.error.message}`);
    }
    return parts.join("; ");
  }

  private record(event: OutcomeEvent, condition: RecordCondition, invokeCount: number, last: InvocationRecord | null): JsonText {
    return invocationRecord({
      now: this.host.now,
      epochMs: this.host.epochMs,
      functionArn: event.functionArn,
      requestId: event.requestId,
      condition,
      invokeCount,
      event: event.payload,
      last,
    });
  }

  private send(kind: DeliveryKind, target: Destination, event: OutcomeEvent, body: JsonText, attributes: Record<string, string>): DeliveryResult {
    const message = kind === "dead-letter" ? body : recordForTarget(target, body, this.sizeOf);
    const result =
      fifoRefusal(target) ??
      (target.type === "lambda"
        ? this.host.invokeFunction(target.name, message, event.chain)
        : (this.targets?.deliver(target, message, attributes, this.host.now, event.chain) ?? { ok: true }));
    if (!result.ok) {
      if (kind === "dead-letter") this.deadLetterErrors++;
      else this.destinationDeliveryFailures++;
    }
    if (this.keep) {
      this.deliveries.push({
        t: this.host.now,
        kind,
        functionName: event.functionName,
        eventId: event.eventId,
        requestId: event.requestId,
        target,
        body: message,
        attributes,
        delivered: result.ok,
        error: result.ok ? null : result.error,
      });
    }
    return result;
  }
}
