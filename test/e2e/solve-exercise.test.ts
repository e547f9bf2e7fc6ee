import { expect, test } from "vitest";
import { button, openExercise, press, readCode, replaceCode } from "./support/exercise.ts";
import { severeViolations } from "./support/axe.ts";
import { firstExercise, terminalReport } from "./support/exercises.ts";
import { pageErrors, useSite } from "./support/fixtures.ts";

const site = useSite();
const first = await firstExercise();

const squash = (text: string) => text.replace(/\s+/g, " ").trim();

test("a learner grades the starter, reads why it fails, pastes the reference solution and passes; the home page then marks the exercise solved", async () => {
  const expected = await terminalReport(first, first.starter);
  const firstFailure = expected.checks.find((c) => !c.passed)!;
  expect(firstFailure).toBeDefined();

  const page = await site.page();
  await openExercise(page, site.origin, first.id);
  expect(await button(page, "Show solution").isVisible()).toBe(false);

  const failed = await press(page, "Grade");
  expect(failed.text).toContain(firstFailure.name);
  // The same explanation as `npm run grade` gives for the same code.
  expect(squash(await page.getByRole("main").innerText())).toContain(squash(firstFailure.message));
  expect(await button(page, "Show solution").isVisible()).toBe(true);

  await replaceCode(page, first.solution);
  const passed = await press(page, "Grade");
  expect(passed.text).toMatch(/solved/i);
  expect(passed.text).toContain(`all ${expected.checks.length} checks passed`);

  await page.goto(site.url("/"));
  // The innermost list item holding the exercise's link (the chapter's item holds it too, with the chapter's mark).
  const item = page.getByRole("listitem").filter({ has: page.getByRole("link", { name: first.definition.title, exact: true }) }).last();
  await item.getByText("Solved").waitFor();
  expect(pageErrors(page)).toEqual([]);
});

test.each(["light", "dark"] as const)("after a graded attempt the reference solution is shown beside the learner's code, which stays as it was (%s theme)", async (theme) => {
  const page = await site.page({ theme });
  await openExercise(page, site.origin, first.id);
  const mine = `${first.starter}// my attempt\n`;
  await replaceCode(page, mine);
  await press(page, "Grade");
  const show = button(page, "Show solution");
  await show.click();
  expect(await show.getAttribute("aria-expanded")).toBe("true");
  const solution = page.getByRole("region", { name: /reference solution/i });
  await solution.waitFor();
  expect(await readCode(page)).toBe(mine);
  // The editor's cursor sits on a word, so its highlight is on screen: the diff and the whole page keep AA contrast.
  expect(await severeViolations(page, solution)).toEqual([]);
  expect(await severeViolations(page)).toEqual([]);
  expect(pageErrors(page)).toEqual([]);
});
