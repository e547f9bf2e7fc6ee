/**
 * Safety limits of the sandbox. These protect the host (a page, the CLI, CI); they are workbook rules, not Lambda
 * behaviour, and any learner-visible effect says so.
 */
export const SANDBOX_LIMITS = {
  /** QuickJS stack: unbounded recursion becomes `InternalError: stack overflow` in milliseconds. */
  maxStackBytes: 512 * 1024,
  /** The hard QuickJS heap limit is this many times the function's heap budget; crossing the budget is OOM. */
  hardHeapFactor: 1.25,
  /** Check memory every this many interrupt ticks (each check costs ~30 µs). */
  memoryCheckEveryTicks: 4,
  /** Wall-clock backstop for one run of learner code between two simulator events (the count is primary). */
  wallMsPerSegment: 1_500,
  /** Microtasks run between two checks of the virtual CPU budget; each batch counts as one interrupt tick. */
  jobsPerTick: 1_000,
  /** Log lines kept per invocation; the rest are dropped with one notice. */
  logLinesPerInvocation: 500,
  /** Characters kept of one log message. */
  logMessageChars: 8_192,
  /** Timers and service calls that may be pending in one environment at once. */
  pendingHostCalls: 10_000,
  /** Characters of handler source accepted. */
  sourceChars: 1_000_000,
} as const;
