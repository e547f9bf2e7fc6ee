/// <reference types="astro/client" />
/**
 * The built site's chapters and exercises (Astro only: reads the lessons collection and bundles exercise metadata at
 * build time; nothing here ships to the browser).
 */
import { getCollection, type CollectionEntry } from "astro:content";
import { buildChapters, type Chapter } from "./chapters.ts";
import { exercises } from "./exercises.ts";

/** Every exercise, in chapter then folder order (loaded and validated in exercises.ts). */
export { exercises };

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
