import { describe, expect, it } from "vitest";
import { GraderClient, type WorkerLike } from "../../src/client/grader-client.ts";
import type { GradeRequest, WorkerMessage } from "../../src/client/grading-protocol.ts";
import type { GradeResult } from "../../src/grader/grade.ts";

/** A worker that answers only when the test says so, and remembers whether it was terminated. */
class FakeWorker implements WorkerLike {
  onmessage: ((event: MessageEvent<WorkerMessage>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  received: GradeRequest[] = [];
  terminated = false;
  postMessage(message: GradeRequest): void {
    this.received.push(message);
  }
  terminate(): void {
    this.terminated = true;
  }
  say(message: WorkerMessage): void {
    this.onmessage?.({ data: message } as MessageEvent<WorkerMessage>);
  }
}

function harness() {
  const workers: FakeWorker[] = [];
  const timers: Array<{ fn: () => void; ms: number; cleared: boolean }> = [];
  const client = new GraderClient({
    createWorker: () => {
      const w = new FakeWorker();
      workers.push(w);
      return w;
    },
    timeoutMs: 1_000,
    startupMs: 500,
    now: () => 0,
    setTimer: (fn, ms) => {
      const t = { fn, ms, cleared: false };
      timers.push(t);
      return t;
    },
    clearTimer: (t) => ((t as { cleared: boolean }).cleared = true),
  });
  return { client, workers, timers };
}

const result = { usable: false, exercise: "a/one", problem: { kind: "empty", message: "empty" } } as GradeResult;

describe("grader client", () => {
  it("starts the worker before anything is graded", () => {
    const { client, workers } = harness();
    client.start();
    expect(workers).toHaveLength(1);
    expect(workers[0]!.received).toEqual([]);
  });

  it("passes a request to the worker and resolves with its answer", async () => {
    const { client, workers, timers } = harness();
    client.start();
    workers[0]!.say({ type: "ready" });
    const outcome = client.grade("a/one", "code", "run");
    expect(workers[0]!.received).toEqual([{ type: "grade", job: 1, exercise: "a/one", source: "code", mode: "run" }]);
    expect(timers[0]!.ms).toBe(1_000);
    workers[0]!.say({ type: "result", job: 1, result });
    expect(await outcome).toEqual({ kind: "result", result, elapsedMs: 0 });
    expect(timers[0]!.cleared).toBe(true);
    expect(client.busy).toBe(false);
  });

  it("gives a request sent while QuickJS is still loading extra time", () => {
    const { client, timers } = harness();
    void client.grade("a/one", "code", "grade");
    expect(timers[0]!.ms).toBe(1_500);
  });

  it("terminates a worker that stops answering, starts a fresh one and says what happened", async () => {
    const { client, workers, timers } = harness();
    client.start();
    workers[0]!.say({ type: "ready" });
    const outcome = client.grade("a/one", "while (true) {}", "grade");
    timers[0]!.fn();
    const settled = await outcome;
    expect(settled.kind).toBe("stopped");
    expect(settled.kind === "stopped" && settled.message).toMatchInlineSnapshot(
      `"The grader did not answer within 1 s, so the page stopped it and started a fresh one. Your code is still in the editor. Something in it kept the sandbox busy beyond its own limits (for example a huge loop inside one built-in call); change it and try again."`,
    );
    expect(workers[0]!.terminated).toBe(true);
    expect(workers).toHaveLength(2);
    expect(client.restarts).toBe(1);
    // The old worker's late answer is ignored; the new worker serves the next request.
    workers[0]!.say({ type: "result", job: 1, result });
    const next = client.grade("a/one", "fixed", "grade");
    expect(workers[1]!.received[0]?.job).toBe(2);
    workers[1]!.say({ type: "result", job: 2, result });
    expect((await next).kind).toBe("result");
  });

  it("turns a crashed worker into a fault and replaces it", async () => {
    const { client, workers } = harness();
    const outcome = client.grade("a/one", "code", "grade");
    workers[0]!.onerror?.({ message: "boom", preventDefault() {} } as ErrorEvent);
    expect(await outcome).toEqual({ kind: "fault", message: "The grading worker failed (boom); a fresh one was started. Try again." });
    expect(workers).toHaveLength(2);
  });

  it("refuses a second request while one is running", async () => {
    const { client } = harness();
    void client.grade("a/one", "code", "grade");
    expect(await client.grade("a/one", "code", "grade")).toEqual({ kind: "fault", message: "A grading request is already running." });
  });
});
