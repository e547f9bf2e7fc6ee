/** Durations in words, for the reasons and simplifications a learner reads. */

/** `90000` → "90 s", `600000` → "10 min", `7200000` → "2 h", `12.5` → "12.5 ms". */
export function formatMs(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms >= 1_000 && ms % 1_000 === 0) return `${ms / 1_000} s`;
  return `${ms.toLocaleString("en-US", { maximumFractionDigits: 2 })} ms`;
}
