/// <reference lib="webworker" />
/**
 * The grading worker: the CLI's grader in a Web Worker, so learner code never runs on the page's thread. The sandbox
 * turns loops into virtual timeouts; the island's watchdog (grader-client.ts) replaces this worker if it still stops
 * answering.
 */
import { gradeExercise } from "../grader/grade.ts";
import { loadQuickJS } from "../sandbox/quickjs.ts";
import { loadDefinition } from "./definitions.ts";
import type { GradeRequest, WorkerMessage } from "./grading-protocol.ts";

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (message: WorkerMessage) => scope.postMessage(message);

// Load QuickJS at once, so that it is ready by the time the learner presses Run.
loadQuickJS().then(
  () => post({ type: "ready" }),
  (error: unknown) => post({ type: "fault", job: -1, message: `QuickJS could not be loaded: ${error instanceof Error ? error.message : String(error)}` }),
);

scope.onmessage = async (event: MessageEvent<GradeRequest>) => {
  const request = event.data;
  if (request?.type !== "grade") return;
  try {
    const [quickjs, exercise] = await Promise.all([loadQuickJS(), loadDefinition(request.exercise)]);
    // A tighter real-time backstop than the CLI's: the page's watchdog must never be the first to act.
    const result = await gradeExercise(quickjs, exercise, request.source, { mode: request.mode, wallBudgetMs: 8_000 });
    post({ type: "result", job: request.job, result });
  } catch (error) {
    post({ type: "fault", job: request.job, message: error instanceof Error ? error.message : String(error) });
  }
};
