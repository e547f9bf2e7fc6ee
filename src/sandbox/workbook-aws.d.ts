/**
 * Types of the module learner handlers import (`import { table, payments, downstream, queue, topic, bus, bucket, sleep } from "workbook:aws"`)
 * and of the handler's `context`. The editor's IntelliSense loads this file; the implementation is
 * src/sandbox/guest-source.ts, and every call goes through the host operations listed in src/sandbox/host-api.ts.
 * Every service call takes virtual time (its modelled latency) and the function is billed while it waits.
 */
declare module "workbook:aws" {
  /**
   * Error raised by a service; check `error.name`, as with the AWS SDK.
   *
   * Calls to the AWS services here (lambda, table, queue, topic, bus, bucket, stateMachine) retry like the AWS SDK's
   * standard mode: an answer with a throttle (429, TooManyRequestsException) or a server error (5xx) is tried again,
   * up to 3 attempts in total, after a random wait between 0 and min(20 s, 100 ms × 2^n) following the n-th failed
   * attempt (SIMPLIFICATION: AWS documents neither the 100 ms base nor the 20 s cap; a scenario can change them).
   * The function keeps running, and is billed, while it waits. A function error is never retried: it is an answer
   * (HTTP 200). `downstream` and `payments` are not AWS services: their errors, a 503 included, are never retried.
   */
  export interface ServiceError extends Error {
    /** For example "ConditionalCheckFailedException", "ValidationException", "DownstreamError". */
    name: string;
    code: string;
    /** AWS services' errors only, as in the SDK: the HTTP status when known, attempts made, total backoff in ms. */
    $metadata?: { httpStatusCode?: number; attempts: number; totalRetryDelay: number };
  }

  export interface PutOptions {
    /** Write only if no item has this key yet; otherwise fail with ConditionalCheckFailedException. Atomic. */
    ifNotExists?: boolean;
    /**
     * With `ifNotExists`: also write when the existing item has one of these fields holding a number below the value
     * given, like DynamoDB's `attribute_not_exists(k) OR expiration < :now` (for example `{ expiration: nowSeconds }`).
     */
    orIfBelow?: Record<string, number>;
  }

  /** A key-value table in the manner of DynamoDB. Items are JSON values of at most 400 KB. */
  export interface Table {
    readonly name: string;
    /** The item stored under `key`, or null. */
    get<T = unknown>(key: string | number): Promise<T | null>;
    /** Stores `item` under `key` (replacing any item), or only if the key is new with `{ ifNotExists: true }`. */
    put(key: string | number, item: unknown, options?: PutOptions): Promise<null>;
    delete(key: string | number): Promise<null>;
  }

  /** Opens the table called `name` (tables exist as soon as they are used). */
  export function table(name: string): Table;

  export interface ChargeRequest {
    orderId: string;
    /** A positive whole number of cents. */
    amountCents: number;
    /**
     * Charges with the same key are made once: a repeat returns the first charge with `replayed: true`.
     * Reusing a key for a different order or amount fails with IdempotencyKeyReusedException.
     */
    idempotencyKey?: string;
  }

  export interface ChargeResult {
    chargeId: string;
    orderId: string;
    amountCents: number;
    /** True when the provider answered from an earlier charge with the same idempotency key. */
    replayed: boolean;
  }

  /** A payment provider. Every real charge moves money: the grader counts them. */
  export const payments: {
    charge(request: ChargeRequest): Promise<ChargeResult>;
  };

  export interface Connection {
    readonly id: string;
    /**
     * Calls an operation over this connection; fails with ConnectionClosed once closed. Through a proxy, the call
     * waits for a free database connection of the proxy's pool, and fails with ConnectionBorrowTimeout if none comes
     * free in time.
     */
    call<T = unknown>(operation: string, payload?: unknown): Promise<T>;
    /** Closes the connection, so that the database can accept another. */
    close(): Promise<null>;
  }

  /** A downstream dependency (an HTTP API or a database). Scenarios decide its latency and failures. */
  export const downstream: {
    /** One call without a connection. */
    call<T = unknown>(operation: string, payload?: unknown): Promise<T>;
    /**
     * Opens a connection: slow (TCP, TLS, authentication), so open it once per environment and reuse it. It stays open
     * until closed or until Lambda recycles the environment, idle or not; a database accepts a limited number and
     * fails the next with TooManyConnections. With a proxy in front, this connects to the proxy instead.
     */
    connect(): Promise<Connection>;
  };

  /**
   * Invokes another function of the simulation. "RequestResponse" (the default) waits for it and holds this
   * invocation's concurrency meanwhile; "Event" returns `{ statusCode: 202 }` once Lambda accepted the event. A function
   * error is not thrown (and not retried): it comes back with `functionError: "Unhandled"`. A throttle
   * (TooManyRequestsException) is retried (see ServiceError) and throws once the attempts run out; oversize payloads
   * and stopped recursive loops (RecursiveInvocationException) throw at once.
   */
  export const lambda: {
    invoke<T = unknown>(
      functionName: string,
      payload?: unknown,
      options?: {
        invocationType?: "RequestResponse" | "Event";
        /** Required by a function with tenant isolation mode and refused by one without it. */
        tenantId?: string;
        /** Attempts in total for this call, 1–20 (default 3, as the SDK's standard mode); 1 turns retries off. */
        maxAttempts?: number;
      },
    ): Promise<{ statusCode: number; functionError?: "Unhandled" | null; payload?: T }>;
  };

  export interface SendOptions {
    /** FIFO queues: the message group (order is kept within a group). Required for FIFO. */
    groupId?: string;
    /** FIFO queues: a send with an id seen in the last 5 minutes is accepted but not delivered again. */
    deduplicationId?: string;
    /** Message attributes; their names, types and values count toward the 1 MiB size limit. */
    attributes?: Record<string, string | number>;
  }

  export interface ReceivedMessage {
    messageId: string;
    receiptHandle: string;
    body: string;
    attributes: Record<string, string | number>;
    /** How many times the message has been received, this time included. */
    receiveCount: number;
    groupId: string | null;
  }

  /** A queue in the manner of SQS. Bodies are strings of 1 byte to 1 MiB (serialize objects with JSON.stringify). */
  export interface Queue {
    readonly name: string;
    /** Sends one message. Fails with InvalidParameterValue when it is too large or empty. */
    send(body: string, options?: SendOptions): Promise<{ messageId: string; sequenceNumber: string | null }>;
    /** Sends up to 10 messages; entries that fail are listed in `failed` while the others go through. */
    sendBatch(entries: Array<SendOptions & { id: string; body: string }>): Promise<{
      successful: Array<{ id: string; messageId: string }>;
      failed: Array<{ id: string; code: string; message: string }>;
    }>;
    /**
     * Receives up to `maxMessages` (1–10) visible messages and hides them for the visibility timeout. On an empty
     * queue, `waitTimeSeconds` (0–20; default: the queue's ReceiveMessageWaitTimeSeconds, 0 unless a scenario sets it)
     * waits for a message and returns as soon as one arrives, or `[]` when the wait ends; 0 answers at once (short
     * polling). The function keeps running, and is billed, while it waits; its timeout still applies.
     */
    receive(options?: { maxMessages?: number; visibilityTimeoutMs?: number; waitTimeSeconds?: number }): Promise<ReceivedMessage[]>;
    /** Deletes a received message; only the latest receipt handle of a message deletes it. */
    delete(receiptHandle: string): Promise<null>;
    changeVisibility(receiptHandle: string, timeoutMs: number): Promise<null>;
  }

  /** Opens the queue called `name` (queues exist as soon as they are used; `*.fifo` names are FIFO queues). */
  export function queue(name: string): Queue;

  /** A topic in the manner of SNS: 256 KB per message by default (body and attributes). */
  export interface Topic {
    readonly name: string;
    /** Publishes to every subscriber. Fails with InvalidParameter over the topic's maximum message size. */
    publish(message: string, options?: { subject?: string; attributes?: Record<string, string | number> }): Promise<{ messageId: string }>;
  }

  export function topic(name: string): Topic;

  export interface BusEntry {
    source: string;
    detailType: string;
    /** A JSON object (or its JSON text). */
    detail: unknown;
    resources?: string[];
    /** ISO time; adds 14 bytes to the entry size. */
    time?: string;
  }

  /** The default event bus in the manner of EventBridge: 1 to 10 entries per call, each under 1 MB. */
  export const bus: {
    /** Entries that fail are reported one by one while the others go through. */
    putEvents(entries: BusEntry[]): Promise<{
      failedEntryCount: number;
      entries: Array<{ eventId: string } | { errorCode: string; errorMessage: string }>;
    }>;
  };

  /**
   * A body described only by its size, when its content does not matter (e.g. "a 6 GB file"): nothing that large is
   * held in memory. Objects stored from it (and every multipart object) keep their size but no content.
   */
  export interface SizedBody {
    sizeBytes: number;
  }

  /**
   * A bucket in the manner of S3: bodies by key. A single put takes up to 5 GB; larger objects (up to 50 TB) need a
   * multipart upload with parts of 5 MiB – 5 GiB (the last may be smaller), numbered 1–10,000. Too large: EntityTooLarge.
   */
  export interface Bucket {
    readonly name: string;
    put(key: string, body: string | SizedBody): Promise<{ size: number }>;
    /** The body stored under `key` (`{ sizeBytes }` when its content is not kept); fails with NoSuchKey. */
    get(key: string): Promise<string | SizedBody>;
    createMultipartUpload(key: string): Promise<{ uploadId: string }>;
    /** Sends part `partNumber` (1–10,000) of at most 5 GiB; sending the same number again replaces it. */
    uploadPart(key: string, uploadId: string, partNumber: number, body: string | SizedBody): Promise<{ etag: string; size: number }>;
    /**
     * Joins every uploaded part in part-number order (a simplification: S3 takes the list of parts). Fails with
     * EntityTooSmall when a part other than the last is under 5 MiB.
     */
    completeMultipartUpload(key: string, uploadId: string): Promise<{ size: number; parts: number }>;
  }

  export function bucket(name: string): Bucket;

  /**
   * A state machine in the manner of Step Functions, as the scenario defines it: Lambda task states run one after
   * another, each one's output the next one's input. A state's input or output over 256 KB (262,144 bytes) fails the
   * execution with States.DataLimitExceeded (a workbook simplification: no Retry or Catch).
   */
  export interface StateMachine {
    readonly name: string;
    /** Starts an execution (input: JSON text, or a value to serialize) and returns at once, as StartExecution does. */
    startExecution(input?: unknown): Promise<{ executionArn: string; startDate: number }>;
    describeExecution(executionArn: string): Promise<{ executionArn: string; status: "RUNNING" | "SUCCEEDED" | "FAILED"; output?: string; error?: string; cause?: string }>;
  }

  export function stateMachine(name: string): StateMachine;

  /** Waits `ms` of virtual time. The function is billed while it waits. */
  export function sleep(ms: number): Promise<void>;

  /**
   * This execution environment's `/tmp` (512 MB unless the function sets more, up to 10,240 MB). Files survive between
   * invocations and after a crash or timeout, and are gone when the environment is recycled. Synchronous, like
   * Node's `fs.*Sync`; failures throw errors with Node's `code`: ENOENT (no such file), ENOSPC (full), EROFS (outside
   * /tmp). Paths are absolute (`/tmp/cache.json`) or relative to /tmp. Writing the same text again costs the
   * workbook no memory, so /tmp can be filled to its size; EWORKBOOK means the workbook's own limit of 64 MiB of
   * distinct contents (or of one file read whole) was reached, not Lambda's.
   */
  export const tmp: {
    write(path: string, data: string): void;
    append(path: string, data: string): void;
    read(path: string): string;
    exists(path: string): boolean;
    /** The file's size in bytes (like `fs.statSync(path).size`). */
    size(path: string): number;
    remove(path: string): void;
    /** Absolute paths of the files, sorted. */
    list(): string[];
    usage(): { usedBytes: number; sizeBytes: number };
  };
}

/**
 * A small idempotency layer in the manner of Powertools for AWS Lambda, written on the table of workbook:aws (its
 * source is plain JavaScript a learner could write). Records: `{ id, status: "INPROGRESS" | "COMPLETED", expiration,
 * in_progress_expiration?, data? }` under `<functionName>#<md5 of the data's JSON>`. SIMPLIFICATION: eventKeyJmesPath
 * understands dotted paths (`"order.id"`) and lists of them (`"[orderId, customer.id]"`) only.
 */
declare module "workbook:idempotency" {
  export class IdempotencyConfig {
    constructor(options?: { eventKeyJmesPath?: string; expiresAfterSeconds?: number });
    /** For a wrapped function that is not the handler: the handler's context, to expire a claim when it times out. */
    registerLambdaContext(context: LambdaContext): void;
  }

  /** Thrown to a call whose key another call is still working on. */
  export class IdempotencyAlreadyInProgressError extends Error {}

  /**
   * Wraps `fn` so that calls with the same data (its first argument, or the one at `dataIndexArgument`) run once while
   * the record lasts (`expiresAfterSeconds`, 3,600 by default); a repeat gets the stored result, a call that throws
   * leaves no record. The store is `table("idempotency")` unless `persistenceStore` names another table.
   */
  export function makeIdempotent<A extends unknown[], R>(
    fn: (...args: A) => R | Promise<R>,
    options?: { persistenceStore?: import("workbook:aws").Table; config?: IdempotencyConfig; dataIndexArgument?: number },
  ): (...args: A) => Promise<R>;

  /** MD5 of a string's UTF-8 bytes, as 32 hex digits. */
  export function md5(text: string): string;
}

/** Node-like globals of the sandbox: the function's environment variables (its `environment` setting, 4 KB at most). */
declare const process: { env: Record<string, string | undefined> };

/** The `context` argument of a handler (a subset of the Node.js runtime's). */
interface LambdaContext {
  /** Request id of this invocation (retries of an async event keep it in this model). */
  readonly awsRequestId: string;
  readonly functionName: string;
  readonly functionVersion: string;
  /** Memory size in MB, as a string (as the Node.js runtime gives it). */
  readonly memoryLimitInMB: string;
  readonly invokedFunctionArn: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  /**
   * The tenant id the invoke carried (X-Amz-Tenant-Id), for a function created with tenant isolation mode, which gives
   * each tenant its own execution environments: module state and /tmp never cross tenants. undefined for other
   * functions (a SIMPLIFICATION: AWS documents the property only for isolated functions).
   */
  readonly tenantId?: string;
  callbackWaitsForEmptyEventLoop: boolean;
  /** Virtual ms left before the function times out. */
  getRemainingTimeInMillis(): number;
}
