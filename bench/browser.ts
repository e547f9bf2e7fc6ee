/**
 * Browser figures of `npm run bench`, measured in Debian's Chromium against the built site (dist/): the JavaScript a
 * chapter page needs and loads, the time from opening an exercise to a ready editor on a cold cache, and the time from
 * pressing Grade to the announced result once warm. Skipped, with a note, when Chromium or dist/ is missing.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { listExercises } from "../src/cli/catalog.ts";
import { chromiumAvailable, CHROMIUM_PATH, launchChromium, newContext } from "../test/e2e/support/browser.ts";
import { editor, exerciseUrl, pressTimed, waitForEditor } from "../test/e2e/support/exercise.ts";
import { startStaticSite } from "../test/e2e/support/static-server.ts";

export interface BenchOutput {
  atMost(label: string, value: number, unit: string, target: number, digits?: number): void;
  note(label: string, text: string): void;
  medianOf(n: number, warmup: number, sample: () => number | Promise<number>): Promise<number>;
  reps(n: number): number;
}

const DIST = "dist";

interface Transfer {
  bytes: number;
  gzipBytes: number;
  files: number;
}

/** Counts the JavaScript (pages' and workers' scripts) and WebAssembly a context downloads from now on. */
function countScripts(context: BrowserContext): { js: Transfer; wasm: Transfer } {
  const totals = { js: { bytes: 0, gzipBytes: 0, files: 0 }, wasm: { bytes: 0, gzipBytes: 0, files: 0 } };
  context.on("response", (response) => {
    const type = response.headers()["content-type"] ?? "";
    const kind = /javascript/.test(type) ? "js" : /wasm/.test(type) ? "wasm" : null;
    if (!kind) return;
    response.body().then(
      (body) => {
        totals[kind].bytes += body.length;
        totals[kind].gzipBytes += gzipSync(body).length;
        totals[kind].files++;
      },
      () => {},
    );
  });
  return totals;
}

const kb = (bytes: number) => bytes / 1024;

/** The chapter page's text with JavaScript off, as a share of its text with JavaScript on (1 = all readable). */
async function readableWithoutJs(browser: Browser, url: string): Promise<number> {
  const textOf = async (javaScriptEnabled: boolean) => {
    const context = await newContext(browser, { javaScriptEnabled });
    try {
      const page = await context.newPage();
      await page.goto(url);
      return await page.locator("main").evaluate((main) =>
        [...main.querySelectorAll("h1, h2, h3, p, li, figcaption, td, th")].map((e) => (e.textContent ?? "").trim()).filter(Boolean),
      );
    } finally {
      await context.close();
    }
  };
  const withJs = await textOf(true);
  const withoutJs = new Set(await textOf(false));
  return withJs.length === 0 ? 0 : withJs.filter((t) => withoutJs.has(t)).length / withJs.length;
}

async function chapterBytes(browser: Browser, chapterUrl: string, exercisePageUrl: string, out: BenchOutput): Promise<void> {
  const context = await newContext(browser);
  try {
    const counts = countScripts(context);
    const page = await context.newPage();
    await page.goto(chapterUrl, { waitUntil: "networkidle" });
    // Scroll the whole lesson, so anything loaded when scrolled near (widgets) is counted too.
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await page.waitForLoadState("networkidle");
    await settle(page);
    const before = { ...counts.js };
    out.atMost("chapter page JS before an exercise opens (gzip)", kb(before.gzipBytes), "KB", 50, 1);
    out.note("", `${before.files} files, ${kb(before.bytes).toFixed(1)} KB uncompressed`);
    await page.goto(exercisePageUrl);
    await waitForEditor(page);
    await page.waitForLoadState("networkidle");
    await settle(page);
    const after = { ...counts.js };
    out.note("JS after opening an exercise (gzip)", `${kb(after.gzipBytes - before.gzipBytes).toFixed(1)} KB more (${after.files - before.files} files, ${kb(after.bytes - before.bytes).toFixed(0)} KB uncompressed) + ${kb(counts.wasm.gzipBytes).toFixed(0)} KB gzip of WebAssembly`);
  } finally {
    await context.close();
  }
}

/** Lets pending response bodies arrive (they are counted asynchronously). */
async function settle(page: Page): Promise<void> {
  await page.waitForTimeout(250);
}

/** Milliseconds from navigation start to a ready editor, in a new context (an empty cache) each time. */
async function coldOpen(browser: Browser, url: string): Promise<number> {
  const context = await newContext(browser);
  try {
    const page = await context.newPage();
    await page.goto(url, { waitUntil: "commit" });
    await waitForEditor(page);
    return await page.evaluate(() => performance.now());
  } finally {
    await context.close();
  }
}

export async function benchBrowser(out: BenchOutput): Promise<void> {
  if (!chromiumAvailable()) {
    out.note("browser", `skipped: no Chromium at ${CHROMIUM_PATH} (node scripts/ensure-chromium.mjs says how to get it)`);
    return;
  }
  if (!existsSync(join(DIST, "index.html"))) {
    out.note("browser", "skipped: dist/ is not built (npm run build)");
    return;
  }
  const first = listExercises()[0]?.id;
  if (!first) {
    out.note("browser", "skipped: no exercises");
    return;
  }
  const site = await startStaticSite(DIST);
  const browser = await launchChromium();
  try {
    const chapterUrl = `${site.origin}/${first.split("/")[0]}/`;
    const exercisePage = `${site.origin}${exerciseUrl(first)}`;
    for (const url of [chapterUrl, exercisePage]) {
      const answer = await fetch(url);
      if (answer.status !== 200) {
        out.note("browser", `skipped: ${url.slice(site.origin.length)} answers ${answer.status} (is the site fully built?)`);
        return;
      }
    }

    const share = await readableWithoutJs(browser, chapterUrl);
    out.note("JS needed to read a lesson (target 0 bytes)", share === 1 ? "0 bytes: all of its text is there with JavaScript off   OK" : `${(share * 100).toFixed(0)}% of its text is there with JavaScript off   MISSED`);
    await chapterBytes(browser, chapterUrl, exercisePage, out);

    const cold = await out.medianOf(out.reps(5), 1, () => coldOpen(browser, exercisePage));
    out.atMost(`exercise opened → editor ready, cold cache (${first})`, cold, "ms", 1_500, 0);

    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await page.goto(exercisePage);
      await waitForEditor(page);
      await editor(page).waitFor();
      const warm = await out.medianOf(out.reps(9), 2, async () => (await pressTimed(page, "Grade")).ms);
      out.atMost(`Grade pressed → result, warm (starter of ${first})`, warm, "ms", 300, 0);
    } finally {
      await context.close();
    }
  } finally {
    await browser.close();
    await site.close();
  }
}
