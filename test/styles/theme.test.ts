import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// Reads the palette from src/styles/theme.css itself, so a colour edited there is checked here.
const css = readFileSync(new URL("../../src/styles/theme.css", import.meta.url), "utf8");
const palette = new Map<string, { light: string; dark: string }>();
for (const m of css.matchAll(/--([a-z-]+):\s*light-dark\((#[0-9a-f]{6}),\s*(#[0-9a-f]{6})\)/gi)) {
  palette.set(m[1]!, { light: m[2]!, dark: m[3]! });
}

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

function colour(name: string, theme: "light" | "dark"): string {
  const entry = palette.get(name);
  if (!entry) throw new Error(`--${name} is not a light-dark() colour in theme.css`);
  return entry[theme];
}

const TEXT = ["fg", "muted", "accent", "done"];
const BACKGROUNDS = ["bg", "surface", "code-bg", "note-bg"];

describe.each(["light", "dark"] as const)("the %s theme meets WCAG AA contrast", (theme) => {
  it.each(TEXT.flatMap((t) => BACKGROUNDS.map((b) => [t, b])))("text colour --%s on --%s is at least 4.5:1", (text, background) => {
    expect(contrast(colour(text!, theme), colour(background!, theme))).toBeGreaterThanOrEqual(4.5);
  });

  it("button text on the accent colour (the skip link) is at least 4.5:1", () => {
    expect(contrast(colour("accent-fg", theme), colour("accent", theme))).toBeGreaterThanOrEqual(4.5);
  });

  it.each(["focus", "border", "note-edge"])("the outline colour --%s stands out from the page at 3:1 or more", (name) => {
    expect(contrast(colour(name, theme), colour("bg", theme))).toBeGreaterThanOrEqual(3);
  });
});
