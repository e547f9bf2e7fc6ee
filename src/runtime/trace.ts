/** What the simulator records: one record per invocation attempt, CloudWatch-style log lines and metrics. */
import type { JsonText } from "./types.ts";

export type InvocationOutcome =
  /** The handler returned. */
  | "success"
  /** The handler threw or returned a rejected promise, or INIT failed. */
  | "error"
  /** The function timeout (or the INIT limit) ran out. */
  | "timeout"
  /** The environment ran out of memory. */
  | "oom"
  /** No concurrency was available (429 for sync; async events are retried later). */
  | "throttled"
  /** An async event was given up: retries exhausted, too old, or reserved concurrency 0. */
  | "discarded"
  /** Lambda refused the request before running anything (for example 413: payload too large). */
  | "rejected";

export interface InvocationRecord {
  /**
   * Unique number of the record, from 0, in the order records were created. An invocation's record is created when it
   * starts but added to the trace when it ends, so the trace is in end order: look records up by seq, not by index.
   */
  seq: number;
  requestId: string;
  functionName: string;
  mode: "sync" | "async";
  /** Identifies the request (sync) or the event (async); retries and duplicate deliveries share it. */
  eventId: string;
  /** 1 for the first attempt; 2 and 3 are Lambda's async retries after a function error. */
  attempt: number;
  /** 1, or 2+ for a duplicate delivery of the same async event. */
  delivery: number;
  envId: string | null;
  /** An INIT phase ran before this invocation (a new environment, or one reset after a crash or timeout). */
  cold: boolean;
  initKind: "new" | "reset" | null;
  /** When the request reached the function (for async: when Lambda's queue handed it over). */
  arrivedAt: number;
  /** When INIT (cold) or INVOKE (warm) began. */
  startedAt: number;
  invokeStartedAt: number | null;
  endedAt: number;
  initMs: number | null;
  durationMs: number;
  billedMs: number;
  memorySizeMB: number;
  maxMemoryUsedMB: number;
  outcome: InvocationOutcome;
  error: { errorType: string; errorMessage: string } | null;
  /** Where a failed invocation failed: during INIT (the module's top level) or in the handler. */
  failedIn: "init" | "invoke" | null;
  /** For throttled, discarded and rejected records: why, in words. */
  reason: string | null;
  /** The event (or request payload) as JSON text. */
  event: JsonText;
  /** The handler's result as JSON text (success only). */
  response: JsonText | undefined;
  /** seq of the attempt this one retries (async), or null. */
  previousAttempt: number | null;
  /**
   * Where the invocation sits in a chain of invocations linked by messages (recursive loop detection, lambda-model.md
   * §3); null for a request from outside, which starts chain `eventId` at hop 1.
   */
  chain: { chainId: string; hops: number } | null;
  /** The tenant id the invoke carried (tenant isolation mode, lambda-model.md §11), or null. */
  tenantId: string | null;
}

export interface LogLine {
  /** Virtual time in ms. */
  t: number;
  functionName: string;
  envId: string;
  /** CloudWatch log stream name of the environment (lambda-model.md §8). */
  stream: string;
  requestId: string | null;
  text: string;
}

/** A step function of the simulator's state, one point per change. */
export interface MetricPoint {
  t: number;
  /** Environments initialising or running a request. */
  concurrency: number;
  /** Live environments: busy, initialising or idle. */
  environments: number;
}

export interface Totals {
  requests: number;
  invocations: number;
  coldStarts: number;
  throttles: number;
  errors: number;
  timeouts: number;
  billedMs: number;
  billedGbSeconds: number;
  costUsd: number;
}

/** A service a payload passes through on its way (lambda-model.md §5: each hop has its own limit). */
export type HopService = "api-gateway" | "lambda" | "sqs" | "sns" | "eventbridge" | "s3" | "stepfunctions";

/**
 * One payload crossing one hop: a gateway request, a Lambda invoke made by a service, a message sent to a queue or a
 * topic, an event put on a bus, an object stored. Graders and the timeline read where a payload was refused.
 */
export interface HopRecord {
  /** Unique number, from 0, in the order hops happened. */
  seq: number;
  /** Virtual time the hop checked the payload. */
  t: number;
  service: HopService;
  /** Queue, topic, bus, bucket, API or function name. */
  resource: string;
  /** What was attempted: "SendMessage", "Publish", "PutEvents", "PutObject", "Invoke (Event)", "POST /orders", … */
  operation: string;
  /** Size the hop counted, in bytes (UTF-8 of the serialized payload, with the metadata the hop counts). */
  bytes: number;
  /** The hop's limit in bytes. */
  limitBytes: number;
  /**
   * "given-up": a service that retries its deliveries (SNS, EventBridge) stopped trying; the record names the attempts
   * made and what became of the message (dead-letter queue or dropped).
   */
  outcome: "accepted" | "rejected" | "given-up";
  /**
   * For a delivery SNS or EventBridge retries ("Neighbour services: delivery and retries"): the delivery attempts this
   * record stands for, 1 being the first. A run of attempts that could only fail the same way is one record, from `t`
   * to `lastT`, so that 100,015 retries are not 100,015 records.
   */
  attempts?: { first: number; last: number; lastT: number };
  /** The error the service returns when it refuses the payload (or a delivery fails). */
  error: { code: string; message: string } | null;
  /** Who made the hop: the invocation record's seq when a handler made it, else null (a scenario or a service). */
  invocation: number | null;
  /** The chain this payload travels in (recursion detection, lambda-model.md §3), when known. */
  chain: { chainId: string; hops: number } | null;
}

/** Why an environment went through SHUTDOWN (lambda-model.md §1). */
export type ShutdownCause =
  /** Idle for the idle-expiry period (a SIMPLIFICATION: AWS documents no period). */
  | "idle-expiry"
  /** It reached the maximum lifetime (a SIMPLIFICATION). */
  | "max-lifetime"
  /** A new deployment replaced its function version (§11: environments are never shared across versions). */
  | "redeploy"
  /** A scenario recycled it, as Lambda may at any time (§1). */
  | "recycled"
  /** Its provisioned replacement was ready (periodic recycling, §1). */
  | "provisioned-recycle";

/**
 * What happened to the platform outside any invocation, in time order (kept when the trace is): environments shut
 * down, provisioned INITs that failed, and the Health Dashboard notices of recursive loop detection.
 */
export type PlatformEvent =
  | {
      kind: "shutdown";
      t: number;
      functionName: string;
      envId: string;
      cause: ShutdownCause;
      /**
       * How long SHUTDOWN took: 0, because the model has no extensions, so nothing runs in it (§1 caps it at
       * 2,000 ms, `capMs`); not billed.
       */
      durationMs: number;
      capMs: number;
    }
  | {
      kind: "provisioned-init-failed";
      t: number;
      functionName: string;
      envId: string;
      reason: string;
      /** When Lambda tries again (a SIMPLIFICATION), or null when it does not (retries off, paused, or redeployed). */
      retryAt: number | null;
    }
  | {
      kind: "health-notice";
      t: number;
      functionName: string;
      /** The chain loop detection stopped. */
      chainId: string;
      message: string;
    };
