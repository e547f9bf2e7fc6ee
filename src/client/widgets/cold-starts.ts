/**
 * The "cold-starts" lesson widget's model: a workload (requests arriving at random, or in bursts, at one function
 * whose handler takes a fixed time) run by `runWorkload`, the engine behind `npm run simulate`. The function's code
 * is host-side and watches its own environments, so the chart can draw each one's life. No learner code and no DOM:
 * the build runs it for the static page, the browser reruns it when a knob moves.
 * Facts and simplifications: ../shared/lambda-model.md §1 (lifecycle, idle recycling) and §3 (one request per environment).
 */
import type { CodeInstance, CodeOutcome, EnvironmentPort, FunctionCode } from "../../runtime/types.ts";
import { runWorkload, type WorkloadInput, type WorkloadSummary } from "../../runtime/workload.ts";

/** The arrival rates the rate knob steps through, in arrivals per minute (quiet to busy). */
export const RATES_PER_MINUTE = [1 / 20, 1 / 15, 1 / 10, 1 / 7, 1 / 5, 1 / 3, 1 / 2, 1, 2, 5, 10, 30, 60] as const;
/** How many requests arrive together: 1 is steady traffic, more is a burst that needs that many environments at once. */
export const BURST_SIZES = [1, 5, 10] as const;

export interface ColdStartsInput {
  /** Arrivals per minute: single requests at random (a Poisson process), or bursts at regular intervals. */
  ratePerMinute: number;
  /** Requests per arrival, all at the same instant. */
  burst: number;
  seed?: number;
  /** Virtual time simulated, default 2 h. */
  windowMs?: number;
  /** What the handler spends per request, default 120 ms. */
  handlerMs?: number;
  /** The whole INIT phase of a cold start, default 450 ms: 250 ms of platform set-up (a SIMPLIFICATION) + 200 ms of module top level. */
  initMs?: number;
  /** SIMPLIFICATION (lambda-model.md §1): idle time after which an environment is recycled, default 10 min. */
  idleExpiryMs?: number;
}

/** One execution environment's life, for the chart: from its cold start until it was recycled (or the window ended). */
export interface EnvironmentSpan {
  /** Row of the chart: environments that never overlap share a row. */
  lane: number;
  createdAt: number;
  endedAt: number;
  /** True when the environment was recycled before the window ended. */
  recycled: boolean;
  /** Start times of its warm invocations. */
  warmStarts: number[];
}

export interface ColdStartsResult {
  input: Required<ColdStartsInput>;
  /** The workload that was run: `npm run simulate` gives the same figures for it with `work: {kind: "fixed", ms}`. */
  workload: WorkloadInput;
  /** runWorkload's figures (requests, coldStarts, coldStartRatio, peakConcurrency, latencyMs, …). */
  summary: WorkloadSummary;
  /** Environments created over the window, in creation order. */
  environments: EnvironmentSpan[];
  lanes: number;
}

const DEFAULTS = { seed: 7, windowMs: 2 * 3_600_000, handlerMs: 120, initMs: 450, idleExpiryMs: 600_000 } as const;

/** The part of INIT that is the platform's in this workbook (SIMPLIFICATION, lambda-model.md §1). */
export const PLATFORM_INIT_MS = 250;

const SUCCESS: CodeOutcome = { kind: "success", response: "null" };

/**
 * Host-side code whose handler takes a fixed time (INIT is all in the workload's `initMs`), and which notes when each
 * environment starts serving, serves and ends.
 */
class WatchedCode implements FunctionCode {
  readonly spans: Array<EnvironmentSpan & { served: number }> = [];
  private readonly handlerMs: number;
  private readonly initMs: number;
  constructor(handlerMs: number, initMs: number) {
    this.handlerMs = handlerMs;
    this.initMs = initMs;
  }
  createInstance(port: EnvironmentPort): CodeInstance {
    const { handlerMs, spans } = this;
    // Created once the platform part of INIT (here all of it) is over: the environment began that long ago.
    const span: EnvironmentSpan & { served: number } = { lane: 0, createdAt: port.now() - this.initMs, endedAt: Infinity, recycled: false, warmStarts: [], served: 0 };
    spans.push(span);
    return {
      init: (_deadline, done) => done(SUCCESS),
      invoke: (_event, _context, _deadline, done) => {
        if (span.served++ > 0) span.warmStarts.push(port.now());
        port.defer(handlerMs, () => done(SUCCESS));
      },
      abort: () => {},
      dispose: () => void (span.endedAt = Math.min(span.endedAt, port.now())),
      memoryUsedMB: () => 80,
    };
  }
}

export function simulateColdStarts(options: ColdStartsInput): ColdStartsResult {
  const input: Required<ColdStartsInput> = { ...DEFAULTS, ...options };
  if (!(input.ratePerMinute > 0) || !(input.burst >= 1)) throw new RangeError("ratePerMinute must be > 0 and burst >= 1");
  const workload = {
    seed: input.seed,
    durationMs: input.windowMs,
    function: { memoryMB: 512, idleExpiryMs: input.idleExpiryMs, initMs: input.initMs },
    arrivals:
      input.burst === 1
        ? { kind: "poisson" as const, ratePerSec: input.ratePerMinute / 60 }
        : { kind: "bursts" as const, size: input.burst, everyMs: 60_000 / input.ratePerMinute },
    work: { kind: "handler" as const, file: "cold-starts widget: a handler that takes handlerMs" },
  };
  const code = new WatchedCode(input.handlerMs, input.initMs);
  const { summary } = runWorkload(workload, { codeFor: () => code });

  const environments: EnvironmentSpan[] = code.spans.map(({ served: _served, ...span }) => {
    const recycled = span.endedAt <= input.windowMs;
    return { ...span, endedAt: recycled ? span.endedAt : input.windowMs, recycled };
  });
  const laneEnds: number[] = [];
  for (const span of environments) {
    let lane = laneEnds.findIndex((end) => end <= span.createdAt);
    if (lane < 0) lane = laneEnds.push(0) - 1;
    laneEnds[lane] = span.endedAt;
    span.lane = lane;
  }
  return { input, workload: { ...workload, work: { kind: "fixed", ms: input.handlerMs } }, summary, environments, lanes: laneEnds.length };
}

/** "2 per minute", "1 every 10 minutes", "1 per second". */
export function describeRate(perMinute: number): string {
  if (perMinute >= 60) return `${formatNumber(perMinute / 60)} per second`;
  if (perMinute >= 1) return `${formatNumber(perMinute)} per minute`;
  const every = 1 / perMinute;
  return `1 every ${formatNumber(every)} minutes`;
}

/** The result in one or two sentences: the widget's live announcement and the chart's text alternative. */
export function summarise(result: ColdStartsResult): string {
  const { input, summary } = result;
  const hours = input.windowMs / 3_600_000;
  const traffic =
    input.burst === 1
      ? `requests arriving at random, ${describeRate(input.ratePerMinute)} on average,`
      : `bursts of ${input.burst} requests arriving ${describeRate(input.ratePerMinute)}`;
  const share =
    summary.invocations === 0
      ? "no request arrived"
      : `${summary.coldStarts.toLocaleString("en-US")} of ${summary.invocations.toLocaleString("en-US")} invocations were cold starts (${percent(summary.coldStartRatio)})`;
  const created = result.environments.length;
  return (
    `With ${traffic} for ${formatNumber(hours)} hours, ${share}. ` +
    `${created.toLocaleString("en-US")} environment${created === 1 ? " was" : "s were"} created, and at most ${summary.peakConcurrency} ${summary.peakConcurrency === 1 ? "was" : "were"} needed at the same moment.`
  );
}

export function percent(ratio: number): string {
  const p = ratio * 100;
  if (p === 0 || p >= 10) return `${Math.round(p)}%`;
  return `${p.toFixed(1)}%`;
}

function formatNumber(n: number): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: n < 10 ? 1 : 0 });
}

/** The figures shown beside the chart, in order; the build and the browser fill the same list. */
export function statsOf(result: ColdStartsResult): Array<{ key: string; label: string; value: string }> {
  const { summary } = result;
  const ran = summary.invocations > 0;
  return [
    { key: "requests", label: "Requests", value: summary.requests.toLocaleString("en-US") },
    { key: "cold", label: "Cold starts", value: summary.coldStarts.toLocaleString("en-US") },
    { key: "ratio", label: "Cold share", value: ran ? percent(summary.coldStartRatio) : "–" },
    { key: "environments", label: "Environments created", value: result.environments.length.toLocaleString("en-US") },
    { key: "peak", label: "Needed at once", value: summary.peakConcurrency.toLocaleString("en-US") },
    { key: "p99", label: "Slowest 1% waited", value: ran ? `${Math.round(summary.latencyMs.p99).toLocaleString("en-US")} ms or more` : "–" },
  ];
}
