/**
 * Performance figures of the workbook, each printed beside its target: `npm run bench`.
 * A script, not a test: it informs and always exits 0 (a missed target prints MISSED). Every figure is the median of
 * several repetitions after a warm-up. Set BENCH_QUICK=1 for fewer repetitions, BENCH_ONLY=<text> for some steps.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import { relative } from "node:path";
import { listExercises, loadExercise, REPO_ROOT, type ExerciseFiles } from "../src/cli/catalog.ts";
import { gradeExercise } from "../src/grader/grade.ts";
import { Simulation, type SyncResult } from "../src/runtime/simulation.ts";
import type { CodeInstance, CodeOutcome, EnvironmentPort, FunctionCode, InvokeContextData, JsonText } from "../src/runtime/types.ts";
import { SandboxCode } from "../src/sandbox/environment.ts";
import { loadQuickJS } from "../src/sandbox/quickjs.ts";
import { ServiceHub } from "../src/services/hub.ts";
import { benchBrowser } from "./browser.ts";

const QUICK = process.env.BENCH_QUICK === "1";
const reps = (n: number) => (QUICK ? Math.max(3, Math.ceil(n / 3)) : n);

// ---- output ----

const LABEL_WIDTH = 50;
const VALUE_WIDTH = 24;

function fmt(value: number, digits = 0): string {
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function line(label: string, value: string, target: string, ok: boolean): void {
  console.log(`${label.padEnd(LABEL_WIDTH)} ${value.padStart(VALUE_WIDTH)}   ${target.padEnd(20)} ${ok ? "OK" : "MISSED"}`);
}

function atLeast(label: string, value: number, unit: string, target: number, digits = 0): void {
  line(label, `${fmt(value, digits)} ${unit}`, `target >= ${fmt(target)}`, value >= target);
}

function atMost(label: string, value: number, unit: string, target: number, digits = 2): void {
  line(label, `${fmt(value, digits)} ${unit}`, `target <= ${fmt(target)} ${unit}`, value <= target);
}

function note(label: string, text: string): void {
  console.log(`${label.padEnd(LABEL_WIDTH)} ${text}`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs `sample` `warmup` times untimed, then `n` times; returns the median of what it measured. */
async function medianOf(n: number, warmup: number, sample: () => number | Promise<number>): Promise<number> {
  for (let i = 0; i < warmup; i++) await sample();
  const values: number[] = [];
  for (let i = 0; i < n; i++) values.push(await sample());
  return median(values);
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`bench sanity check failed: ${message}`);
}

// ---- 1. simulator core with host-side handlers ----

/** Host-side code: INIT and every invocation take a fixed virtual time and complete through `port.defer`. */
class FixedCode implements FunctionCode {
  private readonly initMs: number;
  private readonly invokeMs: number;
  constructor(initMs: number, invokeMs: number) {
    this.initMs = initMs;
    this.invokeMs = invokeMs;
  }
  createInstance(port: EnvironmentPort): CodeInstance {
    return new FixedInstance(port, this.initMs, this.invokeMs);
  }
}

const SUCCESS: CodeOutcome = { kind: "success", response: '{"ok":true}' };

class FixedInstance implements CodeInstance {
  private readonly port: EnvironmentPort;
  private readonly initMs: number;
  private readonly invokeMs: number;
  constructor(port: EnvironmentPort, initMs: number, invokeMs: number) {
    this.port = port;
    this.initMs = initMs;
    this.invokeMs = invokeMs;
  }
  init(_deadline: number, done: (outcome: CodeOutcome) => void): void {
    this.port.defer(this.initMs, () => done(SUCCESS));
  }
  invoke(_event: JsonText, _context: InvokeContextData, _deadline: number, done: (outcome: CodeOutcome) => void): void {
    this.port.defer(this.invokeMs, () => done(SUCCESS));
  }
  abort(): void {}
  dispose(): void {}
  memoryUsedMB(): number {
    return 80;
  }
}

/** The same host code with the simulator's timed path: each invocation's end is scheduled by the simulator itself. */
class TimedCode extends FixedCode {
  private readonly ms: number;
  constructor(initMs: number, invokeMs: number) {
    super(initMs, invokeMs);
    this.ms = invokeMs;
  }
  override createInstance(port: EnvironmentPort): CodeInstance {
    const instance = super.createInstance(port);
    const ms = this.ms;
    instance.timedInvoke = () => ms;
    return instance;
  }
}

/**
 * One arrival per virtual ms, each handler busy for 9 ms after a 50 ms INIT. `aggregateOnly`: timed handlers and no
 * per-request caller (the path of workloads and `simulate`), checked through the totals; otherwise every invocation
 * completes through a callback and every request's caller gets its result.
 */
function simulatorCoreRun(invocations: number, aggregateOnly: boolean): { seconds: number; cpuSeconds: number } {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const sim = new Simulation({ seed: 1, recordLogs: false, recordTrace: false });
  sim.deploy({ name: "core" }, aggregateOnly ? new TimedCode(50, 9) : new FixedCode(50, 9));
  let results = 0;
  let failures = 0;
  const onResult = (r: SyncResult) => {
    results++;
    if (r.statusCode !== 200 || r.functionError !== null) failures++;
  };
  // The arrival process hands over a payload serialised once, as a workload does.
  const payload = JSON.stringify({ n: 1 });
  const options = aggregateOnly ? {} : { onResult };
  let issued = 0;
  sim.arrivals(0, () => {
    sim.arrive("core", "sync", payload, options);
    return ++issued < invocations ? sim.now + 1 : Infinity;
  });
  sim.run();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  if (!aggregateOnly) check(results === invocations && failures === 0, `simulator core: ${results} results, ${failures} failures`);
  check(sim.totals.invocations === invocations && sim.totals.errors === 0 && sim.totals.throttles === 0, "simulator core: invocation count");
  return { seconds, cpuSeconds: (used.user + used.system) / 1e6 };
}

async function benchSimulatorCore(): Promise<void> {
  const n = QUICK ? 200_000 : 500_000;
  for (const aggregateOnly of [false, true]) {
    let cpuRates: number[] = [];
    const rate = await medianOf(reps(5), 1, () => {
      const run = simulatorCoreRun(n, aggregateOnly);
      cpuRates.push(n / run.cpuSeconds);
      return n / run.seconds;
    });
    atLeast(`simulator core (host handlers, ${aggregateOnly ? "aggregate-only" : "with callbacks"})`, rate, "invocations/s", 1_000_000);
    // On a shared machine wall time also counts other processes' turns; CPU time shows what the simulator costs.
    cpuRates = cpuRates.slice(1);
    note("", `(${fmt(median(cpuRates))} invocations per CPU second)`);
  }
}

// ---- 1b. the simulate path: a simulated day of traffic ----

interface SimulateRun {
  days: number;
  seconds: number;
  cpuSeconds: number;
  invocations: number;
  requests: number;
  maxRssMB: number;
  heapUsedMB: number;
  liveHeapMB: number | null;
}

/**
 * The Node flags `npm run simulate` runs with (package.json), so the bench measures what a user gets. Young-generation
 * semi-spaces of 2 MB keep the peak memory of a long run near its live data: with Node's default, V8 grows the young
 * generation under simulate's allocation rate and an SQS day peaks near 370 MB for under 10 MB of live heap.
 */
const SIMULATE_NODE_FLAGS: string[] = (() => {
  const script = (JSON.parse(readFileSync(`${REPO_ROOT}/package.json`, "utf8")) as { scripts: Record<string, string> }).scripts.simulate ?? "";
  return /node ((?:--\S+ )*)src\/cli\/simulate\.ts/.exec(script)?.[1]?.trim().split(/\s+/).filter(Boolean) ?? [];
})();

/** Runs bench/simulate-run.ts in a child process (its peak memory is then its own) and reads its JSON line. */
function simulateRun(days: number, mode: "sync" | "sqs" = "sync"): Promise<SimulateRun> {
  return new Promise((resolve, reject) => {
    const script = mode === "sqs" ? ["--expose-gc", "bench/simulate-run.ts", String(days), "sqs"] : ["bench/simulate-run.ts", String(days)];
    const args = [...SIMULATE_NODE_FLAGS, ...script];
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) reject(new Error(`bench/simulate-run.ts ${days} exited with ${code}: ${stderr.trim()}`));
      else resolve(JSON.parse(stdout.trim().split("\n").pop()!) as SimulateRun);
    });
  });
}

/**
 * A day of host-side traffic (about 1.17 million invocations, day-shaped) through runWorkload, the path of
 * `npm run simulate`: wall time, simulated invocations per second and peak memory, then three days to show that
 * memory stays flat as the simulated duration grows (aggregates are streamed, no invocation is kept).
 */
async function benchSimulateDay(): Promise<void> {
  const runs: SimulateRun[] = [];
  for (let i = 0; i < reps(3); i++) runs.push(await simulateRun(1));
  const day = runs.sort((a, b) => a.seconds - b.seconds)[runs.length >> 1]!;
  check(day.invocations >= 1_000_000, `simulate: only ${day.invocations} invocations in a day`);
  note(`simulate: a day, ${fmt(day.invocations)} invocations`, `${fmt(day.seconds, 2)} s wall time (median of ${runs.length})`);
  atLeast("simulate: simulated invocations per second", day.invocations / day.seconds, "invocations/s", 2_000_000);
  note("", `(CPU time of that run: ${fmt(day.cpuSeconds, 2)} s, ${fmt(day.invocations / day.cpuSeconds)} invocations per CPU second)`);
  atMost("simulate: peak memory, 1 simulated day", day.maxRssMB, "MB", 200, 0);
  const three = await simulateRun(3);
  const growth = three.maxRssMB / day.maxRssMB - 1;
  line(
    "simulate: peak memory, 3 simulated days",
    `${fmt(three.maxRssMB, 0)} MB (${growth >= 0 ? "+" : ""}${fmt(growth * 100, 1)}%)`,
    "target: flat (< +10%)",
    growth < 0.1,
  );
}

/**
 * The same day through a queue (`invoke: "sqs"`, about 1.17 million messages): each message is a send, a receive, a
 * record in a batch event (JSON), a delete and its share of a batch invocation. Targets: 400,000 messages per second,
 * a fifth of the 2,000,000 invocations per second of the sync path, because a message costs about five of the sync
 * path's per-invocation steps (four queue operations and the record) before its share of an invocation; memory as
 * for the sync path: under 200 MB for a day, and flat over three days (nothing is kept per message).
 */
async function benchSimulateSqsDay(): Promise<void> {
  const runs: SimulateRun[] = [];
  for (let i = 0; i < reps(3); i++) runs.push(await simulateRun(1, "sqs"));
  const day = runs.sort((a, b) => a.seconds - b.seconds)[runs.length >> 1]!;
  check(day.requests >= 1_000_000, `simulate sqs: only ${day.requests} messages in a day`);
  note(`simulate sqs: a day, ${fmt(day.requests)} messages`, `${fmt(day.seconds, 2)} s wall time (median of ${runs.length}), ${fmt(day.invocations)} batch invocations`);
  atLeast("simulate sqs: simulated messages per second", day.requests / day.seconds, "messages/s", 400_000);
  note("", `(CPU time of that run: ${fmt(day.cpuSeconds, 2)} s, ${fmt(day.requests / day.cpuSeconds)} messages per CPU second)`);
  atMost("simulate sqs: peak memory, 1 simulated day", day.maxRssMB, "MB", 200, 0);
  const three = await simulateRun(3, "sqs");
  const growth = three.maxRssMB / day.maxRssMB - 1;
  line("simulate sqs: peak memory, 3 simulated days", `${fmt(three.maxRssMB, 0)} MB (${growth >= 0 ? "+" : ""}${fmt(growth * 100, 1)}%)`, "target: flat (< +10%)", growth < 0.1);
  if (day.liveHeapMB !== null && three.liveHeapMB !== null) {
    const liveGrowth = three.liveHeapMB / day.liveHeapMB - 1;
    line(
      "simulate sqs: live heap after the run, 1 → 3 days",
      `${fmt(day.liveHeapMB, 1)} → ${fmt(three.liveHeapMB, 1)} MB`,
      "target: flat (< +10%)",
      liveGrowth < 0.1,
    );
  }
}

// ---- 2. and 3. the QuickJS sandbox ----

const SANDBOX_HANDLER = `
import { table } from "workbook:aws";
const items = table("t");
export async function handler(event) {
  const item = await items.get("k");
  return { n: event.n, item };
}
`;

function sandboxSimulation(quickjs: Awaited<ReturnType<typeof loadQuickJS>>): Simulation {
  const services = new ServiceHub({ table: { seed: { t: { k: { v: 1 } } } } });
  const sim = new Simulation({ seed: 1, services, recordLogs: false, recordTrace: false });
  sim.deploy({ name: "warm" }, new SandboxCode(quickjs, { code: SANDBOX_HANDLER, filename: "handler.js" }, sim.model));
  return sim;
}

const EXPECTED = JSON.stringify({ n: 1, item: { v: 1 } });

/** Sequential invocations 100 virtual ms apart, so the one warm environment serves every one of them. */
async function benchWarmSandbox(quickjs: Awaited<ReturnType<typeof loadQuickJS>>): Promise<void> {
  const n = QUICK ? 2_000 : 5_000;
  const rate = await medianOf(reps(5), 1, () => {
    const sim = sandboxSimulation(quickjs);
    let ok = 0;
    const onResult = (r: SyncResult) => {
      if (r.statusCode === 200 && r.payload === EXPECTED) ok++;
    };
    // The cold start is not part of the figure.
    sim.invoke("warm", "sync", { n: 1 }, { onResult });
    sim.run({ until: 60_000 });
    const start = sim.now;
    const started = performance.now();
    for (let i = 1; i <= n; i++) sim.invoke("warm", "sync", { n: 1 }, { at: start + i * 100, onResult });
    sim.run({ until: start + (n + 1) * 100 });
    const seconds = (performance.now() - started) / 1000;
    check(ok === n + 1, `warm sandbox: ${ok} of ${n + 1} invocations answered as expected`);
    check(sim.totals.coldStarts === 1, `warm sandbox: ${sim.totals.coldStarts} cold starts`);
    sim.shutdown();
    return n / seconds;
  });
  atLeast("warm sandbox (1 env, one await table.get)", rate, "invocations/s", 12_000);
}

/** A new environment: QuickJS runtime and context, the workbook:aws module, the handler module, the first call. */
async function benchColdSandbox(quickjs: Awaited<ReturnType<typeof loadQuickJS>>): Promise<void> {
  const ms = await medianOf(reps(200), 20, () => {
    const sim = sandboxSimulation(quickjs);
    let ok = false;
    const started = performance.now();
    sim.invoke("warm", "sync", { n: 1 }, { onResult: (r) => (ok = r.payload === EXPECTED) });
    sim.run({ until: 60_000 });
    const elapsed = performance.now() - started;
    check(ok, "cold sandbox: the first invocation failed");
    sim.shutdown();
    return elapsed;
  });
  atMost("cold sandbox start (new env + first call)", ms, "ms", 2, 3);
}

// ---- 4. and 5. grading ----

async function benchGradeInProcess(quickjs: Awaited<ReturnType<typeof loadQuickJS>>, exercises: ExerciseFiles[]): Promise<void> {
  const medians: number[] = [];
  for (const exercise of exercises) {
    const ms = await medianOf(reps(9), 2, async () => {
      const started = performance.now();
      const result = await gradeExercise(quickjs, exercise, exercise.solution, { filename: "solution.js" });
      const elapsed = performance.now() - started;
      check(result.usable && result.report.passed, `${exercise.id}: the solution does not pass`);
      return elapsed;
    });
    medians.push(ms);
    atMost(`grade in-process: ${exercise.id}`, ms, "ms", 100, 1);
  }
  if (exercises.length > 1) atMost("grade in-process: median over exercises", median(medians), "ms", 100, 1);
}

function runGradeCommand(args: string[]): Promise<{ ms: number; code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ["src/cli/grade.ts", ...args], { cwd: REPO_ROOT, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ ms: performance.now() - started, code, stderr }));
  });
}

async function benchGradeCommand(exercises: ExerciseFiles[]): Promise<void> {
  const medians: number[] = [];
  for (const exercise of exercises) {
    const solution = relative(REPO_ROOT, `${exercise.dir}/solution.js`);
    const ms = await medianOf(reps(5), 1, async () => {
      const run = await runGradeCommand([exercise.id, solution]);
      check(run.code === 0, `grade ${exercise.id} ${solution} exited with ${run.code}: ${run.stderr.trim()}`);
      return run.ms;
    });
    medians.push(ms);
    atMost(`grade command (process): ${exercise.id}`, ms, "ms", 1_000, 0);
  }
  if (exercises.length > 1) atMost("grade command (process): median", median(medians), "ms", 1_000, 0);
}

// ---- main ----

async function main(): Promise<void> {
  const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
  const load = loadavg()[0]!.toFixed(2);
  console.log(`cores: ${availableParallelism()} (${cpu})   node: ${process.version}   load average: ${load}${QUICK ? "   BENCH_QUICK=1" : ""}`);
  console.log("");
  const quickjs = await loadQuickJS();
  const exercises: ExerciseFiles[] = [];
  for (const folder of listExercises()) exercises.push(await loadExercise(folder));

  const steps: Array<[string, () => Promise<void>]> = [
    ["simulator core", () => benchSimulatorCore()],
    ["simulate a day", () => benchSimulateDay()],
    ["simulate a day through SQS", () => benchSimulateSqsDay()],
    ["warm sandbox", () => benchWarmSandbox(quickjs)],
    ["cold sandbox", () => benchColdSandbox(quickjs)],
    ["grade in-process", () => benchGradeInProcess(quickjs, exercises)],
    ["grade command", () => benchGradeCommand(exercises)],
    ["browser", () => benchBrowser({ atMost, note, medianOf, reps })],
  ];
  if (exercises.length === 0) note("grading", "no exercises found: skipped");
  // BENCH_ONLY=<text> runs only the steps whose name contains it (e.g. BENCH_ONLY=SQS).
  const only = process.env.BENCH_ONLY;
  for (const [name, step] of steps) {
    if (exercises.length === 0 && name.startsWith("grade")) continue;
    if (only && !name.includes(only)) continue;
    try {
      await step();
    } catch (error) {
      // A broken measurement is reported, not thrown: the bench informs, it does not gate.
      line(name, "error", "", false);
      console.log(`  ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

await main();
process.exitCode = 0;
