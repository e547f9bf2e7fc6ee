/**
 * `npm run check:content`: checks every exercise the way a learner's grade sees it — the folder holds only the
 * expected files, ids are unique, there is at least one hint, the solution passes, the starter and every wrong fix
 * fail. Prints one positive line, or the first problem and how to fix it (exit 1).
 */
import { readdirSync } from "node:fs";
import { relative } from "node:path";
import { gradeExercise } from "../grader/grade.ts";
import { InvalidFileError } from "../grader/friendly-error.ts";
import { loadQuickJS } from "../sandbox/quickjs.ts";
import { listExercises, loadExercise, REPO_ROOT } from "./catalog.ts";

const ALLOWED = new Set(["exercise.ts", "starter.js", "solution.js", "hints.md", "wrong-fixes"]);

class Problem extends Error {}

async function main(): Promise<string> {
  const quickjs = await loadQuickJS();
  const folders = listExercises();
  if (folders.length === 0) throw new Problem("no exercises found under exercises/<nn>-<chapter>/<nn>-<slug>/exercise.ts");
  const seen = new Map<string, string>();
  let files = 0;
  for (const folder of folders) {
    const where = relative(REPO_ROOT, folder.dir);
    const other = seen.get(folder.id);
    if (other) throw new Problem(`${where} and ${other} both have the id ${folder.id}: rename one folder.`);
    seen.set(folder.id, where);
    for (const name of readdirSync(folder.dir)) {
      if (!ALLOWED.has(name)) throw new Problem(`${where}/${name} is not part of the exercise format (${[...ALLOWED].join(", ")}): move or delete it.`);
    }
    const exercise = await loadExercise(folder);
    if (exercise.hints.length === 0) throw new Problem(`${where}/hints.md has no hint: add at least one "## " section.`);
    const grade = async (source: string, file: string) => {
      const result = await gradeExercise(quickjs, exercise, source, { filename: file });
      if (!result.usable) throw new Problem(`${file} cannot be graded: ${result.problem.message}`);
      files++;
      return result.report;
    };
    const solution = await grade(exercise.solution, `${where}/solution.js`);
    if (!solution.passed) {
      const failed = solution.checks.find((c) => !c.passed)!;
      throw new Problem(`${where}/solution.js fails "${failed.name}" in "${failed.scenario}": ${failed.message}\nFix the solution or the check.`);
    }
    const starter = await grade(exercise.starter, `${where}/starter.js`);
    if (starter.passed) throw new Problem(`${where}/starter.js passes every check: the starter must show the problem.`);
    if (!starter.checks.some((c) => !c.passed && !c.hidden)) throw new Problem(`${where}/starter.js fails only hidden checks: Run must show the learner a failure.`);
    for (const wrong of exercise.wrongFixes) {
      if (!wrong.why) throw new Problem(`${wrong.file} has no leading comment saying why the fix is wrong.`);
      const report = await grade(wrong.source, wrong.file);
      if (report.passed) throw new Problem(`${wrong.file} passes every check, but it is listed as a wrong fix: add a scenario that rejects it, or move it.`);
    }
  }
  return `Content OK: ${folders.length} exercises, ${files} handler files graded (every solution passes; every starter and wrong fix fails).`;
}

main().then(
  (line) => console.log(line),
  (error: unknown) => {
    if (error instanceof Problem || error instanceof InvalidFileError) console.error(`check:content: ${error.message}`);
    else console.error(`check:content: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  },
);
