/** Building invocation records and what a synchronous caller gets back from one (lambda-model.md §3, §5, §8). */
import type { SyncResult } from "./simulation.ts";
import type { FunctionState, Running } from "./state.ts";
import type { InvocationOutcome, InvocationRecord } from "./trace.ts";
import type { CodeOutcome, JsonText } from "./types.ts";
import { uuidOf } from "./prng.ts";

/** A record of an attempt that starts (or ends) now; the lifecycle fills in the rest. */
export function newRecord(
  seq: number,
  now: number,
  fn: FunctionState,
  requestId: string,
  mode: "sync" | "async",
  eventId: string,
  attempt: number,
  delivery: number,
  outcome: InvocationOutcome,
  previousAttempt: number | null,
  event: JsonText,
): InvocationRecord {
  return {
    seq,
    requestId,
    functionName: fn.config.name,
    mode,
    eventId,
    attempt,
    delivery,
    envId: null,
    cold: false,
    initKind: null,
    arrivedAt: now,
    startedAt: now,
    invokeStartedAt: null,
    endedAt: now,
    initMs: null,
    durationMs: 0,
    billedMs: 0,
    memorySizeMB: fn.config.memoryMB,
    maxMemoryUsedMB: 0,
    outcome,
    error: null,
    failedIn: null,
    reason: null,
    event,
    response: undefined,
    previousAttempt,
    chain: null,
    tenantId: null,
  };
}

/** Makes a record that nobody reads any more into a new attempt's record, exactly as `newRecord` builds one. */
export function reuseRecord(
  record: InvocationRecord,
  seq: number,
  now: number,
  fn: FunctionState,
  requestId: string,
  mode: "sync" | "async",
  eventId: string,
  attempt: number,
  delivery: number,
  outcome: InvocationOutcome,
  previousAttempt: number | null,
  event: JsonText,
): InvocationRecord {
  record.seq = seq;
  record.requestId = requestId;
  record.functionName = fn.config.name;
  record.mode = mode;
  record.eventId = eventId;
  record.attempt = attempt;
  record.delivery = delivery;
  record.envId = null;
  record.cold = false;
  record.initKind = null;
  record.arrivedAt = now;
  record.startedAt = now;
  record.invokeStartedAt = null;
  record.endedAt = now;
  record.initMs = null;
  record.durationMs = 0;
  record.billedMs = 0;
  record.memorySizeMB = fn.config.memoryMB;
  record.maxMemoryUsedMB = 0;
  record.outcome = outcome;
  record.error = null;
  record.failedIn = null;
  record.reason = null;
  record.event = event;
  record.response = undefined;
  record.previousAttempt = previousAttempt;
  record.chain = null;
  record.tenantId = null;
  return record;
}

/**
 * The invocation's record with its request and event ids written in. A sync request's ids are drawn at arrival but
 * built only on first use (most aggregate-only runs never read them).
 */
export function withIds(running: Running): InvocationRecord {
  const record = running.record;
  if (record.requestId === "") {
    record.requestId = uuidOf(running.w0, running.w1, running.w2, running.w3);
    record.eventId = `req-${running.eventNum}`;
  }
  return record;
}

export function syncResultOf(
  record: InvocationRecord,
  outcome: CodeOutcome | { kind: "timeout" },
): SyncResult {
  if (record.outcome === "success") {
    return { statusCode: 200, functionError: null, payload: record.response ?? "null", record };
  }
  const error = record.error ?? { errorType: "Unknown", errorMessage: "" };
  const trace = outcome.kind === "error" ? outcome.trace ?? [] : undefined;
  const body = trace ? { errorType: error.errorType, errorMessage: error.errorMessage, trace } : { errorType: error.errorType, errorMessage: error.errorMessage };
  return { statusCode: 200, functionError: "Unhandled", payload: JSON.stringify(body), record };
}
