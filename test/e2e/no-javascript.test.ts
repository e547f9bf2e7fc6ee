import { expect, test } from "vitest";
import { firstExercise } from "./support/exercises.ts";
import { useSite } from "./support/fixtures.ts";

const site = useSite();
const first = await firstExercise();
const chapter = first.id.split("/")[0]!;

test("the chapter page is readable with JavaScript off: its text, its widget's built result, and links that lead somewhere", async () => {
  const page = await site.page({ javaScriptEnabled: false });
  const response = await page.goto(site.url(`/${chapter}/`));
  expect(response?.status()).toBe(200);
  expect(await page.getByRole("heading", { level: 1 }).count()).toBe(1);
  const main = page.getByRole("main");
  const paragraphs = await main.locator("p").allTextContents();
  expect(paragraphs.join(" ").split(/\s+/).length).toBeGreaterThan(200);

  // A live widget's result is in the page as built: its chart and its summary in words.
  const widgets = main.getByRole("figure", { name: /live simulation/i });
  expect(await widgets.count()).toBeGreaterThan(0);
  for (const widget of await widgets.all()) {
    expect(await widget.locator("svg").count()).toBeGreaterThan(0);
    const summary = (await widget.getByRole("status").allInnerTexts()).join(" ");
    expect(summary.trim().split(/\s+/).length).toBeGreaterThan(5);
  }

  // Every link on the page answers (same-site pages exist; in-page anchors name an element).
  const links = await page.locator("a[href]").evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
  const broken: string[] = [];
  for (const href of new Set(links)) {
    const url = new URL(href);
    if (url.origin !== site.origin) continue;
    const answer = await page.request.get(url.href);
    if (answer.status() !== 200) broken.push(`${href} → ${answer.status()}`);
    if (url.hash) {
      const target = decodeURIComponent(url.hash.slice(1));
      const html = await answer.text();
      if (!html.includes(`id="${target}"`)) broken.push(`${href} → no element with id "${target}"`);
    }
  }
  expect(broken).toEqual([]);

  // Following a link to an exercise works without JavaScript too.
  await main.getByRole("link", { name: first.definition.title, exact: true }).first().click();
  await page.waitForURL(site.url(`/${first.id}/`));
  expect(await page.getByRole("heading", { level: 1 }).count()).toBe(1);
});
