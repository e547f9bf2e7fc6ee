/**
 * Every QuickJS runtime the sandbox creates is freed again, with every handle in it. Two checks together: each runtime
 * is tracked and must end up freed (quickjs-emscripten's TestQuickJSWASMModule cannot do this here: it counts only
 * runtimes whose `ownedLifetimes` option QuickJSWASMModule.newRuntime honours, and 0.32 ignores it), and QuickJS itself
 * aborts when a runtime is freed while a handle in it is alive — which the sandbox reports by marking the module
 * broken, so "not broken" means no handle leaked.
 */
import type { QuickJSRuntime, QuickJSWASMModule } from "quickjs-emscripten-core";
import { describe, expect, it } from "vitest";
import { ModelSettingsSchema } from "../../src/runtime/config.ts";
import { TmpStore } from "../../src/runtime/tmp.ts";
import { Simulation } from "../../src/runtime/simulation.ts";
import type { CodeOutcome, EnvironmentPort } from "../../src/runtime/types.ts";
import { SandboxCode } from "../../src/sandbox/environment.ts";
import { isBroken, loadQuickJS } from "../../src/sandbox/quickjs.ts";
import { ServiceHub } from "../../src/services/hub.ts";

const EVERY_PATH = `
import { sleep, downstream, table } from "workbook:aws";
let warm = 0;
const connection = await downstream.connect();
export const handler = async (event) => {
  warm++;
  setTimeout(() => console.log("late timer"), 20_000);
  const interval = setInterval(() => {}, 5);
  console.log("call", warm, event);
  switch (event.mode) {
    case "loop": for (;;) {}
    case "oom": { const a = []; for (;;) a.push({ a }); }
    case "throw": throw new Error("failed on purpose");
    case "reject": return Promise.reject("rejected on purpose");
    case "hang": await new Promise(() => {});
    case "service": await table("t").put(String(warm), { warm }); await connection.call("op", { warm }); break;
    case "microtasks": { let n = 0; const f = () => { if (++n < 5000) queueMicrotask(f); }; f(); break; }
  }
  await sleep(10);
  clearInterval(interval);
  return { warm, value: await table("t").get(String(warm)) };
};`;

const MODES = ["ok", "loop", "oom", "throw", "reject", "hang", "service", "microtasks"];

/** The shared module, with every runtime created through it remembered. */
async function trackedModule(): Promise<{ quickjs: QuickJSWASMModule; base: QuickJSWASMModule; runtimes: QuickJSRuntime[] }> {
  const base = await loadQuickJS();
  const runtimes: QuickJSRuntime[] = [];
  const quickjs = Object.create(base, {
    newRuntime: {
      value: (...args: Parameters<QuickJSWASMModule["newRuntime"]>) => {
        const rt = base.newRuntime(...args);
        runtimes.push(rt);
        return rt;
      },
    },
  }) as QuickJSWASMModule;
  return { quickjs, base, runtimes };
}

/** Runs a busy scenario: warm and concurrent calls, every failure kind, recycling; returns how each call ended. */
function busyScenario(quickjs: QuickJSWASMModule, seed: number): string[] {
  const services = new ServiceHub({ downstream: { faults: [{ operation: "op", attempt: 2, effect: "hang" }] } });
  const sim = new Simulation({ seed, services });
  sim.deploy({ name: "fn", timeoutMs: 3_000 }, new SandboxCode(quickjs, { code: EVERY_PATH, filename: "handler.js" }, sim.model));
  for (let i = 0; i < 40; i++) {
    const mode = MODES[i % MODES.length];
    // Pairs arrive together (a second environment), the rest one after another (warm reuse).
    sim.invoke("fn", i % 5 === 0 ? "async" : "sync", { mode, i }, { at: Math.floor(i / 2) * 4_000 });
  }
  sim.at(50_000, () => sim.recycle("fn"));
  sim.invoke("fn", "sync", { mode: "ok" }, { at: 50_001 });
  sim.run({ until: 400_000 });
  // Leave environments alive with pending timers, intervals and calls: shutdown must free them all.
  sim.invoke("fn", "sync", { mode: "hang" }, { at: sim.now + 1 });
  sim.invoke("fn", "sync", { mode: "ok" }, { at: sim.now + 1 });
  sim.run({ until: sim.now + 100 });
  sim.shutdown();
  return sim.trace.map((r) => r.outcome);
}

describe("freeing QuickJS runtimes", () => {
  it("frees every runtime and handle after warm calls, concurrency, timeouts, out-of-memory, errors and recycling", async () => {
    const { quickjs, base, runtimes } = await trackedModule();
    const outcomes = busyScenario(quickjs, 1);
    // Every kind of ending happened.
    for (const kind of ["success", "timeout", "oom", "error"]) expect(outcomes).toContain(kind);
    expect(isBroken(base), "QuickJS aborted freeing a runtime: a handle was left alive").toBe(false);
    expect(runtimes.length).toBeGreaterThan(10);
    expect(runtimes.filter((rt) => rt.alive)).toHaveLength(0);
  });

  it("keeps a warm environment's memory flat over a thousand invocations: no value is left behind per call", async () => {
    // Values QuickJS's estimate does not attribute (strings held by a leaked handle among them) count 64 bytes
    // each, so one leaked value per call adds more than a megabyte of "Max Memory Used" over 900 calls.
    const code = `
      import { sleep, table } from "workbook:aws";
      export const handler = async (event) => {
        console.log("call", event.i);
        setTimeout(() => {}, 1);
        await table("t").put("k" + (event.i % 10), { i: event.i });
        await sleep(1);
        return { i: event.i, item: await table("t").get("k" + (event.i % 10)) };
      };`;
    const { quickjs, base } = await trackedModule();
    const sim = new Simulation({ services: new ServiceHub() });
    sim.deploy({ name: "fn" }, new SandboxCode(quickjs, { code, filename: "handler.js" }, sim.model));
    for (let i = 0; i < 1_000; i++) sim.invoke("fn", "sync", { i }, { at: i * 1_000 });
    sim.run();
    sim.shutdown();
    const records = sim.trace;
    expect(new Set(records.map((r) => r.envId)).size).toBe(1);
    expect(records.every((r) => r.outcome === "success")).toBe(true);
    // Compared after a warm-up of 500 calls: the heap settles within the first couple of hundred calls, and a baseline
    // near a whole-MB boundary can round up once on the way; a per-call leak would still add a megabyte by call 999.
    expect(records[999]!.maxMemoryUsedMB).toBe(records[499]!.maxMemoryUsedMB);
    expect(isBroken(base)).toBe(false);
  });

  it("does not grow the module's memory over rounds of the same work", async () => {
    const { quickjs, base, runtimes } = await trackedModule();
    const memory = base.getWasmMemory();
    busyScenario(quickjs, 0);
    const settled = memory.buffer.byteLength;
    for (let round = 1; round < 4; round++) busyScenario(quickjs, round);
    expect(memory.buffer.byteLength).toBe(settled);
    expect(runtimes.filter((rt) => rt.alive)).toHaveLength(0);
    expect(isBroken(base)).toBe(false);
  });

  it("can be disposed at any point, more than once, without throwing", async () => {
    const { quickjs, base, runtimes } = await trackedModule();
    const model = ModelSettingsSchema.parse({});
    const pending: Array<() => void> = [];
    let now = 0;
    const port: EnvironmentPort = {
      envId: "env-1",
      functionName: "fn",
      memoryMB: 128,
      cpuMsPerTick: 1,
      epochMs: Date.UTC(2026, 0, 1),
      now: () => now,
      defer: (_delay, run) => pending.push(run),
      callService: () => {},
      log: () => {},
      seed: () => 42,
      environment: {},
      tmp: new TmpStore(512, { usedBytes: 0 }),
    };
    const code = new SandboxCode(quickjs, { code: EVERY_PATH, filename: "handler.js" }, model);
    const runPending = () => {
      while (pending.length > 0) pending.shift()!();
    };

    // Never initialised.
    const fresh = code.createInstance(port);
    fresh.dispose();
    fresh.dispose();

    // Disposed while init waits for a service reply that never comes.
    const waiting = code.createInstance(port);
    waiting.init(10_000, () => {});
    runPending();
    waiting.dispose();

    // Disposed after a timeout abort, with a timer pending.
    const outcomes: CodeOutcome[] = [];
    const hung = new SandboxCode(quickjs, { code: `export const handler = async () => { setTimeout(() => {}, 1000); for (;;) {} };`, filename: "handler.js" }, model).createInstance(port);
    hung.init(10_000, (o) => outcomes.push(o));
    runPending();
    now = 1;
    hung.invoke("{}", { awsRequestId: "r", functionName: "fn", functionVersion: "$LATEST", memoryLimitInMB: 128, invokedFunctionArn: "arn", logGroupName: "g", logStreamName: "s", deadlineMs: 3_000 }, 3_000, (o) => outcomes.push(o));
    runPending();
    hung.abort();
    hung.dispose();
    hung.dispose();
    expect(outcomes).toEqual([{ kind: "success", response: undefined }]);

    expect(runtimes).toHaveLength(3);
    expect(runtimes.filter((rt) => rt.alive)).toHaveLength(0);
    expect(isBroken(base)).toBe(false);
  });
});
