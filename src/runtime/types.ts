/**
 * The narrow interface between the simulator and the code it runs. The simulator never knows whether a function's
 * code is learner code in QuickJS (src/sandbox) or a host-side model (tests, benchmarks, lesson widgets).
 */
import type { TmpStore } from "./tmp.ts";

/** JSON text: only JSON-shaped data crosses between learner code, the simulator and services. */
export type JsonText = string;

/** How one handler call ended, as the code reports it. Timeouts are decided by the simulator, not the code. */
export type CodeOutcome =
  | { kind: "success"; response: JsonText | undefined }
  | { kind: "error"; errorType: string; errorMessage: string; trace?: string[] }
  /** The environment ran out of memory (Runtime.ExitError, lambda-model.md §8). */
  | { kind: "oom" };

/** What the handler's `context` argument is built from. */
export interface InvokeContextData {
  awsRequestId: string;
  functionName: string;
  functionVersion: string;
  memoryLimitInMB: number;
  invokedFunctionArn: string;
  logGroupName: string;
  logStreamName: string;
  /** Virtual time at which the invocation times out. */
  deadlineMs: number;
  /** The tenant id the invoke carried (tenant isolation mode, §11); undefined for a function without it. */
  tenantId?: string;
}

/** Who made a service call: graders use it to explain side effects ("attempt 2 charged order o-17 again"). */
export interface CallContext {
  /** Virtual time at which the call was issued. */
  time: number;
  functionName: string;
  envId: string;
  /** Sequence number of the invocation record in the trace, or null for calls made during INIT. */
  invocation: number | null;
  requestId: string | null;
  eventId: string | null;
  attempt: number;
  /** The chain the calling invocation belongs to (recursion detection, lambda-model.md §3), when the simulator tracks it. */
  chain?: { chainId: string; hops: number } | null;
}

/** A service's answer to one call: how long it takes and what it does when it completes. */
export interface ServiceReply {
  /**
   * Virtual ms until the reply; Infinity means the call never returns (a hung dependency) unless `wakeEarly` wakes
   * it. With `wakeEarly`, the longest the reply waits.
   */
  latencyMs: number;
  /** Runs at reply time: applies the effect and gives the result (or a named error). */
  complete: () => ServiceResult;
  /**
   * For a reply that waits for something to happen (a long poll for a message, a free connection): called once, when
   * the service sees the request, with `wake`. The service calls `wake()` when the awaited event happens; the reply
   * then completes at that instant, in an event of its own after the current one, instead of after `latencyMs`.
   * `wake` returns false when the reply has completed or was woken already: the service drops that waiter and may
   * wake another.
   */
  wakeEarly?: (wake: () => boolean) => void;
}
export type ServiceResult =
  | { ok: true; value: unknown }
  | { ok: false; error: ServiceErrorBody };

/** A named service error, as handler code sees it (`error.name`). */
export interface ServiceErrorBody {
  name: string;
  message: string;
  /** The HTTP status of the answer when the client's retries depend on it: a throttle (429) or a 5xx (§4). */
  httpStatus?: number;
  /** What the AWS SDK puts in `error.$metadata` (set for AWS services' errors by code-calls.ts). */
  metadata?: { httpStatusCode?: number; attempts: number; totalRetryDelay: number };
}

/** Routes `service.operation(args)` calls from handler code to simulated services. */
export interface ServiceDispatcher {
  dispatch(service: string, operation: string, args: unknown[], call: CallContext): ServiceReply;
  /**
   * The runtime process of environment `envId` ended at virtual time `time` (a reset after a timeout, OOM or failed
   * INIT, or the environment was recycled): whatever it held open, such as database connections, is gone (§11).
   */
  environmentReset?(envId: string, time: number): void;
  /** Each queue's depth and oldest message age at `now`, read without changing anything (metric series). */
  queueGauges?(now: number): Record<string, { depth: number; oldestMessageAgeMs: number }>;
}

/** What an environment's code can ask of the simulator. */
export interface EnvironmentPort {
  readonly envId: string;
  readonly functionName: string;
  readonly memoryMB: number;
  /** Virtual ms of CPU charged per sandbox interrupt tick, already divided by the CPU share of the memory size. */
  readonly cpuMsPerTick: number;
  /** Virtual time now (the start of the current event). */
  now(): number;
  /** Epoch ms that virtual time 0 stands for (what `Date.now()` returns at time 0). */
  readonly epochMs: number;
  /**
   * Runs `fn` at now + delayMs, unless the environment is reset or recycled first. While the environment is frozen
   * (between invocations) the callback waits and runs when the next invocation thaws it (lambda-model.md §1).
   */
  defer(delayMs: number, fn: () => void): void;
  /** Issues a service call at now + offsetMs; `onReply` is deferred like `defer`. */
  callService(
    service: string,
    operation: string,
    args: unknown[],
    offsetMs: number,
    onReply: (result: ServiceResult) => void,
  ): void;
  /** An application log line (console.log and friends), at now + offsetMs. */
  log(level: "INFO" | "WARN" | "ERROR" | "DEBUG", message: string, offsetMs: number): void;
  /** A fresh seed for this environment's `Math.random`, from the simulation's seeded generator. */
  seed(): number;
  /** The environment's `/tmp`: kept across invocations and resets, gone when the environment is recycled (§1). */
  readonly tmp: TmpStore;
  /** The function's environment variables (`process.env` in handler code, §2). */
  readonly environment: Readonly<Record<string, string>>;
}

/** The code of one execution environment. */
export interface CodeInstance {
  /** Runs the module's top level (Function init). Calls `done` from a simulator event at the virtual time it ends. */
  init(deadline: number, done: (outcome: CodeOutcome) => void): void;
  /** Calls the handler. `done` is called at the virtual time the handler's result is ready. */
  invoke(event: JsonText, context: InvokeContextData, deadline: number, done: (outcome: CodeOutcome) => void): void;
  /**
   * Optional, for host-side models that only take time (workloads, benchmarks): the handler's virtual duration in ms
   * for this event, decided at once. When present the simulator calls it instead of `invoke`, treats the handler as
   * returning nothing after that time (or timing out first) and builds no context for it.
   */
  timedInvoke?(event: JsonText): number;
  /** Stops whatever runs (timeout); no `done` may be called afterwards. */
  abort(): void;
  /** Frees everything (reset after a crash or timeout, or the environment is recycled). */
  dispose(): void;
  /** Memory the code uses now, in MB of the simulated function (for `Max Memory Used`). */
  memoryUsedMB(): number;
}

/** Creates the code instance of each new (or reset) execution environment of a function. */
export interface FunctionCode {
  createInstance(port: EnvironmentPort): CodeInstance;
}
