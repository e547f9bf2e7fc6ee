/**
 * What learner code can rely on from one execution environment to the next: module state lives as long as the
 * environment, a new or reset environment starts clean, and time, randomness, context and logs behave like Lambda's
 * Node.js runtime in virtual time.
 */
import { describe, expect, it } from "vitest";
import { payloadOf, runHandler } from "./harness.ts";

const EPOCH = Date.UTC(2026, 0, 1);

const COUNTER = `
let count = 0;
export const handler = async (event) => {
  count++;
  if (event.loop) for (;;) {}
  return count;
};`;

describe("module state and isolation", () => {
  it("keeps module-level state across warm invocations of the same environment", async () => {
    const run = await runHandler(COUNTER, { invokes: [{ at: 0 }, { at: 5_000 }, { at: 10_000 }] });
    expect(run.results.map(payloadOf)).toEqual([1, 2, 3]);
    expect(new Set(run.records.map((r) => r.envId)).size).toBe(1);
    expect(run.records.map((r) => r.cold)).toEqual([true, false, false]);
  });

  it("starts a concurrent invocation in a new environment whose module state is clean", async () => {
    const run = await runHandler(COUNTER, { invokes: [{ at: 0 }, { at: 0 }] });
    expect(run.results.map(payloadOf)).toEqual([1, 1]);
    expect(run.records[0]!.envId).not.toBe(run.records[1]!.envId);
  });

  it("starts clean after the reset that follows a timeout", async () => {
    const run = await runHandler(COUNTER, {
      invokes: [{ at: 0 }, { at: 1_000 }, { at: 5_000, event: { loop: true } }, { at: 20_000 }],
    });
    expect(run.records.map((r) => r.outcome)).toEqual(["success", "success", "timeout", "success"]);
    expect(payloadOf(run.results[1])).toBe(2);
    // Same environment, re-initialised: the counter starts again.
    expect(run.records[3]!.envId).toBe(run.records[0]!.envId);
    expect(run.records[3]!.initKind).toBe("reset");
    expect(payloadOf(run.results[3])).toBe(1);
  });

  it("does not let globals set in one environment show in another", async () => {
    const code = `
      export const handler = async (event) => {
        const seen = globalThis.marker ?? null;
        globalThis.marker = event.name;
        Object.prototype.polluted = event.name;
        return { seen, polluted: ({}).polluted };
      };`;
    const run = await runHandler(code, { invokes: [{ at: 0, event: { name: "a" } }, { at: 0, event: { name: "b" } }, { at: 5_000, event: { name: "c" } }] });
    const [a, b, c] = run.results.map(payloadOf) as Array<{ seen: string | null; polluted: string }>;
    expect(a).toEqual({ seen: null, polluted: "a" });
    expect(b).toEqual({ seen: null, polluted: "b" });
    // The third call is warm in one of the two environments and sees only that environment's global.
    const env = run.records[2]!.envId;
    expect(c!.seen).toBe(env === run.records[0]!.envId ? "a" : "b");
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("virtual time, randomness and the context object", () => {
  it("reads Date.now() from the simulation's clock: 2026-01-01 at time 0, advancing with virtual time", async () => {
    const code = `
      import { sleep } from "workbook:aws";
      export const handler = async () => {
        const before = Date.now();
        const iso = new Date().toISOString();
        await sleep(1_500);
        return { before, iso, slept: Date.now() - before, perf: performance.now() };
      };`;
    const run = await runHandler(code, { invokes: [{ at: 0 }, { at: 3_600_000 }] });
    const first = payloadOf(run.results[0]) as { before: number; iso: string; slept: number };
    const later = payloadOf(run.results[1]) as { before: number; slept: number };
    const startedAt = run.records[0]!.invokeStartedAt!;
    expect(Number.isInteger(first.before)).toBe(true);
    expect(first.before - EPOCH).toBeGreaterThanOrEqual(Math.floor(startedAt));
    expect(first.before - EPOCH).toBeLessThan(startedAt + 50);
    expect(first.iso.startsWith("2026-01-01T00:00:00.")).toBe(true);
    expect(first.slept).toBeGreaterThanOrEqual(1_500);
    expect(first.slept).toBeLessThan(1_550);
    // An hour later (a new environment: the first one expired while idle).
    const laterStart = run.records[1]!.invokeStartedAt!;
    expect(laterStart).toBeGreaterThanOrEqual(3_600_000);
    expect(later.before - EPOCH).toBeGreaterThanOrEqual(Math.floor(laterStart));
    expect(later.before - EPOCH).toBeLessThan(laterStart + 50);
  });

  const RANDOM = `
    const atInit = Math.random();
    export const handler = async () => ({ atInit, random: [Math.random(), Math.random()], uuid: crypto.randomUUID() });`;

  it("seeds Math.random and crypto.randomUUID: the same seed gives the same values", async () => {
    const one = await runHandler(RANDOM, { seed: 7 });
    const again = await runHandler(RANDOM, { seed: 7 });
    const other = await runHandler(RANDOM, { seed: 8 });
    const value = payloadOf(one.results[0]) as { atInit: number; random: number[]; uuid: string };
    expect(payloadOf(again.results[0])).toEqual(value);
    expect(payloadOf(other.results[0])).not.toEqual(value);
    expect(value.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    for (const r of value.random) expect(r >= 0 && r < 1).toBe(true);
  });

  it("gives each environment its own random stream", async () => {
    const run = await runHandler(RANDOM, { invokes: [{ at: 0 }, { at: 0 }] });
    const [a, b] = run.results.map(payloadOf) as Array<{ atInit: number; uuid: string }>;
    expect(a!.atInit).not.toBe(b!.atInit);
    expect(a!.uuid).not.toBe(b!.uuid);
  });

  it("§4 Remaining time: passes a context with the request id, function name, memory size and a remaining time that shrinks in virtual time", async () => {
    const code = `
      import { sleep } from "workbook:aws";
      export const handler = async (event, context) => {
        const first = context.getRemainingTimeInMillis();
        await sleep(1_000);
        return {
          awsRequestId: context.awsRequestId,
          functionName: context.functionName,
          memoryLimitInMB: context.memoryLimitInMB,
          first,
          second: context.getRemainingTimeInMillis(),
        };
      };`;
    const run = await runHandler(code, { function: { memoryMB: 256, timeoutMs: 5_000 } });
    const context = payloadOf(run.results[0]) as Record<string, unknown>;
    expect(context.awsRequestId).toBe(run.records[0]!.requestId);
    expect(context.functionName).toBe("fn");
    expect(context.memoryLimitInMB).toBe("256");
    expect(context.first).toBeLessThanOrEqual(5_000);
    expect(context.first).toBeGreaterThan(4_900);
    expect((context.first as number) - (context.second as number)).toBeGreaterThanOrEqual(1_000);
    expect((context.first as number) - (context.second as number)).toBeLessThan(1_050);
  });

  it("writes console output to the logs in CloudWatch's format for Node.js: time, request id, level, message", async () => {
    const code = `
      export const handler = async () => {
        console.log("hello", { a: 1 }, 42);
        console.warn("careful");
        console.error(new TypeError("bad"));
        return null;
      };`;
    const run = await runHandler(code);
    const id = run.records[0]!.requestId;
    const app = run.logs.filter((l) => l.includes(`\t${id}\t`));
    expect(app).toHaveLength(3);
    expect(app[0]).toMatch(new RegExp(`^2026-01-01T00:00:00\\.\\d{3}Z\\t${id}\\tINFO\\thello \\{"a":1\\} 42$`));
    expect(app[1]).toMatch(/\tWARN\tcareful$/);
    expect(app[2]).toMatch(/\tERROR\tTypeError: bad$/);
  });

  it("freezes a timer left pending when the handler returns and runs it when the next invocation thaws the environment", async () => {
    const code = `
      const fired = [];
      export const handler = async (event) => {
        setTimeout(() => { fired.push(event.n); console.log("timer of call", event.n); }, 1_000);
        return fired.slice();
      };`;
    const run = await runHandler(code, { invokes: [{ at: 0, event: { n: 1 } }, { at: 60_000, event: { n: 2 } }] });
    expect(run.results.map(payloadOf)).toEqual([[], [1]]);
    const second = run.records[1]!;
    const line = run.logs.find((l) => l.endsWith("timer of call 1"));
    // It ran at the start of the second invocation (not at 1 s, while the environment was frozen), under its request id.
    expect(line).toBeDefined();
    expect(line!.split("\t")[1]).toBe(second.requestId);
    expect(line!.startsWith("2026-01-01T00:01:00.")).toBe(true);
  });
});

describe("§2 Environment variables", () => {
  it("gives handler code the function's environment variables as process.env, at INIT and in every invocation, each environment its own copy", async () => {
    const code = `
      const table = process.env.TABLE_NAME;
      export const handler = async (event) => {
        const seen = process.env.SEEN ?? "none";
        process.env.SEEN = event.n;
        return { table, seen, missing: process.env.NOPE === undefined };
      };`;
    const run = await runHandler(code, {
      function: { environment: { TABLE_NAME: "orders", SEEN: "start" } },
      invokes: [{ at: 0, event: { n: "1" } }, { at: 1_000, event: { n: "2" } }, { at: 1_000, event: { n: "3" } }],
    });
    expect(run.results.map(payloadOf)).toEqual([
      { table: "orders", seen: "start", missing: true },
      { table: "orders", seen: "1", missing: true },
      // A second environment (the first is busy) starts from the configured values.
      { table: "orders", seen: "start", missing: true },
    ]);
  });
});
