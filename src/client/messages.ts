/** Sentences the island announces (role="status") and shows; pinned by tests. */
import type { GradeReport } from "../grader/report.ts";
import type { ProgressEntry } from "./progress.ts";
import type { GradeMode } from "./grading-protocol.ts";

export function runningMessage(mode: GradeMode): string {
  return mode === "run" ? "Running the visible checks…" : "Grading: running the visible and hidden checks…";
}

export function summaryMessage(report: GradeReport): string {
  const passed = report.checks.filter((c) => c.passed).length;
  const total = report.checks.length;
  const firstFailure = report.checks.find((c) => !c.passed);
  if (report.mode === "run") {
    if (!firstFailure) return `Run: all ${total} visible checks passed. Press Grade to run the hidden checks too.`;
    return `Run: ${passed} of ${total} visible checks passed. First failure: ${firstFailure.name}.`;
  }
  if (!firstFailure) return `Grade: all ${total} checks passed, visible and hidden. Exercise solved.`;
  return `Grade: ${passed} of ${total} checks passed (visible and hidden). First failure: ${firstFailure.name}.`;
}

export function unusableMessage(message: string): string {
  return `Your code could not be graded: ${message}`;
}

export function hintMessage(index: number, total: number, title: string): string {
  return `Hint ${index} of ${total}: ${title}`;
}

export const RESET_CONFIRM = "Reset this exercise? Your code goes back to the starter, and its saved passes and hints are forgotten. Other exercises keep their progress.";
export const RESET_DONE = "The exercise was reset to the starter code.";
export const LEAVE_EDITOR = "Press Tab to move to the next control, or Shift+Tab to the previous one.";
export const LEAVE_EDITOR_HINT = "Keyboard: press Esc, then Tab (or Shift+Tab) to leave the editor. Ctrl+M switches Tab between indenting and moving focus.";

/** Shown under the editor on load when this browser has progress for the exercise (nothing runs by itself). */
export function restoredMessage(entry: ProgressEntry, starter: string): string {
  const parts: string[] = [];
  if (entry.code !== undefined && entry.code !== starter) parts.push("Your saved code was restored; press Run or Grade to check it.");
  if (entry.solved) parts.push("You solved this exercise in this browser.");
  return parts.join(" ");
}
