/** Phrases that explain, in terms of what happened in the simulated system, why a record exists or how it ended. */
import type { InvocationRecord } from "../runtime/trace.ts";
import type { ScenarioWorld } from "./world.ts";

/** 3000 → "3,000 ms". */
export function ms(value: number): string {
  return `${Math.round(value).toLocaleString("en-US")} ms`;
}

export function times(n: number): string {
  return n === 1 ? "once" : `${n} times`;
}

/** How an invocation ended: "timed out at 3,000 ms", "failed with DownstreamError: 503 Service Unavailable". */
export function howItEnded(record: InvocationRecord, world: ScenarioWorld): string {
  switch (record.outcome) {
    case "success":
      return "succeeded";
    case "timeout":
      return `timed out at ${ms(world.function.timeoutMs)}`;
    case "oom":
      return `ran out of memory (${record.memorySizeMB} MB)`;
    case "error":
      return `failed with ${record.error?.errorType ?? "an error"}: ${record.error?.errorMessage ?? ""}`.trimEnd();
    case "throttled":
      return "was throttled";
    case "discarded":
      return `was discarded (${record.reason ?? "no reason given"})`;
    case "rejected":
      return `was rejected (${record.reason ?? "no reason given"})`;
  }
}

/** Why this invocation ran: the original event, Lambda's retry of it, or a duplicate delivery. */
export function whyItRan(record: InvocationRecord, world: ScenarioWorld): string {
  const label = `attempt ${record.attempt}`;
  if (record.attempt > 1 && record.previousAttempt !== null) {
    const previous = world.record(record.previousAttempt);
    const after = previous ? ` after attempt ${previous.attempt} ${howItEnded(previous, world)}` : "";
    return `${label} was Lambda's automatic retry of the same event${after}`;
  }
  if (record.delivery > 1) return `${label} came from a second delivery of the same event (Lambda's event queue may deliver an event more than once)`;
  return `${label} was the original ${record.mode === "async" ? "event" : "request"}`;
}

/** "on env-2 (a new environment)" / "on env-1 (warm)". */
export function where(record: InvocationRecord): string {
  if (!record.envId) return "without an environment";
  if (record.initKind === "new") return `on ${record.envId} (a new environment: cold start)`;
  if (record.initKind === "reset") return `on ${record.envId} (reset after a failure: its module state was gone)`;
  return `on ${record.envId} (warm)`;
}

/** Joins phrases as "a, b and c". */
export function list(items: string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/** The record's event as a value (records keep it as JSON text). */
export function eventOf(record: InvocationRecord): unknown {
  try {
    return JSON.parse(record.event);
  } catch {
    return undefined;
  }
}

/** Records that ran code for events whose `field` equals `value`, in start order. */
export function invocationsWhere(world: ScenarioWorld, field: string, value: unknown): InvocationRecord[] {
  return world.invocations.filter((r) => {
    const event = eventOf(r);
    return typeof event === "object" && event !== null && (event as Record<string, unknown>)[field] === value;
  });
}

/** "attempt 1 on env-1 (a new environment: cold start) timed out at 3,000 ms" for each record. */
export function story(records: InvocationRecord[], world: ScenarioWorld): string {
  if (records.length === 0) return "no invocation ran for it";
  return list(records.map((r) => `${r.delivery > 1 ? `delivery ${r.delivery}, ` : ""}attempt ${r.attempt} ${where(r)} ${howItEnded(r, world)}`));
}

/**
 * The synchronous requests whose answer a check does not accept: a failed invocation (with its error), or a response
 * body `accept` rejects (described by `lacking`, e.g. "has no price"). Each comes with a phrase for the learner.
 */
export function unacceptedAnswers(world: ScenarioWorld, accept: (body: unknown) => boolean, lacking: string): Array<{ seq: number; text: string }> {
  return world.results.flatMap((r, i) => {
    if (!r) return [];
    if (r.statusCode === 200 && r.functionError === null && accept(JSON.parse(r.payload))) return [];
    const error = r.record.error ? `${r.record.error.errorType}: ${r.record.error.errorMessage}` : `the response ${r.payload.slice(0, 80)} ${lacking}`;
    return [{ seq: r.record.seq, text: `request ${i + 1} ${where(r.record)} got ${error}` }];
  });
}

/** "3 requests did not get a price: request 1 … and request 2 …, …." with the records to highlight, or null. */
export function unansweredVerdict(bad: Array<{ seq: number; text: string }>, what: string): { message: string; highlight: number[] } | null {
  if (bad.length === 0) return null;
  const texts = list(bad.slice(0, 3).map((b) => b.text));
  return { message: `${bad.length} request${bad.length === 1 ? "" : "s"} did not get ${what}: ${texts}${bad.length > 3 ? ", …" : ""}.`, highlight: bad.map((b) => b.seq) };
}
