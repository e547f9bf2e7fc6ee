/**
 * CPU, memory, stack, timers, microtasks, logs and payloads: every runaway ends as a failure the learner can read
 * (timeout, out-of-memory or an error), in virtual time, within seconds of host time, without a host exception.
 * Host CPU time is only bounded generously (10 s; CPU, not wall time, so a loaded machine can't fail it): the results
 * themselves never depend on it.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SANDBOX_LIMITS } from "../../src/sandbox/limits.ts";
import { hostFingerprint, payloadOf, runHandler, type RunOptions, type RunResult } from "./harness.ts";

const HOST_BOUND_MS = 10_000;
let fingerprint: Record<string, unknown>;
beforeEach(() => {
  fingerprint = hostFingerprint();
});
afterEach(() => {
  expect(hostFingerprint()).toEqual(fingerprint);
});

/** Runs one sync invoke of `code` and checks it stayed within the real-time bound. */
async function runOnce(code: string, options: RunOptions = {}): Promise<RunResult> {
  const run = await runHandler(code, options);
  expect(run.hostMs).toBeLessThan(HOST_BOUND_MS);
  return run;
}

function failure(run: RunResult, index = 0) {
  const record = run.records[index]!;
  return { outcome: record.outcome, failedIn: record.failedIn, errorType: record.error?.errorType, errorMessage: record.error?.errorMessage };
}

describe("CPU and time", () => {
  it("ends an infinite loop in the handler as a timeout at the function timeout, in virtual time", async () => {
    const run = await runOnce(`export const handler = async () => { for (;;) {} };`, { function: { timeoutMs: 3_000 } });
    expect(failure(run)).toEqual({ outcome: "timeout", failedIn: "invoke", errorType: "Sandbox.Timedout", errorMessage: "Task timed out after 3.00 seconds" });
    expect(run.records[0]!.durationMs).toBe(3_000);
    expect(payloadOf(run.results[0])).toEqual({ errorType: "Sandbox.Timedout", errorMessage: "Task timed out after 3.00 seconds" });
  });

  it("ends an infinite loop at module init at the INIT limit, then times out when init is retried in the invocation", async () => {
    const run = await runOnce(`for (;;) {}\nexport const handler = async () => "never";`, { function: { timeoutMs: 3_000 } });
    expect(run.logs.some((l) => l.startsWith("INIT_REPORT Init Duration: 10000.00 ms") && l.endsWith("Status: timeout"))).toBe(true);
    expect(failure(run)).toMatchObject({ outcome: "timeout", failedIn: "init", errorType: "Sandbox.Timedout" });
    expect(run.records[0]!.endedAt - run.records[0]!.startedAt).toBe(13_000);
  });

  it("times out a handler whose promise never settles", async () => {
    const run = await runOnce(`export const handler = () => new Promise(() => {});`);
    expect(failure(run)).toMatchObject({ outcome: "timeout", errorType: "Sandbox.Timedout" });
  });

  it("times out a regular expression that backtracks catastrophically", async () => {
    const run = await runOnce(`export const handler = async () => /(a+)+$/.test("a".repeat(40) + "b");`);
    expect(failure(run)).toMatchObject({ outcome: "timeout" });
  });

  it("times out a busy-wait on Date.now(), which advances with the CPU it spends", async () => {
    const run = await runOnce(`export const handler = async () => { const end = Date.now() + 60_000; while (Date.now() < end) {} return "done"; };`);
    expect(failure(run)).toMatchObject({ outcome: "timeout" });
  });
});

describe("memory: §2 out-of-memory happens when baseline + QuickJS heap exceeds Memory Size", () => {
  const OOM = { outcome: "oom", errorType: "Runtime.ExitError" };

  it("ends runaway growth of an array as out-of-memory, reporting the whole memory size as used", async () => {
    const run = await runOnce(`const kept = []; export const handler = async () => { for (;;) kept.push([1, 2, 3, 4, 5, 6, 7, 8]); };`);
    expect(failure(run)).toMatchObject(OOM);
    expect(run.records[0]!.error!.errorMessage).toMatch(/Runtime exited with error: signal: killed$/);
    expect(run.records[0]!.maxMemoryUsedMB).toBe(128);
  });

  it.each([
    ["appending to a string", `let s = ""; export const handler = async () => { for (;;) s += "abcdefghij" + s.length; };`],
    ["appending chunks to a string", `export const handler = async () => { let s = ""; for (;;) s += "x".repeat(1000); };`],
    ["keeping strings in a Map", `const cache = new Map(); export const handler = async () => { for (let i = 0; ; i++) cache.set(i, "item " + i + "x".repeat(100)); };`],
  ])("ends runaway string growth (%s) as out-of-memory", async (_, code) => {
    const run = await runOnce(code);
    expect(failure(run)).toMatchObject(OOM);
  });

  it("fails a string that doubles until it is too long, with QuickJS's message (Node's is 'Invalid string length')", async () => {
    const run = await runOnce(`export const handler = async () => { let s = "x"; for (;;) s += s; };`);
    expect(failure(run)).toMatchObject({ outcome: "error", errorType: "InternalError", errorMessage: "string too long" });
  });

  it.each([
    ["small arrays", `const a = []; for (;;) a.push([1, 2, 3, 4, 5, 6, 7, 8]);`],
    ["strings", `const a = []; for (;;) a.push("x".repeat(1000) + a.length);`],
    ["big arrays", `const a = []; for (;;) a.push(new Array(100000).fill(1));`],
    ["string concatenation", `let s = ""; for (;;) s += "y".repeat(5000);`],
  ])("keeps runaway allocation of %s out-of-memory even when the handler catches QuickJS's error", async (_, loop) => {
    const code = `
      export const handler = async () => {
        try { ${loop} } catch (error) { return "survived: " + error; }
      };`;
    const run = await runOnce(code);
    expect(failure(run)).toMatchObject(OOM);
    expect(run.results[0]!.payload).not.toContain("survived");
  });

  it("resets the environment after out-of-memory: the next invocation starts clean", async () => {
    const code = `
      const kept = [];
      export const handler = async (event) => {
        if (event.grow) for (;;) kept.push({ i: kept.length });
        return kept.length;
      };`;
    const run = await runOnce(code, { invokes: [{ at: 0, event: { grow: true } }, { at: 5_000 }] });
    expect(run.records.map((r) => r.outcome)).toEqual(["oom", "success"]);
    expect(run.records[1]!.initKind).toBe("reset");
    expect(payloadOf(run.results[1])).toBe(0);
  });
});

describe("stack", () => {
  it.each([
    ["plain recursion", `const f = (n) => f(n + 1) + 1; f(0);`],
    ["recursion through a getter", `const o = { get x() { return this.x; } }; o.x;`],
    ["recursion through toJSON", `const o = { toJSON() { return JSON.stringify(o); } }; JSON.stringify(o);`],
    ["recursion through a proxy trap", `const p = new Proxy({}, { get: (t, k) => p[k] }); p.x;`],
    ["recursion through a sort callback", `const f = () => { [2, 1].sort(f); return 0; }; f();`],
    ["recursion through an async function", `const f = async () => { await f(); }; await f();`],
    ["JSON.stringify of deeply nested data", `let a = []; for (let i = 0; i < 100000; i++) a = [a]; JSON.stringify(a);`],
    ["String() of deeply nested arrays", `let a = []; for (let i = 0; i < 100000; i++) a = [a]; String(a);`],
    ["a long chain of proxies", `let p = {}; for (let i = 0; i < 100000; i++) p = new Proxy(p, {}); p.x;`],
  ])("turns %s into a catchable stack overflow", async (_, body) => {
    const code = `
      export const handler = async () => {
        try { ${body} } catch (error) { return String(error); }
        return "no overflow";
      };`;
    const run = await runOnce(code, { function: { memoryMB: 1024 } });
    expect(failure(run).outcome).toBe("success");
    expect(payloadOf(run.results[0])).toBe("InternalError: stack overflow");
  });

  it("reports an uncaught stack overflow as the handler's error, with a trace", async () => {
    const run = await runOnce(`const f = (n) => f(n + 1) + 1; export const handler = async () => f(0);`);
    expect(failure(run)).toMatchObject({ outcome: "error", errorType: "InternalError", errorMessage: "stack overflow" });
    const body = payloadOf(run.results[0]) as { trace: string[] };
    expect(body.trace[0]).toBe("InternalError: stack overflow");
    expect(body.trace.some((l) => l.includes("at f (handler.js"))).toBe(true);
  });

  it("still allows ordinary recursion a couple of hundred calls deep", async () => {
    const run = await runOnce(`const depth = (n) => (n === 0 ? 0 : 1 + depth(n - 1)); export const handler = async () => depth(200);`);
    expect(payloadOf(run.results[0])).toBe(200);
  });
});

describe("timers and microtasks", () => {
  it("fails a handler that starts timers in an endless loop", async () => {
    const run = await runOnce(`export const handler = async () => { for (;;) setTimeout(() => {}, 0); };`);
    expect(["oom", "error", "timeout"]).toContain(run.records[0]!.outcome);
    expect(run.records[0]!.outcome).not.toBe("success");
    expect(run.records[0]!.error!.errorMessage.length).toBeGreaterThan(0);
  });

  it("hits the limit of pending timers with a message when the memory allows that many", async () => {
    const run = await runOnce(`export const handler = async () => { for (let i = 0; i < 20000; i++) setTimeout(() => {}, 10); return "scheduled"; };`, {
      function: { memoryMB: 3_008 },
    });
    expect(failure(run)).toMatchObject({
      outcome: "error",
      errorType: "RangeError",
      errorMessage: `more than ${SANDBOX_LIMITS.pendingHostCalls} timers and service calls pending at once (a workbook sandbox limit)`,
    });
  });

  it("times out a chain of setTimeout(0) that the handler waits for, in virtual time", async () => {
    const run = await runOnce(`export const handler = async () => { const tick = () => setTimeout(tick, 0); tick(); await new Promise(() => {}); };`);
    expect(failure(run)).toMatchObject({ outcome: "timeout" });
  });

  it("returns while a setTimeout(0) chain is pending, and the frozen chain does not run away", async () => {
    const code = `
      let ticks = 0;
      export const handler = async () => { const tick = () => { ticks++; setTimeout(tick, 0); }; if (ticks === 0) tick(); return ticks; };`;
    const run = await runOnce(code, { invokes: [{ at: 0 }, { at: 10_000 }] });
    expect(run.records.map((r) => r.outcome)).toEqual(["success", "success"]);
    // While frozen, nothing ran: the second call sees only the tick that came due when it thawed the environment.
    expect(run.results.map(payloadOf)).toEqual([1, 2]);
  });

  it.each([
    ["Promise.resolve().then recursion", `const f = () => Promise.resolve().then(f); f();`],
    ["queueMicrotask recursion", `const f = () => queueMicrotask(f); f();`],
    ["a then-chain that never ends", `const f = () => { Promise.resolve().then(f); }; f();`],
    ["an endless await loop", `(async () => { for (;;) await null; })();`],
  ])("ends a microtask flood (%s) as a failure", async (_, flood) => {
    const run = await runOnce(`export const handler = async () => { ${flood} await new Promise(() => {}); };`);
    expect(["timeout", "oom"]).toContain(run.records[0]!.outcome);
  });

  it("ends a microtask flood that outlives a handler which already returned", async () => {
    const run = await runOnce(`export const handler = () => { const f = () => queueMicrotask(f); f(); return "returned"; };`);
    expect(["timeout", "oom"]).toContain(run.records[0]!.outcome);
  });
});

describe("results and logs", () => {
  it("refuses a synchronous response over 6 MB with Lambda's RequestEntityTooLarge error", async () => {
    const run = await runOnce(`export const handler = async () => "x".repeat(7 * 1024 * 1024);`, { function: { memoryMB: 2_048 } });
    expect(failure(run)).toMatchObject({
      outcome: "error",
      errorType: "RequestEntityTooLarge",
      errorMessage: "Exceeded maximum allowed payload size (6291556 bytes).",
    });
    expect(run.results[0]!.functionError).toBe("Unhandled");
  });

  it("reports a cyclic return value as Runtime.MarshalError", async () => {
    const run = await runOnce(`export const handler = async () => { const a = { name: "a" }; a.self = a; return a; };`);
    expect(failure(run)).toMatchObject({ outcome: "error", errorType: "Runtime.MarshalError" });
    expect(run.records[0]!.error!.errorMessage).toMatch(/^Unable to stringify response body: /);
  });

  it("keeps a log flood bounded: the first lines, one notice, and the end of the invocation", async () => {
    const run = await runOnce(`export const handler = async () => { for (let i = 0; i < 1e6; i++) console.log("line", i); return "done"; };`);
    const id = run.records[0]!.requestId;
    const app = run.logs.filter((l) => l.split("\t")[1] === id);
    expect(app).toHaveLength(SANDBOX_LIMITS.logLinesPerInvocation + 1);
    expect(app[0]!.endsWith("\tINFO\tline 0")).toBe(true);
    expect(app[app.length - 1]!.split("\t").slice(2).join("\t")).toMatchInlineSnapshot(
      `"WARN	[workbook] more than 500 log lines in one invocation: the rest are dropped (a workbook limit)"`,
    );
    // Writing a million lines costs virtual CPU: the function runs out of time long before.
    expect(run.records[0]!.outcome).toBe("timeout");
    expect(run.logs.length).toBeLessThan(SANDBOX_LIMITS.logLinesPerInvocation + 10);
  });

  it("lets a moderate amount of logging finish, charging its CPU", async () => {
    const run = await runOnce(`export const handler = async () => { for (let i = 0; i < 2000; i++) console.log("line", i); return "done"; };`);
    expect(run.records[0]!.outcome).toBe("success");
    expect(run.records[0]!.durationMs).toBeGreaterThan(100);
  });

  it("cuts one very long log message", async () => {
    const run = await runOnce(`export const handler = async () => { console.log("y".repeat(100000)); return 1; };`);
    const line = run.logs.find((l) => l.includes("\tINFO\ty"))!;
    expect(line.endsWith(`… [${100000 - SANDBOX_LIMITS.logMessageChars} more characters dropped]`)).toBe(true);
  });
});
