/// <reference types="astro/client" />
/**
 * The built site's chapters and exercises (Astro only: reads the lessons collection and bundles exercise metadata at
 * build time; nothing here ships to the browser).
 */
import { getCollection, type CollectionEntry } from "astro:content";
import { parseFile } from "../grader/friendly-error.ts";
import { ExerciseSchema } from "../grader/schema.ts";
import { buildChapters, exerciseEntries, type Chapter, type ExerciseEntry } from "./chapters.ts";

const modules = import.meta.glob<{ default: unknown }>("../../exercises/*/*/exercise.ts", { eager: true });

/** Every exercise, in chapter then folder order, validated with the exercise schema. */
export const exercises: ExerciseEntry[] = exerciseEntries(
  Object.entries(modules).map(([path, module]) => {
    const shown = path.replace(/^(\.\.\/)+/, "");
    const { title, summary } = parseFile(ExerciseSchema, module.default, shown, "exercise");
    return { path: shown, title, summary };
  }),
);

/** Every chapter that has a lesson, in order, with its exercises and neighbours. */
export async function chapters(): Promise<Chapter[]> {
  const lessons = await getCollection("lessons");
  return buildChapters(
    lessons.map((l: CollectionEntry<"lessons">) => ({
      file: l.filePath ?? `lessons/${l.id}.mdx`,
      data: l.data,
    })),
    exercises,
  );
}
