/**
 * A state machine service in the manner of AWS Step Functions, reduced to what lambda-model.md §5 says about it: a
 * state's input and output may hold at most 262,144 bytes (UTF-8), and more fails with `States.DataLimitExceeded`
 * (observed). A state machine here is a sequence of Lambda task states: each invokes its function synchronously with
 * the state's input, and the function's result is the state's output and the next state's input.
 *
 * SIMPLIFICATIONS (named in reports as "step-functions"): Step Functions itself is not in the model beyond that limit.
 * So: an execution over the limit simply fails at that state (no Retry or Catch, which the workbook does not model);
 * StartExecution with too large an input is refused with the same error name; a task failure fails the execution with
 * the function's `errorType` (a throttle as `Lambda.TooManyRequestsException`); state transitions take no time.
 */
import { z } from "zod";
import { LAMBDA_FACTS } from "../runtime/config.ts";
import type { HopLog } from "../runtime/hops.ts";
import { utf8Length } from "../runtime/payload.ts";
import { registerSimplification } from "../runtime/simplifications.ts";
import type { CallContext, ServiceReply } from "../runtime/types.ts";
import { ok, serviceError } from "./errors.ts";
import { describeBytes, SERVICE_LIMITS as L } from "./limits.ts";
import type { Sender } from "./queue.ts";

export const StateMachineSchema = z
  .object({
    /** Lambda task states, run in this order; each one's output is the next one's input. */
    tasks: z
      .array(
        z
          .object({
            /** State name, as the execution history would show it. */
            name: z.string().min(1).max(80),
            /** The function the task invokes (RequestResponse). */
            function: z.string().min(1),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

export const StepFunctionsConfigSchema = z
  .object({
    /** SIMPLIFICATION: virtual ms of a StartExecution or DescribeExecution request (AWS documents no latency). */
    latencyMs: z.number().min(0).default(20),
    /** State machines by name. */
    stateMachines: z.record(z.string().regex(/^[A-Za-z0-9_-]{1,80}$/, "letters, digits, '-' or '_' (at most 80)"), StateMachineSchema).default({}),
  })
  .strict();
export type StepFunctionsConfig = z.infer<typeof StepFunctionsConfigSchema>;

/** What a task's synchronous invoke returned (the simulator's SyncResult, reduced). */
export interface TaskResult {
  /** Virtual time the invoke returned. */
  at: number;
  statusCode: number;
  functionError: string | null;
  payload: string;
  /** The invocation record's seq (the trace), and its error type when it failed. */
  invocation: number;
  errorType: string | null;
}

/** How the service reaches functions: a synchronous invoke whose result arrives later (runtime/service-wiring.ts). */
export interface TaskPort {
  invokeSync(functionName: string, input: string, onResult: (result: TaskResult) => void): void;
  /** Tells the simulation that a run depends on this service's simplifications (reports name them). */
  noteSimplification(): void;
}

export interface StateRecord {
  name: string;
  function: string;
  enteredAt: number;
  exitedAt: number | null;
  inputBytes: number;
  outputBytes: number | null;
  /** Trace seq of the task's invocation, once it ran. */
  invocation: number | null;
}

export interface Execution {
  executionArn: string;
  stateMachine: string;
  startedAt: number;
  status: "RUNNING" | "SUCCEEDED" | "FAILED";
  stoppedAt: number | null;
  /** The last state's output (JSON text) once SUCCEEDED. */
  output: string | null;
  /** Why it FAILED: an error name and a cause, and the state it failed in. */
  error: string | null;
  cause: string | null;
  failedState: string | null;
  states: StateRecord[];
  sender: Sender;
}

const DATA_LIMIT = "States.DataLimitExceeded";

registerSimplification(
  "step-functions",
  () =>
    "A state machine runs Lambda tasks in order, with no Retry, Catch or time between states; a state input or output over 262,144 bytes fails it (or its start) with States.DataLimitExceeded, and a failed task fails it with the function's errorType. The workbook's sources give only that limit and error.",
);

export class StateMachineService {
  readonly executions: Execution[] = [];
  private readonly config: StepFunctionsConfig;
  private readonly hops: HopLog;
  private readonly port: () => TaskPort | null;

  constructor(config: StepFunctionsConfig, hops: HopLog, port: () => TaskPort | null) {
    this.config = config;
    this.hops = hops;
    this.port = port;
  }

  /**
   * Starts an execution at `now` (call it inside a simulator event): refused when the input is not JSON text or is
   * over 262,144 bytes; otherwise the first task is invoked at once and the execution runs on its own.
   */
  startExecution(now: number, stateMachine: string, input: unknown, sender: Sender): { ok: true; executionArn: string; startDate: number } | { ok: false; code: string; message: string } {
    const machine = this.config.stateMachines[stateMachine];
    if (!machine) return { ok: false, code: "StateMachineDoesNotExist", message: `no state machine named ${stateMachine}` };
    const text = input === undefined || input === null ? "{}" : typeof input === "string" ? input : JSON.stringify(input);
    if (!isJson(text)) return { ok: false, code: "InvalidExecutionInput", message: "startExecution: the input must be JSON text" };
    const port = this.port();
    port?.noteSimplification();
    const bytes = utf8Length(text);
    const hop = { t: now, service: "stepfunctions", resource: stateMachine, operation: "StartExecution", bytes, limitBytes: L.stepFunctionsStateDataMaxBytes, invocation: sender.call?.invocation ?? null, chain: sender.chain } as const;
    if (bytes > L.stepFunctionsStateDataMaxBytes) {
      const message = `the ${bytes.toLocaleString("en-US")}-byte execution input is over the ${describeBytes(L.stepFunctionsStateDataMaxBytes)} limit of a state's input (the start is refused: a workbook simplification, see the notes)`;
      this.hops.add({ ...hop, outcome: "rejected", error: { code: DATA_LIMIT, message } });
      return { ok: false, code: DATA_LIMIT, message };
    }
    this.hops.add({ ...hop, outcome: "accepted", error: null });
    const execution: Execution = {
      executionArn: `arn:aws:states:us-east-1:123456789012:execution:${stateMachine}:execution-${this.executions.length + 1}`,
      stateMachine,
      startedAt: now,
      status: "RUNNING",
      stoppedAt: null,
      output: null,
      error: null,
      cause: null,
      failedState: null,
      states: [],
      sender,
    };
    this.executions.push(execution);
    this.runTask(execution, 0, text, now);
    return { ok: true, executionArn: execution.executionArn, startDate: now };
  }

  /** The execution, for graders (a copy), or undefined. */
  execution(executionArn: string): Execution | undefined {
    const e = this.executions.find((x) => x.executionArn === executionArn);
    return e && { ...e, states: e.states.map((s) => ({ ...s })) };
  }

  private runTask(execution: Execution, index: number, input: string, now: number): void {
    const machine = this.config.stateMachines[execution.stateMachine]!;
    const task = machine.tasks[index]!;
    const state: StateRecord = { name: task.name, function: task.function, enteredAt: now, exitedAt: null, inputBytes: utf8Length(input), outputBytes: null, invocation: null };
    execution.states.push(state);
    const port = this.port();
    if (!port) return this.fail(execution, state, now, "Lambda.ServiceException", "no simulated Lambda is attached to these services");
    // The task's invoke is a hop of its own (Lambda's 6 MB sync limit), though a state's input never comes near it.
    const invokeHop = this.hops.add({ t: now, service: "lambda", resource: task.function, operation: `Invoke (RequestResponse) from stepfunctions ${execution.stateMachine} ${task.name}`, bytes: state.inputBytes, limitBytes: LAMBDA_FACTS.syncRequestLimitBytes, outcome: "accepted", error: null, chain: execution.sender.chain });
    port.invokeSync(task.function, input, (result) => {
      const at = result.at;
      state.invocation = result.invocation;
      invokeHop.invocation = result.invocation < 0 ? null : result.invocation;
      if (result.statusCode !== 200 && result.statusCode !== 429) {
        invokeHop.outcome = "rejected";
        invokeHop.error = { code: result.errorType ?? "ServiceException", message: `HTTP ${result.statusCode}` };
      }
      if (result.statusCode === 429) return this.fail(execution, state, at, "Lambda.TooManyRequestsException", `Lambda throttled the invoke of ${task.function}`);
      if (result.statusCode !== 200) return this.fail(execution, state, at, `Lambda.${result.errorType ?? "ServiceException"}`, `Lambda refused the invoke of ${task.function} with HTTP ${result.statusCode}`);
      if (result.functionError !== null) return this.fail(execution, state, at, result.errorType ?? "Error", result.payload);
      const output = result.payload;
      const bytes = utf8Length(output);
      state.outputBytes = bytes;
      const hop = { t: at, service: "stepfunctions", resource: execution.stateMachine, operation: `${task.name} output`, bytes, limitBytes: L.stepFunctionsStateDataMaxBytes, invocation: result.invocation, chain: execution.sender.chain } as const;
      if (bytes > L.stepFunctionsStateDataMaxBytes) {
        const message = `the ${bytes.toLocaleString("en-US")}-byte output of state ${task.name} is over the ${describeBytes(L.stepFunctionsStateDataMaxBytes)} limit of a state's output; the execution fails here (a workbook simplification: no Retry or Catch)`;
        this.hops.add({ ...hop, outcome: "rejected", error: { code: DATA_LIMIT, message } });
        return this.fail(execution, state, at, DATA_LIMIT, message);
      }
      this.hops.add({ ...hop, outcome: "accepted", error: null });
      state.exitedAt = at;
      if (index + 1 < machine.tasks.length) return this.runTask(execution, index + 1, output, at);
      execution.status = "SUCCEEDED";
      execution.stoppedAt = at;
      execution.output = output;
    });
  }

  private fail(execution: Execution, state: StateRecord, at: number, error: string, cause: string): void {
    state.exitedAt = at;
    execution.status = "FAILED";
    execution.stoppedAt = at;
    execution.error = error;
    execution.cause = cause;
    execution.failedState = state.name;
  }

  handle(operation: string, args: unknown[], call: CallContext): ServiceReply {
    const latencyMs = this.config.latencyMs;
    const [name, input] = args;
    const sender: Sender = { call, via: "handler", chain: call.chain ?? null };
    switch (operation) {
      case "startExecution":
        return {
          latencyMs,
          complete: () => {
            if (typeof name !== "string") return serviceError("InvalidArn", "stateMachine(name): name must be a string");
            const r = this.startExecution(call.time + latencyMs, name, input, sender);
            return r.ok ? ok({ executionArn: r.executionArn, startDate: r.startDate }) : serviceError(r.code, r.message);
          },
        };
      case "describeExecution":
        return {
          latencyMs,
          complete: () => {
            const e = typeof input === "string" ? this.executions.find((x) => x.executionArn === input) : undefined;
            if (!e) return serviceError("ExecutionDoesNotExist", `no execution ${String(input)}`);
            return ok({ executionArn: e.executionArn, status: e.status, ...(e.output === null ? {} : { output: e.output }), ...(e.error === null ? {} : { error: e.error, cause: e.cause }) });
          },
        };
      default:
        return { latencyMs, complete: () => serviceError("InvalidArgument", `unknown state machine operation ${operation}`) };
    }
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
