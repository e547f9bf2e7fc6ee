/// <reference types="vite/client" />
/**
 * The exercises as the site sees them at build time: bundled with import.meta.glob from the folders the CLI reads,
 * validated with the same schema, ordered and named by folder names. The one place the site loads exercise.ts
 * (catalog.ts re-exports the list); only plain data leaves it. The grading worker bundles the definitions itself
 * (src/client/definitions.ts).
 */
import { parseFile } from "../grader/friendly-error.ts";
import { splitHints } from "../grader/hints.ts";
import { exerciseIdFromPath } from "../grader/ids.ts";
import { ExerciseSchema, type Exercise } from "../grader/schema.ts";
import { exerciseEntries, type ExerciseEntry } from "./chapters.ts";

const modules = import.meta.glob<{ default: unknown }>("../../exercises/*/*/exercise.ts", { eager: true });
const texts = import.meta.glob<string>("../../exercises/*/*/{starter.js,solution.js,hints.md}", { eager: true, query: "?raw", import: "default" });

const loaded = Object.entries(modules).map(([path, module]) => {
  const shown = path.replace(/^(\.\.\/)+/, "");
  return { path, shown, definition: parseFile(ExerciseSchema, module.default, shown, "exercise") };
});

/** Every exercise, in chapter then folder order, validated with the exercise schema (throws naming file and field). */
export const exercises: ExerciseEntry[] = exerciseEntries(loaded.map((l) => ({ path: l.shown, title: l.definition.title, summary: l.definition.summary })));

export interface ExercisePage extends ExerciseEntry {
  /** The exercise's folder name without its number: the page is /<chapter>/<slug>/. */
  slug: string;
  /** Lesson section the exercise practises (path and anchor). */
  lesson: string;
  starter: string;
  solution: string;
  /** One markdown text per hint, in order; the first line is its title. */
  hints: string[];
  /** Every scenario in the order the grader runs them, with the names of its checks. */
  scenarios: Array<{ name: string; description: string; hidden: boolean; checks: string[] }>;
  definition: Exercise;
}

function text(folder: string, file: string): string {
  const value = texts[`${folder}/${file}`];
  if (value === undefined) throw new Error(`${folder.replace(/^(\.\.\/)+/, "")}/${file} is missing: every exercise has ${file}.`);
  return value;
}

/** Everything an exercise page shows, for every exercise in order. */
export function exercisePages(): ExercisePage[] {
  return exercises.map((entry) => {
    const { path, definition } = loaded.find((l) => exerciseIdFromPath(l.path) === entry.id)!;
    const folder = path.slice(0, -"/exercise.ts".length);
    return {
      ...entry,
      slug: entry.id.slice(entry.chapter.length + 1),
      lesson: definition.lesson,
      starter: text(folder, "starter.js"),
      solution: text(folder, "solution.js"),
      hints: splitHints(text(folder, "hints.md")),
      scenarios: definition.scenarios.map((s) => ({ name: s.name, description: s.description, hidden: s.hidden, checks: s.checks.map((c) => c.name) })),
      definition,
    };
  });
}
