/**
 * A pub/sub topic in the manner of SNS (lambda-model.md §5, "Neighbour services"): publish refuses a message over
 * the topic's maximum size (256 KiB by default, up to 1 MiB) with `InvalidParameter`; subscribers are functions
 * (invoked asynchronously with an SNS event) and queues (sent the notification envelope, or the raw message).
 * The first delivery happens at publish time; a failed one is retried by SNS's policy for Lambda and SQS endpoints
 * (100,015 retries over 23 days, see delivery.ts), then the message goes to the subscription's dead-letter queue or
 * is dropped.
 */
import { z } from "zod";
import type { HopLog } from "../runtime/hops.ts";
import type { Prng } from "../runtime/prng.ts";
import type { CallContext, ServiceReply } from "../runtime/types.ts";
import { isRecord, ok, serviceError } from "./errors.ts";
import { describeBytes, SERVICE_LIMITS as L } from "./limits.ts";
import { Queue, type AttributeValue, type Sender } from "./queue.ts";
import { deliver, DeliveryFaultSchema, NON_RETRIABLE_DEFAULT, snsSchedule, type DeliveryRecord } from "./delivery.ts";
import { targetWith, type TargetContext } from "./targets.ts";

export const SubscriptionSchema = targetWith({
  /**
   * An SQS queue for messages SNS could not deliver (the subscription's redrive policy). It gets the notification
   * envelope (or the raw message) with `ErrorCode` and `ErrorMessage` attributes (a SIMPLIFICATION).
   */
  deadLetterQueue: z.string().min(1).optional(),
});

export const TopicConfigSchema = z
  .object({
    /** `MaximumMessageSize` in bytes: 256 KiB by default, 1,024 – 1,048,576 (§5). */
    maximumMessageSize: z.number().int().min(L.snsMaximumMessageSizeMin).max(L.snsMaxBytes).default(L.snsDefaultMaxBytes),
    subscriptions: z.array(SubscriptionSchema).default([]),
  })
  .strict();
export type TopicConfig = z.infer<typeof TopicConfigSchema>;

export const SnsConfigSchema = z
  .object({
    /** SIMPLIFICATION: virtual ms per publish (AWS documents no latency). */
    latencyMs: z.number().min(0).default(15),
    topics: z.record(z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, "letters, digits, '-' or '_'"), TopicConfigSchema).default({}),
    /** SIMPLIFICATION: the curve of the 10 backoff retries between 1 s and 20 s (the model gives only the ends). */
    backoffFunction: z.enum(["exponential", "linear"]).default("exponential"),
    /** SIMPLIFICATION: error names SNS does not retry (the model does not say which failures are retriable). */
    nonRetriableErrors: z.array(z.string().min(1)).default(NON_RETRIABLE_DEFAULT),
    /** Subscribers a scenario makes unreachable for a while (fault injection). */
    faults: z.array(DeliveryFaultSchema).default([]),
  })
  .strict();
export type SnsConfig = z.infer<typeof SnsConfigSchema>;

export interface PublishInput {
  message: string;
  subject?: string | null;
  attributes?: Record<string, AttributeValue> | null;
}

export interface Publication {
  t: number;
  topic: string;
  messageId: string;
  message: string;
  /** Publish requests SNS bills for it: one per started 64 KB chunk of its body and attributes (§5 SNS billing). */
  billedRequests: number;
  sender: Sender;
  /** What became of the message at each subscription, in subscription order. */
  deliveries: DeliveryRecord[];
}

/** SNS bills every 64 KB chunk of published data as one request (§5; 64 × 1,024 bytes). */
const SNS_BILLING_CHUNK_BYTES = 65_536;

export class TopicService {
  /** Every accepted publish with what each subscriber got. */
  readonly published: Publication[] = [];
  /** Publish requests billed so far: each accepted publish counts one per 64 KB chunk (§5 SNS billing). */
  billedRequests = 0;
  private readonly config: SnsConfig;
  private readonly prng: Prng;
  private readonly ctx: TargetContext;
  private readonly epochMs: () => number;

  constructor(config: SnsConfig, prng: Prng, ctx: TargetContext, epochMs: () => number) {
    this.config = config;
    this.prng = prng;
    this.ctx = ctx;
    this.epochMs = epochMs;
  }

  private get hops(): HopLog {
    return this.ctx.hops;
  }

  topicConfig(name: string): TopicConfig {
    return this.config.topics[name] ?? TopicConfigSchema.parse({});
  }

  publish(now: number, name: string, input: PublishInput, sender: Sender): { ok: true; messageId: string } | { ok: false; code: string; message: string } {
    const config = this.topicConfig(name);
    const refuse = (message: string, bytes: number) => {
      this.hop(now, name, bytes, config.maximumMessageSize, sender, { code: "InvalidParameter", message });
      return { ok: false as const, code: "InvalidParameter", message };
    };
    if (typeof input.message !== "string" || input.message === "") return refuse("the message must be a non-empty string (serialize objects with JSON.stringify)", 0);
    const bytes = Queue.sizeOf(input.message, input.attributes);
    if (bytes > config.maximumMessageSize) {
      return refuse(`the message is ${bytes.toLocaleString("en-US")} bytes (body and attributes), over the topic's maximum message size of ${describeBytes(config.maximumMessageSize)}`, bytes);
    }
    this.hop(now, name, bytes, config.maximumMessageSize, sender, null);
    const messageId = this.prng.uuid();
    const arn = `arn:aws:sns:us-east-1:123456789012:${name}`;
    const timestamp = new Date(this.epochMs() + now).toISOString();
    const attributes: Record<string, { Type: string; Value: string }> = {};
    for (const [k, v] of Object.entries(input.attributes ?? {})) attributes[k] = { Type: typeof v === "number" ? "Number" : "String", Value: String(v) };
    const notification = {
      Type: "Notification",
      MessageId: messageId,
      TopicArn: arn,
      Subject: input.subject ?? null,
      Message: input.message,
      Timestamp: timestamp,
      SignatureVersion: "1",
      Signature: "SIMULATED",
      SigningCertUrl: "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-simulated.pem",
      UnsubscribeUrl: `https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${arn}:sub`,
      MessageAttributes: attributes,
    };
    const billedRequests = Math.max(1, Math.ceil(bytes / SNS_BILLING_CHUNK_BYTES));
    this.billedRequests += billedRequests;
    const publication: Publication = { t: now, topic: name, messageId, message: input.message, billedRequests, sender, deliveries: [] };
    this.published.push(publication);
    const from = { ...sender, via: `topic ${name}`, service: "sns" as const, resource: name };
    const envelope = JSON.stringify(notification);
    config.subscriptions.forEach((target, i) => {
      const event = JSON.stringify({ Records: [{ EventSource: "aws:sns", EventVersion: "1.0", EventSubscriptionArn: `${arn}:sub-${i + 1}`, Sns: notification }] });
      const queueBody = "queue" in target && target.rawMessageDelivery ? input.message : envelope;
      const record = deliver(
        this.ctx,
        {
          service: "sns",
          resource: name,
          id: messageId,
          target,
          payload: { event, queueBody },
          from,
          schedule: snsSchedule(now, this.config.backoffFunction),
          faults: this.config.faults,
          nonRetriable: this.config.nonRetriableErrors,
          deadLetter: target.deadLetterQueue ? { queue: target.deadLetterQueue, body: queueBody } : null,
        },
        now,
      );
      publication.deliveries.push(record);
    });
    return { ok: true, messageId };
  }

  handle(operation: string, args: unknown[], call: CallContext): ServiceReply {
    const latencyMs = this.config.latencyMs;
    const [name, message, options] = args;
    if (operation !== "publish") return { latencyMs, complete: () => serviceError("InvalidParameter", `unknown topic operation ${operation}`) };
    if (typeof name !== "string" || name === "") return { latencyMs, complete: () => serviceError("InvalidParameter", "topic(name): name must be a non-empty string") };
    const o = isRecord(options) ? options : {};
    const input: PublishInput = {
      message: message as string,
      subject: typeof o.subject === "string" ? o.subject : null,
      attributes: isRecord(o.attributes) ? (o.attributes as Record<string, AttributeValue>) : null,
    };
    const sender: Sender = { call, via: "handler", chain: call.chain ?? null };
    return {
      latencyMs,
      complete: () => {
        const r = this.publish(call.time + latencyMs, name, input, sender);
        return r.ok ? ok({ messageId: r.messageId }) : serviceError(r.code, r.message);
      },
    };
  }

  private hop(now: number, topic: string, bytes: number, limitBytes: number, sender: Sender, error: { code: string; message: string } | null): void {
    this.hops.add({ t: now, service: "sns", resource: topic, operation: "Publish", bytes, limitBytes, outcome: error ? "rejected" : "accepted", error, invocation: sender.call?.invocation ?? null, chain: sender.chain });
  }
}
