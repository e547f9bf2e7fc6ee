/**
 * Driving an exercise page the way the hidden checks do: by accessible names (PROTOCOL's site conventions).
 * Shared by the browser tests and the browser benchmark, so it imports nothing from vitest.
 */
import type { Locator, Page } from "playwright-core";

export const exerciseUrl = (id: string): string => `/${id}/`;

export type ButtonName = "Run" | "Grade" | "Reset" | "Show hint" | "Show solution";

export const editor = (page: Page): Locator => page.getByRole("textbox", { name: "Handler code" });
export const button = (page: Page, name: ButtonName): Locator => page.getByRole("button", { name, exact: true });
/** The exercise's live region, where Run and Grade announce their results (one exercise per page). */
export const status = (page: Page): Locator => page.getByRole("status");

/** Waits until the editor is on the page and Grade can be pressed. */
export async function waitForEditor(page: Page): Promise<void> {
  await editor(page).waitFor({ state: "attached" });
  await button(page, "Grade").waitFor({ state: "visible" });
}

export async function openExercise(page: Page, origin: string, id: string): Promise<void> {
  await page.goto(new URL(exerciseUrl(id), origin).href);
  await waitForEditor(page);
}

/** Puts `text` on the clipboard (the context must grant clipboard access; `newContext` does). */
async function writeClipboard(page: Page, text: string): Promise<void> {
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
}

/**
 * Replaces the editor's whole text as a learner pasting a file would: select all, then Ctrl+V. Pasting keeps the
 * text verbatim, where typing would trigger auto-closing brackets and auto-indent.
 */
export async function replaceCode(page: Page, code: string): Promise<void> {
  await writeClipboard(page, code);
  await editor(page).focus();
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.press("ControlOrMeta+V");
}

let copies = 0;

/** The editor's whole text, read back as a learner would: select all and copy (the editor only renders what is visible). */
export async function readCode(page: Page): Promise<string> {
  const marker = `\u0000nothing copied yet ${++copies}`;
  await writeClipboard(page, marker);
  await editor(page).focus();
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.press("ControlOrMeta+C");
  // The editor may write the clipboard asynchronously: wait until the marker is replaced.
  const copied = await page.waitForFunction(
    async (old) => {
      const text = await navigator.clipboard.readText();
      return text === old ? false : text;
    },
    marker,
  );
  // Leave no selection behind (the cursor goes to the start, as on a fresh page).
  await page.keyboard.press("ControlOrMeta+Home");
  return (await copied.jsonValue()) as string;
}

/** A result announcement: a Run or Grade summary, an unusable-code message, or the watchdog's report. */
const RESULT = "checks passed|could not be graded|stopped|did not answer|timed out|restart";

export interface Announcement {
  text: string;
  /** Milliseconds in the page from the start of the watch (just before the press) to the announcement. */
  ms: number;
}

declare global {
  interface Window {
    __e2eAnnouncement?: Announcement;
  }
}

/**
 * Watches the status region, then does `act` (a key press, a click), then resolves with the next result announced.
 * The page clears the region before each announcement, so a repeated identical result is still seen as new. With
 * `clickInPage`, the click is dispatched inside the page right after the watch starts, so `ms` is exact.
 */
export async function announced(page: Page, act: () => Promise<unknown>, clickInPage?: Locator): Promise<Announcement> {
  const region = await status(page).elementHandle();
  const target = clickInPage ? await clickInPage.elementHandle() : null;
  if (!region) throw new Error("no status region on the page");
  await page.evaluate(
    ([live, pattern, pressed]) => {
      const result = new RegExp(pattern as string, "i");
      let cleared = false;
      window.__e2eAnnouncement = undefined;
      const started = performance.now();
      const observer = new MutationObserver(() => {
        const text = (live as Element).textContent ?? "";
        if (text === "") cleared = true;
        else if (cleared && result.test(text)) {
          observer.disconnect();
          window.__e2eAnnouncement = { text, ms: performance.now() - started };
        }
      });
      observer.observe(live as Element, { childList: true, subtree: true, characterData: true });
      (pressed as HTMLElement | null)?.click();
    },
    [region, RESULT, target] as const,
  );
  await act();
  const done = await page.waitForFunction(() => window.__e2eAnnouncement, undefined, { timeout: 90_000 });
  return (await done.jsonValue()) as Announcement;
}

/** Presses Run or Grade with the mouse and resolves with the announced result. */
export function press(page: Page, name: "Run" | "Grade"): Promise<Announcement> {
  return announced(page, () => button(page, name).click());
}

/** Presses Run or Grade inside the page and resolves with the result and its exact latency (the benchmark). */
export function pressTimed(page: Page, name: "Run" | "Grade"): Promise<Announcement> {
  return announced(page, async () => {}, button(page, name));
}
