/**
 * Finds and loads exercises from the `exercises/` folder (Node only; the site bundles the same files). Identity and
 * order come from folder names (src/grader/ids.ts).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { InvalidFileError, parseFile } from "../grader/friendly-error.ts";
import type { LoadedExercise } from "../grader/grade.ts";
import { splitHints } from "../grader/hints.ts";
import { compareFolders, FOLDER_NAME, slugOf } from "../grader/ids.ts";
import { ExerciseSchema } from "../grader/schema.ts";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const EXERCISES_DIR = join(REPO_ROOT, "exercises");

export interface ExerciseFolder {
  id: string;
  dir: string;
}

export interface WrongFix {
  file: string;
  source: string;
  /** The first comment line: what the wrong fix does and why it fails. */
  why: string;
}

export interface ExerciseFiles extends LoadedExercise {
  dir: string;
  starter: string;
  solution: string;
  hints: string[];
  wrongFixes: WrongFix[];
}

function sortedDirs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && FOLDER_NAME.test(d.name))
    .map((d) => d.name)
    .sort(compareFolders);
}

export function listExercises(root = EXERCISES_DIR): ExerciseFolder[] {
  const out: ExerciseFolder[] = [];
  for (const chapter of sortedDirs(root)) {
    for (const exercise of sortedDirs(join(root, chapter))) {
      const dir = join(root, chapter, exercise);
      if (existsSync(join(dir, "exercise.ts"))) out.push({ id: `${slugOf(chapter)}/${slugOf(exercise)}`, dir });
    }
  }
  return out;
}

export function findExercise(id: string, root = EXERCISES_DIR): ExerciseFolder | undefined {
  return listExercises(root).find((e) => e.id === id);
}

function readText(path: string): string {
  return readFileSync(path, "utf8");
}

/** Loads an exercise folder; throws InvalidFileError naming the file and field when something is malformed. */
export async function loadExercise(folder: ExerciseFolder): Promise<ExerciseFiles> {
  const file = join(folder.dir, "exercise.ts");
  const shown = relative(REPO_ROOT, file);
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (error) {
    throw new InvalidFileError(shown, "(file)", `${shown}: could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (module.default === undefined) throw new InvalidFileError(shown, "default", `${shown}: must default-export defineExercise({...}).`);
  const definition = parseFile(ExerciseSchema, module.default, shown, "exercise");
  const need = (name: string) => {
    const path = join(folder.dir, name);
    if (!existsSync(path)) throw new InvalidFileError(relative(REPO_ROOT, path), "(file)", `${relative(REPO_ROOT, path)} is missing: every exercise has ${name}.`);
    return readText(path);
  };
  const wrongDir = join(folder.dir, "wrong-fixes");
  const wrongFixes = existsSync(wrongDir)
    ? readdirSync(wrongDir)
        .filter((f) => f.endsWith(".js"))
        .sort()
        .map((f) => {
          const source = readText(join(wrongDir, f));
          return { file: relative(REPO_ROOT, join(wrongDir, f)), source, why: firstComment(source) };
        })
    : [];
  return {
    id: folder.id,
    dir: folder.dir,
    definition,
    starter: need("starter.js"),
    solution: need("solution.js"),
    hints: splitHints(need("hints.md")),
    wrongFixes,
  };
}

function firstComment(source: string): string {
  const m = /^\s*\/\/\s*(.+)$/m.exec(source) ?? /\/\*+\s*([\s\S]*?)\*\//.exec(source);
  return m?.[1]?.trim() ?? "";
}
