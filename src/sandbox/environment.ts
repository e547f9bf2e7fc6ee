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
 * Memory: the QuickJS heap is checked every few ticks, after segments that did CPU work (or every few that did not)
 * and when an invocation ends; crossing the function's scaled budget is Lambda's out-of-memory failure even when
 * learner code catches QuickJS's own error. QuickJS's estimate misses some strings and its own limit counts
 * allocations rather than bytes, so the module's WebAssembly memory is guarded too (memory-guard.ts): growth beyond
 * what one run may add is refused, and the environment ends as out-of-memory.
 *
 * Faults: a host exception that unwinds through QuickJS (the host engine's own stack overflow, an abort) leaves the
 * WebAssembly module in an unknown state. The invocation ends with Runtime.ExitError, the module is marked broken
 * (quickjs.ts) and never called again, and environments created on it afterwards fail to start with a message.
 */
import type { QuickJSContext, QuickJSDeferredPromise, QuickJSHandle, QuickJSRuntime, QuickJSWASMModule } from "quickjs-emscripten-core";
import { sandboxHeapBytes, type ModelSettings } from "../runtime/config.ts";
import type { CodeInstance, CodeOutcome, EnvironmentPort, FunctionCode, InvokeContextData, JsonText } from "../runtime/types.ts";
import { HOST_GLOBAL, LAZY_SOURCES, WORKBOOK_AWS_SOURCE } from "./guest-source.ts";
import { isBroken, markBroken } from "./quickjs.ts";
import { hostMs } from "./host-clock.ts";
import { SANDBOX_LIMITS } from "./limits.ts";
import { IMPORTABLE, isHostService, MODULE_NAME } from "./host-api.ts";
import { IDEMPOTENCY_MODULE_NAME, WORKBOOK_IDEMPOTENCY_SOURCE } from "./idempotency-source.ts";
import { MemoryGuard, type GuardedRun } from "./memory-guard.ts";
import { nestingProblem } from "./nesting.ts";

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
type Done = (outcome: CodeOutcome) => void;

interface Watch {
  handle: QuickJSHandle;
  settle: (state: "fulfilled" | "rejected", value: QuickJSHandle) => CodeOutcome;
}

class SandboxInstance implements CodeInstance {
  private readonly quickjs: QuickJSWASMModule;
  private readonly rt: QuickJSRuntime | null = null;
  private readonly ctx: QuickJSContext | null = null;
  /** A context with only the base objects, in which heap checks build their report; learner code never runs in it. */
  private readonly measureCtx: QuickJSContext | null = null;
  private readonly port: EnvironmentPort;
  private readonly source: SandboxSource;
  private readonly heapBudget: number;
  private readonly bytesPerMB: number;
  private readonly baselineMB: number;
  private readonly guard: MemoryGuard | null = null;
  private readonly growthAllowance: number;
  private readonly deferreds = new Set<QuickJSDeferredPromise>();
  /** Resolve functions of guest promises that wait for a service's reply (hostCall). */
  private readonly replyResolvers = new Set<QuickJSHandle>();
  private invokeFn: QuickJSHandle | null = null;
  private handlerFn: QuickJSHandle | null = null;
  private watch: Watch | null = null;
  /** Reports the end of the running init or invoke; null once reported. */
  private done: Done | null = null;
  /** Virtual deadline of the running init or invocation. */
  private deadline = Infinity;
  /** Virtual time the running init or invocation was given (deadline − start). */
  private budgetMs = Infinity;
  /** Deadline of the current segment: the operation's, or for a callback thawed before the next one starts, a fresh budget. */
  private segDeadline = Infinity;
  private segStart = 0;
  private ticks = 0;
  private wallStart = 0;
  private busyUntil = 0;
  private interrupt: InterruptReason = null;
  /** The memory guard refused to grow the module's memory for this environment: it is out of memory. */
  private memoryRefused = false;
  /** A host exception out of QuickJS, kept until it can be handled (it may come up inside the interrupt handler). */
  private hostFault: unknown = null;
  /** Why this environment cannot run code (it could not be created, or the sandbox failed under it). */
  private failure: string | null = null;
  private stopped = false;
  private disposed = false;
  private peakHeap = 0;
  private lastHeap = 0;
  private ticksSinceSample = 0;
  private segmentsSinceSample = 0;
  /** Invocation ends since the last heap check that skipped one because nothing was allocated (see endSample). */
  private endsSinceSample = 0;
  /** QuickJS's count of live allocations right after the last heap check; -1 when it cannot be read directly. */
  private countAtSample = -1;
  /** Address of the runtime's allocation count in the module's memory (JSRuntime.malloc_state.malloc_count), or 0. */
  private countAddress = 0;
  private pendingHostCalls = 0;
  private logLines = 0;
  /** What the memory guard allows one segment (the same for every segment of this environment). */
  private readonly guardedRun: GuardedRun;
  /** The context whose function fields the guest's invoke() was last sent (it keeps them); null to send them again. */
  private sentFunctionFields: InvokeContextData | null = null;
  /** The text of the last `/tmp` write or append, which the guest may ask to write again without copying it (`again`). */
  private lastTmpText = "";

  constructor(quickjs: QuickJSWASMModule, source: SandboxSource, port: EnvironmentPort, model: ModelSettings) {
    this.quickjs = quickjs;
    this.port = port;
    this.source = source;
    this.heapBudget = sandboxHeapBytes(port.memoryMB, model);
    this.bytesPerMB = model.sandboxBytesPerMB;
    this.baselineMB = model.memoryBaselineMB;
    const hardLimit = Math.ceil(this.heapBudget * SANDBOX_LIMITS.hardHeapFactor);
    this.growthAllowance = Math.max(SANDBOX_LIMITS.wasmGrowthMinBytes, SANDBOX_LIMITS.wasmGrowthFactor * hardLimit);
    this.guardedRun = { allowanceBytes: this.growthAllowance, refused: () => (this.memoryRefused = true) };
    if (isBroken(quickjs)) {
      this.failure = "the sandbox failed earlier in this run and cannot start new environments";
      return;
    }
    // Limits first: nothing of the learner's runs before they are in place.
    try {
      this.guard = MemoryGuard.for(quickjs.getWasmMemory());
      const rt = quickjs.newRuntime();
      rt.setMemoryLimit(hardLimit);
      const pointer = runtimePointer(rt);
      this.countAddress = pointer > 0 ? pointer + MALLOC_COUNT_OFFSET : 0;
      rt.setMaxStackSize(SANDBOX_LIMITS.maxStackBytes);
      rt.setInterruptHandler(() => this.onInterrupt());
      rt.setModuleLoader((name) => {
        if (name === MODULE_NAME) return WORKBOOK_AWS_SOURCE;
        if (name === IDEMPOTENCY_MODULE_NAME) return WORKBOOK_IDEMPOTENCY_SOURCE;
        return { error: new Error(`Cannot find module '${name}': handlers can import only ${IMPORTABLE}`) };
      });
      this.ctx = rt.newContext();
      this.rt = rt;
      this.measureCtx = newMeasureContext(rt);
    } catch (error) {
      // The module cannot create runtimes any more (an earlier abort, or no memory left for it).
      markBroken(quickjs);
      this.failure = `the sandbox could not start an environment (${describeHostError(error)})`;
    }
  }

  // ---- CodeInstance ----

  init(deadline: number, done: Done): void {
    this.deadline = deadline;
    this.budgetMs = deadline - this.port.now();
    this.start(done, () => {
      const ctx = this.context();
      this.installHost(ctx);
      const boot = ctx.evalCode(`import "${MODULE_NAME}";`, "workbook-boot.js", { type: "module" });
      if (boot.error) {
        const text = this.errorText(boot.error);
        boot.error.dispose();
        throw new SandboxFault(`the ${MODULE_NAME} module failed to load: ${text}`);
      }
      boot.value.dispose();
      const refused = this.refuseSource(this.source.code);
      if (refused) {
        this.complete(refused);
        return;
      }
      const result = ctx.evalCode(this.source.code, this.source.filename, { type: "module" });
      if (result.error) {
        const outcome = this.describeHandle(result.error);
        result.error.dispose();
        this.complete(outcome);
        return;
      }
      this.watchPromise(result.value, (state, value) => {
        if (state === "rejected") return this.describeHandle(value);
        return this.takeHandler(value);
      });
    });
  }

  invoke(event: JsonText, context: InvokeContextData, deadline: number, done: Done): void {
    this.deadline = deadline;
    this.budgetMs = deadline - this.port.now();
    this.logLines = 0;
    this.start(done, () => {
      const ctx = this.context();
      if (!this.invokeFn || !this.handlerFn) throw new SandboxFault("invoke before a successful init");
      // The guest's invoke() gets [deadline epoch ms, request id, event] as one JSON text, and the context fields that
      // are the same for every invocation only when they change (guest-source.ts keeps them).
      const deadlineEpochMs = this.port.epochMs + context.deadlineMs;
      const inputHandle = ctx.newString(`[${JSON.stringify(deadlineEpochMs)},${JSON.stringify(context.awsRequestId)},${event}]`);
      const functionText = this.functionFieldsText(context);
      const functionHandle = functionText === null ? null : ctx.newString(functionText);
      const call = functionHandle
        ? ctx.callFunction(this.invokeFn, ctx.undefined, this.handlerFn, inputHandle, functionHandle)
        : ctx.callFunction(this.invokeFn, ctx.undefined, this.handlerFn, inputHandle);
      inputHandle.dispose();
      functionHandle?.dispose();
      // If invoke() failed before keeping them, they are sent again next time.
      if (call.error) this.sentFunctionFields = null;
      if (call.error) {
        const outcome = this.describeHandle(call.error);
        call.error.dispose();
        this.complete(outcome);
        return;
      }
      this.watchPromise(call.value, (state, value) => {
        if (state === "rejected") return this.describeHandle(value);
        return parseOutcome(ctx.typeof(value) === "string" ? ctx.getString(value) : null);
      });
    });
  }

  abort(): void {
    this.stopped = true;
  }

  /** The JSON text of the context fields that are the same for every invocation, or null if the guest has them. */
  private functionFieldsText(context: InvokeContextData): string | null {
    const sent = this.sentFunctionFields;
    if (sent !== null && sameFunctionFields(sent, context)) return null;
    this.sentFunctionFields = { ...context };
    return JSON.stringify({
      functionName: context.functionName,
      functionVersion: context.functionVersion,
      memoryLimitInMB: context.memoryLimitInMB,
      invokedFunctionArn: context.invokedFunctionArn,
      logGroupName: context.logGroupName,
      logStreamName: context.logStreamName,
      tenantId: context.tenantId,
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.stopped = true;
    this.done = null;
    if (this.hostFault !== null && isWasmLevel(this.hostFault)) markBroken(this.quickjs);
    if (!this.rt || !this.ctx || isBroken(this.quickjs)) {
      // Nothing to free, or nothing may be called any more: the garbage collector takes the broken module whole.
      this.deferreds.clear();
      this.replyResolvers.clear();
      this.watch = null;
      return;
    }
    try {
      for (const d of this.deferreds) d.dispose();
      this.deferreds.clear();
      for (const r of this.replyResolvers) r.dispose();
      this.replyResolvers.clear();
      this.watch?.handle.dispose();
      this.watch = null;
      this.invokeFn?.dispose();
      this.handlerFn?.dispose();
      this.ctx.dispose();
      this.measureCtx?.dispose();
      this.rt.dispose();
    } catch {
      // A runtime that cannot be freed cleanly means the WebAssembly instance is suspect: start a new one next time.
      markBroken(this.quickjs);
    }
  }

  memoryUsedMB(): number {
    return this.baselineMB + this.peakHeap / this.bytesPerMB;
  }

  // ---- segments ----

  private context(): QuickJSContext {
    if (!this.ctx) throw new SandboxFault("no QuickJS context");
    return this.ctx;
  }

  private cpuMs(): number {
    return this.ticks * this.port.cpuMsPerTick;
  }

  /** Begins init or an invocation: reports at once if this environment cannot run code. */
  private start(done: Done, body: () => void): void {
    this.done = done;
    if (this.failure !== null) {
      const message = this.failure;
      this.done = null;
      this.port.defer(0, () => done({ kind: "error", errorType: "Runtime.ExitError", errorMessage: `The sandbox stopped unexpectedly: ${message}` }));
      return;
    }
    this.segment(body);
  }

  /** Runs learner code for one simulator event, then settles what can be settled. */
  private segment(body: () => void): void {
    if (this.stopped || this.disposed || this.failure !== null) return;
    const now = this.port.now();
    if (now < this.busyUntil) {
      // The environment's single thread is still busy with earlier CPU work.
      this.port.defer(this.busyUntil - now, () => this.segment(body));
      return;
    }
    this.segStart = now;
    // Timers and replies that were frozen run when the next invocation thaws the environment, before it starts: they
    // get that invocation's budget (lambda-model.md §1), never the deadline of one that has ended.
    this.segDeadline = this.done !== null ? this.deadline : now + this.budgetMs;
    this.ticks = 0;
    this.interrupt = null;
    this.wallStart = hostMs();
    try {
      this.guard!.within(this.guardedRun, () => {
        body();
        this.drainJobs();
      });
      if (this.hostFault === null) this.afterRun();
    } catch (error) {
      // Field writes first: after the host's own stack overflow there may be no room for a call. If fault() cannot
      // run either, the simulator's deadline ends the invocation and dispose() sees the fault.
      this.stopped = true;
      this.hostFault = error;
    }
    if (this.hostFault !== null) {
      try {
        this.fault(this.hostFault);
      } catch {
        // See above.
      }
    }
  }

  /** After learner code ran: a timeout or out-of-memory ends the run, else a settled result is reported. */
  private afterRun(): void {
    // (Read through a cast: the body changed it, which TypeScript's narrowing cannot see.)
    if (this.memoryRefused) this.interrupt = "oom";
    const reason = this.interrupt as InterruptReason;
    if (reason === "deadline" || reason === "wall") {
      // The simulator's own deadline event ends the invocation as a timeout.
      this.stopped = true;
      if (reason === "wall") {
        this.port.log("ERROR", `[workbook] the sandbox's real-time backstop stopped this code after ${SANDBOX_LIMITS.wallMsPerSegment} ms of host time; it is reported as a timeout`, this.cpuMs());
      }
      return;
    }
    this.segmentsSinceSample++;
    // After a whole tick of CPU work, or every few runs of little work (a timer or reply callback).
    if (reason !== "oom" && (this.ticksSinceSample >= 1 || this.segmentsSinceSample >= SANDBOX_LIMITS.memoryCheckEverySegments)) this.sampleHeap();
    if (reason === "oom" || this.peakHeap > this.heapBudget) {
      this.outOfMemory();
      return;
    }
    this.busyUntil = this.segStart + this.cpuMs();
    this.checkWatch();
  }

  /** Ends the running init or invocation as Lambda's out-of-memory failure; the simulator then resets the environment. */
  private outOfMemory(): void {
    this.stopped = true;
    this.releaseWatch();
    const done = this.done;
    this.done = null;
    if (done) this.port.defer(this.cpuMs(), () => done({ kind: "oom" }));
  }

  /** A host exception escaped from QuickJS: learner code cannot cause one on purpose, but it is handled as data. */
  private fault(error: unknown): void {
    this.stopped = true;
    if (this.failure !== null) return;
    const wasmLevel = isWasmLevel(error);
    if (wasmLevel) markBroken(this.quickjs);
    const detail = error instanceof SandboxFault ? error.message : describeHostError(error);
    this.failure = `${detail}${wasmLevel ? "; the environment is gone" : ""}`;
    const done = this.done;
    this.done = null;
    if (wasmLevel) this.watch = null;
    else {
      try {
        this.releaseWatch();
      } catch {
        this.watch = null;
      }
    }
    const message =
      error instanceof RangeError
        ? `The sandbox stopped unexpectedly: the code nested or recursed deeper than the workbook's sandbox can follow (${detail}; a workbook limit)`
        : `The sandbox stopped unexpectedly (${detail})`;
    if (done) this.port.defer(this.cpuMs(), () => done({ kind: "error", errorType: "Runtime.ExitError", errorMessage: message }));
  }

  private drainJobs(): void {
    const rt = this.rt!;
    let jobs = 0;
    while (!this.interrupt && this.hostFault === null && rt.hasPendingJob()) {
      const flood = jobs >= SANDBOX_LIMITS.floodJobsAfter;
      const batch = flood ? SANDBOX_LIMITS.floodJobsPerTick : SANDBOX_LIMITS.jobsPerTick;
      const result = rt.executePendingJobs(batch);
      let executed: number = batch;
      if (result.error) result.error.dispose();
      else executed = result.value;
      jobs += executed;
      // Microtasks are counted as CPU too, so a microtask flood also reaches the deadline.
      this.ticks += executed / batch;
      this.ticksSinceSample += executed / batch;
      if (this.memoryRefused) this.interrupt = "oom";
      else if (this.segStart + this.cpuMs() > this.segDeadline) this.interrupt = "deadline";
      else if (this.ticksSinceSample >= this.sampleInterval() && this.sampleHeap() > this.heapBudget) this.interrupt = "oom";
      // A batch that ran short emptied the queue (QuickJS stops only when no job is left): no need to ask again.
      else if (!result.error && executed < batch) break;
    }
  }

  private onInterrupt(): boolean {
    if (this.interrupt || this.hostFault !== null) return true;
    this.ticks++;
    this.ticksSinceSample++;
    if (this.memoryRefused) this.interrupt = "oom";
    else if (this.segStart + this.cpuMs() > this.segDeadline) this.interrupt = "deadline";
    else if (this.ticksSinceSample >= this.sampleInterval() && this.sampleHeap() > this.heapBudget) this.interrupt = "oom";
    else if (hostMs() - this.wallStart > SANDBOX_LIMITS.wallMsPerSegment) this.interrupt = "wall";
    return this.interrupt !== null;
  }

  /** Ticks between two heap checks: a check walks the whole heap, so a big heap is checked less often. */
  private sampleInterval(): number {
    return SANDBOX_LIMITS.memoryCheckEveryTicks * Math.max(1, Math.floor(this.lastHeap / (4 * 1024 * 1024)));
  }

  /**
   * The heap check at the end of init or an invocation. A check walks the whole heap (tens of µs); it is skipped when
   * the run used less than a tick of CPU and QuickJS's count of live allocations is what it was after the last check,
   * so the heap holds as many blocks as it did then; but never more than `memoryCheckEveryEnds` times in a row, which
   * bounds how late growth inside existing blocks (a reallocated array or string buffer) is seen. The count is
   * QuickJS's own per-runtime figure, so the decision, like the check, depends only on the code and its inputs.
   */
  private endSample(): void {
    if (
      this.countAtSample >= 0 &&
      this.ticksSinceSample < 1 &&
      this.endsSinceSample < SANDBOX_LIMITS.memoryCheckEveryEnds &&
      this.liveAllocations() === this.countAtSample
    ) {
      this.endsSinceSample++;
      this.ticksSinceSample = 0;
      this.segmentsSinceSample = 0;
      return;
    }
    this.sampleHeap();
  }

  /** QuickJS's count of live allocations of this runtime, read from the module's memory (no call into QuickJS). */
  private liveAllocations(): number {
    return new Uint32Array(this.quickjs.getWasmMemory().buffer, this.countAddress, 1)[0]!;
  }

  private sampleHeap(): number {
    this.ticksSinceSample = 0;
    this.segmentsSinceSample = 0;
    this.endsSinceSample = 0;
    let used: number;
    try {
      const ctx = this.measureCtx ?? this.context();
      const usage = this.rt!.computeMemoryUsage();
      const read = (key: string): number => {
        const h = ctx.getProp(usage, key);
        const value = ctx.typeof(h) === "number" ? ctx.getNumber(h) : 0;
        h.dispose();
        return value;
      };
      // QuickJS's estimate walks objects; allocations it does not attribute (Map and Set entries, the pieces of
      // concatenated strings) are counted at a fixed size each, so that growth through them is seen too.
      const count = read("malloc_count");
      const unattributed = Math.max(0, count - read("memory_used_count"));
      used = read("memory_used_size") + unattributed * SANDBOX_LIMITS.bytesPerUnattributedAllocation;
      usage.dispose();
      // The direct read must agree with QuickJS's own figure, else (another QuickJS build) every end is checked.
      this.countAtSample = this.countAddress > 0 && this.liveAllocations() === count ? count : -1;
    } catch (error) {
      // Failing to measure counts as out of memory; a failure inside the WebAssembly code is a fault of the sandbox.
      if (isWasmLevel(error)) this.hostFault ??= error;
      used = Infinity;
    }
    this.lastHeap = used;
    if (used > this.peakHeap) this.peakHeap = used;
    return used;
  }

  private watchPromise(handle: QuickJSHandle, settle: Watch["settle"]): void {
    this.releaseWatch();
    this.watch = { handle, settle };
  }

  private releaseWatch(): void {
    this.watch?.handle.dispose();
    this.watch = null;
  }

  /** If the promise being watched (module evaluation or the handler's result) has settled, report its outcome. */
  private checkWatch(): void {
    const watch = this.watch;
    if (!watch) return;
    const ctx = this.context();
    const state = ctx.getPromiseState(watch.handle);
    if (state.type === "pending") return;
    // The end of init or of an invocation: what the function holds now is what it keeps.
    if (this.segmentsSinceSample > 0 || this.ticksSinceSample > 0) this.endSample();
    let outcome: CodeOutcome;
    if (state.type === "fulfilled") {
      outcome = watch.settle("fulfilled", state.value);
      if (state.value !== watch.handle) state.value.dispose();
    } else {
      outcome = watch.settle("rejected", state.error);
      state.error.dispose();
    }
    this.releaseWatch();
    // Reading the result can run learner code too (getters of a thrown object): its interrupt decides.
    const reason = this.interrupt as InterruptReason;
    if (reason === "deadline" || reason === "wall") {
      this.stopped = true;
      return;
    }
    if (reason === "oom" || this.memoryRefused || this.peakHeap > this.heapBudget) {
      this.outOfMemory();
      return;
    }
    this.complete(outcome);
  }

  /** Reports how init or the invocation ended, at the virtual time the CPU work so far brings it to. */
  private complete(outcome: CodeOutcome): void {
    // An interrupt (timeout, out of memory) or a refused growth decides the outcome itself at the end of the segment.
    if (this.interrupt !== null || this.memoryRefused) return;
    const done = this.done;
    if (!done) return;
    this.done = null;
    // QuickJS's own "out of memory" error is Lambda's OOM, caught or not.
    if (outcome.kind === "error" && outcome.errorType === "InternalError" && outcome.errorMessage === "out of memory") outcome = { kind: "oom" };
    const at = this.segStart + this.cpuMs();
    this.port.defer(at - this.port.now(), () => done(outcome));
  }

  private takeHandler(namespace: QuickJSHandle): CodeOutcome {
    const ctx = this.context();
    let handler: QuickJSHandle;
    try {
      handler = ctx.getProp(namespace, "handler");
    } catch {
      return { kind: "error", errorType: "Runtime.HandlerNotFound", errorMessage: `${baseName(this.source.filename)}.handler could not be read` };
    }
    const type = ctx.typeof(handler);
    if (type !== "function") {
      handler.dispose();
      const what = type === "undefined" ? "is undefined or not exported" : `is ${type === "object" ? "an object" : `a ${type}`}, not a function`;
      return { kind: "error", errorType: "Runtime.HandlerNotFound", errorMessage: `${baseName(this.source.filename)}.handler ${what}` };
    }
    this.handlerFn?.dispose();
    this.handlerFn = handler;
    return { kind: "success", response: undefined };
  }

  /** An init error for source text the sandbox does not compile (too long, or nested too deeply for QuickJS's parser). */
  private refuseSource(code: string): CodeOutcome | null {
    const file = baseName(this.source.filename);
    if (code.length > SANDBOX_LIMITS.sourceChars) {
      return { kind: "error", errorType: "Runtime.UserCodeSyntaxError", errorMessage: `${file} has more than ${SANDBOX_LIMITS.sourceChars} characters (a workbook limit)` };
    }
    const problem = nestingProblem(code, SANDBOX_LIMITS.maxNesting, file);
    return problem ? { kind: "error", errorType: "Runtime.UserCodeSyntaxError", errorMessage: problem } : null;
  }

  // ---- host functions (the only ones learner code can reach, via workbook:aws) ----

  private installHost(ctx: QuickJSContext): void {
    const host = ctx.newObject();
    const fns: Array<[string, QuickJSHandle]> = [
      ["call", ctx.newFunction("call", (request, resolve) => this.hostCall(request, resolve))],
      ["timer", ctx.newFunction("timer", (ms) => this.hostTimer(ms))],
      ["log", ctx.newFunction("log", (level, text) => this.hostLog(level, text))],
      ["tmp", ctx.newFunction("tmp", (op, path, data) => this.hostTmp(op, path, data))],
      ["now", ctx.newFunction("now", () => {
        this.chargeHostCall();
        return ctx.newNumber(this.port.epochMs + this.segStart + this.cpuMs());
      })],
      ["compileCheck", ctx.newFunction("compileCheck", (text) => {
        const problem = nestingProblem(ctx.typeof(text) === "string" ? ctx.getString(text) : "", SANDBOX_LIMITS.maxNesting, "this code");
        return problem === null ? ctx.null : ctx.newString(problem);
      })],
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
    const env = ctx.newString(JSON.stringify(this.port.environment));
    ctx.setProp(host, "env", env);
    env.dispose();
    const sources = ctx.newObject();
    for (const [name, text] of Object.entries(LAZY_SOURCES)) {
      const value = ctx.newString(text);
      ctx.setProp(sources, name, value);
      value.dispose();
    }
    ctx.setProp(host, "lazySources", sources);
    sources.dispose();
    ctx.setProp(ctx.global, HOST_GLOBAL, host);
    host.dispose();
  }

  /** The error a host call returns when too many timers and service calls are pending, or null. */
  private pendingLimitError(): { error: QuickJSHandle } | null {
    if (this.pendingHostCalls < SANDBOX_LIMITS.pendingHostCalls) return null;
    const ctx = this.context();
    return { error: ctx.newError({ name: "RangeError", message: `more than ${SANDBOX_LIMITS.pendingHostCalls} timers and service calls pending at once (a workbook sandbox limit)` }) };
  }

  private newDeferred(): QuickJSDeferredPromise | { error: QuickJSHandle } {
    const ctx = this.context();
    const limit = this.pendingLimitError();
    if (limit) return limit;
    const deferred = ctx.newPromise();
    this.deferreds.add(deferred);
    this.pendingHostCalls++;
    return deferred;
  }

  private settleDeferred(deferred: QuickJSDeferredPromise, text: string | null): void {
    this.segment(() => {
      this.pendingHostCalls--;
      this.deferreds.delete(deferred);
      if (!deferred.alive) return;
      try {
        if (text === null) deferred.resolve();
        else {
          const value = this.context().newString(text);
          deferred.resolve(value);
          value.dispose();
        }
      } catch {
        // Resolving was interrupted (deadline or memory): the end of the segment reports that.
      }
      deferred.dispose();
    });
  }

  /** Resolves a guest promise with a service's reply, in a segment of its own (as settleDeferred does). */
  private settleReply(resolver: QuickJSHandle, text: string): void {
    this.segment(() => {
      this.pendingHostCalls--;
      this.replyResolvers.delete(resolver);
      if (!resolver.alive) return;
      try {
        const ctx = this.context();
        const value = ctx.newString(text);
        const result = ctx.callFunction(resolver, ctx.undefined, value);
        value.dispose();
        if (result.error) result.error.dispose();
        else result.value.dispose();
      } catch {
        // Resolving was interrupted (deadline or memory): the end of the segment reports that.
      }
      resolver.dispose();
    });
  }

  /**
   * A service call from the guest: one string, "service operation argsJson", and the resolve function of the promise
   * that the reply settles (guest-source.ts request()).
   */
  private hostCall(requestH: QuickJSHandle, resolveH: QuickJSHandle) {
    const ctx = this.context();
    const text = ctx.typeof(requestH) === "string" ? ctx.getString(requestH) : "";
    const first = text.indexOf(" ");
    const second = first < 0 ? -1 : text.indexOf(" ", first + 1);
    const service = first < 0 ? "" : text.slice(0, first);
    const operation = second < 0 ? "" : text.slice(first + 1, second);
    if (!isHostService(service, operation)) {
      return { error: ctx.newError({ name: "TypeError", message: `${service}.${operation} is not a workbook service operation` }) };
    }
    let args: unknown[];
    try {
      const parsed: unknown = JSON.parse(text.slice(second + 1));
      args = Array.isArray(parsed) ? parsed : [];
    } catch {
      args = [];
    }
    const limit = this.pendingLimitError();
    if (limit) return limit;
    if (ctx.typeof(resolveH) !== "function") return { error: ctx.newError({ name: "TypeError", message: "a service call needs a resolve function" }) };
    const resolver = resolveH.dup();
    this.replyResolvers.add(resolver);
    this.pendingHostCalls++;
    this.port.callService(service, operation, args, this.cpuMs(), (result) => this.settleReply(resolver, JSON.stringify(result)));
  }

  /** A `/tmp` operation (synchronous, like Node's `fs.*Sync`): its result as JSON text `{ok, value}` or `{ok, error}`. */
  private hostTmp(opH: QuickJSHandle, pathH: QuickJSHandle, dataH: QuickJSHandle): QuickJSHandle {
    const ctx = this.context();
    this.chargeHostCall();
    const text = (h: QuickJSHandle) => (ctx.typeof(h) === "string" ? ctx.getString(h) : "");
    const op = text(opH);
    const path = text(pathH);
    const tmp = this.port.tmp;
    if (op === "write" || op === "append") this.lastTmpText = text(dataH);
    const result =
      op === "write" || op === "append" || op === "writeAgain" || op === "appendAgain" ? tmp.write(path, this.lastTmpText, op.startsWith("append"))
      : op === "read" ? tmp.read(path)
      : op === "exists" ? { ok: true, value: tmp.exists(path) }
      : op === "size" ? tmp.size(path)
      : op === "remove" ? tmp.remove(path)
      : op === "list" ? { ok: true, value: tmp.list() }
      : { ok: true, value: { usedBytes: tmp.usedBytes, sizeBytes: tmp.sizeBytes } };
    return ctx.newString(JSON.stringify(result));
  }

  private hostTimer(msH: QuickJSHandle) {
    const ctx = this.context();
    const raw = ctx.typeof(msH) === "number" ? ctx.getNumber(msH) : 0;
    const ms = Number.isFinite(raw) ? Math.max(0, raw) : 0;
    const deferred = this.newDeferred();
    if ("error" in deferred) return deferred;
    this.port.defer(this.cpuMs() + ms, () => this.settleDeferred(deferred, null));
    return deferred.handle;
  }

  /** Charges the CPU of a host call the interpreter count does not see (limits.ts); past the deadline, the next poll stops. */
  private chargeHostCall(): void {
    this.ticks += SANDBOX_LIMITS.hostCallTicks;
    if (!this.interrupt && this.segStart + this.cpuMs() > this.segDeadline) this.interrupt = "deadline";
  }

  private hostLog(levelH: QuickJSHandle, textH: QuickJSHandle): void {
    this.chargeHostCall();
    if (this.interrupt) return;
    this.logLines++;
    if (this.logLines > SANDBOX_LIMITS.logLinesPerInvocation) {
      if (this.logLines === SANDBOX_LIMITS.logLinesPerInvocation + 1) {
        this.port.log("WARN", `[workbook] more than ${SANDBOX_LIMITS.logLinesPerInvocation} log lines in one invocation: the rest are dropped (a workbook limit)`, this.cpuMs());
      }
      return;
    }
    const ctx = this.context();
    const level = ctx.typeof(levelH) === "string" ? ctx.getString(levelH) : "INFO";
    let text = ctx.typeof(textH) === "string" ? ctx.getString(textH) : "";
    if (text.length > SANDBOX_LIMITS.logMessageChars) text = `${text.slice(0, SANDBOX_LIMITS.logMessageChars)}… [${text.length - SANDBOX_LIMITS.logMessageChars} more characters dropped]`;
    this.port.log(level === "WARN" || level === "ERROR" || level === "DEBUG" ? level : "INFO", text, this.cpuMs());
  }

  // ---- values ----

  private errorText(handle: QuickJSHandle): string {
    const outcome = this.describeHandle(handle);
    return outcome.kind === "error" ? `${outcome.errorType}: ${outcome.errorMessage}` : "unknown error";
  }

  /** Describes a thrown guest value on the host side, reading only plain properties. */
  private describeHandle(handle: QuickJSHandle): CodeOutcome {
    const ctx = this.context();
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

function sameFunctionFields(a: InvokeContextData, b: InvokeContextData): boolean {
  return (
    a.functionName === b.functionName &&
    a.functionVersion === b.functionVersion &&
    a.memoryLimitInMB === b.memoryLimitInMB &&
    a.invokedFunctionArn === b.invokedFunctionArn &&
    a.logGroupName === b.logGroupName &&
    a.logStreamName === b.logStreamName &&
    a.tenantId === b.tenantId
  );
}

/**
 * Offset of `malloc_state.malloc_count` in QuickJS's JSRuntime (wasm32: four malloc function pointers first). Checked
 * against computeMemoryUsage at every heap check: a build where it differs only loses the shortcut.
 */
const MALLOC_COUNT_OFFSET = 16;

/**
 * quickjs-emscripten builds computeMemoryUsage's report object in a "system context" of the runtime, which it creates
 * with every intrinsic on first use (~0.25 ms on each cold start). A context with only the base objects does as well
 * at half the cost; it is installed as that system context (a protected field) before any check. If the library
 * does not pick it up (another quickjs-emscripten version), it is freed again and the library creates its own.
 */
function newMeasureContext(rt: QuickJSRuntime): QuickJSContext | null {
  const fields = rt as unknown as { context?: QuickJSContext; getSystemContext?: () => QuickJSContext };
  if (fields.context !== undefined || typeof fields.getSystemContext !== "function") return null;
  const measure = rt.newContext({ intrinsics: { BaseObjects: true } });
  fields.context = measure;
  if (fields.getSystemContext() === measure) return measure;
  fields.context = undefined;
  measure.dispose();
  return null;
}

/** The JSRuntime pointer behind a runtime (a protected field of quickjs-emscripten's QuickJSRuntime), or 0. */
function runtimePointer(rt: QuickJSRuntime): number {
  const value = (rt as unknown as { rt?: { value?: unknown } }).rt?.value;
  return typeof value === "number" && value > 0 ? value : 0;
}

/** A fault of the sandbox itself (not of learner code). */
export class SandboxFault extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SandboxFault";
  }
}

/** The outcome text the guest's invoke() resolves with (guest-source.ts); anything else is reported, not thrown. */
function parseOutcome(text: string | null): CodeOutcome {
  // Success is "S" and the response's JSON text, or "U" for none; anything else is read as JSON.
  if (text !== null && text.length > 0) {
    if (text[0] === "S") return { kind: "success", response: text.slice(1) };
    if (text === "U") return { kind: "success", response: undefined };
  }
  const parsed = parseJson(text) as { kind?: unknown; response?: unknown; errorType?: unknown; errorMessage?: unknown; trace?: unknown } | null;
  if (!parsed || typeof parsed !== "object") {
    return { kind: "error", errorType: "Runtime.ExitError", errorMessage: "The sandbox could not read the handler's result (built-in behaviour was changed)" };
  }
  if (parsed.kind === "success") return { kind: "success", response: typeof parsed.response === "string" ? parsed.response : undefined };
  const trace = Array.isArray(parsed.trace) ? parsed.trace.filter((line): line is string => typeof line === "string") : [];
  return { kind: "error", errorType: String(parsed.errorType ?? "Error"), errorMessage: String(parsed.errorMessage ?? ""), trace };
}

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** A host exception that unwound through QuickJS's WebAssembly code: the host's stack overflow, or a trap or abort. */
function isWasmLevel(error: unknown): boolean {
  return error instanceof RangeError || error instanceof WebAssembly.RuntimeError;
}

function describeHostError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message.split("\n")[0]}`;
  return String(error);
}

function baseName(filename: string): string {
  const file = filename.split(/[\\/]/).pop() ?? filename;
  return file.replace(/\.[cm]?js$/, "");
}
