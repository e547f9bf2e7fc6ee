import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { severeViolations } from "./support/axe.ts";
import { press, waitForEditor } from "./support/exercise.ts";
import { firstExercise } from "./support/exercises.ts";
import { applyTheme } from "./support/screenshots.ts";
import { useSite } from "./support/fixtures.ts";

const site = useSite();
const first = await firstExercise();
const chapter = first.id.split("/")[0]!;

describe.each(["light", "dark"] as const)("in the %s theme, axe finds no serious or critical violations", (theme) => {
  async function open(path: string): Promise<Page> {
    const page = await site.page({ theme });
    await page.goto(site.url(path));
    await applyTheme(page, theme);
    return page;
  }

  test("on the home page", async () => {
    expect(await severeViolations(await open("/"))).toEqual([]);
  });

  test("on a chapter page", async () => {
    expect(await severeViolations(await open(`/${chapter}/`))).toEqual([]);
  });

  test("on an open exercise, before and after grading (results and timeline shown)", async () => {
    const page = await open(`/${first.id}/`);
    await waitForEditor(page);
    expect(await severeViolations(page)).toEqual([]);
    await press(page, "Grade");
    expect(await severeViolations(page)).toEqual([]);
  });
});
