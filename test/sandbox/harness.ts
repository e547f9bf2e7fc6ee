/**
 * Test helpers for the sandbox: run learner code in a fresh simulation (or through the grader) and capture what a
 * learner would see, plus how much host CPU time it took and whether the host's own globals were touched.
 */
import type { QuickJSWASMModule } from "quickjs-emscripten-core";
import { gradeExercise, type GradeResult } from "../../src/grader/grade.ts";
import { ExerciseSchema, type ExerciseInput } from "../../src/grader/schema.ts";
import type { FunctionConfigInput, ModelSettingsInput } from "../../src/runtime/config.ts";
import { Simulation, type SyncResult } from "../../src/runtime/simulation.ts";
import type { InvocationRecord } from "../../src/runtime/trace.ts";
import { SandboxCode } from "../../src/sandbox/environment.ts";
import { hostMs } from "../../src/sandbox/host-clock.ts";
import { loadQuickJS } from "../../src/sandbox/quickjs.ts";
import { ServiceHub, type ServicesConfigInput } from "../../src/services/hub.ts";

export const FUNCTION_NAME = "fn";

export interface Invoke {
  /** Virtual ms at which the request arrives (default 0). */
  at?: number;
  mode?: "sync" | "async";
  event?: unknown;
  /** The tenant id the invoke carries (tenant isolation mode). */
  tenantId?: string;
}

export interface RunOptions {
  function?: Omit<FunctionConfigInput, "name">;
  model?: ModelSettingsInput;
  services?: ServicesConfigInput;
  seed?: number;
  invokes?: Invoke[];
  /** Use this module instead of the shared one (leak tests wrap it). */
  quickjs?: QuickJSWASMModule;
  /** Stop the simulation at this virtual time (default: run every event). */
  until?: number;
  /** Keep the environments alive after the run (default: shut the simulation down). */
  keepAlive?: boolean;
}

export interface RunResult {
  sim: Simulation;
  services: ServiceHub;
  /** Results of the sync invokes, in the order of `invokes` (undefined for async ones). */
  results: Array<SyncResult | undefined>;
  /** Records that ran code, in the order they started. */
  records: InvocationRecord[];
  /** Every log line's text. */
  logs: string[];
  /** Host CPU time the simulation took (wall time in a browser): a busy machine does not inflate it. */
  hostMs: number;
}

/** Runs `code` as the handler module of function "fn" and returns what happened. */
export async function runHandler(code: string, options: RunOptions = {}): Promise<RunResult> {
  const quickjs = options.quickjs ?? (await loadQuickJS());
  const services = new ServiceHub(options.services ?? {});
  const sim = new Simulation({ seed: options.seed ?? 1, services, ...(options.model ? { model: options.model } : {}) });
  sim.deploy({ name: FUNCTION_NAME, ...options.function }, new SandboxCode(quickjs, { code, filename: "handler.js" }, sim.model));
  const invokes = options.invokes ?? [{}];
  const results: Array<SyncResult | undefined> = invokes.map(() => undefined);
  invokes.forEach((inv, i) => {
    sim.invoke(FUNCTION_NAME, inv.mode ?? "sync", inv.event ?? {}, { at: inv.at ?? 0, tenantId: inv.tenantId ?? null, onResult: (r) => (results[i] = r) });
  });
  const started = hostMs();
  sim.run(options.until === undefined ? {} : { until: options.until });
  if (!options.keepAlive) sim.shutdown();
  const spent = hostMs() - started;
  const records = sim.trace.filter((r) => r.envId !== null).sort((a, b) => a.startedAt - b.startedAt || a.seq - b.seq);
  return { sim, services, results, records, logs: sim.logs.map((l) => l.text), hostMs: spent };
}

/** The parsed payload of a sync result. */
export function payloadOf(result: SyncResult | undefined): unknown {
  if (!result) throw new Error("the invoke produced no result");
  return JSON.parse(result.payload);
}

/** A one-scenario exercise whose single check is `check` (a sync invoke of `{}` by default). */
export function exerciseWith(check: ExerciseInput["scenarios"][number]["checks"][number]["check"], overrides: Partial<ExerciseInput> = {}) {
  const input: ExerciseInput = {
    title: "Test exercise",
    summary: "An exercise used by the sandbox tests.",
    lesson: "/test/",
    function: { name: FUNCTION_NAME },
    scenarios: [
      {
        name: "one call",
        description: "Calls the function once.",
        steps: [{ do: "invoke", mode: "sync", event: { orderId: "o-1" } }],
        checks: [{ name: "the call succeeds", check }],
      },
    ],
    ...overrides,
  };
  return { id: "test/sandbox", definition: ExerciseSchema.parse(input) };
}

/** A check that passes only when every invocation succeeded and the first response equals `expected`. */
export function respondsWith(expected: unknown) {
  return exerciseWith((w) => {
    const failed = w.invocations.find((r) => r.outcome !== "success");
    if (failed) return `the call failed: ${failed.outcome} ${failed.error?.errorType ?? ""} ${failed.error?.errorMessage ?? ""}`;
    const response = w.results[0]?.payload;
    return response === JSON.stringify(expected) ? null : `the response was ${response}`;
  });
}

export async function grade(source: string, exercise = respondsWith({ ok: true })): Promise<GradeResult & { hostMs: number }> {
  const quickjs = await loadQuickJS();
  const started = hostMs();
  const result = await gradeExercise(quickjs, exercise, source);
  return { ...result, hostMs: hostMs() - started };
}

/** A fingerprint of the host realm's built-ins: learner code must never change it. */
export function hostFingerprint(): Record<string, unknown> {
  const g = globalThis as Record<string, unknown>;
  return {
    globals: Object.getOwnPropertyNames(globalThis).sort().join(","),
    objectProto: Object.getOwnPropertyNames(Object.prototype).sort().join(","),
    arrayProto: Object.getOwnPropertyNames(Array.prototype).sort().join(","),
    push: Array.prototype.push,
    stringify: JSON.stringify,
    parse: JSON.parse,
    then: Promise.prototype.then,
    call: Function.prototype.call,
    apply: Function.prototype.apply,
    date: g.Date,
    now: Date.now,
    random: Math.random,
    process: g.process,
    require: g.require,
    polluted: (Object.prototype as Record<string, unknown>).polluted,
  };
}
