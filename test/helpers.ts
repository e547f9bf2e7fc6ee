/** Shared test helpers: load exercises and grade code in-process, as the CLI does. */
import type { QuickJSWASMModule } from "quickjs-emscripten-core";
import { findExercise, listExercises, loadExercise, type ExerciseFiles } from "../src/cli/catalog.ts";
import { gradeExercise, type GradeOptions } from "../src/grader/grade.ts";
import type { GradeReport } from "../src/grader/report.ts";
import { loadQuickJS } from "../src/sandbox/quickjs.ts";

export async function quickjs(): Promise<QuickJSWASMModule> {
  return loadQuickJS();
}

export async function exercise(id: string): Promise<ExerciseFiles> {
  const folder = findExercise(id);
  if (!folder) throw new Error(`no exercise ${id}`);
  return loadExercise(folder);
}

export async function allExercises(): Promise<ExerciseFiles[]> {
  return Promise.all(listExercises().map((f) => loadExercise(f)));
}

/** Grades code that must be gradable; fails the test with the problem otherwise. */
export async function grade(ex: ExerciseFiles, source: string, options: GradeOptions = {}): Promise<GradeReport> {
  const result = await gradeExercise(await quickjs(), ex, source, options);
  if (!result.usable) throw new Error(`unusable: ${result.problem.message}`);
  return result.report;
}

export function failed(report: GradeReport) {
  return report.checks.filter((c) => !c.passed);
}
