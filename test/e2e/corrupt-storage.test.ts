import type { Page } from "playwright-core";
import { expect, test } from "vitest";
import { openExercise, press, readCode, replaceCode } from "./support/exercise.ts";
import { exercise, firstExercise } from "./support/exercises.ts";
import { pageErrors, useSite } from "./support/fixtures.ts";
import { listExercises } from "../../src/cli/catalog.ts";

const site = useSite();
const first = await firstExercise();
const other = await exercise(listExercises().find((e) => e.id !== first.id)!.id);
const keyOf = (id: string) => `sgw:v1:exercise:${id}`;

/** Another exercise's saved progress, which no problem with the first exercise's entry may touch. */
const otherCode = `${other.starter}\n// my work on ${other.id}\n`;
const otherEntry = JSON.stringify({ code: otherCode, passedChecks: ["a check"], solved: true, hintsRevealed: 1, updatedAt: 1 });

/** Waits for a visible notice matching `pattern` (the island's notices tell the learner what happened to storage). */
const notice = (page: Page, pattern: RegExp) => page.getByText(pattern).first().waitFor({ state: "visible", timeout: 10_000 });

async function gradesAndStillWorks(page: Page): Promise<void> {
  await replaceCode(page, first.solution);
  expect((await press(page, "Grade")).text).toMatch(/solved/i);
}

/** The other exercise's entry is byte for byte what it was, and its page shows its saved code. */
async function otherExerciseKeptItsProgress(page: Page): Promise<void> {
  expect(await page.evaluate((k) => localStorage.getItem(k), keyOf(other.id))).toBe(otherEntry);
  await openExercise(page, site.origin, other.id);
  expect(await readCode(page)).toBe(otherCode);
  expect(pageErrors(page)).toEqual([]);
}

test("hand-edited JSON in one exercise's entry gives a notice and the starter, and leaves other exercises alone", async () => {
  const page = await site.page();
  await page.addInitScript(
    ([mine, broken, theirs, entry]) => {
      if (sessionStorage.getItem("seeded")) return;
      sessionStorage.setItem("seeded", "1");
      localStorage.setItem(mine!, broken!);
      localStorage.setItem(theirs!, entry!);
    },
    [keyOf(first.id), '{"code": "export async function handler() {}", "solved": tru', keyOf(other.id), otherEntry],
  );
  await openExercise(page, site.origin, first.id);
  await notice(page, new RegExp(`progress for ${first.id}.*(not valid|ignored|could not be read)`, "i"));
  expect(await readCode(page)).toBe(first.starter);
  await gradesAndStillWorks(page);
  await otherExerciseKeptItsProgress(page);
});

test("a full storage (writes fail with QuotaExceededError) gives a notice and the exercise still grades", async () => {
  const page = await site.page();
  await page.addInitScript(
    ([theirs, entry]) => {
      if (sessionStorage.getItem("seeded")) return;
      sessionStorage.setItem("seeded", "1");
      localStorage.setItem(theirs!, entry!);
      // Really fill the origin's storage, leaving a few bytes: small writes may fit, an exercise's entry does not.
      for (let size = 8 * 1024 * 1024, n = 0; size >= 16; size >>= 1) {
        try {
          localStorage.setItem(`filler-${n}`, "x".repeat(size));
          n++;
        } catch {
          // too big for what is left: try half as much
        }
      }
    },
    [keyOf(other.id), otherEntry],
  );
  await openExercise(page, site.origin, first.id);
  await gradesAndStillWorks(page);
  await notice(page, /storage is full|not saved|could not be saved/i);
  // A full storage still reads: the other exercise's saved code is still there and shown.
  await otherExerciseKeptItsProgress(page);
});

test("storage that throws on every access (blocked or private mode) gives a notice and the exercise still grades", async () => {
  const page = await site.page();
  await page.addInitScript(() => {
    Object.defineProperty(window, "localStorage", {
      get() {
        throw new DOMException("Access is denied for this document.", "SecurityError");
      },
    });
  });
  await openExercise(page, site.origin, first.id);
  await notice(page, /keep your progress|could not be read/i);
  await gradesAndStillWorks(page);
  expect(pageErrors(page)).toEqual([]);
});
