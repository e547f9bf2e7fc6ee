/**
 * Safety limits of the sandbox. These protect the host (a page, the CLI, CI); they are workbook rules, not Lambda
 * behaviour, and any learner-visible effect says so.
 */
export const SANDBOX_LIMITS = {
  /**
   * QuickJS stack: unbounded recursion becomes a catchable `InternalError: stack overflow` in milliseconds. QuickJS
   * measures only its own (linear-memory) stack, while every QuickJS frame also takes 3–10 times as much of the host
   * engine's native stack (~1 MB in Node and browsers); at 48 KiB every recursion path we measured (plain calls,
   * getters, proxies, toJSON, sort callbacks, JSON.stringify of deep data) stops inside QuickJS with room to spare.
   * It still allows ~270 nested plain calls.
   */
  maxStackBytes: 48 * 1024,
  /**
   * Bracket nesting accepted in source text (the handler file, `eval`, `new Function`). QuickJS's parser recurses per
   * `(`, `[`, `{` and `${` without checking its stack, and ~700 levels overflow the host's native stack.
   */
  maxNesting: 128,
  /** The hard QuickJS heap limit is this many times the function's heap budget; crossing the budget is OOM. */
  hardHeapFactor: 1.25,
  /** Check memory every this many interrupt ticks (each check walks the heap: ~70 µs plus ~26 ns per object). */
  memoryCheckEveryTicks: 4,
  /**
   * Bytes counted per allocation that QuickJS's heap estimate does not attribute to an object (a Map or Set entry, a
   * piece of a concatenated string): about a Map entry's size, a quarter of a string piece's.
   */
  bytesPerUnattributedAllocation: 64,
  /** Also check memory after this many runs of learner code that used no interrupt tick (timer and reply callbacks). */
  memoryCheckEverySegments: 16,
  /**
   * The end of an invocation is checked at least every this many ends; in between, an end is checked only after a
   * tick of CPU work or when QuickJS's count of live allocations changed since the last check (environment.ts).
   */
  memoryCheckEveryEnds: 8,
  /**
   * WebAssembly memory one run of learner code may add to the shared QuickJS module, as a multiple of its hard heap
   * limit (at least `wasmGrowthMinBytes`). QuickJS's own limit counts allocations, not bytes, in the WebAssembly
   * build, so big allocations are stopped here: the growth is refused and the environment runs out of memory.
   */
  wasmGrowthFactor: 2,
  wasmGrowthMinBytes: 16 * 1024 * 1024,
  /** WebAssembly memory the shared QuickJS module may reach in all (every environment together). */
  wasmMemoryCeilingBytes: 1024 * 1024 * 1024,
  /**
   * Real-time backstop for one run of learner code between two simulator events (the count is primary): host CPU time
   * of the thread in Node, wall time in a browser (see host-clock.ts).
   */
  wallMsPerSegment: 1_500,
  /** Microtasks run between two checks of the virtual CPU budget; each batch counts as one interrupt tick. */
  jobsPerTick: 1_000,
  /**
   * Past this many microtasks in one run of learner code (a flood: `for (;;) await null`), batches of
   * `floodJobsPerTick` count as a tick: a QuickJS microtask costs the host several times what the ordinary rate assumes,
   * and a flood must reach its deadline by the count, not the real-time backstop. Ordinary code stays far below.
   */
  floodJobsAfter: 10_000,
  floodJobsPerTick: 100,
  /**
   * Virtual CPU charged per console call and per clock read (Date.now, new Date, performance.now), in interrupt ticks
   * (0.01 tick = 10 µs at one full vCPU): these host calls cost far more than the few interpreter steps QuickJS counts
   * for them, so a log flood or a busy-wait on the clock reaches the deadline by the count, not the real-time backstop.
   */
  hostCallTicks: 0.01,
  /** Log lines kept per invocation; the rest are dropped with one notice. */
  logLinesPerInvocation: 500,
  /** Characters kept of one log message. */
  logMessageChars: 8_192,
  /** Timers and service calls that may be pending in one environment at once. */
  pendingHostCalls: 10_000,
  /** Characters of handler source accepted. */
  sourceChars: 1_000_000,
} as const;
