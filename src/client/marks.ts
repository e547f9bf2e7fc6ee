/**
 * Completion marks on the chapter list and exercise lists, read from the progress keys in localStorage
 * (`sgw:v1:exercise:<id>`, written by the exercise pages). Marks start hidden in the HTML, so with JavaScript off, or
 * with unreadable storage, the page simply shows none; an entry that is not valid JSON counts as not solved.
 */
import { keyOf } from "./progress-key.ts";

function solved(id: string): boolean {
  try {
    const raw = localStorage.getItem(keyOf(id));
    if (raw === null) return false;
    const entry: unknown = JSON.parse(raw);
    return typeof entry === "object" && entry !== null && (entry as { solved?: unknown }).solved === true;
  } catch {
    return false;
  }
}

function show(mark: HTMLElement, text: string): void {
  mark.textContent = text;
  mark.hidden = false;
}

for (const mark of document.querySelectorAll<HTMLElement>("[data-exercise-mark]")) {
  if (solved(mark.dataset.exerciseMark ?? "")) show(mark, "✓ Solved");
}

for (const mark of document.querySelectorAll<HTMLElement>("[data-chapter-mark]")) {
  const ids = (mark.dataset.chapterMark ?? "").split(" ").filter(Boolean);
  const done = ids.filter(solved).length;
  if (ids.length > 0 && done === ids.length) show(mark, "✓ All exercises solved");
  else if (done > 0) show(mark, `${done} of ${ids.length} exercises solved`);
}
