/// <reference types="vite/client" />
/**
 * Exercise definitions for the grading worker: the same exercise.ts files the CLI loads, one lazily imported chunk
 * per exercise, validated with the same schema.
 */
import { parseFile } from "../grader/friendly-error.ts";
import type { LoadedExercise } from "../grader/grade.ts";
import { exerciseIdFromPath } from "../grader/ids.ts";
import { ExerciseSchema } from "../grader/schema.ts";

const modules = import.meta.glob<{ default: unknown }>("../../exercises/*/*/exercise.ts");

const byId = new Map<string, { path: string; load: () => Promise<{ default: unknown }> }>();
for (const [path, load] of Object.entries(modules)) {
  const id = exerciseIdFromPath(path);
  if (id) byId.set(id, { path: path.replace(/^(\.\.\/)+/, ""), load });
}

const loaded = new Map<string, Promise<LoadedExercise>>();

/** The exercise with this id; rejects for an unknown id or a malformed definition. */
export function loadDefinition(id: string): Promise<LoadedExercise> {
  const entry = byId.get(id);
  if (!entry) return Promise.reject(new Error(`unknown exercise "${id}"`));
  let promise = loaded.get(id);
  if (!promise) {
    promise = entry.load().then((m) => ({ id, definition: parseFile(ExerciseSchema, m.default, entry.path, "exercise") }));
    loaded.set(id, promise);
  }
  return promise;
}
