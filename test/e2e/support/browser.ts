/**
 * Launches Debian's Chromium through playwright-core (never a downloaded browser). Each launch gets a fresh temporary
 * profile (Playwright's default for `launch`), and each test a fresh context, so no storage leaks between tests.
 */
import { existsSync } from "node:fs";
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

export async function launchChromium(): Promise<Browser> {
  if (!chromiumAvailable()) {
    throw new Error(`Chromium is missing at ${CHROMIUM_PATH}: run "node scripts/ensure-chromium.mjs" (npm test does) or set CHROMIUM_PATH.`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/** Viewports the tests and screenshots use. */
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };

export type Theme = "light" | "dark";

/** A context whose pages prefer `theme` (the site's default theme follows prefers-color-scheme). */
export function newContext(browser: Browser, options: BrowserContextOptions & { theme?: Theme } = {}): Promise<BrowserContext> {
  const { theme = "light", ...rest } = options;
  // Clipboard access: the tests paste and copy code the way a learner does.
  return browser.newContext({
    viewport: DESKTOP,
    colorScheme: theme,
    reducedMotion: "reduce",
    permissions: ["clipboard-read", "clipboard-write"],
    ...rest,
  });
}
