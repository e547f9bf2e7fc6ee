import { describe, expect, test } from "vitest";
import { severeViolations } from "./support/axe.ts";
import { applyTheme } from "./support/screenshots.ts";
import { useSite } from "./support/fixtures.ts";

const site = useSite();

describe.each(["light", "dark"] as const)("in the %s theme", (theme) => {
  test("the home page has no serious or critical accessibility violations", async () => {
    const page = await site.page({ theme });
    await page.goto(site.url("/"));
    await applyTheme(page, theme);
    expect(await severeViolations(page)).toEqual([]);
  });
});
