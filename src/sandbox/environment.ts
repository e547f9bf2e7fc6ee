/**
 * One simulated execution environment backed by one QuickJS runtime and context. Module-level state lives as long
 * as this instance: warm invocations share it, a new or reset environment starts clean (lambda-model.md §1).
 *
 * Time: learner code runs in "segments" (between two simulator events). A segment starts at the event's virtual
 * time and spends virtual CPU: interrupt ticks × the port's ms per tick (lambda-model.md §2). Service calls and
 * timers issued during a segment are stamped at segment start + CPU spent so far. The function's deadline is
 * enforced inside the interrupt handler, so an infinite loop ends as the function's timeout after a few hundred
 * ticks of real work; a wall-clock deadline per segment is only a backstop for built-ins the count under-measures.
 *
 * Memory: the QuickJS heap is checked every few ticks and after every segment; crossing the function's scaled
 * budget is Lambda's out-of-memory failure even when learner code catches QuickJS's own error.
 */
import type { QuickJSContext, QuickJSDeferredPromise, QuickJSHandle, QuickJSRuntime, QuickJSWASMModule } from "quickjs-emscripten-core";
import { sandboxHeapBytes, type ModelSettings } from "../runtime/config.ts";
import type { CodeInstance, CodeOutcome, EnvironmentPort, FunctionCode, InvokeContextData, JsonText } from "../runtime/types.ts";
import { HOST_GLOBAL, WORKBOOK_AWS_SOURCE } from "./guest-source.ts";
import { discardQuickJS } from "./quickjs.ts";
import { SANDBOX_LIMITS } from "./limits.ts";
import { isHostService, MODULE_NAME } from "./host-api.ts";

export interface SandboxSource {
  /** The learner's handler module (ES module text). */
  code: string;
  /** File name shown in stack traces. */
  filename: string;
}

/** Learner code as a FunctionCode: every environment gets its own QuickJS runtime. */
export class SandboxCode implements FunctionCode {
  private readonly quickjs: QuickJSWASMModule;
  private readonly source: SandboxSource;
  private readonly model: ModelSettings;

  constructor(quickjs: QuickJSWASMModule, source: SandboxSource, model: ModelSettings) {
    this.quickjs = quickjs;
    this.source = source;
    this.model = model;
  }

  createInstance(port: EnvironmentPort): CodeInstance {
    return new SandboxInstance(this.quickjs, this.source, port, this.model);
  }
}

type InterruptReason = "deadline" | "oom" | "wall" | null;

interface Watch {
  handle: QuickJSHandle;
  settle: (state: "fulfilled" | "rejected", value: QuickJSHandle) => CodeOutcome;
  done: (outcome: CodeOutcome) => void;
}

class SandboxInstance implements CodeInstance {
  private readonly rt: QuickJSRuntime;
  private readonly ctx: QuickJSContext;
  private readonly port: EnvironmentPort;
  private readonly source: SandboxSource;
  private readonly heapBudget: number;
  private readonly bytesPerMB: number;
  private readonly baselineMB: number;
  private readonly deferreds = new Set<QuickJSDeferredPromise>();
  private invokeFn: QuickJSHandle | null = null;
  private handlerFn: QuickJSHandle | null = null;
  private watch: Watch | null = null;
  private deadline = Infinity;
  private segStart = 0;
  private ticks = 0;
  private wallStart = 0;
  private busyUntil = 0;
  private interrupt: InterruptReason = null;
  private stopped = false;
  private disposed = false;
  private peakHeap = 0;
  private pendingHostCalls = 0;
  private logLines = 0;

  constructor(quickjs: QuickJSWASMModule, source: SandboxSource, port: EnvironmentPort, model: ModelSettings) {
    this.port = port;
    this.source = source;
    this.heapBudget = sandboxHeapBytes(port.memoryMB, model);
    this.bytesPerMB = model.sandboxBytesPerMB;
    this.baselineMB = model.memoryBaselineMB;
    // Limits first: nothing of the learner's runs before they are in place.
    this.rt = quickjs.newRuntime();
    this.rt.setMemoryLimit(Math.ceil(this.heapBudget * SANDBOX_LIMITS.hardHeapFactor));
    this.rt.setMaxStackSize(SANDBOX_LIMITS.maxStackBytes);
    this.rt.setInterruptHandler(() => this.onInterrupt());
    this.rt.setModuleLoader((name) => {
      if (name === MODULE_NAME) return WORKBOOK_AWS_SOURCE;
      return { error: new Error(`Cannot find module '${name}': handlers can import only "${MODULE_NAME}"`) };
    });
    this.ctx = this.rt.newContext();
  }

  // ---- CodeInstance ----

  init(deadline: number, done: (outcome: CodeOutcome) => void): void {
    this.deadline = deadline;
    this.segment(() => {
      this.installHost();
      const boot = this.ctx.evalCode(`import "${MODULE_NAME}";`, "workbook-boot.js", { type: "module" });
      if (boot.error) {
        const text = this.errorText(boot.error);
        boot.error.dispose();
        throw new SandboxFault(`the ${MODULE_NAME} module failed to load: ${text}`);
      }
      boot.value.dispose();
      const result = this.ctx.evalCode(this.source.code, this.source.filename, { type: "module" });
      if (result.error) {
        const outcome = this.describeHandle(result.error);
        result.error.dispose();
        this.complete(done, outcome);
        return;
      }
      this.watchPromise(result.value, done, (state, value) => {
        if (state === "rejected") return this.describeHandle(value);
        return this.takeHandler(value);
      });
    });
  }

  invoke(event: JsonText, context: InvokeContextData, deadline: number, done: (outcome: CodeOutcome) => void): void {
    this.deadline = deadline;
    this.logLines = 0;
    this.segment(() => {
      if (!this.invokeFn || !this.handlerFn) throw new SandboxFault("invoke before a successful init");
      const contextHandle = this.build({ ...context, deadlineEpochMs: this.port.epochMs + context.deadlineMs });
      const eventHandle = this.ctx.newString(event);
      const call = this.ctx.callFunction(this.invokeFn, this.ctx.undefined, [this.handlerFn, eventHandle, contextHandle]);
      eventHandle.dispose();
      contextHandle.dispose();
      if (call.error) {
        const outcome = this.describeHandle(call.error);
        call.error.dispose();
        this.complete(done, outcome);
        return;
      }
      this.watchPromise(call.value, done, (state, value) => {
        if (state === "rejected") return this.describeHandle(value);
        const text = this.ctx.getString(value);
        return parseOutcome(text);
      });
    });
  }

  abort(): void {
    this.stopped = true;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.stopped = true;
    try {
      for (const d of this.deferreds) d.dispose();
      this.deferreds.clear();
      this.watch?.handle.dispose();
      this.watch = null;
      this.invokeFn?.dispose();
      this.handlerFn?.dispose();
      this.ctx.dispose();
      this.rt.dispose();
    } catch {
      // A runtime that cannot be freed cleanly means the WebAssembly instance is suspect: start a new one next time.
      discardQuickJS();
    }
  }

  memoryUsedMB(): number {
    return this.baselineMB + this.peakHeap / this.bytesPerMB;
  }

  // ---- segments ----

  private cpuMs(): number {
    return this.ticks * this.port.cpuMsPerTick;
  }

  /** Runs learner code for one simulator event, then settles what can be settled. */
  private segment(body: () => void): void {
    if (this.stopped || this.disposed) return;
    const now = this.port.now();
    if (now < this.busyUntil) {
      // The environment's single thread is still busy with earlier CPU work.
      this.port.defer(this.busyUntil - now, () => this.segment(body));
      return;
    }
    this.segStart = now;
    this.ticks = 0;
    this.interrupt = null;
    this.wallStart = performance.now();
    try {
      body();
      this.drainJobs();
    } catch (error) {
      this.stopped = true;
      if (!(error instanceof SandboxFault)) discardQuickJS();
      const message = error instanceof Error ? error.message : String(error);
      const done = this.watch?.done;
      if (done) this.port.defer(this.cpuMs(), () => done({ kind: "error", errorType: "Runtime.ExitError", errorMessage: `The sandbox stopped unexpectedly (${message})` }));
      return;
    }
    if (this.interrupt === "deadline" || this.interrupt === "wall") {
      // The simulator's own deadline event ends the invocation as a timeout.
      this.stopped = true;
      if (this.interrupt === "wall") {
        this.port.log("ERROR", `[workbook] the sandbox's real-time backstop stopped this code after ${SANDBOX_LIMITS.wallMsPerSegment} ms of host time; it is reported as a timeout`, this.cpuMs());
      }
      return;
    }
    this.sampleHeap();
    if (this.interrupt === "oom" || this.peakHeap > this.heapBudget) {
      this.stopped = true;
      const done = this.watch?.done;
      this.releaseWatch();
      if (done) this.port.defer(this.cpuMs(), () => done({ kind: "oom" }));
      return;
    }
    this.busyUntil = this.segStart + this.cpuMs();
    this.checkWatch();
  }

  private drainJobs(): void {
    while (!this.interrupt && this.rt.hasPendingJob()) {
      const result = this.rt.executePendingJobs(SANDBOX_LIMITS.jobsPerTick);
      let executed: number = SANDBOX_LIMITS.jobsPerTick;
      if (result.error) result.error.dispose();
      else executed = result.value;
      // Microtasks are counted as CPU too, so a microtask flood also reaches the deadline.
      this.ticks += executed / SANDBOX_LIMITS.jobsPerTick;
      if (this.segStart + this.cpuMs() > this.deadline) this.interrupt = "deadline";
    }
  }

  private onInterrupt(): boolean {
    if (this.interrupt) return true;
    this.ticks++;
    if (this.segStart + this.cpuMs() > this.deadline) this.interrupt = "deadline";
    else if (this.ticks % SANDBOX_LIMITS.memoryCheckEveryTicks === 0 && this.sampleHeap() > this.heapBudget) this.interrupt = "oom";
    else if (performance.now() - this.wallStart > SANDBOX_LIMITS.wallMsPerSegment) this.interrupt = "wall";
    return this.interrupt !== null;
  }

  private sampleHeap(): number {
    let used: number;
    try {
      const usage = this.rt.computeMemoryUsage();
      const size = this.ctx.getProp(usage, "memory_used_size");
      used = this.ctx.getNumber(size);
      size.dispose();
      usage.dispose();
    } catch {
      used = Infinity;
    }
    if (used > this.peakHeap) this.peakHeap = used;
    return used;
  }

  private watchPromise(handle: QuickJSHandle, done: (outcome: CodeOutcome) => void, settle: Watch["settle"]): void {
    this.releaseWatch();
    this.watch = { handle, settle, done };
  }

  private releaseWatch(): void {
    this.watch?.handle.dispose();
    this.watch = null;
  }

  /** If the promise being watched (module evaluation or the handler's result) has settled, report its outcome. */
  private checkWatch(): void {
    const watch = this.watch;
    if (!watch) return;
    const state = this.ctx.getPromiseState(watch.handle);
    if (state.type === "pending") return;
    let outcome: CodeOutcome;
    if (state.type === "fulfilled") {
      outcome = watch.settle("fulfilled", state.value);
      if (state.value !== watch.handle) state.value.dispose();
    } else {
      outcome = watch.settle("rejected", state.error);
      state.error.dispose();
    }
    this.releaseWatch();
    this.complete(watch.done, outcome);
  }

  private complete(done: (outcome: CodeOutcome) => void, outcome: CodeOutcome): void {
    // QuickJS's own "out of memory" error is Lambda's OOM, caught or not.
    if (outcome.kind === "error" && outcome.errorType === "InternalError" && outcome.errorMessage === "out of memory") outcome = { kind: "oom" };
    const at = this.segStart + this.cpuMs();
    this.port.defer(at - this.port.now(), () => done(outcome));
  }

  private takeHandler(namespace: QuickJSHandle): CodeOutcome {
    let handler: QuickJSHandle;
    try {
      handler = this.ctx.getProp(namespace, "handler");
    } catch (error) {
      return { kind: "error", errorType: "Runtime.HandlerNotFound", errorMessage: `${baseName(this.source.filename)}.handler could not be read` };
    }
    if (this.ctx.typeof(handler) !== "function") {
      handler.dispose();
      return { kind: "error", errorType: "Runtime.HandlerNotFound", errorMessage: `${baseName(this.source.filename)}.handler is undefined or not exported` };
    }
    this.handlerFn?.dispose();
    this.handlerFn = handler;
    return { kind: "success", response: undefined };
  }

  // ---- host functions (the only ones learner code can reach, via workbook:aws) ----

  private installHost(): void {
    const ctx = this.ctx;
    const host = ctx.newObject();
    const fns: Array<[string, QuickJSHandle]> = [
      ["call", ctx.newFunction("call", (s, o, a) => this.hostCall(s, o, a))],
      ["timer", ctx.newFunction("timer", (ms) => this.hostTimer(ms))],
      ["log", ctx.newFunction("log", (level, text) => this.hostLog(level, text))],
      ["now", ctx.newFunction("now", () => ctx.newNumber(this.port.epochMs + this.segStart + this.cpuMs()))],
      ["register", ctx.newFunction("register", (fn) => {
        if (!this.invokeFn && fn) this.invokeFn = fn.dup();
      })],
    ];
    for (const [name, fn] of fns) {
      ctx.setProp(host, name, fn);
      fn.dispose();
    }
    const seed = ctx.newNumber(this.port.seed());
    ctx.setProp(host, "seed", seed);
    seed.dispose();
    const epoch = ctx.newNumber(this.port.epochMs);
    ctx.setProp(host, "epochMs", epoch);
    epoch.dispose();
    ctx.setProp(ctx.global, HOST_GLOBAL, host);
    host.dispose();
  }

  private newDeferred(): QuickJSDeferredPromise | { error: QuickJSHandle } {
    if (this.pendingHostCalls >= SANDBOX_LIMITS.pendingHostCalls) {
      return { error: this.ctx.newError({ name: "RangeError", message: `more than ${SANDBOX_LIMITS.pendingHostCalls} timers and service calls pending at once (a workbook sandbox limit)` }) };
    }
    const deferred = this.ctx.newPromise();
    this.deferreds.add(deferred);
    this.pendingHostCalls++;
    return deferred;
  }

  private settleDeferred(deferred: QuickJSDeferredPromise, text: string | null): void {
    this.segment(() => {
      this.pendingHostCalls--;
      if (!deferred.alive) return;
      if (text === null) deferred.resolve();
      else {
        const value = this.ctx.newString(text);
        deferred.resolve(value);
        value.dispose();
      }
      deferred.dispose();
      this.deferreds.delete(deferred);
    });
  }

  private hostCall(serviceH: QuickJSHandle, operationH: QuickJSHandle, argsH: QuickJSHandle) {
    const service = this.ctx.typeof(serviceH) === "string" ? this.ctx.getString(serviceH) : "";
    const operation = this.ctx.typeof(operationH) === "string" ? this.ctx.getString(operationH) : "";
    if (!isHostService(service, operation)) {
      return { error: this.ctx.newError({ name: "TypeError", message: `${service}.${operation} is not a workbook service operation` }) };
    }
    let args: unknown[];
    try {
      const parsed: unknown = JSON.parse(this.ctx.typeof(argsH) === "string" ? this.ctx.getString(argsH) : "[]");
      args = Array.isArray(parsed) ? parsed : [];
    } catch {
      args = [];
    }
    const deferred = this.newDeferred();
    if ("error" in deferred) return deferred;
    this.port.callService(service, operation, args, this.cpuMs(), (result) => this.settleDeferred(deferred, JSON.stringify(result)));
    return deferred.handle;
  }

  private hostTimer(msH: QuickJSHandle) {
    const raw = this.ctx.typeof(msH) === "number" ? this.ctx.getNumber(msH) : 0;
    const ms = Number.isFinite(raw) ? Math.max(0, raw) : 0;
    const deferred = this.newDeferred();
    if ("error" in deferred) return deferred;
    this.port.defer(this.cpuMs() + ms, () => this.settleDeferred(deferred, null));
    return deferred.handle;
  }

  private hostLog(levelH: QuickJSHandle, textH: QuickJSHandle): void {
    this.logLines++;
    if (this.logLines > SANDBOX_LIMITS.logLinesPerInvocation) {
      if (this.logLines === SANDBOX_LIMITS.logLinesPerInvocation + 1) {
        this.port.log("WARN", `[workbook] more than ${SANDBOX_LIMITS.logLinesPerInvocation} log lines in one invocation: the rest are dropped (a workbook limit)`, this.cpuMs());
      }
      return;
    }
    const level = this.ctx.getString(levelH);
    let text = this.ctx.typeof(textH) === "string" ? this.ctx.getString(textH) : "";
    if (text.length > SANDBOX_LIMITS.logMessageChars) text = `${text.slice(0, SANDBOX_LIMITS.logMessageChars)}… [${text.length - SANDBOX_LIMITS.logMessageChars} more characters dropped]`;
    this.port.log(level === "WARN" || level === "ERROR" || level === "DEBUG" ? level : "INFO", text, this.cpuMs());
  }

  // ---- values ----

  /** Builds a guest value from plain data without calling any guest function (learner code may replace JSON). */
  private build(value: unknown): QuickJSHandle {
    const ctx = this.ctx;
    if (value === null || value === undefined) return ctx.null;
    if (typeof value === "string") return ctx.newString(value);
    if (typeof value === "number") return ctx.newNumber(value);
    if (typeof value === "boolean") return value ? ctx.true : ctx.false;
    if (Array.isArray(value)) {
      const array = ctx.newArray();
      value.forEach((item, i) => {
        const h = this.build(item);
        ctx.setProp(array, i, h);
        h.dispose();
      });
      return array;
    }
    const object = ctx.newObject();
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const h = this.build(item);
      ctx.setProp(object, key, h);
      h.dispose();
    }
    return object;
  }

  private errorText(handle: QuickJSHandle): string {
    const outcome = this.describeHandle(handle);
    return outcome.kind === "error" ? `${outcome.errorType}: ${outcome.errorMessage}` : "unknown error";
  }

  /** Describes a thrown guest value on the host side, reading only plain properties. */
  private describeHandle(handle: QuickJSHandle): CodeOutcome {
    const ctx = this.ctx;
    const read = (key: string): string | null => {
      try {
        const h = ctx.getProp(handle, key);
        const text = ctx.typeof(h) === "string" ? ctx.getString(h) : null;
        h.dispose();
        return text;
      } catch {
        return null;
      }
    };
    const kind = ctx.typeof(handle);
    if (kind === "object") {
      const name = read("name");
      const message = read("message");
      if (name !== null || message !== null) {
        const stack = read("stack");
        const lines = stack ? stack.split("\n").filter(Boolean).slice(0, 20) : [];
        return { kind: "error", errorType: name ?? "Error", errorMessage: message ?? "", trace: [`${name ?? "Error"}: ${message ?? ""}`, ...lines] };
      }
    }
    if (kind === "string") return { kind: "error", errorType: "string", errorMessage: ctx.getString(handle) };
    if (kind === "number") return { kind: "error", errorType: "number", errorMessage: String(ctx.getNumber(handle)) };
    return { kind: "error", errorType: kind === "object" ? "object" : kind, errorMessage: "[a thrown value that is not an Error]" };
  }
}

/** A fault of the sandbox itself (not of learner code). */
export class SandboxFault extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SandboxFault";
  }
}

function parseOutcome(text: string): CodeOutcome {
  const parsed = JSON.parse(text) as { kind: string; response?: string; errorType?: string; errorMessage?: string; trace?: string[] };
  if (parsed.kind === "success") return { kind: "success", response: parsed.response };
  return { kind: "error", errorType: String(parsed.errorType), errorMessage: String(parsed.errorMessage ?? ""), trace: parsed.trace ?? [] };
}

function baseName(filename: string): string {
  const file = filename.split(/[\\/]/).pop() ?? filename;
  return file.replace(/\.[cm]?js$/, "");
}
