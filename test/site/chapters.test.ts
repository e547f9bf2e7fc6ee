import { relative } from "node:path";
import { describe, expect, it } from "vitest";
import { listExercises, REPO_ROOT } from "../../src/cli/catalog.ts";
import { buildChapters, exerciseEntries, type ExerciseFile } from "../../src/site/chapters.ts";

const lesson = (file: string, title: string) => ({ file, data: { title, summary: `${title} in one sentence.` } });
const exerciseFile = (path: string): ExerciseFile => ({ path, title: `T ${path}`, summary: "S." });

describe("the site's chapter list is derived from file names", () => {
  const exercises = exerciseEntries(
    [
      "exercises/04-idempotence/02-second/exercise.ts",
      "exercises/00-lifecycle/01-reuse-client/exercise.ts",
      "exercises/04-idempotence/01-charge-once/exercise.ts",
    ].map(exerciseFile),
  );
  const chapters = buildChapters(
    [lesson("lessons/04-idempotence.mdx", "Idempotence"), lesson("lessons/00-lifecycle.mdx", "Lifecycle"), lesson("lessons/01-throttling.mdx", "Throttling")],
    exercises,
  );

  it("orders chapters by their number, whatever order the files come in", () => {
    expect(chapters.map((c) => [c.order, c.slug, c.href])).toEqual([
      [0, "lifecycle", "/lifecycle/"],
      [1, "throttling", "/throttling/"],
      [4, "idempotence", "/idempotence/"],
    ]);
  });

  it("gives each chapter the exercises of its folder, in folder order, with their pages", () => {
    expect(chapters.map((c) => c.exercises.map((e) => e.href))).toEqual([
      ["/lifecycle/reuse-client/"],
      [],
      ["/idempotence/charge-once/", "/idempotence/second/"],
    ]);
    expect(chapters[2]!.exercises[0]).toMatchObject({ id: "idempotence/charge-once", chapter: "idempotence", summary: "S." });
  });

  it("links each chapter to its neighbours, and the ends to nothing", () => {
    expect(chapters.map((c) => [c.previous?.href ?? null, c.next?.href ?? null])).toEqual([
      [null, "/throttling/"],
      ["/lifecycle/", "/idempotence/"],
      ["/throttling/", null],
    ]);
    expect(chapters[1]!.next).toEqual({ title: "Idempotence", href: "/idempotence/" });
  });

  it("sorts exercise folders by number, so 10 comes after 2", () => {
    const sorted = exerciseEntries(["exercises/01-a/10-ten/exercise.ts", "exercises/01-a/02-two/exercise.ts"].map(exerciseFile));
    expect(sorted.map((e) => e.id)).toEqual(["a/two", "a/ten"]);
  });

  it("skips files that are not an exercises/<chapter>/<exercise>/exercise.ts", () => {
    expect(exerciseEntries(["exercises/01-a/exercise.ts", "exercises/01-a/Bad Name/exercise.ts"].map(exerciseFile))).toEqual([]);
  });

  it("refuses two lessons with the same slug, naming both files", () => {
    expect(() => buildChapters([lesson("lessons/01-timeouts.mdx", "A"), lesson("lessons/02-timeouts.mdx", "B")], [])).toThrowError(
      'lessons/02-timeouts.mdx: chapter slug "timeouts" is already used by lessons/01-timeouts.mdx; each chapter needs its own slug.',
    );
  });

  it("lists the repository's exercises in the same order and with the same ids as the grade command", () => {
    const folders = listExercises();
    const site = exerciseEntries(folders.map((f) => exerciseFile(`${relative(REPO_ROOT, f.dir)}/exercise.ts`)));
    expect(site.map((e) => e.id)).toEqual(folders.map((f) => f.id));
    expect(site.length).toBeGreaterThan(0);
  });
});
