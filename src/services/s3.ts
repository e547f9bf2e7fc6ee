/**
 * An object store in the manner of S3 (lambda-model.md §5): put and get by bucket and key; a single PUT takes up to
 * 5 GB (`EntityTooLarge` beyond); objects can reach 50 TB only by multipart upload, which is not modelled. A bucket's
 * object-created notifications send an S3 event to functions (asynchronously) or queues, which is what the
 * claim-check pattern needs: store the body, pass the key. SIMPLIFICATION: notifications go out at put time.
 */
import { z } from "zod";
import { utf8Length } from "../runtime/payload.ts";
import type { CallContext, ServiceReply } from "../runtime/types.ts";
import { ok, serviceError } from "./errors.ts";
import { describeBytes, SERVICE_LIMITS as L } from "./limits.ts";
import type { Sender } from "./queue.ts";
import { handOff, TargetSchema, type HandOffRecord, type TargetContext } from "./targets.ts";

export const NotificationSchema = z
  .object({
    /** Only keys starting with this. */
    prefix: z.string().optional(),
    /** Only keys ending with this. */
    suffix: z.string().optional(),
    target: TargetSchema,
  })
  .strict();

export const S3ConfigSchema = z
  .object({
    /** SIMPLIFICATION: virtual ms per request (AWS documents no latency). */
    latencyMs: z.number().min(0).default(25),
    /** Object-created notifications per bucket (buckets exist as soon as they are used). */
    buckets: z.record(z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "3–63 lowercase letters, digits, '.' or '-'"), z.object({ notifications: z.array(NotificationSchema).default([]) }).strict()).default({}),
  })
  .strict();
export type S3Config = z.infer<typeof S3ConfigSchema>;

export interface StoredObject {
  bucket: string;
  key: string;
  body: string;
  size: number;
  storedAt: number;
  sender: Sender;
  notifications: HandOffRecord[];
}

export class ObjectStore {
  private readonly objects = new Map<string, StoredObject>();
  private readonly config: S3Config;
  private readonly ctx: TargetContext;
  private readonly epochMs: () => number;
  private sequencer = 0;

  constructor(config: S3Config, ctx: TargetContext, epochMs: () => number) {
    this.config = config;
    this.ctx = ctx;
    this.epochMs = epochMs;
  }

  /** The object, for graders (a copy), or undefined. */
  object(bucket: string, key: string): StoredObject | undefined {
    const o = this.objects.get(`${bucket}/${key}`);
    return o && { ...o, notifications: [...o.notifications] };
  }

  keys(bucket: string): string[] {
    return [...this.objects.values()].filter((o) => o.bucket === bucket).map((o) => o.key);
  }

  /** Stores an object; `sizeBytes` lets a scenario stand for a body larger than it writes out. */
  put(now: number, bucket: string, key: string, body: unknown, sender: Sender, sizeBytes?: number): { ok: true; size: number } | { ok: false; code: string; message: string } {
    if (typeof key !== "string" || key === "") return { ok: false, code: "InvalidArgument", message: "put: the key must be a non-empty string" };
    if (typeof body !== "string") return { ok: false, code: "InvalidArgument", message: "put: the body must be a string (serialize objects with JSON.stringify)" };
    const size = sizeBytes ?? utf8Length(body);
    const limit = L.s3SinglePutMaxBytes;
    const operation = "PutObject";
    if (size > limit) {
      const message = `the ${size.toLocaleString("en-US")}-byte object is over the ${describeBytes(limit)} limit of a single PUT (larger objects need a multipart upload)`;
      this.ctx.hops.add({ t: now, service: "s3", resource: bucket, operation, bytes: size, limitBytes: limit, outcome: "rejected", error: { code: "EntityTooLarge", message }, invocation: sender.call?.invocation ?? null, chain: sender.chain });
      return { ok: false, code: "EntityTooLarge", message };
    }
    this.ctx.hops.add({ t: now, service: "s3", resource: bucket, operation, bytes: size, limitBytes: limit, outcome: "accepted", error: null, invocation: sender.call?.invocation ?? null, chain: sender.chain });
    const stored: StoredObject = { bucket, key, body, size, storedAt: now, sender, notifications: [] };
    this.objects.set(`${bucket}/${key}`, stored);
    const config = this.config.buckets[bucket];
    if (config && config.notifications.length > 0) {
      const sequencer = (++this.sequencer).toString(16).toUpperCase().padStart(16, "0");
      const event = JSON.stringify({
        Records: [
          {
            eventVersion: "2.1",
            eventSource: "aws:s3",
            awsRegion: "us-east-1",
            eventTime: new Date(this.epochMs() + now).toISOString(),
            eventName: "ObjectCreated:Put",
            s3: { s3SchemaVersion: "1.0", bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` }, object: { key, size, sequencer } },
          },
        ],
      });
      const from = { ...sender, via: `bucket ${bucket}`, service: "s3" as const, resource: bucket };
      for (const n of config.notifications) {
        if ((n.prefix && !key.startsWith(n.prefix)) || (n.suffix && !key.endsWith(n.suffix))) continue;
        const r = handOff(this.ctx, n.target, now, { event, queueBody: event }, from);
        stored.notifications.push({ t: now, id: key, target: n.target, delivered: r.ok, error: r.ok ? null : r.error });
      }
    }
    return { ok: true, size };
  }

  handle(operation: string, args: unknown[], call: CallContext): ServiceReply {
    const latencyMs = this.config.latencyMs;
    const [bucket, key, body] = args;
    if (typeof bucket !== "string" || bucket === "") return { latencyMs, complete: () => serviceError("InvalidBucketName", "bucket(name): name must be a non-empty string") };
    const sender: Sender = { call, via: "handler", chain: call.chain ?? null };
    switch (operation) {
      case "put":
        return {
          latencyMs,
          complete: () => {
            const r = this.put(call.time + latencyMs, bucket, key as string, body, sender);
            return r.ok ? ok({ size: r.size }) : serviceError(r.code, r.message);
          },
        };
      case "get":
        return {
          latencyMs,
          complete: () => {
            const o = this.objects.get(`${bucket}/${String(key)}`);
            return o ? ok(o.body) : serviceError("NoSuchKey", `no object ${String(key)} in bucket ${bucket}`);
          },
        };
      default:
        return { latencyMs, complete: () => serviceError("InvalidArgument", `unknown bucket operation ${operation}`) };
    }
  }
}
