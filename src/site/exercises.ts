/// <reference types="vite/client" />
/**
 * The exercises as the site sees them at build time: bundled with import.meta.glob from the same folders the CLI
 * reads, validated with the same schema, ordered and named by folder names (src/grader/ids.ts). Only plain data
 * leaves this module (pages serialise it); the worker bundles the definitions themselves (src/client/definitions.ts).
 */
import { parseFile } from "../grader/friendly-error.ts";
import { splitHints } from "../grader/hints.ts";
import { compareFolders, exerciseIdFromPath } from "../grader/ids.ts";
import { ExerciseSchema, type Exercise } from "../grader/schema.ts";

const definitions = import.meta.glob<{ default: unknown }>("../../exercises/*/*/exercise.ts", { eager: true });
const texts = import.meta.glob<string>("../../exercises/*/*/{starter.js,solution.js,hints.md}", { eager: true, query: "?raw", import: "default" });

export interface SiteExercise {
  /** `<chapter>/<slug>`. */
  id: string;
  chapter: string;
  slug: string;
  title: string;
  summary: string;
  /** Lesson section the exercise practises (path and anchor). */
  lesson: string;
  starter: string;
  solution: string;
  /** One markdown text per hint, in order; the first line is its title. */
  hints: string[];
  /** Every scenario, visible ones first as the grader runs them; hidden ones carry no description on the page. */
  scenarios: Array<{ name: string; description: string; hidden: boolean; checks: string[] }>;
  definition: Exercise;
}

function text(folder: string, file: string): string {
  const value = texts[`${folder}/${file}`];
  if (value === undefined) throw new Error(`${folder.replace(/^(\.\.\/)+/, "")}/${file} is missing: every exercise has ${file}.`);
  return value;
}

/** Orders `…/exercises/<chapter>/<exercise>/exercise.ts` paths by their two folder names. */
function byFolders(a: string, b: string): number {
  const [ca, ea] = a.split("/").slice(-3, -1) as [string, string];
  const [cb, eb] = b.split("/").slice(-3, -1) as [string, string];
  return compareFolders(ca, cb) || compareFolders(ea, eb);
}

let cache: SiteExercise[] | null = null;

/** Every exercise in workbook order. Throws naming the file and field when one is malformed (the build fails). */
export function siteExercises(): SiteExercise[] {
  if (cache) return cache;
  cache = Object.keys(definitions)
    .sort(byFolders)
    .flatMap((path) => {
      const id = exerciseIdFromPath(path);
      if (!id) return [];
      const folder = path.slice(0, -"/exercise.ts".length);
      const shown = path.replace(/^(\.\.\/)+/, "");
      const definition = parseFile(ExerciseSchema, definitions[path]!.default, shown, "exercise");
      const [chapter, slug] = id.split("/") as [string, string];
      return [
        {
          id,
          chapter,
          slug,
          title: definition.title,
          summary: definition.summary,
          lesson: definition.lesson,
          starter: text(folder, "starter.js"),
          solution: text(folder, "solution.js"),
          hints: splitHints(text(folder, "hints.md")),
          scenarios: definition.scenarios.map((s) => ({ name: s.name, description: s.description, hidden: s.hidden, checks: s.checks.map((c) => c.name) })),
          definition,
        },
      ];
    });
  return cache;
}

export function chapterExercises(chapter: string): SiteExercise[] {
  return siteExercises().filter((e) => e.chapter === chapter);
}
