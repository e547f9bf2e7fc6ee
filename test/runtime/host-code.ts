/**
 * A host-side FunctionCode for simulator tests: no QuickJS, every phase takes exactly the virtual time a test asks for.
 *
 * - INIT (the module's top level) takes `init.durationMs` of virtual time, counted with `port.defer`, and can fail,
 *   run out of memory or leave background timers behind.
 * - Each handler call follows an InvokePlan. By default the plan is the event itself, so a test can write
 *   `sim.invoke("f", "sync", { durationMs: 500, error: {...} })`; `options.invoke` can compute plans instead.
 * - Module state: every instance counts its own handler calls (`count`), and the default response reports it, so
 *   tests can see whether module state survived.
 * - Everything that happens is written to `code.happenings` with its virtual time, environment and request id.
 */
import type { FunctionConfigInput, ModelSettingsInput } from "../../src/runtime/config.ts";
import { Simulation, type SimulationOptions, type SyncResult } from "../../src/runtime/simulation.ts";
import type {
  CodeInstance,
  CodeOutcome,
  EnvironmentPort,
  FunctionCode,
  InvokeContextData,
  JsonText,
  ServiceResult,
} from "../../src/runtime/types.ts";

export interface PlannedError {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

/** A background callback left pending (a `setTimeout` the code does not await). */
export interface PlannedDefer {
  delayMs: number;
  label: string;
}

/** A service call made by the code; its reply is recorded as `reply:<label>`. */
export interface PlannedServiceCall {
  service: string;
  operation: string;
  args?: unknown[];
  offsetMs?: number;
  label: string;
}

export interface InitPlan {
  /** Virtual ms the module's top level takes (on top of the simulator's platform part). Default 0. */
  durationMs?: number;
  error?: PlannedError;
  oom?: boolean;
  /** Never finishes (the INIT limit or the function timeout must stop it). */
  hang?: boolean;
  memoryUsedMB?: number;
  defer?: PlannedDefer[];
  services?: PlannedServiceCall[];
}

export interface InvokePlan {
  /** Virtual ms the handler takes. Default 10. */
  durationMs?: number;
  /** JSON value the handler returns (default: `{ envId, instance, count }`). */
  result?: unknown;
  /** Raw response text, for size tests (wins over `result`). */
  responseText?: JsonText;
  error?: PlannedError;
  oom?: boolean;
  /** Never finishes (only the timeout stops it). */
  hang?: boolean;
  /** `memoryUsedMB()` from this call on. */
  memoryUsedMB?: number;
  defer?: PlannedDefer[];
  services?: PlannedServiceCall[];
  /** console.log lines, written at the start of the handler. */
  log?: string[];
}

export interface InstanceInfo {
  /** 0 for the first instance this code created, 1 for the next... */
  index: number;
  envId: string;
  createdAt: number;
  initEndedAt: number | null;
  /** Module state: handler calls on this instance. */
  count: number;
  aborted: boolean;
  disposed: boolean;
  /** Request id of the handler call in progress or last made. */
  currentRequestId: string | null;
  port: EnvironmentPort;
}

export interface InvokeCall {
  event: unknown;
  context: InvokeContextData;
  deadline: number;
  instance: InstanceInfo;
  /** Handler calls made so far on all instances of this code (0 for the first). */
  callIndex: number;
}

export interface Happening {
  t: number;
  envId: string;
  instance: number;
  /** "init-start", "init-end", "invoke", "invoke-end", "callback:<label>", "reply:<label>", "abort", "dispose". */
  what: string;
  requestId: string | null;
  /** Extra detail: the service result for replies, the invoke deadline for "invoke". */
  detail?: unknown;
}

export interface HostCodeOptions {
  init?: InitPlan | ((instance: InstanceInfo) => InitPlan);
  invoke?: (call: InvokeCall) => InvokePlan;
}

export class HostCode implements FunctionCode {
  readonly instances: InstanceInfo[] = [];
  readonly happenings: Happening[] = [];
  readonly invocations: InvokeCall[] = [];
  private readonly options: HostCodeOptions;

  constructor(options: HostCodeOptions = {}) {
    this.options = options;
  }

  /** Happenings whose `what` starts with the prefix. */
  happened(prefix: string): Happening[] {
    return this.happenings.filter((h) => h.what.startsWith(prefix));
  }

  createInstance(port: EnvironmentPort): CodeInstance {
    const info: InstanceInfo = {
      index: this.instances.length,
      envId: port.envId,
      createdAt: port.now(),
      initEndedAt: null,
      count: 0,
      aborted: false,
      disposed: false,
      currentRequestId: null,
      port,
    };
    this.instances.push(info);
    const code = this;
    let memoryMB = 0;
    // Callbacks of this instance stop once it is aborted or disposed, as in a real runtime that was stopped.
    const alive = () => !info.aborted && !info.disposed;
    const note = (what: string, detail?: unknown) =>
      code.happenings.push({ t: port.now(), envId: port.envId, instance: info.index, what, requestId: info.currentRequestId, detail });
    const background = (defers: PlannedDefer[] | undefined, services: PlannedServiceCall[] | undefined) => {
      for (const d of defers ?? []) {
        port.defer(d.delayMs, () => {
          note(`callback:${d.label}`);
          // Also an app log line: the simulator attributes it to the invocation the callback runs in.
          port.log("INFO", `callback:${d.label}`, 0);
        });
      }
      for (const s of services ?? []) {
        port.callService(s.service, s.operation, s.args ?? [], s.offsetMs ?? 0, (result: ServiceResult) => note(`reply:${s.label}`, result));
      }
    };
    const finishAfter = (ms: number, outcome: () => CodeOutcome, done: (o: CodeOutcome) => void, after?: () => void) => {
      port.defer(ms, () => {
        if (!alive()) return;
        after?.();
        done(outcome());
      });
    };

    return {
      init(deadline, done) {
        note("init-start", { deadline });
        const plan = typeof code.options.init === "function" ? code.options.init(info) : (code.options.init ?? {});
        if (plan.memoryUsedMB !== undefined) memoryMB = plan.memoryUsedMB;
        background(plan.defer, plan.services);
        if (plan.hang) return;
        finishAfter(
          plan.durationMs ?? 0,
          () => (plan.oom ? { kind: "oom" } : plan.error ? { kind: "error", ...plan.error } : { kind: "success", response: undefined }),
          done,
          () => {
            info.initEndedAt = port.now();
            note("init-end");
          },
        );
      },
      invoke(eventText, context, deadline, done) {
        const event: unknown = JSON.parse(eventText);
        info.currentRequestId = context.awsRequestId;
        info.count++; // module state: survives as long as this instance does
        const call: InvokeCall = { event, context, deadline, instance: info, callIndex: code.invocations.length };
        code.invocations.push(call);
        note("invoke", { deadline });
        const plan: InvokePlan = code.options.invoke
          ? code.options.invoke(call)
          : event !== null && typeof event === "object"
            ? (event as InvokePlan)
            : {};
        if (plan.memoryUsedMB !== undefined) memoryMB = plan.memoryUsedMB;
        for (const line of plan.log ?? []) port.log("INFO", line, 0);
        background(plan.defer, plan.services);
        if (plan.hang) return;
        const count = info.count;
        finishAfter(
          plan.durationMs ?? 10,
          (): CodeOutcome => {
            if (plan.oom) return { kind: "oom" };
            if (plan.error) return { kind: "error", ...plan.error };
            const response =
              plan.responseText ?? JSON.stringify(plan.result !== undefined ? plan.result : { envId: port.envId, instance: info.index, count });
            return { kind: "success", response };
          },
          done,
          () => note("invoke-end"),
        );
      },
      abort() {
        info.aborted = true;
        note("abort");
      },
      dispose() {
        info.disposed = true;
        note("dispose");
      },
      memoryUsedMB() {
        return memoryMB;
      },
    };
  }
}

/** A JSON string whose serialized form is exactly `bytes` long (ASCII, so bytes = characters). */
export function jsonStringOfBytes(bytes: number): string {
  return "x".repeat(bytes - 2);
}

/** What a synchronous caller got back, filled in when the simulation reaches it. */
export interface SyncCall {
  result: SyncResult | null;
}

/** Schedules a sync invoke and returns a holder for its result. */
export function syncInvoke(
  sim: Simulation,
  name: string,
  event: unknown,
  at?: number,
): SyncCall {
  const call: SyncCall = { result: null };
  sim.invoke(name, "sync", event, { ...(at === undefined ? {} : { at }), onResult: (r) => (call.result = r) });
  return call;
}

/** The text of every log line, in order. */
export function logTexts(sim: Simulation): string[] {
  return sim.logs.map((l) => l.text);
}

/** A simulation with one function "f" running a HostCode. */
export function setup(
  options: { code?: HostCodeOptions; fn?: Partial<FunctionConfigInput>; model?: ModelSettingsInput; sim?: Omit<SimulationOptions, "model"> } = {},
): { sim: Simulation; code: HostCode } {
  const sim = new Simulation({ seed: 1, ...options.sim, model: options.model ?? {} });
  const code = new HostCode(options.code);
  sim.deploy({ name: "f", ...options.fn }, code);
  return { sim, code };
}
