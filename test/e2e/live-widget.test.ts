import { describe, expect, test } from "vitest";
import { severeViolations } from "./support/axe.ts";
import { applyTheme, screenshotAll } from "./support/screenshots.ts";
import { pageErrors, useSite } from "./support/fixtures.ts";

const site = useSite();
const widget = "[data-live-widget=cold-starts]";

describe("the cold-starts live widget on chapter 0", () => {
  test("shows the build's result with JavaScript off, with the knobs disabled and a note saying so", async () => {
    const page = await site.page({ javaScriptEnabled: false });
    await page.goto(site.url("/lifecycle/"));
    await expect(page.locator(`${widget} [role=status]`).textContent()).resolves.toMatch(/1 every 5 minutes .* invocations were cold starts/);
    expect(await page.locator(`${widget} svg .lw-cold`).count()).toBeGreaterThan(0);
    expect(await page.getByLabel("How often requests arrive").isDisabled()).toBe(true);
    expect(await page.locator(`${widget} .lw-nojs`).isVisible()).toBe(true);
  });

  test("loads the simulator only when the reader scrolls near the widget", async () => {
    const page = await site.page({ viewport: { width: 390, height: 300 } });
    const scripts: string[] = [];
    page.on("request", (r) => {
      if (r.resourceType() === "script") scripts.push(new URL(r.url()).pathname);
    });
    await page.goto(site.url("/lifecycle/"), { waitUntil: "networkidle" });
    expect(await page.locator(widget).getAttribute("data-live")).toBeNull();
    const before = scripts.length;
    await page.locator(widget).scrollIntoViewIfNeeded();
    await page.waitForSelector(`${widget}[data-live="true"]`);
    expect(scripts.length).toBeGreaterThan(before);
  });

  test("reruns the simulation when a knob moves by keyboard, and announces the new result politely", async () => {
    const page = await site.page();
    await page.goto(site.url("/lifecycle/"));
    await page.locator(widget).scrollIntoViewIfNeeded();
    await page.waitForSelector(`${widget}[data-live="true"]`);
    const status = page.locator(`${widget} [role=status]`);
    expect(await status.getAttribute("aria-live")).toBe("polite");
    const before = await status.textContent();
    await page.getByLabel("How often requests arrive").focus();
    for (let i = 0; i < 6; i++) await page.keyboard.press("ArrowRight");
    await expect.poll(() => status.textContent()).toMatch(/^With requests arriving at random, 10 per minute on average/);
    expect(await status.textContent()).not.toBe(before);
    expect(await page.getByLabel("How often requests arrive").getAttribute("aria-valuetext")).toBe("10 per minute");
    await page.getByLabel("Requests per arrival").selectOption("10");
    await expect.poll(() => status.textContent()).toMatch(/^With bursts of 10 requests arriving 10 per minute/);
    expect(Number(await page.locator(`${widget} [data-stat=peak]`).textContent())).toBeGreaterThanOrEqual(10);
    expect(pageErrors(page)).toEqual([]);
  });

  test.each(["light", "dark"] as const)("has no serious accessibility violations once live, in the %s theme", async (theme) => {
    const page = await site.page({ theme });
    await page.goto(site.url("/lifecycle/"));
    await applyTheme(page, theme);
    await page.locator(widget).scrollIntoViewIfNeeded();
    await page.waitForSelector(`${widget}[data-live="true"]`);
    expect(await severeViolations(page)).toEqual([]);
  });

  test("chapter 0 never scrolls sideways (screenshots in both themes, phone and desktop)", async () => {
    const shots = await screenshotAll(site.browser(), site.url("/lifecycle/"), "lifecycle", async (page) => {
      await page.locator(widget).scrollIntoViewIfNeeded();
      await page.waitForSelector(`${widget}[data-live="true"]`);
    });
    expect(shots.filter((s) => s.overflowX > 0)).toEqual([]);
  });
});
