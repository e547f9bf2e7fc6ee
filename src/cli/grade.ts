/**
 * `npm run grade -- --list` | `npm run grade -- <exercise-id> <handler-file> [--json] [--run]`
 * Exit codes: 0 passed, 1 failed, 2 unusable input (unknown id, missing file, code that cannot load).
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { gradeExercise } from "../grader/grade.ts";
import { InvalidFileError } from "../grader/friendly-error.ts";
import { formatReport } from "../grader/report.ts";
import { loadQuickJS } from "../sandbox/quickjs.ts";
import { findExercise, listExercises, loadExercise } from "./catalog.ts";

const USAGE = `Usage:
  npm run grade -- --list                              list exercise ids
  npm run grade -- <exercise-id> <handler-file>        grade a handler (exit 0 pass, 1 fail, 2 unusable input)
  npm run grade -- <exercise-id> <handler-file> --json the report as JSON
Options: --run runs only the visible scenarios (what the Run button does).`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const flags = new Set(argv.filter((a) => a.startsWith("--")));
  const args = argv.filter((a) => !a.startsWith("--"));
  const json = flags.has("--json");
  for (const flag of flags) {
    if (!["--json", "--list", "--run", "--help"].includes(flag)) throw new UsageError(`unknown option ${flag}`);
  }
  if (flags.has("--help")) {
    console.log(USAGE);
    return 0;
  }
  if (flags.has("--list")) {
    for (const e of listExercises()) console.log(e.id);
    return 0;
  }
  const [id, file] = args;
  if (!id || !file || args.length > 2) throw new UsageError("expected an exercise id and a handler file");
  const folder = findExercise(id);
  if (!folder) throw new UsageError(`unknown exercise "${id}". Known exercises: ${listExercises().map((e) => e.id).join(", ")}`);
  if (!existsSync(file)) throw new UsageError(`handler file not found: ${file}`);
  if (!statSync(file).isFile()) throw new UsageError(`not a file: ${file}`);
  const bytes = readFileSync(file);
  let source: string;
  try {
    source = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return unusable(json, id, "not-text", `${file} is not a UTF-8 text file. Give the grader the JavaScript source of your handler.`);
  }
  const exercise = await loadExercise(folder);
  const quickjs = await loadQuickJS();
  const result = await gradeExercise(quickjs, exercise, source, { mode: flags.has("--run") ? "run" : "grade", filename: file.split(/[\\/]/).pop() ?? file });
  if (!result.usable) return unusable(json, id, result.problem.kind, result.problem.message);
  console.log(json ? JSON.stringify(result.report, null, 2) : formatReport(result.report));
  return result.report.passed ? 0 : 1;
}

function unusable(json: boolean, exercise: string, kind: string, message: string): number {
  if (json) console.log(JSON.stringify({ exercise, passed: false, error: { kind, message } }, null, 2));
  console.error(`grade: ${message}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) console.error(`grade: ${error.message}\n\n${USAGE}`);
    else if (error instanceof InvalidFileError) console.error(`grade: ${error.message}`);
    else console.error(`grade: internal error: ${error instanceof Error ? error.message : String(error)} (set DEBUG=1 for details)`);
    if (process.env.DEBUG && error instanceof Error) console.error(error.stack);
    process.exitCode = 2;
  },
);
