/**
 * The exercises as the terminal grader sees them, for the browser tests to compare with what a page shows: the same
 * code must get the same messages in the browser and from `npm run grade`.
 */
import { listExercises, loadExercise, type ExerciseFiles } from "../../../src/cli/catalog.ts";
import { gradeExercise } from "../../../src/grader/grade.ts";
import type { GradeReport } from "../../../src/grader/report.ts";
import { loadQuickJS } from "../../../src/sandbox/quickjs.ts";

export async function exercise(id: string): Promise<ExerciseFiles> {
  const folder = listExercises().find((e) => e.id === id);
  if (!folder) throw new Error(`no exercise ${id}`);
  return loadExercise(folder);
}

/** The first exercise of the workbook (chapter 0's first). */
export async function firstExercise(): Promise<ExerciseFiles> {
  return loadExercise(listExercises()[0]!);
}

/** The report `npm run grade` gives for `source` (Grade mode). */
export async function terminalReport(files: ExerciseFiles, source: string): Promise<GradeReport> {
  const result = await gradeExercise(await loadQuickJS(), files, source);
  if (!result.usable) throw new Error(`${files.id}: the code is not gradable: ${result.problem.message}`);
  return result.report;
}
