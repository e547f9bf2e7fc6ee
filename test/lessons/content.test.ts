import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../src/cli/catalog.ts";
import { chapterOfFile } from "../../src/lessons/schema.ts";
import { allExercises } from "../helpers.ts";

const LESSONS = join(REPO_ROOT, "lessons");
const lessonFiles = existsSync(LESSONS) ? readdirSync(LESSONS).filter((f) => f.endsWith(".mdx")) : [];
const lessonBySlug = new Map(lessonFiles.map((f) => [chapterOfFile(f).slug, join(LESSONS, f)]));

/** The id MDX gives a heading (GitHub's rule for plain-text headings: lower case, punctuation dropped, spaces to dashes). */
function headingId(text: string): string {
  return text
    .replace(/[`*_]/g, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, "")
    .replace(/\s/g, "-");
}

function headingIds(file: string): string[] {
  return [...readFileSync(file, "utf8").matchAll(/^#{2,6}\s+(.+?)\s*$/gm)].map((m) => headingId(m[1]!));
}

describe("links from exercises to lesson sections", () => {
  it("derives heading ids the way the lesson pages do", () => {
    expect(headingId("Everything is retried")).toBe("everything-is-retried");
    expect(headingId("Init runs once per environment")).toBe("init-runs-once-per-environment");
    expect(headingId("Why `/tmp` survives: a reset")).toBe("why-tmp-survives-a-reset");
  });

  it("every lesson link names a chapter that has a lesson, and a heading of that lesson", async () => {
    const exercises = await allExercises();
    const links = exercises.flatMap((e) => [
      { from: e.id, link: e.definition.lesson },
      ...e.definition.scenarios.flatMap((s) => s.checks.flatMap((c) => (c.lesson ? [{ from: `${e.id}: ${c.name}`, link: c.lesson }] : []))),
    ]);
    const broken: string[] = [];
    for (const { from, link } of links) {
      const m = /^\/([a-z0-9-]+)\/(?:#([a-z0-9-]+))?$/.exec(link);
      if (!m) {
        broken.push(`${from}: "${link}" is not of the form /<chapter>/#<section>`);
        continue;
      }
      const file = lessonBySlug.get(m[1]!);
      if (!file) broken.push(`${from}: ${link} — no lesson lessons/<nn>-${m[1]}.mdx`);
      else if (m[2] && !headingIds(file).includes(m[2])) broken.push(`${from}: ${link} — no heading with id "${m[2]}" in ${file}`);
    }
    expect(broken).toEqual([]);
    expect(links.length).toBeGreaterThan(0);
  });
});

describe("the lessons folder", () => {
  it("holds only README.md and lessons named <nn>-<slug>.mdx, so no chapter is silently left out", () => {
    const others = readdirSync(LESSONS).filter((f) => f !== "README.md");
    expect(others.filter((f) => !f.endsWith(".mdx"))).toEqual([]);
    for (const f of others) expect(() => chapterOfFile(`lessons/${f}`)).not.toThrow();
    expect(new Set(others.map((f) => chapterOfFile(f).slug)).size).toBe(others.length);
  });
});

describe("lesson bodies", () => {
  it.each(lessonFiles)("%s has no level-1 heading (the chapter title is the page's only h1)", (name) => {
    const body = readFileSync(join(LESSONS, name), "utf8").replace(/^```[\s\S]*?^```/gm, "");
    expect(body.match(/^#\s.*$/gm) ?? []).toEqual([]);
  });
});
