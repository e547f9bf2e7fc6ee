import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { openExercise, press, replaceCode } from "./support/exercise.ts";
import { firstExercise } from "./support/exercises.ts";
import { pageErrors, useSite } from "./support/fixtures.ts";

const site = useSite();
const first = await firstExercise();

const LOOPS = {
  "in the handler": `export async function handler(event) {\n  while (true) {}\n}\n`,
  "at the module's top level": `while (true) {}\nexport async function handler(event) {\n  return { ok: true };\n}\n`,
};

/** Presses the theme toggle and returns its aria-pressed afterwards: the main thread reacts only if it is free. */
async function toggleTheme(page: Page): Promise<string | null> {
  const toggle = page.getByRole("button", { name: "Dark theme" });
  await toggle.click({ timeout: 5_000 });
  return toggle.getAttribute("aria-pressed", { timeout: 5_000 });
}

describe.each(Object.entries(LOOPS))("an infinite loop %s", (_where, code) => {
  test("is reported as a timeout, and the page keeps reacting while it is graded", async () => {
    const page = await site.page();
    await openExercise(page, site.origin, first.id);
    await replaceCode(page, code);
    const grading = press(page, "Grade");
    // While the worker grades, the page's own buttons still work.
    expect(await toggleTheme(page)).toBe("true");
    expect(await toggleTheme(page)).toBe("false");
    const result = await grading;
    expect(result.text).toMatch(/checks passed|stopped/);
    expect(await page.getByRole("main").innerText()).toMatch(/timed out|timeout/i);
    expect(await toggleTheme(page)).toBe("true");
    expect(pageErrors(page)).toEqual([]);
  });
});
