/**
 * What the timeline draws, computed from a failing scenario without the DOM: lanes (one per execution environment,
 * plus one for requests that never ran), bars on a virtual-time axis whose long idle gaps are shortened (and
 * labelled), and each bar's words for screen readers and the table. Pure, so it is unit-tested.
 */
import type { FailureDetail } from "../grader/report.ts";
import type { InvocationRecord, LogLine } from "../runtime/trace.ts";

export interface Bar {
  seq: number;
  /** 1-based position in start order, as the checks' messages count invocations. */
  number: number;
  record: InvocationRecord;
  /** Left edge and width in % of the axis. */
  left: number;
  width: number;
  /** Width of the INIT part in % of the bar (0 when warm). */
  initShare: number;
  highlighted: boolean;
  /** A short visible tag: "⏱ timeout", "✕ error", "OOM", "⊘ throttled", "" for a success. */
  tag: string;
  /** Everything about the bar in one sentence (its description and the logs panel's heading text). */
  label: string;
  /**
   * Its accessible name: short, and made only of fixed words, so that it never contains a control's name ("Run",
   * "Reset"…) — learner-chosen error types and messages stay in `label`.
   */
  name: string;
}

export interface Lane {
  /** "env-1", …, or "not run". */
  name: string;
  bars: Bar[];
}

export interface AxisBreak {
  /** Position and width in % of the axis. */
  at: number;
  width: number;
  /** The idle time left out, in words. */
  label: string;
}

export interface TimelineModel {
  lanes: Lane[];
  breaks: AxisBreak[];
  /** The start and end of each busy stretch, labelled with their virtual time. */
  ticks: Array<{ at: number; label: string; edge: "start" | "end" }>;
  startMs: number;
  endMs: number;
}

/** Idle gaps longer than this are shortened to GAP_SHARE of the axis. */
const GAP_MS = 5_000;
const GAP_SHARE = 4;
const MIN_BAR = 0.6;
/** Minimum distance between two time labels on the axis, in % of its width. */
const TICK_GAP = 16;

export function seconds(ms: number): string {
  return `${(ms / 1000).toLocaleString("en-US", { minimumFractionDigits: 3, maximumFractionDigits: 3 })} s`;
}

function msText(ms: number): string {
  return `${Math.round(ms).toLocaleString("en-US")} ms`;
}

export function outcomeTag(record: InvocationRecord): string {
  switch (record.outcome) {
    case "success":
      return "";
    case "error":
      return "✕ error";
    case "timeout":
      return "◷ timeout";
    case "oom":
      return "OOM";
    case "throttled":
      return "⊘ throttled";
    case "discarded":
      return "⊗ discarded";
    case "rejected":
      return "⊖ rejected";
  }
}

function outcomeWords(record: InvocationRecord): string {
  const error = record.error ? ` (${record.error.errorType}${record.error.errorMessage ? `: ${record.error.errorMessage}` : ""})` : "";
  switch (record.outcome) {
    case "success":
      return "succeeded";
    case "error":
      return `failed${record.failedIn === "init" ? " during INIT" : ""}${error}`;
    case "timeout":
      return `timed out${record.failedIn === "init" ? " during INIT" : ""}`;
    case "oom":
      return "ran out of memory";
    case "throttled":
      return `was throttled${record.reason ? ` (${record.reason})` : ""}`;
    case "discarded":
      return `was discarded${record.reason ? ` (${record.reason})` : ""}`;
    case "rejected":
      return `was rejected${record.reason ? ` (${record.reason})` : ""}`;
  }
}

export function describeRecord(record: InvocationRecord, number: number, highlighted: boolean): string {
  const parts: string[] = [`Invocation ${number}`];
  parts.push(record.envId ? `on ${record.envId}` : "not run");
  if (record.cold) parts.push(record.initKind === "reset" ? `re-initialised after its environment was reset (INIT ${msText(record.initMs ?? 0)})` : `cold start (INIT ${msText(record.initMs ?? 0)})`);
  else if (record.envId) parts.push("warm");
  parts.push(`${record.mode}${record.tenantId ? ` for tenant ${record.tenantId}` : ""}${record.attempt > 1 ? `, attempt ${record.attempt} (retry)` : ""}${record.delivery > 1 ? `, duplicate delivery ${record.delivery}` : ""}`);
  parts.push(`${outcomeWords(record)}`);
  parts.push(record.envId ? `from ${seconds(record.startedAt)} to ${seconds(record.endedAt)}, duration ${msText(record.durationMs)}, billed ${msText(record.billedMs)}` : `at ${seconds(record.arrivedAt)}`);
  if (highlighted) parts.push("this one broke the check");
  return `${parts.join(", ")}.`;
}

const SHORT_OUTCOME: Record<InvocationRecord["outcome"], string> = {
  success: "succeeded",
  error: "failed with an error",
  timeout: "timed out",
  oom: "out of memory",
  throttled: "throttled",
  discarded: "discarded",
  rejected: "rejected",
};

export function nameRecord(record: InvocationRecord, number: number, highlighted: boolean): string {
  const start = record.envId ? `${record.envId}, ${record.cold ? (record.initKind === "reset" ? "re-init" : "cold start") : "warm"}` : "never started";
  const attempt = record.attempt > 1 ? `, attempt ${record.attempt}` : "";
  return `Invocation ${number}: ${start}${attempt}, ${SHORT_OUTCOME[record.outcome]}${highlighted ? ", broke the check" : ""}`;
}

/** The records in start order (the order the checks' messages number them). */
function inStartOrder(trace: readonly InvocationRecord[]): InvocationRecord[] {
  const when = (r: InvocationRecord) => (r.envId ? r.startedAt : r.arrivedAt);
  return [...trace].sort((a, b) => when(a) - when(b) || a.seq - b.seq);
}

export function buildTimeline(failure: FailureDetail): TimelineModel {
  const records = inStartOrder(failure.trace);
  const span = (r: InvocationRecord): [number, number] => (r.envId ? [r.startedAt, Math.max(r.endedAt, r.startedAt)] : [r.arrivedAt, r.arrivedAt]);
  // Merge busy intervals, then map time to % with long idle gaps shortened.
  const intervals = records.map(span).sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [s, e] of intervals) {
    const last = merged[merged.length - 1];
    if (last && s <= last[1] + GAP_MS) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  const startMs = Math.min(0, merged[0]?.[0] ?? 0);
  const endMs = Math.max(merged[merged.length - 1]?.[1] ?? 1, startMs + 1);
  const gaps: Array<[number, number]> = [];
  for (let i = 1; i < merged.length; i++) gaps.push([merged[i - 1]![1], merged[i]![0]]);
  if ((merged[0]?.[0] ?? 0) - startMs > GAP_MS) gaps.unshift([startMs, merged[0]![0]]);
  const busyMs = endMs - startMs - gaps.reduce((sum, [a, b]) => sum + (b - a), 0);
  const busyShare = 100 - GAP_SHARE * gaps.length;
  const x = (t: number): number => {
    let pos = 0;
    let cursor = startMs;
    for (const [a, b] of gaps) {
      if (t <= a) break;
      pos += ((a - cursor) / busyMs) * busyShare;
      if (t < b) return pos + ((t - a) / (b - a)) * GAP_SHARE;
      pos += GAP_SHARE;
      cursor = b;
    }
    return pos + ((t - cursor) / busyMs) * busyShare;
  };
  const breaks = gaps.map(([a, b]) => ({ at: x(a), width: GAP_SHARE, label: `${seconds(b - a)} later` }));

  const laneNames: string[] = [];
  for (const r of records) {
    const name = r.envId ?? "not run";
    if (!laneNames.includes(name)) laneNames.push(name);
  }
  laneNames.sort((a, b) => (a === "not run" ? 1 : b === "not run" ? -1 : 0));
  const highlight = new Set(failure.highlight);
  const lanes: Lane[] = laneNames.map((name) => ({ name, bars: [] }));
  records.forEach((record, i) => {
    const [s, e] = span(record);
    const left = x(s);
    const width = Math.max(MIN_BAR, x(e) - left);
    const initMs = record.cold ? Math.min(record.initMs ?? 0, e - s) : 0;
    const highlighted = highlight.has(record.seq);
    lanes.find((l) => l.name === (record.envId ?? "not run"))!.bars.push({
      seq: record.seq,
      number: i + 1,
      record,
      left,
      width,
      initShare: e > s ? (initMs / (e - s)) * 100 : 0,
      highlighted,
      tag: outcomeTag(record),
      label: describeRecord(record, i + 1, highlighted),
      name: nameRecord(record, i + 1, highlighted),
    });
  });

  // Ticks at the start and end of each busy stretch.
  const all = merged.flatMap(([a, b]) => [
    { at: x(a), label: seconds(a), edge: "start" as const },
    ...(b - a > 0 ? [{ at: x(b), label: seconds(b), edge: "end" as const }] : []),
  ]);
  // Labels closer than TICK_GAP would overlap: keep the first, then every one far enough from the last kept, and
  // always the very end (it replaces a kept label that is too close).
  const ticks: typeof all = [];
  for (const tick of all) {
    const last = ticks[ticks.length - 1];
    if (!last || tick.at - last.at >= TICK_GAP) ticks.push(tick);
    else if (tick === all[all.length - 1] && ticks.length > 1) ticks[ticks.length - 1] = tick;
  }
  return { lanes, breaks, ticks, startMs, endMs };
}

/** The log lines of one invocation: its environment's stream, its request id, within its time span. */
export function logsOf(record: InvocationRecord, logs: readonly LogLine[]): LogLine[] {
  if (!record.envId) return [];
  // INIT output (the module's top level) has no request id yet.
  const mine = (l: LogLine) => l.requestId === record.requestId || (l.requestId === null && record.cold);
  return logs.filter((l) => l.envId === record.envId && mine(l) && l.t >= record.startedAt && l.t <= record.endedAt);
}
