/** Messages between the exercise island (main thread) and the grading worker. Only structured-cloneable data. */
import type { GradeResult } from "../grader/grade.ts";

export type GradeMode = "run" | "grade";

export interface GradeRequest {
  type: "grade";
  /** Increments per request, so a late answer from a replaced worker is never taken for a new one. */
  job: number;
  exercise: string;
  source: string;
  mode: GradeMode;
}

export type WorkerMessage =
  /** QuickJS is loaded: the first grade will not wait for it. */
  | { type: "ready" }
  | { type: "result"; job: number; result: GradeResult }
  /** A fault of the workbook itself (never of the learner's code, which the report describes). */
  | { type: "fault"; job: number; message: string };
