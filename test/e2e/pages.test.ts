import { describe, expect, test } from "vitest";
import { screenshotAll } from "./support/screenshots.ts";
import { useSite } from "./support/fixtures.ts";

const site = useSite();

describe("screenshots of every page, in both themes at phone and desktop widths", () => {
  test("the home page never scrolls sideways", async () => {
    const shots = await screenshotAll(site.browser(), site.url("/"), "home");
    expect(shots.filter((s) => s.overflowX > 0)).toEqual([]);
  });
});
