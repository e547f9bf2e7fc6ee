/**
 * An object store in the manner of S3 (lambda-model.md §5): put and get by bucket and key; a single PUT takes up to
 * 5 GB (`EntityTooLarge` beyond); larger objects, up to 50 TB, take a multipart upload: parts of 5 MiB – 5 GiB (the
 * last may be smaller), numbered 1–10,000. A bucket's object-created notifications send an S3 event to functions
 * (asynchronously) or queues, which is what the claim-check pattern needs: store the body, pass the key.
 *
 * A body is a string, or `{ sizeBytes }` when only its size matters: a handler can upload "a 6 GB file" in parts without
 * anyone holding 6 GB. Such objects, and every multipart object, keep their size but no content (a workbook choice).
 *
 * SIMPLIFICATIONS: notifications go out at put time; a part under 5 MiB that is not the last fails the completion with
 * `EntityTooSmall`, and a part number outside 1–10,000 with `InvalidArgument` (lambda-model.md names neither error);
 * completion takes every uploaded part in part-number order (S3 takes a list of parts and their ETags).
 */
import { z } from "zod";
import { utf8Length } from "../runtime/payload.ts";
import type { CallContext, ServiceReply } from "../runtime/types.ts";
import { isRecord, ok, serviceError } from "./errors.ts";
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

/** A body described by its size alone (its content is not modelled). */
export interface SizedBody {
  sizeBytes: number;
}

export interface StoredObject {
  bucket: string;
  key: string;
  /** The text stored, or null when the object was described by its size or uploaded in parts. */
  body: string | null;
  size: number;
  storedAt: number;
  sender: Sender;
  notifications: HandOffRecord[];
}

type Outcome<T> = ({ ok: true } & T) | { ok: false; code: string; message: string };

interface Upload {
  bucket: string;
  key: string;
  parts: Map<number, { size: number; etag: string }>;
}

function refuse(code: string, message: string): { ok: false; code: string; message: string } {
  return { ok: false, code, message };
}

/** The size of a body: the UTF-8 bytes of a string, or the `sizeBytes` of a body described by its size. */
function measure(operation: string, body: unknown): { ok: true; size: number; text: string | null } | { ok: false; code: string; message: string } {
  if (typeof body === "string") return { ok: true, size: utf8Length(body), text: body };
  const sized = isRecord(body) ? body.sizeBytes : undefined;
  if (typeof sized === "number" && Number.isSafeInteger(sized) && sized >= 0 && Object.keys(body as object).length === 1) return { ok: true, size: sized, text: null };
  return refuse("InvalidArgument", `${operation}: the body must be a string (serialize objects with JSON.stringify) or { sizeBytes } with a whole number of bytes`);
}

export class ObjectStore {
  private readonly objects = new Map<string, StoredObject>();
  private readonly uploads = new Map<string, Upload>();
  private uploadCounter = 0;
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

  /**
   * Stores an object: `body` is a string or `{ sizeBytes }`; `sizeBytes` lets a scenario stand for a body larger than
   * it writes out.
   */
  put(now: number, bucket: string, key: string, body: unknown, sender: Sender, sizeBytes?: number): Outcome<{ size: number }> {
    if (typeof key !== "string" || key === "") return refuse("InvalidArgument", "put: the key must be a non-empty string");
    const measured = measure("put", body);
    if (!measured.ok) return measured;
    const size = sizeBytes ?? measured.size;
    const limit = L.s3SinglePutMaxBytes;
    if (size > limit) {
      const message = `the ${size.toLocaleString("en-US")}-byte object is over the ${describeBytes(limit)} limit of a single PUT (larger objects need a multipart upload)`;
      return this.refuseHop(now, bucket, "PutObject", size, limit, sender, "EntityTooLarge", message);
    }
    this.hop(now, bucket, "PutObject", size, limit, sender);
    this.store(now, bucket, key, sizeBytes === undefined ? measured.text : null, size, sender, "ObjectCreated:Put");
    return { ok: true, size };
  }

  /** Starts a multipart upload; its parts are sent with `uploadPart` and joined by `completeMultipartUpload`. */
  createMultipartUpload(bucket: string, key: unknown): Outcome<{ uploadId: string }> {
    if (typeof key !== "string" || key === "") return refuse("InvalidArgument", "createMultipartUpload: the key must be a non-empty string");
    const uploadId = `upload-${++this.uploadCounter}`;
    this.uploads.set(uploadId, { bucket, key, parts: new Map() });
    return { ok: true, uploadId };
  }

  /** Sends one part (a string or `{ sizeBytes }`): at most 5 GiB, numbered 1–10,000; sending a number again replaces it. */
  uploadPart(now: number, bucket: string, key: unknown, uploadId: unknown, partNumber: unknown, body: unknown, sender: Sender): Outcome<{ etag: string; size: number }> {
    const upload = this.upload("uploadPart", bucket, key, uploadId);
    if (!upload.ok) return upload;
    if (typeof partNumber !== "number" || !Number.isInteger(partNumber) || partNumber < 1 || partNumber > L.s3MaxParts) {
      return refuse("InvalidArgument", `uploadPart: the part number must be a whole number from 1 to ${L.s3MaxParts.toLocaleString("en-US")} (at most ${L.s3MaxParts.toLocaleString("en-US")} parts)`);
    }
    const measured = measure("uploadPart", body);
    if (!measured.ok) return measured;
    const size = measured.size;
    const limit = L.s3PartMaxBytes;
    const operation = `UploadPart ${partNumber}`;
    if (size > limit) {
      return this.refuseHop(now, bucket, operation, size, limit, sender, "EntityTooLarge", `part ${partNumber} has ${size.toLocaleString("en-US")} bytes, over the ${describeBytes(limit)} limit of a part`);
    }
    this.hop(now, bucket, operation, size, limit, sender);
    const etag = `"${String(uploadId)}-${partNumber}"`;
    upload.value.parts.set(partNumber, { size, etag });
    return { ok: true, etag, size };
  }

  /**
   * Joins the uploaded parts, in part-number order, into one object. Every part but the last needs at least 5 MiB; the
   * object's size limit (50 TB) equals 10,000 parts of 5 GiB, so the part limits keep an object within it.
   */
  completeMultipartUpload(now: number, bucket: string, key: unknown, uploadId: unknown, sender: Sender): Outcome<{ size: number; parts: number }> {
    const upload = this.upload("completeMultipartUpload", bucket, key, uploadId);
    if (!upload.ok) return upload;
    const numbers = [...upload.value.parts.keys()].sort((a, b) => a - b);
    if (numbers.length === 0) return refuse("InvalidRequest", "completeMultipartUpload: the upload has no parts yet");
    const size = numbers.reduce((sum, n) => sum + upload.value.parts.get(n)!.size, 0);
    const operation = "CompleteMultipartUpload";
    const small = numbers.slice(0, -1).find((n) => upload.value.parts.get(n)!.size < L.s3PartMinBytes);
    if (small !== undefined) {
      const message = `part ${small} has ${upload.value.parts.get(small)!.size.toLocaleString("en-US")} bytes; every part but the last needs at least ${describeBytes(L.s3PartMinBytes)}`;
      return this.refuseHop(now, bucket, operation, size, L.s3ObjectMaxBytes, sender, "EntityTooSmall", message);
    }
    this.hop(now, bucket, operation, size, L.s3ObjectMaxBytes, sender);
    this.uploads.delete(uploadId as string);
    this.store(now, bucket, upload.value.key, null, size, sender, "ObjectCreated:CompleteMultipartUpload");
    return { ok: true, size, parts: numbers.length };
  }

  private upload(operation: string, bucket: string, key: unknown, uploadId: unknown): { ok: true; value: Upload } | { ok: false; code: string; message: string } {
    const upload = typeof uploadId === "string" ? this.uploads.get(uploadId) : undefined;
    if (!upload || upload.bucket !== bucket || upload.key !== key) return refuse("NoSuchUpload", `${operation}: no multipart upload ${String(uploadId)} for key ${String(key)} in bucket ${bucket}`);
    return { ok: true, value: upload };
  }

  private hop(now: number, bucket: string, operation: string, bytes: number, limitBytes: number, sender: Sender): void {
    this.ctx.hops.add({ t: now, service: "s3", resource: bucket, operation, bytes, limitBytes, outcome: "accepted", error: null, invocation: sender.call?.invocation ?? null, chain: sender.chain });
  }

  private refuseHop(now: number, bucket: string, operation: string, bytes: number, limitBytes: number, sender: Sender, code: string, message: string): { ok: false; code: string; message: string } {
    this.ctx.hops.add({ t: now, service: "s3", resource: bucket, operation, bytes, limitBytes, outcome: "rejected", error: { code, message }, invocation: sender.call?.invocation ?? null, chain: sender.chain });
    return refuse(code, message);
  }

  private store(now: number, bucket: string, key: string, body: string | null, size: number, sender: Sender, eventName: string): void {
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
            eventName,
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
  }

  handle(operation: string, args: unknown[], call: CallContext): ServiceReply {
    const latencyMs = this.config.latencyMs;
    const [bucket, key, body] = args;
    if (typeof bucket !== "string" || bucket === "") return { latencyMs, complete: () => serviceError("InvalidBucketName", "bucket(name): name must be a non-empty string") };
    const sender: Sender = { call, via: "handler", chain: call.chain ?? null };
    const at = call.time + latencyMs;
    const reply = (run: () => Outcome<object>): ServiceReply => ({
      latencyMs,
      complete: () => {
        const r = run();
        if (!r.ok) return serviceError(r.code, r.message);
        const { ok: _ok, ...value } = r;
        return ok(value);
      },
    });
    switch (operation) {
      case "put":
        return reply(() => this.put(at, bucket, key as string, body, sender));
      case "createMultipartUpload":
        return reply(() => this.createMultipartUpload(bucket, key));
      case "uploadPart":
        return reply(() => this.uploadPart(at, bucket, key, args[2], args[3], args[4], sender));
      case "completeMultipartUpload":
        return reply(() => this.completeMultipartUpload(at, bucket, key, args[2], sender));
      case "get":
        return {
          latencyMs,
          complete: () => {
            const o = this.objects.get(`${bucket}/${String(key)}`);
            if (!o) return serviceError("NoSuchKey", `no object ${String(key)} in bucket ${bucket}`);
            return ok(o.body ?? { sizeBytes: o.size });
          },
        };
      default:
        return { latencyMs, complete: () => serviceError("InvalidArgument", `unknown bucket operation ${operation}`) };
    }
  }
}
