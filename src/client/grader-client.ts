/**
 * The page's side of grading: one worker at a time, started before the editor loads, and a watchdog. When the
 * worker does not answer a request in time (learner code got past the sandbox's own limits, or the worker crashed),
 * the watchdog terminates it, starts a fresh one and tells the page what happened; the tab never freezes because
 * learner code only ever runs inside the worker.
 */
import type { GradeResult } from "../grader/grade.ts";
import type { GradeMode, GradeRequest, WorkerMessage } from "./grading-protocol.ts";

/** The part of `Worker` used here (a fake in tests). */
export interface WorkerLike {
  postMessage(message: GradeRequest): void;
  terminate(): void;
  onmessage: ((event: MessageEvent<WorkerMessage>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
}

export type GradeOutcome =
  | { kind: "result"; result: GradeResult; elapsedMs: number }
  /** The watchdog stopped a worker that did not answer. */
  | { kind: "stopped"; message: string }
  /** The workbook itself failed (not the learner's code). */
  | { kind: "fault"; message: string };

export interface GraderClientOptions {
  createWorker: () => WorkerLike;
  /** How long a request may go unanswered before the worker is replaced. */
  timeoutMs?: number;
  /** Extra time for a request sent before the worker said it was ready (QuickJS still loading). */
  startupMs?: number;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

interface Pending {
  job: number;
  sentAt: number;
  timer: unknown;
  resolve: (outcome: GradeOutcome) => void;
}

export const WATCHDOG_MS = 20_000;

export function stoppedMessage(timeoutMs: number): string {
  return (
    `The grader did not answer within ${Math.round(timeoutMs / 1000)} s, so the page stopped it and started a fresh one. ` +
    "Your code is still in the editor. Something in it kept the sandbox busy beyond its own limits (for example a huge loop inside one built-in call); change it and try again."
  );
}

export class GraderClient {
  private worker: WorkerLike | null = null;
  private ready = false;
  private nextJob = 1;
  private pending: Pending | null = null;
  private readonly options: Required<GraderClientOptions>;
  /** How many workers the watchdog replaced (shown in tests and useful when debugging). */
  restarts = 0;

  constructor(options: GraderClientOptions) {
    this.options = {
      timeoutMs: WATCHDOG_MS,
      startupMs: 15_000,
      now: () => performance.now(),
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
      ...options,
    };
  }

  /** Starts the worker now (it loads QuickJS at once), so the first Run does not wait for it. */
  start(): void {
    if (this.worker) return;
    const worker = this.options.createWorker();
    this.worker = worker;
    this.ready = false;
    worker.onmessage = (event) => this.receive(worker, event.data);
    worker.onerror = (event) => {
      event.preventDefault?.();
      if (worker !== this.worker) return;
      this.replace();
      this.settle({ kind: "fault", message: `The grading worker failed (${event.message || "no detail"}); a fresh one was started. Try again.` });
    };
  }

  get busy(): boolean {
    return this.pending !== null;
  }

  grade(exercise: string, source: string, mode: GradeMode): Promise<GradeOutcome> {
    if (this.pending) return Promise.resolve({ kind: "fault", message: "A grading request is already running." });
    this.start();
    const job = this.nextJob++;
    const limit = this.options.timeoutMs + (this.ready ? 0 : this.options.startupMs);
    return new Promise<GradeOutcome>((resolve) => {
      const timer = this.options.setTimer(() => this.watchdog(job), limit);
      this.pending = { job, sentAt: this.options.now(), timer, resolve };
      this.worker!.postMessage({ type: "grade", job, exercise, source, mode });
    });
  }

  /** Stops the worker for good (the page is going away). */
  dispose(): void {
    this.worker?.terminate();
    this.worker = null;
    this.settle({ kind: "fault", message: "The page was closed." });
  }

  private receive(worker: WorkerLike, message: WorkerMessage): void {
    if (worker !== this.worker) return; // a terminated worker's last word
    if (message.type === "ready") {
      this.ready = true;
      return;
    }
    if (!this.pending || message.job !== this.pending.job) {
      if (message.type === "fault" && message.job === -1) this.replaceAfterFault(message.message);
      return;
    }
    if (message.type === "result") this.settle({ kind: "result", result: message.result, elapsedMs: this.options.now() - this.pending.sentAt });
    else this.settle({ kind: "fault", message: message.message });
  }

  private replaceAfterFault(message: string): void {
    this.worker?.terminate();
    this.worker = null;
    this.settle({ kind: "fault", message });
  }

  private watchdog(job: number): void {
    if (!this.pending || this.pending.job !== job) return;
    this.restarts++;
    this.replace();
    this.settle({ kind: "stopped", message: stoppedMessage(this.options.timeoutMs) });
  }

  private replace(): void {
    this.worker?.terminate();
    this.worker = null;
    this.start();
  }

  private settle(outcome: GradeOutcome): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    this.options.clearTimer(pending.timer);
    pending.resolve(outcome);
  }
}
