/**
 * The "cold-starts" lesson widget's model: requests arrive at random (a Poisson process, optionally in bursts) at a
 * function whose handler takes a fixed time, and the same simulator the exercises use decides which invocations are
 * cold. No learner code and no DOM: the build runs it for the static page, the browser reruns it when a knob moves.
 * Facts and simplifications: ../shared/lambda-model.md §1 (lifecycle, idle recycling) and §3 (one request per environment).
 */
import { Prng } from "../../runtime/prng.ts";
import { Simulation, type SyncResult } from "../../runtime/simulation.ts";
import type { CodeInstance, CodeOutcome, EnvironmentPort, FunctionCode } from "../../runtime/types.ts";

/** The arrival rates the rate knob steps through, in arrivals per minute (quiet to busy). */
export const RATES_PER_MINUTE = [1 / 20, 1 / 15, 1 / 10, 1 / 7, 1 / 5, 1 / 3, 1 / 2, 1, 2, 5, 10, 30, 60] as const;
/** How many requests arrive together: 1 is steady traffic, more is a burst that needs that many environments at once. */
export const BURST_SIZES = [1, 5, 10] as const;

export interface ColdStartsInput {
  /** Mean arrivals per minute (random gaps, a Poisson process). */
  ratePerMinute: number;
  /** Requests per arrival, all at the same instant. */
  burst: number;
  seed?: number;
  /** Virtual time simulated, default 2 h. */
  windowMs?: number;
  /** What the handler spends per request, default 120 ms. */
  handlerMs?: number;
  /** What the module's top level spends during INIT (on top of the platform's part), default 200 ms. */
  moduleInitMs?: number;
  /** SIMPLIFICATION (lambda-model.md §1): idle time after which an environment is recycled, default 10 min. */
  idleExpiryMs?: number;
}

/** One execution environment's life, for the chart: from its cold start until it was recycled (or the window ended). */
export interface EnvironmentSpan {
  id: string;
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
  /** SIMPLIFICATION: the platform's part of a cold start, ms. */
  initPlatformMs: number;
  requests: number;
  coldStarts: number;
  warmStarts: number;
  throttles: number;
  /** coldStarts / invocations (0 when nothing ran). */
  coldRatio: number;
  /** Most environments alive (busy, initialising or idle) at once. */
  peakEnvironments: number;
  /** Most invocations running (or initialising) at once: the concurrency the traffic needed. */
  peakConcurrency: number;
  /** Environments created over the window. */
  environments: EnvironmentSpan[];
  lanes: number;
  /** Mean latency a caller waited, cold and warm, ms (the function's part only). */
  meanColdMs: number;
  meanWarmMs: number;
}

const DEFAULTS = { seed: 7, windowMs: 2 * 3_600_000, handlerMs: 120, moduleInitMs: 200, idleExpiryMs: 600_000 } as const;

const SUCCESS: CodeOutcome = { kind: "success", response: "null" };

/** Host-side code: INIT and every handler call take a fixed virtual time; the end of each environment is noted. */
class FixedCode implements FunctionCode {
  readonly ended = new Map<string, number>();
  private readonly initMs: number;
  private readonly handlerMs: number;
  constructor(initMs: number, handlerMs: number) {
    this.initMs = initMs;
    this.handlerMs = handlerMs;
  }
  createInstance(port: EnvironmentPort): CodeInstance {
    const { initMs, handlerMs, ended } = this;
    return {
      init: (_deadline, done) => port.defer(initMs, () => done(SUCCESS)),
      invoke: (_event, _context, _deadline, done) => port.defer(handlerMs, () => done(SUCCESS)),
      abort: () => {},
      dispose: () => void ended.set(port.envId, port.now()),
      memoryUsedMB: () => 80,
    };
  }
}

export function simulateColdStarts(options: ColdStartsInput): ColdStartsResult {
  const input: Required<ColdStartsInput> = { ...DEFAULTS, ...options };
  if (!(input.ratePerMinute > 0) || !(input.burst >= 1)) throw new RangeError("ratePerMinute must be > 0 and burst >= 1");
  const sim = new Simulation({ seed: input.seed, recordLogs: false, recordTrace: false, model: { idleExpiryMs: input.idleExpiryMs } });
  const code = new FixedCode(input.moduleInitMs, input.handlerMs);
  sim.deploy({ name: "widget", memoryMB: 512, timeoutMs: 3_000 }, code);

  const spans = new Map<string, EnvironmentSpan>();
  let cold = 0;
  let warm = 0;
  let throttles = 0;
  let coldMs = 0;
  let warmMs = 0;
  const busy: Array<readonly [number, number]> = [];
  const listener = {
    onResult: (r: SyncResult) => {
      const { record } = r;
      if (r.statusCode !== 200 || record.envId === null) {
        throttles++;
        return;
      }
      const latency = record.endedAt - record.startedAt;
      busy.push([record.startedAt, 1], [record.endedAt, -1]);
      if (record.cold) {
        cold++;
        coldMs += latency;
        spans.set(record.envId, { id: record.envId, lane: 0, createdAt: record.startedAt, endedAt: input.windowMs, recycled: false, warmStarts: [] });
      } else {
        warm++;
        warmMs += latency;
        spans.get(record.envId)?.warmStarts.push(record.startedAt);
      }
    },
  };

  // Poisson arrivals of bursts: exponential gaps with the mean that gives the requested rate of requests.
  const arrivals = new Prng(`${input.seed}:arrivals`);
  const meanGapMs = 60_000 / input.ratePerMinute;
  const payload = "{}";
  let requests = 0;
  const arrive = () => {
    for (let i = 0; i < input.burst; i++) sim.arrive("widget", "sync", payload, listener);
    requests += input.burst;
    const next = sim.now - meanGapMs * Math.log(1 - arrivals.next());
    if (next < input.windowMs) sim.at(next, arrive);
  };
  const first = -meanGapMs * Math.log(1 - arrivals.next());
  if (first < input.windowMs) sim.at(first, arrive);

  sim.run({ until: input.windowMs });
  for (const [id, end] of code.ended) {
    const span = spans.get(id);
    if (span && end <= input.windowMs) {
      span.endedAt = end;
      span.recycled = true;
    }
  }

  const environments = [...spans.values()].sort((a, b) => a.createdAt - b.createdAt || compareIds(a.id, b.id));
  const laneEnds: number[] = [];
  for (const span of environments) {
    let lane = laneEnds.findIndex((end) => end <= span.createdAt);
    if (lane < 0) lane = laneEnds.push(0) - 1;
    laneEnds[lane] = span.endedAt;
    span.lane = lane;
  }
  const invocations = cold + warm;
  return {
    input,
    initPlatformMs: sim.model.initPlatformMs,
    requests,
    coldStarts: cold,
    warmStarts: warm,
    throttles,
    coldRatio: invocations === 0 ? 0 : cold / invocations,
    peakEnvironments: peakOverlap(environments.flatMap((e) => [[e.createdAt, 1] as const, [e.endedAt, -1] as const])),
    peakConcurrency: peakOverlap(busy),
    environments,
    lanes: laneEnds.length,
    meanColdMs: cold === 0 ? 0 : coldMs / cold,
    meanWarmMs: warm === 0 ? 0 : warmMs / warm,
  };
}

/** The largest number of intervals open at one instant, from [time, +1 | -1] points (an end at t frees a start at t). */
function peakOverlap(points: Array<readonly [number, number]>): number {
  points.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let alive = 0;
  let peak = 0;
  for (const [, delta] of points) {
    alive += delta;
    peak = Math.max(peak, alive);
  }
  return peak;
}

function compareIds(a: string, b: string): number {
  return Number(a.slice(4)) - Number(b.slice(4));
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
  const { input } = result;
  const hours = input.windowMs / 3_600_000;
  const invocations = result.coldStarts + result.warmStarts;
  const traffic = input.burst === 1 ? `requests arriving ${describeRate(input.ratePerMinute)}` : `bursts of ${input.burst} requests arriving ${describeRate(input.ratePerMinute)}`;
  const share = invocations === 0 ? "no request arrived" : `${result.coldStarts.toLocaleString("en-US")} of ${invocations.toLocaleString("en-US")} invocations were cold starts (${percent(result.coldRatio)})`;
  const created = result.environments.length;
  return (
    `With ${traffic} for ${formatNumber(hours)} hours, ${share}. ` +
    `${created.toLocaleString("en-US")} environment${created === 1 ? " was" : "s were"} created, and at most ${result.peakConcurrency} ${result.peakConcurrency === 1 ? "was" : "were"} needed at the same moment.`
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
  const invocations = result.coldStarts + result.warmStarts;
  return [
    { key: "requests", label: "Requests", value: result.requests.toLocaleString("en-US") },
    { key: "cold", label: "Cold starts", value: result.coldStarts.toLocaleString("en-US") },
    { key: "ratio", label: "Cold share", value: invocations === 0 ? "–" : percent(result.coldRatio) },
    { key: "environments", label: "Environments created", value: result.environments.length.toLocaleString("en-US") },
    { key: "peak", label: "Needed at once", value: result.peakConcurrency.toLocaleString("en-US") },
    { key: "latency", label: "Wait: cold / warm", value: invocations === 0 ? "–" : `${Math.round(result.meanColdMs)} / ${result.warmStarts === 0 ? "–" : Math.round(result.meanWarmMs)} ms` },
  ];
}
