import type { Locator, Page } from "playwright-core";
import { expect, test } from "vitest";
import { announced, button, editor, readCode, waitForEditor } from "./support/exercise.ts";
import { firstExercise } from "./support/exercises.ts";
import { useSite } from "./support/fixtures.ts";

const site = useSite();
const first = await firstExercise();

const isFocused = (target: Locator) => target.evaluate((el) => el === document.activeElement);

/** Presses `key` (Tab or Shift+Tab) until `target` has the focus; fails after `limit` presses. */
async function tabTo(page: Page, target: Locator, key = "Tab", limit = 60): Promise<number> {
  for (let presses = 1; presses <= limit; presses++) {
    await page.keyboard.press(key);
    if (await isFocused(target)) return presses;
  }
  throw new Error(`${limit} presses of ${key} never reached the element`);
}

test("a keyboard-only learner tabs into the editor, types, leaves it the announced way, then runs and grades with Space and Enter", async () => {
  const page = await site.page();
  await page.goto(site.url(`/${first.id}/`));
  await waitForEditor(page);

  const code = editor(page);
  await tabTo(page, code);
  // The editor says how to leave it (not a keyboard trap), and says it where a screen reader reads it.
  const help = await code.evaluate((el) =>
    (el.getAttribute("aria-describedby") ?? "")
      .split(/\s+/)
      .map((id) => document.getElementById(id)?.textContent ?? "")
      .join(" "),
  );
  expect(help).toMatch(/Esc/);
  expect(help).toMatch(/Tab/);
  expect(await page.getByText(help.trim()).first().isVisible()).toBe(true);

  await page.keyboard.press("ControlOrMeta+Home");
  await page.keyboard.type("// typed from the keyboard");
  await page.keyboard.press("Enter");

  // Leave the way it is announced: Esc, then Tab moves on to the next control.
  await page.keyboard.press("Escape");
  await page.keyboard.press("Tab");
  expect(await isFocused(code)).toBe(false);

  const run = button(page, "Run");
  if (!(await isFocused(run))) await tabTo(page, run, "Tab", 10);
  const ran = await announced(page, () => page.keyboard.press("Space"));
  expect(ran.text).toMatch(/^Run/);

  const grade = button(page, "Grade");
  await tabTo(page, grade, "Tab", 10);
  const graded = await announced(page, () => page.keyboard.press("Enter"));
  expect(graded.text).toMatch(/^Grade/);
  expect(graded.text).toMatch(/checks passed/);
  // What was typed is there, and leaving the editor did not type a Tab into it.
  const typed = await readCode(page);
  expect(typed).toBe(`// typed from the keyboard\n${first.starter}`);
});
