/**
 * Full-page screenshots of a page in both themes at phone and desktop widths, into test-results/screenshots/
 * (git-ignored), for a person to look at. Also reports whether the page scrolls sideways, which tests can assert.
 */
import { mkdirSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { DESKTOP, newContext, PHONE, type Theme } from "./browser.ts";

export const SCREENSHOT_DIR = "test-results/screenshots";

export interface Shot {
  file: string;
  theme: Theme;
  width: number;
  /** How many CSS pixels the page is wider than the viewport (0 when nothing overflows sideways). */
  overflowX: number;
}

/** Sets the theme the way the site does: data-theme on <html> (the emulated prefers-color-scheme gives the default). */
export async function applyTheme(page: Page, theme: Theme): Promise<void> {
  await page.evaluate((t) => document.documentElement.setAttribute("data-theme", t), theme);
}

/**
 * Opens `url` in each theme and width, runs `prepare` (e.g. open and grade an exercise), and saves a full-page
 * screenshot named `<name>-<theme>-<phone|desktop>.png`.
 */
export async function screenshotAll(
  browser: Browser,
  url: string,
  name: string,
  prepare: (page: Page) => Promise<void> = async () => {},
): Promise<Shot[]> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const shots: Shot[] = [];
  for (const theme of ["light", "dark"] as const) {
    for (const [label, viewport] of [["phone", PHONE], ["desktop", DESKTOP]] as const) {
      const context = await newContext(browser, { theme, viewport });
      try {
        const page = await context.newPage();
        await page.goto(url);
        await applyTheme(page, theme);
        await prepare(page);
        await page.evaluate(() => document.fonts.ready);
        const file = `${SCREENSHOT_DIR}/${name}-${theme}-${label}.png`;
        await page.screenshot({ path: file, fullPage: true });
        const overflowX = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        shots.push({ file, theme, width: viewport.width, overflowX });
      } finally {
        await context.close();
      }
    }
  }
  return shots;
}
