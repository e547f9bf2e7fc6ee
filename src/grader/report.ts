/** The grade report: what the CLI prints (text or JSON), what the site draws, what tests pin. */
import type { HopRecord, InvocationRecord, LogLine, MetricPoint } from "../runtime/trace.ts";

export interface CheckReport {
  /** What the check expects, as a sentence. */
  name: string;
  passed: boolean;
  /** Why it failed, in terms of what happened; "passed" when it passed. */
  message: string;
  /** Only shown on Grade, not on Run. */
  hidden: boolean;
  scenario: string;
  /** Lesson section the check is about. */
  lesson: string;
}

export interface ScenarioReport {
  name: string;
  description: string;
  hidden: boolean;
  passed: boolean;
  seed: number;
}

/** The first failing scenario, with everything needed to draw its timeline. */
export interface FailureDetail {
  scenario: string;
  description: string;
  check: string;
  message: string;
  /** Trace positions of the records that broke the check. */
  highlight: number[];
  trace: InvocationRecord[];
  logs: LogLine[];
  metrics: MetricPoint[];
  /** Payloads that crossed a service hop in this scenario, accepted or refused (lambda-model.md §5). */
  hops: HopRecord[];
}

export interface GradeReport {
  exercise: string;
  title: string;
  mode: "run" | "grade";
  passed: boolean;
  checks: CheckReport[];
  scenarios: ScenarioReport[];
  failure: FailureDetail | null;
  /** Modelling choices (not AWS guarantees) that this exercise's outcome depends on. */
  simplifications: string[];
}

/** Code that cannot be graded at all (exit 2 from the CLI). */
export interface UnusableCode {
  kind: "not-text" | "empty" | "too-large" | "syntax" | "no-handler" | "commonjs";
  message: string;
}

export function formatReport(report: GradeReport): string {
  const lines: string[] = [];
  const passedCount = report.checks.filter((c) => c.passed).length;
  lines.push(`${report.exercise}: ${report.title}`);
  lines.push("");
  for (const check of report.checks) {
    lines.push(`  ${check.passed ? "PASS" : "FAIL"}  ${check.name}${check.hidden ? " (hidden)" : ""}`);
    if (!check.passed) {
      lines.push(`        scenario: ${check.scenario}`);
      for (const line of wrap(check.message, 100)) lines.push(`        ${line}`);
    }
  }
  lines.push("");
  if (report.failure) {
    lines.push(`What happened in "${report.failure.scenario}" (${report.failure.description}):`);
    for (const r of report.failure.trace) {
      const mark = report.failure.highlight.includes(r.seq) ? ">" : " ";
      const env = r.envId ?? "-";
      const cold = r.cold ? (r.initKind === "reset" ? " re-init" : " cold") : "";
      lines.push(
        `  ${mark} ${fmtTime(r.startedAt).padStart(10)} → ${fmtTime(r.endedAt).padStart(10)}  ${r.mode.padEnd(5)} attempt ${r.attempt}${r.delivery > 1 ? ` (delivery ${r.delivery})` : ""}  ${env}${cold}  ${r.outcome}${r.error ? ` ${r.error.errorType}` : ""}`,
      );
    }
    lines.push("");
  }
  if (report.simplifications.length > 0) {
    lines.push("Modelling choices (simplifications, not AWS guarantees):");
    for (const s of report.simplifications) lines.push(`  - ${s}`);
    lines.push("");
  }
  lines.push(`${report.passed ? "PASSED" : "FAILED"}: ${passedCount} of ${report.checks.length} checks passed (${report.mode === "grade" ? "visible and hidden" : "visible only"}).`);
  return lines.join("\n");
}

function fmtTime(ms: number): string {
  return `${(ms / 1000).toFixed(3)} s`;
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  for (const paragraph of text.split("\n")) {
    let line = "";
    for (const word of paragraph.split(" ")) {
      if (line && line.length + word.length + 1 > width) {
        out.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    out.push(line);
  }
  return out;
}
