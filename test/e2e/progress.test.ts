import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { openExercise, press, readCode, replaceCode, status, waitForEditor } from "./support/exercise.ts";
import { firstExercise } from "./support/exercises.ts";
import { pageErrors, useSite } from "./support/fixtures.ts";

const site = useSite();
const first = await firstExercise();
const key = `sgw:v1:exercise:${first.id}`;

interface Entry {
  code?: string;
  passedChecks: string[];
  solved: boolean;
  hintsRevealed: number;
  updatedAt: number;
}

test("edited code and passed checks survive a reload", async () => {
  const page = await site.page();
  await openExercise(page, site.origin, first.id);
  await replaceCode(page, first.solution);
  await press(page, "Grade");
  const saved = JSON.parse((await page.evaluate((k) => localStorage.getItem(k), key))!) as Entry;
  expect(saved.code).toBe(first.solution);
  expect(saved.solved).toBe(true);
  expect(saved.passedChecks.length).toBeGreaterThan(0);

  await page.reload();
  await waitForEditor(page);
  expect(await readCode(page)).toBe(first.solution);
  const after = JSON.parse((await page.evaluate((k) => localStorage.getItem(k), key))!) as Entry;
  expect(after.passedChecks).toEqual(saved.passedChecks);
  expect(after.solved).toBe(true);
  expect(pageErrors(page)).toEqual([]);
});

test("saved code is shown but never runs by itself when the page loads", async () => {
  const page = await site.page();
  const entry: Entry = { code: first.solution, passedChecks: [], solved: false, hintsRevealed: 0, updatedAt: 1 };
  await page.addInitScript(([k, v]) => localStorage.setItem(k!, v!), [key, JSON.stringify(entry)]);
  await page.goto(site.url(`/${first.id}/`));
  await waitForEditor(page);
  expect(await readCode(page)).toBe(first.solution);
  // Give a wrongly automatic run ample time to happen (the solution would pass and be recorded as solved).
  await page.waitForTimeout(3_000);
  expect(await status(page).innerText()).toBe("");
  const stored = JSON.parse((await page.evaluate((k) => localStorage.getItem(k), key))!) as Entry;
  expect(stored.solved).toBe(false);
  expect(stored.passedChecks).toEqual([]);
  expect(pageErrors(page)).toEqual([]);
});

test("progress exported to a file and imported in another browser brings back the code and the solved mark", async () => {
  const page = await site.page();
  await openExercise(page, site.origin, first.id);
  await replaceCode(page, first.solution);
  expect((await press(page, "Grade")).text).toMatch(/solved/i);

  await page.goto(site.url("/progress/"));
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export progress" }).click()]);
  const file = join(mkdtempSync(join(tmpdir(), "sgw-export-")), download.suggestedFilename());
  await download.saveAs(file);

  const elsewhere = await site.page();
  await elsewhere.goto(site.url("/progress/"));
  const [chooser] = await Promise.all([elsewhere.waitForEvent("filechooser"), elsewhere.getByRole("button", { name: "Import progress" }).click()]);
  await chooser.setFiles(file);
  await elsewhere.getByRole("status").filter({ hasText: /import/i }).waitFor();

  await openExercise(elsewhere, site.origin, first.id);
  expect(await readCode(elsewhere)).toBe(first.solution);
  await elsewhere.goto(site.url("/"));
  const item = elsewhere.getByRole("listitem").filter({ has: elsewhere.getByRole("link", { name: first.definition.title, exact: true }) }).last();
  await item.getByText("Solved").waitFor();
  expect(pageErrors(elsewhere)).toEqual([]);
});
