import { expect, test } from "vitest";
import { press, waitForEditor } from "./support/exercise.ts";
import { firstExercise } from "./support/exercises.ts";
import { screenshotAll, type Shot } from "./support/screenshots.ts";
import { useSite } from "./support/fixtures.ts";

const site = useSite();
const first = await firstExercise();
const chapter = first.id.split("/")[0]!;

const sideways = (shots: Shot[]) => shots.filter((s) => s.overflowX > 0).map((s) => `${s.file}: ${s.overflowX}px too wide`);

// Screenshots land in test-results/screenshots/ for a person to look at; the tests check what a machine can.
test("the home page never scrolls sideways, in both themes at phone and desktop widths", async () => {
  expect(sideways(await screenshotAll(site.browser(), site.url("/"), "home"))).toEqual([]);
});

test("the chapter page never scrolls sideways", async () => {
  expect(sideways(await screenshotAll(site.browser(), site.url(`/${chapter}/`), "chapter"))).toEqual([]);
});

test("the exercise page never scrolls sideways, before and after grading", async () => {
  const url = site.url(`/${first.id}/`);
  expect(sideways(await screenshotAll(site.browser(), url, "exercise", (page) => waitForEditor(page)))).toEqual([]);
  const graded = await screenshotAll(site.browser(), url, "exercise-graded", async (page) => {
    await waitForEditor(page);
    await press(page, "Grade");
  });
  expect(sideways(graded)).toEqual([]);
});

test("the team-lead page never scrolls sideways", async () => {
  expect(sideways(await screenshotAll(site.browser(), site.url("/team-leads/"), "team-leads"))).toEqual([]);
});
