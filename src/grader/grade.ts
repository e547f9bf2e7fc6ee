/**
 * Grades learner code against an exercise: every scenario runs in a fresh simulation with fresh services, then its
 * checks read the trace and the services' state. Learner mistakes are data in the report, never exceptions.
 */
import type { QuickJSWASMModule } from "quickjs-emscripten-core";
import { ModelSettingsSchema } from "../runtime/config.ts";
import { Simulation, type SyncResult } from "../runtime/simulation.ts";
import { describeSimplifications, type SimplificationKey } from "../runtime/simplifications.ts";
import type { InvocationRecord } from "../runtime/trace.ts";
import { SandboxCode } from "../sandbox/environment.ts";
import { ServiceHub } from "../services/hub.ts";
import { connectServices } from "../runtime/service-wiring.ts";
import { ScenarioSources, type SourceStepResult } from "./source-steps.ts";
import type { CheckReport, FailureDetail, GradeReport, ScenarioReport, UnusableCode } from "./report.ts";
import type { Exercise, Scenario } from "./schema.ts";
import type { ScenarioWorld } from "./world.ts";
import { checkSource } from "./preflight.ts";

export interface LoadedExercise {
  /** `<chapter>/<slug>`, from the folder names. */
  id: string;
  definition: Exercise;
}

export interface GradeOptions {
  /** "run" runs the visible scenarios only; "grade" runs all of them. */
  mode?: "run" | "grade";
  /** File name shown in stack traces and errors. */
  filename?: string;
  /** Real-time budget per scenario, a backstop only (virtual time decides every result). */
  wallBudgetMs?: number;
}

export type GradeResult = { usable: true; report: GradeReport } | { usable: false; exercise: string; problem: UnusableCode };

const MAX_EVENTS = 2_000_000;

export async function gradeExercise(
  quickjs: QuickJSWASMModule,
  exercise: LoadedExercise,
  source: string,
  options: GradeOptions = {},
): Promise<GradeResult> {
  const mode = options.mode ?? "grade";
  const filename = options.filename ?? "handler.js";
  const def = exercise.definition;
  const problem = checkSource(quickjs, source, filename, def);
  if (problem) return { usable: false, exercise: exercise.id, problem };

  const checks: CheckReport[] = [];
  const scenarios: ScenarioReport[] = [];
  let failure: FailureDetail | null = null;
  const used = new Set<SimplificationKey>();
  for (const scenario of def.scenarios) {
    if (mode === "run" && scenario.hidden) continue;
    const outcome = runScenario(quickjs, def, scenario, source, filename, options.wallBudgetMs ?? 30_000);
    for (const key of outcome.simplificationsUsed) used.add(key);
    let scenarioPassed = true;
    for (const result of outcome.checks) {
      checks.push(result.report);
      if (!result.report.passed) {
        scenarioPassed = false;
        if (!failure) {
          failure = {
            scenario: scenario.name,
            description: scenario.description,
            check: result.report.name,
            message: result.report.message,
            highlight: result.highlight,
            trace: [...outcome.world.trace],
            logs: [...outcome.world.logs],
            metrics: [...outcome.world.metrics],
            hops: [...outcome.world.hops],
          };
        }
      }
    }
    scenarios.push({ name: scenario.name, description: scenario.description, hidden: scenario.hidden, passed: scenarioPassed, seed: scenario.seed });
  }
  const model = ModelSettingsSchema.parse(def.model);
  return {
    usable: true,
    report: {
      exercise: exercise.id,
      title: def.title,
      mode,
      passed: checks.every((c) => c.passed),
      checks,
      scenarios,
      failure,
      simplifications: describeSimplifications(model, used),
    },
  };
}

interface ScenarioOutcome {
  world: ScenarioWorld;
  simplificationsUsed: ReadonlySet<SimplificationKey>;
  checks: Array<{ report: CheckReport; highlight: number[] }>;
}

function runScenario(
  quickjs: QuickJSWASMModule,
  def: Exercise,
  scenario: Scenario,
  source: string,
  filename: string,
  wallBudgetMs: number,
): ScenarioOutcome {
  const services = new ServiceHub(scenario.services, scenario.seed);
  const sim = new Simulation({
    seed: scenario.seed,
    services,
    destinations: services,
    account: def.account,
    model: { ...def.model, ...scenario.model },
  });
  const config = sim.deploy(def.function, new SandboxCode(quickjs, { code: source, filename }, sim.model));
  connectServices(sim, services);
  const sources = new ScenarioSources(sim, services, config.name, scenario.sources);
  const results: Array<SyncResult | undefined> = [];
  const stepResults: Array<SourceStepResult | undefined> = [];
  scenario.steps.forEach((step, i) => {
    results.push(undefined);
    stepResults.push(undefined);
    if (step.do === "recycle") sim.at(step.at, () => sim.recycle(config.name));
    else if (step.do !== "invoke") sources.schedule(step, (r) => (stepResults[i] = r));
    else {
      sim.invoke(config.name, step.mode, step.event, {
        at: step.at,
        deliveries: step.deliveries,
        duplicateDelayMs: step.duplicateDelayMs,
        tenantId: step.tenantId ?? null,
        onResult: (r) => (results[i] = r),
      });
    }
  });
  // Run in slices so that a real-time backstop can stop a scenario whose code defeats the virtual CPU count.
  const started = performance.now();
  let events = 0;
  let cutOff: string | null = null;
  for (;;) {
    const ran = sim.run({ until: scenario.horizonMs, maxEvents: 2_000 });
    events += ran;
    if (ran < 2_000) break;
    if (events >= MAX_EVENTS) {
      cutOff = `the scenario was stopped after ${MAX_EVENTS.toLocaleString("en-US")} simulator events`;
      break;
    }
    if (performance.now() - started > wallBudgetMs) {
      cutOff = `the scenario was stopped after ${Math.round(wallBudgetMs / 1000)} s of real time (a workbook limit)`;
      break;
    }
  }
  sim.shutdown();

  const invocations = sim.trace.filter((r) => r.envId !== null).sort((a, b) => a.startedAt - b.startedAt || a.seq - b.seq);
  const environments: string[] = [];
  for (const r of invocations) if (r.envId && !environments.includes(r.envId)) environments.push(r.envId);
  const bySeq = new Map<number, InvocationRecord>(sim.trace.map((r) => [r.seq, r]));
  const world: ScenarioWorld = {
    trace: sim.trace,
    logs: sim.logs,
    metrics: sim.metrics,
    totals: sim.totals,
    services,
    deliveries: sim.destinations.deliveries,
    hops: services.hops.records,
    stepResults,
    gatewayResponses: sources.gateway.responses,
    batches: sources.mappings.flatMap((m) => m.batches),
    mappingAdvice: sources.mappings.flatMap((m) => m.advice),
    queueSamples: Object.fromEntries(sources.mappings.map((m) => [m.config.queue, m.queueHistory])),
    platformEvents: sim.platformEvents,
    function: config,
    results,
    invocations,
    environments,
    record: (seq) => bySeq.get(seq),
  };

  const checks = scenario.checks.map((check) => {
    const base = { name: check.name, hidden: scenario.hidden, scenario: scenario.name, lesson: check.lesson ?? def.lesson };
    if (cutOff) return { report: { ...base, passed: false, message: `Not checked: ${cutOff}.` }, highlight: [] };
    try {
      const verdict = check.check(world);
      if (verdict === null || verdict === undefined) return { report: { ...base, passed: true, message: "passed" }, highlight: [] };
      const message = typeof verdict === "string" ? verdict : verdict.message;
      const highlight = typeof verdict === "string" ? [] : verdict.highlight ?? [];
      return { report: { ...base, passed: false, message }, highlight };
    } catch (error) {
      // A fault in the exercise's own check: report it as a failure, never as a pass.
      const detail = error instanceof Error ? error.message : String(error);
      return { report: { ...base, passed: false, message: `The grader could not evaluate this check (${detail}). This is a bug in the exercise, not in your code.` }, highlight: [] };
    }
  });
  return { world, checks, simplificationsUsed: sim.simplificationsUsed };
}
