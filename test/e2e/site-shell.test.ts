import { gzipSync } from "node:zlib";
import { describe, expect, test } from "vitest";
import { severeViolations } from "./support/axe.ts";
import { pageErrors, useSite } from "./support/fixtures.ts";

const site = useSite();

describe("the theme", () => {
  test("follows the system preference until the reader presses Dark theme, then remembers the choice", async () => {
    const page = await site.page({ theme: "dark" });
    await page.goto(site.url("/idempotence/"));
    const html = page.locator("html");
    const toggle = page.getByRole("button", { name: "Dark theme" });
    expect(await html.getAttribute("data-theme")).toBe("dark");
    expect(await toggle.getAttribute("aria-pressed")).toBe("true");

    await toggle.click();
    expect(await html.getAttribute("data-theme")).toBe("light");
    expect(await toggle.getAttribute("aria-pressed")).toBe("false");
    expect(await page.evaluate(() => localStorage.getItem("sgw:v1:theme"))).toBe("light");

    await page.goto(site.url("/"));
    expect(await html.getAttribute("data-theme")).toBe("light");
    expect(await page.getByRole("button", { name: "Dark theme" }).getAttribute("aria-pressed")).toBe("false");
    expect(pageErrors(page)).toEqual([]);
  });

  test("ignores a saved value it does not know and falls back to the system preference", async () => {
    const page = await site.page({ theme: "light" });
    await page.goto(site.url("/"));
    await page.evaluate(() => localStorage.setItem("sgw:v1:theme", "purple"));
    await page.reload();
    expect(await page.locator("html").getAttribute("data-theme")).toBe("light");
    expect(pageErrors(page)).toEqual([]);
  });
});

describe("search", () => {
  test("finds a lesson section from the header's search field, using only the keyboard", async () => {
    const page = await site.page();
    await page.goto(site.url("/throttling/"));
    await page.getByRole("searchbox", { name: "Search lessons" }).focus();
    await page.keyboard.type("idempotency key");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/search\/\?q=/);
    const status = page.getByRole("status");
    await expect.poll(() => status.textContent(), { timeout: 20_000 }).toMatch(/match/);
    const results = page.locator("[data-search-results] > li > a");
    expect(await results.allTextContents()).toContain("Idempotence");
    expect(pageErrors(page)).toEqual([]);
  });

  test("says so when nothing matches", async () => {
    const page = await site.page();
    await page.goto(site.url("/search/?q=zxqvbnm"));
    await expect.poll(() => page.getByRole("status").textContent(), { timeout: 20_000 }).toBe("No lesson mentions “zxqvbnm”.");
  });
});

describe("completion marks", () => {
  test("show solved exercises and chapters from saved progress, and skip an unreadable entry without an error", async () => {
    const page = await site.page();
    await page.goto(site.url("/"));
    await page.evaluate(() => {
      localStorage.setItem("sgw:v1:exercise:idempotence/charge-once", JSON.stringify({ passedChecks: [], solved: true, hintsRevealed: 0, updatedAt: 1 }));
      localStorage.setItem("sgw:v1:exercise:lifecycle/reuse-client", "{ not json");
    });
    await page.reload();
    const idempotence = page.locator(".chapter-list > li", { has: page.getByRole("link", { name: /Idempotence/ }) });
    expect(await idempotence.locator(".mark:not([hidden])").allTextContents()).toEqual(["✓ All exercises solved", "✓ Solved"]);
    const lifecycle = page.locator(".chapter-list > li").first();
    expect(await lifecycle.locator(".mark:not([hidden])").count()).toBe(0);
    expect(pageErrors(page)).toEqual([]);
  });
});

test("a chapter page loads at most 50 KB of gzipped JavaScript before an exercise opens", async () => {
  for (const path of ["/lifecycle/", "/idempotence/"]) {
    const page = await site.page(); // A fresh context per page: nothing comes from the cache uncounted.
    const scripts: Buffer[] = [];
    page.on("response", async (response) => {
      // Redirects carry no body; the script they lead to is counted when it arrives.
      if (response.request().resourceType() === "script" && response.status() < 300) scripts.push(await response.body());
    });
    await page.goto(site.url(path), { waitUntil: "networkidle" });
    const inline = await page.evaluate(() => [...document.querySelectorAll("script:not([src])")].map((s) => s.textContent ?? "").join(""));
    const bytes = scripts.reduce((sum, body) => sum + gzipSync(body).length, 0) + gzipSync(inline).length;
    expect(bytes, path).toBeLessThanOrEqual(50 * 1024);
    expect(bytes, path).toBeGreaterThan(0);
  }
});

test("an unknown address gets the 404 page with a way back", async () => {
  const page = await site.page();
  const response = await page.goto(site.url("/no-such-chapter/"));
  expect(response?.status()).toBe(404);
  expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Page not found");
  expect(await page.getByRole("link", { name: "The chapter list" }).getAttribute("href")).toBe("/");
});

test("the first Tab reaches Skip to content, which moves the keyboard past the header and the chapter list", async () => {
  const page = await site.page();
  await page.goto(site.url("/idempotence/"));
  await page.keyboard.press("Tab");
  expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
  await page.keyboard.press("Enter");
  expect(await page.evaluate(() => document.activeElement?.tagName)).toBe("MAIN");
  await page.keyboard.press("Tab");
  // The next stop is inside the lesson, not the header or the chapter list.
  expect(await page.evaluate(() => Boolean(document.activeElement?.closest("main")))).toBe(true);
});

test("the chapter list is one navigation landmark named Chapters, marking the current chapter", async () => {
  const page = await site.page();
  await page.goto(site.url("/timeouts/"));
  const nav = page.getByRole("navigation", { name: "Chapters" });
  expect(await nav.count()).toBe(1);
  expect(await nav.locator('[aria-current="page"]').textContent()).toContain("Timeouts");
  expect(await page.getByRole("heading", { level: 1 }).count()).toBe(1);
});

describe.each(["light", "dark"] as const)("in the %s theme, axe finds no serious or critical violations", (theme) => {
  test.each(["/team-leads/", "/idempotence/", "/search/?q=retried", "/no-such-page/"])("on %s", async (path) => {
    const page = await site.page({ theme });
    await page.goto(site.url(path));
    if (path.startsWith("/search/")) await expect.poll(() => page.getByRole("status").textContent(), { timeout: 20_000 }).toMatch(/match/);
    expect(await severeViolations(page)).toEqual([]);
  });
});
