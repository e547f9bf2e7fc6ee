/** Per-file browser fixture for the browser tests: one Chromium per test file, one fresh context per test. */
import type { Browser, BrowserContext, BrowserContextOptions, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, inject } from "vitest";
import { launchChromium, newContext, type Theme } from "./browser.ts";

const errorsOf = new WeakMap<Page, string[]>();

export interface Site {
  /** The served site's origin, e.g. http://127.0.0.1:41234 */
  readonly origin: string;
  url(path: string): string;
  browser(): Browser;
  /** A fresh page in a fresh context (closed after the test). */
  page(options?: BrowserContextOptions & { theme?: Theme }): Promise<Page>;
}

export function useSite(): Site {
  const origin = inject("origin");
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await browser?.close();
  });
  const site: Site = {
    origin,
    url: (path) => new URL(path, origin).href,
    browser: () => {
      if (!browser) throw new Error("the browser is not launched yet (use site.browser() inside a test)");
      return browser;
    },
    page: async (options) => {
      const context = await newContext(site.browser(), options);
      contexts.push(context);
      const page = await context.newPage();
      // Uncaught page errors are bugs: collect them so tests can assert there were none.
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      errorsOf.set(page, errors);
      return page;
    },
  };
  return site;
}

/** Uncaught errors the page threw since it opened (collected by `site.page()`). */
export function pageErrors(page: Page): string[] {
  return errorsOf.get(page) ?? [];
}
