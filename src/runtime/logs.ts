/** CloudWatch-style log text, in the exact forms of lambda-model.md §8. */
import type { InvocationRecord } from "./trace.ts";

/** ISO timestamp of a virtual time. */
export function formatLogTime(epochMs: number, t: number): string {
  return new Date(epochMs + Math.floor(t)).toISOString();
}

/** `YYYY/MM/DD/[$LATEST]<environment id>`: one log stream per environment. */
export function logStreamName(epochMs: number, createdAt: number, envId: string): string {
  const iso = formatLogTime(epochMs, createdAt);
  return `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/[$LATEST]${envId}`;
}

/** The REPORT line: fields separated by tabs, Init Duration only on the first request of an environment. */
export function reportLine(record: InvocationRecord, status: "timeout" | "error" | null): string {
  let line =
    `REPORT RequestId: ${record.requestId}\tDuration: ${record.durationMs.toFixed(2)} ms\tBilled Duration: ${record.billedMs} ms` +
    `\tMemory Size: ${record.memorySizeMB} MB\tMax Memory Used: ${record.maxMemoryUsedMB} MB`;
  if (record.initMs !== null) line += `\tInit Duration: ${record.initMs.toFixed(2)} ms`;
  if (status) line += `\tStatus: ${status}`;
  return line;
}
