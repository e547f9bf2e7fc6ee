/**
 * The simulated Lambda service: functions, execution environments, concurrency, sync invocation, billing, logs and
 * the trace. Pure and deterministic: a virtual clock, an event queue and a seeded generator. The Simulation
 * coordinates; Lambda's async queue (async-queue.ts), provisioned concurrency (provisioned.ts), calls from handler
 * code (code-calls.ts) and the concurrency rules (concurrency.ts) live in their own files.
 * Section numbers refer to ../shared/lambda-model.md.
 */
import {
  AccountConfigSchema,
  FunctionConfigSchema,
  LAMBDA_FACTS,
  ModelSettingsSchema,
  cpuSpeedFactor,
  type AccountConfig,
  type FunctionConfig,
  type FunctionConfigInput,
  type ModelSettings,
  type ModelSettingsInput,
} from "./config.ts";
import { AsyncQueue } from "./async-queue.ts";
import { CodeCalls, type SdkRetry } from "./code-calls.ts";
import { concurrencyThrottle } from "./concurrency.ts";
import { DestinationRouter, type DestinationTargets } from "./destinations.ts";
import { EventQueue } from "./event-queue.ts";
import { formatLogTime, logStreamName, reportLine } from "./logs.ts";
import { RunAggregates } from "./aggregates.ts";
import { MetricSeries, type MetricBucket, type MetricSeriesOptions } from "./metrics.ts";
import { insertIdle, removeIdle, takeIdle } from "./environments.ts";
import { dropEmptyIdle, idleListFor, idleOf, tenantRefusal } from "./tenants.ts";
import { sizeOver, utf8Length } from "./payload.ts";
import { Prng, uuidOf } from "./prng.ts";
import { ProvisionedConcurrency, provisionedCharge, type ProvisionedCharge } from "./provisioned.ts";
import { LambdaBill } from "./pricing.ts";
import { newRecord, reuseRecord, syncResultOf, withIds } from "./records.ts";
import { TmpStore, type TmpBudget } from "./tmp.ts";
import type { AsyncEvent, EnvState, Environment, FunctionState, Running } from "./state.ts";
import { RECURSION_ERROR, healthNotice, loopStops, nextHop, recursionReason, type Chain } from "./recursion.ts";
import type { SimplificationKey } from "./simplifications.ts";
import {
  AccountBurst,
  DeploymentError,
  ScalingBucket,
  accountRateQuota,
  accountRateThrottle,
  provisionedRateCap,
  provisionedRateThrottle,
  rateCapThrottle,
  requestRateCap,
  reservationError,
  scalingThrottle,
  type RequestRateCap,
  type Throttle,
} from "./scaling.ts";
import type { InvocationOutcome, InvocationRecord, LogLine, MetricPoint, PlatformEvent, ShutdownCause, Totals } from "./trace.ts";
import type { CodeOutcome, EnvironmentPort, FunctionCode, JsonText, ServiceDispatcher } from "./types.ts";

export interface SimulationOptions {
  seed?: number | string;
  account?: Partial<AccountConfig>;
  model?: ModelSettingsInput;
  services?: ServiceDispatcher;
  /** Keep log lines (default true). Benchmarks turn it off. */
  recordLogs?: boolean;
  /** Keep one record per invocation (default true). */
  recordTrace?: boolean;
  /** Epoch ms that virtual time 0 stands for. */
  epochMs?: number;
  /** Keep metrics as a time series of fixed-width buckets for charts (metrics.ts); off by default. */
  metricSeries?: MetricSeriesOptions;
  /** The queues, topics, buses and buckets that receive async destination records (§6); none by default. */
  destinations?: DestinationTargets;
}

/** What a synchronous caller gets back (lambda-model.md §3, §5, §8). */
export interface SyncResult {
  statusCode: number;
  /** "Unhandled" when the function failed: the HTTP status is still 200 (§8). */
  functionError: "Unhandled" | null;
  /** Response body: the handler's JSON result, or an error document. */
  payload: JsonText;
  record: InvocationRecord;
}

export interface InvokeOptions {
  /** Virtual time of the request; defaults to now. */
  at?: number;
  /** For sync invokes: receives the caller's result. */
  onResult?: (result: SyncResult) => void;
  /** For async invokes: deliver the same event this many times (Lambda's queue can duplicate events, §6). */
  deliveries?: number;
  /** Delay of each duplicate delivery after the previous one. */
  duplicateDelayMs?: number;
  /**
   * The chain of the message that caused this request (the chain of the invocation that sent it), for recursive loop
   * detection (§3). The request is one hop further down that chain; without it, the request starts a new chain.
   */
  chain?: Chain | null;
  /**
   * Who sends the request: a "client" (the default: a program calling Invoke, handler code included) or an
   * "aws-service" (a topic, bus rule or bucket notification handing an event on). Async events from AWS services are
   * always accepted; the request rate quota counts the others (§3).
   */
  source?: "client" | "aws-service";
  /**
   * The tenant id the invoke carries (`X-Amz-Tenant-Id`, §11): required by a function with tenant isolation, refused by
   * one without it (InvalidParameterValueException). Undefined or null for none.
   */
  tenantId?: string | null;
}

/** The outcome of a timed handler (CodeInstance.timedInvoke): it returned nothing. */
const TIMED_SUCCESS: CodeOutcome = { kind: "success", response: undefined };
const NOTHING = (): void => {};

const NO_SERVICES: ServiceDispatcher = {
  dispatch(service) {
    return {
      latencyMs: 0,
      complete: () => ({ ok: false, error: { name: "UnknownService", message: `no service named "${service}"` } }),
    };
  },
};

export class Simulation {
  readonly model: ModelSettings;
  readonly account: AccountConfig;
  readonly trace: InvocationRecord[] = [];
  readonly logs: LogLine[] = [];
  readonly metrics: MetricPoint[] = [];
  readonly totals: Totals = {
    requests: 0,
    invocations: 0,
    coldStarts: 0,
    throttles: 0,
    errors: 0,
    timeouts: 0,
    billedMs: 0,
    billedGbSeconds: 0,
    costUsd: 0,
  };
  readonly epochMs: number;
  /** The running bill: the price of each invocation, with the free tier when the model applies it (§9). */
  readonly bill: LambdaBill;
  /** The occasional simplifications this run depended on (reports name them). */
  readonly simplificationsUsed = new Set<SimplificationKey>();
  /** Async outcomes sent to destinations and dead-letter queues, with the counts of refused ones (§6). */
  readonly destinations: DestinationRouter;
  /** CloudWatch `RecursiveInvocationsDropped`: invocations stopped by recursive loop detection (§3). */
  recursiveInvocationsDropped = 0;
  /** The platform's events outside invocations: SHUTDOWNs, failed provisioned INITs, Health Dashboard notices. */
  readonly platformEvents: PlatformEvent[] = [];
  /** Health Dashboard notices sent about recursive loops stopped (§3): one per function. */
  healthNotices = 0;
  /** Provisioned environments whose INIT failed or timed out: Lambda could not make them ready (§1). */
  readonly provisionedInitFailures: Array<{ t: number; functionName: string; envId: string; reason: string }> = [];
  /** Whole-run figures kept whatever is recorded: means, peaks, latency percentiles (see aggregates.ts). */
  readonly aggregates = new RunAggregates();
  /** The bucketed time series for charts, when asked for (SimulationOptions.metricSeries), else null. */
  readonly series: MetricSeries | null;
  /** End of the series' open bucket (Infinity without a series): the run loop closes buckets when it gets there. */
  private seriesBoundary = Infinity;
  /** Async events accepted and waiting to run, tracked only for the series (queue depth, age of the oldest). */
  private readonly waitingAsync: Set<AsyncEvent> | null;

  private queue = new EventQueue();
  /** The arrival process of `arrivals()`: when it fires next (Infinity for none) and what it runs. */
  private nextArrivalAt = Infinity;
  private arrivalFire: () => number = () => Infinity;
  private clock = 0;
  private readonly prng: Prng;
  private readonly functions = new Map<string, FunctionState>();
  /** The Map's values in its iteration order, for the admission sums on the hot path (no iterator per request). */
  private readonly functionList: FunctionState[] = [];
  private readonly services: ServiceDispatcher;
  /** True while shutdown() ends the environments. */
  private stopping = false;
  private readonly recordLogs: boolean;
  private readonly recordTrace: boolean;
  private accountInUse = 0;
  /** The Region's request rate quota (§3), or null when the model turns it off or applies it per function. */
  private readonly accountRate: RequestRateCap | null;
  /** The pre-2023 account-level scaling rule (§3), or null under the current per-function one. */
  private readonly burst: AccountBurst | null;
  private readonly healthNotified = new Set<string>();
  /** model.provisionedHoldsConcurrency, read on every admission. */
  private readonly holdsProvisioned: boolean;
  /** Host memory held by the `/tmp` files of all environments (a workbook safety limit, tmp.ts). */
  private readonly tmpBudget: TmpBudget = { usedBytes: 0, onFull: () => this.simplificationsUsed.add("tmp-full-error") };
  private liveEnvironments = 0;
  private envCounter = 0;
  private eventCounter = 0;
  private recordCounter = 0;
  /** Lambda's queue of async events (§6). */
  private readonly asyncQueue: AsyncQueue;
  /** Provisioned environments: readied ahead of traffic and recycled (§1, §3). */
  private readonly provisioned: ProvisionedConcurrency;
  /** Service calls and `lambda.invoke` from handler code. */
  private readonly codeCalls: CodeCalls;

  constructor(options: SimulationOptions = {}) {
    this.model = ModelSettingsSchema.parse(options.model ?? {});
    this.account = AccountConfigSchema.parse(options.account ?? {});
    this.prng = new Prng(options.seed ?? 1);
    this.services = options.services ?? NO_SERVICES;
    this.recordLogs = options.recordLogs ?? true;
    this.recordTrace = options.recordTrace ?? true;
    this.epochMs = options.epochMs ?? Date.UTC(2026, 0, 1);
    this.bill = new LambdaBill(this.model.pricing.applyFreeTier, this.epochMs);
    const model = this.model;
    this.accountRate = accountRateQuota(model.requestsPerSecondPerConcurrency, model.requestRateQuota, this.account);
    this.burst = model.scalingRule === "pre-2023" ? new AccountBurst(model.burstConcurrency, model.burstGrowthPerMinute) : null;
    this.holdsProvisioned = model.provisionedHoldsConcurrency;
    if (this.burst !== null) this.simplificationsUsed.add("pre-2023-scaling");
    const sim = this;
    this.waitingAsync = options.metricSeries ? new Set() : null;
    this.series = options.metricSeries
      ? new MetricSeries(options.metricSeries, { totals: this.totals, aggregates: this.aggregates, waitingAsync: this.waitingAsync!, queues: (t) => this.services.queueGauges?.(t) ?? {} })
      : null;
    this.seriesBoundary = this.series?.nextBoundary ?? Infinity;
    this.destinations = new DestinationRouter(
      {
        get now() {
          return sim.clock;
        },
        epochMs: this.epochMs,
        invokeFunction: (name, body, chain) => this.asyncQueue.invokeDestination(name, body, chain),
      },
      options.destinations ?? null,
      this.recordTrace,
      utf8Length,
    );
    this.asyncQueue = new AsyncQueue({
      get now() {
        return sim.clock;
      },
      model: this.model,
      prng: this.prng,
      totals: this.totals,
      aggregates: this.aggregates,
      simplificationsUsed: this.simplificationsUsed,
      destinations: this.destinations,
      waitingAsync: this.waitingAsync,
      fn: (name) => this.fn(name),
      find: (name) => this.functions.get(name),
      nextEventNum: () => ++this.eventCounter,
      at: (time, run) => this.at(time, run),
      record: (fn, requestId, eventId, attempt, delivery, outcome, previousAttempt, event) =>
        this.bareRecord(fn, requestId, "async", eventId, attempt, delivery, outcome, previousAttempt, event),
      push: (record) => this.pushRecord(record),
      stopLoop: (fn, requestId, mode, eventId, payload, chain) => this.stopLoop(fn, requestId, mode, eventId, payload, chain),
      admission: (fn, tenantId) => this.admission(fn, tenantId),
      rateThrottle: (fn) => this.rateThrottle(fn, false),
      start: (fn, e) =>
        this.start(fn, e.requestId, e.eventId, "async", e.attempt, e.delivery, e.payload, e.previousAttempt, undefined, e, e.chain, 0, 0, 0, 0, 0, e.tenantId),
    });
    this.provisioned = new ProvisionedConcurrency({
      get now() {
        return sim.clock;
      },
      model: this.model,
      initFailures: this.provisionedInitFailures,
      schedule: (time, run) => this.queue.schedule(time, run),
      events: this.recordTrace ? this.platformEvents : null,
      createEnvironment: (fn, provisioned) => this.createEnvironment(fn, provisioned, null),
      park: (env) => this.park(env),
      destroy: (env, cause) => this.destroy(env, cause),
      retireWhenDone: (env, cause) => this.retireWhenDone(env, cause),
      sampleMetrics: () => this.sampleMetrics(),
      pumpAsync: (fn) => this.asyncQueue.pump(fn),
    });
    this.codeCalls = new CodeCalls({
      get now() {
        return sim.clock;
      },
      services: this.services,
      schedule: (time, run) => this.queue.schedule(time, run),
      deferFor: (env, delayMs, run) => this.deferFor(env, delayMs, run),
      isDeployed: (name) => this.functions.has(name),
      arrive: (name, payload, options) => this.arrive(name, "sync", payload, options),
      functionConfig: (name) => this.fn(name).config,
      acceptAsync: (name, payload, from, tenantId) => this.asyncQueue.accept(name, payload, 1, 0, from ? nextHop(from) : null, false, tenantId),
      sdkRetries: this.model.sdkRetries,
      retryPrng: new Prng(`${options.seed ?? 1}:sdk-retries`),
      noteRetry: () => this.simplificationsUsed.add("sdk-retries"),
    });
  }

  get now(): number {
    return this.clock;
  }

  /** The retries the AWS SDK made for handler code's calls (§4), in order. */
  get sdkRetries(): readonly SdkRetry[] {
    return this.codeCalls.retries;
  }

  /**
   * Creates a function, or deploys a new version of it (new code and configuration). Environments are never shared
   * across versions (§11): the old version's idle and provisioned environments shut down at once, its busy ones when
   * their invocation ends; the function keeps its scaling rate, its queued async events and its running count.
   * Tenant isolation can only be set when the function is created (§11): a redeploy that changes it is refused.
   */
  deploy(config: FunctionConfigInput, code: FunctionCode): FunctionConfig {
    const parsed = FunctionConfigSchema.parse(config);
    let othersReserved = 0;
    for (const f of this.functionList) if (f.config.name !== parsed.name) othersReserved += f.config.reservedConcurrency ?? 0;
    // Provisioned concurrency without a reservation is taken from the unreserved pool too, within the same minimum.
    const claimed = parsed.reservedConcurrency ?? (parsed.provisionedConcurrency > 0 ? parsed.provisionedConcurrency : null);
    const refused = reservationError(parsed.name, claimed, othersReserved, this.account);
    if (refused) throw new DeploymentError(refused);
    const model = this.model;
    const rateCap = requestRateCap(model.requestsPerSecondPerConcurrency, model.requestRateQuota, parsed.reservedConcurrency, this.account);
    const provisionedRate = provisionedRateCap(parsed.provisionedConcurrency, LAMBDA_FACTS.provisionedRequestsPerSecondPerConcurrency);
    let state = this.functions.get(parsed.name);
    if (state && state.config.tenantIsolation !== parsed.tenantIsolation) {
      throw new DeploymentError(
        `${parsed.name} was created ${state.config.tenantIsolation ? "with" : "without"} tenant isolation mode, which can only be set when a function is created (lambda-model.md §11): create a new function to ${parsed.tenantIsolation ? "use" : "leave"} it`,
      );
    }
    if (state) {
      this.retireVersion(state);
      state.config = parsed;
      state.code = code;
      state.deployedAt = this.clock;
      state.version++;
      state.rateCap = rateCap;
      state.provisionedRate = provisionedRate;
    } else {
      state = {
        config: parsed,
        code,
        environments: [],
        idle: [],
        tenantIdle: parsed.tenantIsolation ? new Map() : null,
        provisionedIdle: [],
        deployedAt: this.clock,
        started: 0,
        recyclePaused: [],
        inUse: 0,
        provisionedBusy: 0,
        initRetriesPaused: 0,
        version: 1,
        asyncQueue: [],
        arn: `arn:aws:lambda:us-east-1:123456789012:function:${parsed.name}`,
        logGroupName: `/aws/lambda/${parsed.name}`,
        scaling: new ScalingBucket(model.scalingBucketSize, model.scalingRefillPerMs, this.clock),
        rateCap,
        provisionedRate,
      };
      this.functionList.push(state);
      this.functions.set(parsed.name, state);
    }
    if (parsed.provisionedConcurrency > 0) this.simplificationsUsed.add("provisioned-concurrency");
    if (parsed.tenantIsolation) this.simplificationsUsed.add("tenant-isolation");
    for (let i = 0; i < parsed.provisionedConcurrency; i++) this.provisioned.prewarm(state, null);
    return parsed;
  }

  /** A new version is deployed: the old one's environments shut down, now if idle or readying, else when done. */
  private retireVersion(fn: FunctionState): void {
    // A copy: destroy() removes the environment from the list being walked.
    for (const env of [...fn.environments]) {
      if (env.state === "idle" || (env.state === "init" && env.current === null)) this.destroy(env, "redeploy");
      else this.retireWhenDone(env, "redeploy");
    }
    fn.recyclePaused = [];
    fn.initRetriesPaused = 0;
  }

  private retireWhenDone(env: Environment, cause: ShutdownCause): void {
    if (env.retireWhenDone) return;
    env.retireWhenDone = true;
    env.retireCause = cause;
  }

  functionConfig(name: string): FunctionConfig {
    return this.fn(name).config;
  }

  /** Live environments of a function (busy, initialising or idle), oldest first. */
  environmentsOf(name: string): ReadonlyArray<{ id: string; state: EnvState; createdAt: number; provisioned: boolean; tenantId: string | null }> {
    return this.fn(name).environments.filter((e) => e.state !== "dead");
  }

  /** The standing charge of a function's provisioned concurrency from its deployment until now (§9). */
  provisionedChargeOf(name: string): ProvisionedCharge {
    const fn = this.fn(name);
    return provisionedCharge(fn.config.provisionedConcurrency, fn.config.memoryMB, fn.deployedAt, this.clock, this.model.provisionedPricePerGbSecondUsd);
  }

  /** Schedules `fn` at virtual time `at` (scenario steps use this). */
  at(time: number, run: () => void): void {
    this.queue.schedule(Math.max(time, this.clock), run);
  }

  /**
   * Drives an arrival process (a workload's traffic) without a queue event per arrival: `fire` runs at `first` and
   * returns the next arrival time, and so on until it returns Infinity. An arrival runs after every queued event due
   * at its instant, so that completions and idle expiries come before arrivals (DESIGN.md § The `simulate` command).
   * One process per simulation; a new one replaces the old.
   */
  arrivals(first: number, fire: () => number): void {
    this.arrivalFire = fire;
    this.nextArrivalAt = Math.max(first, this.clock);
  }

  /** Invokes a function: "sync" (RequestResponse) or "async" (Event). The event is any JSON value. */
  invoke(name: string, mode: "sync" | "async", event: unknown, options: InvokeOptions = {}): void {
    const payload = JSON.stringify(event ?? null);
    this.at(options.at ?? this.clock, () => this.arrive(name, mode, payload, options));
  }

  /**
   * A request arrives now, inside the event that is running (an arrival process's own event), with its payload
   * already serialised: no queue hop and no JSON.stringify per request. `invoke()` queues the request instead, so
   * that it runs after the events already due at its instant; `options.at` is ignored here.
   */
  arrive(name: string, mode: "sync" | "async", payload: JsonText, options: InvokeOptions = {}): void {
    const from = options.chain;
    const chain = from ? nextHop(from) : null;
    const tenantId = options.tenantId ?? null;
    if (mode === "sync") this.arriveSync(name, payload, options.onResult, chain, tenantId);
    else this.asyncQueue.accept(name, payload, options.deliveries ?? 1, options.duplicateDelayMs ?? 0, chain, options.source === "aws-service", tenantId);
  }

  /**
   * Recycles a function's environments now, as Lambda may at any time (§1): idle ones go at once, busy ones when
   * their invocation ends. Scenarios use it to show that module state cannot be relied on.
   */
  recycle(name: string): void {
    const fn = this.fn(name);
    // A copy: destroy() removes the environment from the list being walked.
    for (const env of [...fn.environments]) {
      if (env.state === "dead") continue;
      if (env.state === "idle") this.destroy(env, "recycled");
      else this.retireWhenDone(env, "recycled");
      // Lambda keeps the configured provisioned concurrency ready: a lost provisioned environment is initialised anew.
      if (env.provisioned && env.config === fn.config) this.provisioned.prewarm(fn, null);
    }
  }

  /** Ends every environment and frees its code (the end of a scenario: QuickJS runtimes are released). */
  shutdown(): void {
    // The environments still exist when a scenario stops, so the connections they hold stay open in its results.
    this.stopping = true;
    for (const fn of this.functions.values()) for (const env of [...fn.environments]) this.destroy(env, null);
    this.stopping = false;
    this.queue = new EventQueue();
    this.nextArrivalAt = Infinity;
  }

  /** Runs events until none is left or virtual time would pass `until`. Returns the number of events run. */
  run(options: { until?: number; maxEvents?: number } = {}): number {
    const until = options.until ?? Infinity;
    const maxEvents = options.maxEvents ?? Infinity;
    let count = 0;
    // `this.queue` is read again for every event: shutdown() (from an event) replaces it.
    while (count < maxEvents) {
      const queue = this.queue;
      const next = queue.peekTime();
      const arrival = this.nextArrivalAt;
      if (arrival < next) {
        if (arrival > until) break;
        this.clock = arrival;
        if (arrival >= this.seriesBoundary) this.advanceSeries();
        this.nextArrivalAt = Infinity;
        this.nextArrivalAt = Math.max(this.arrivalFire(), arrival);
        count++;
        continue;
      }
      if (next > until || next === Infinity) break;
      const run = queue.take();
      this.clock = queue.takenTime;
      if (this.clock >= this.seriesBoundary) this.advanceSeries();
      run();
      count++;
    }
    if (until !== Infinity && this.clock < until && Math.min(this.queue.peekTime(), this.nextArrivalAt) > until) this.clock = until;
    return count;
  }

  /** The metric series' buckets up to now, the open one included ([] without a series). */
  metricBuckets(): MetricBucket[] {
    return this.series?.snapshot(this.clock) ?? [];
  }

  private advanceSeries(): void {
    const series = this.series!;
    series.advance(this.clock);
    this.seriesBoundary = series.nextBoundary;
  }

  // ---- synchronous invocation (§3, §5, §8) ----

  private arriveSync(name: string, payload: JsonText, onResult: ((r: SyncResult) => void) | undefined, chain: Chain | null, tenantId: string | null): void {
    const fn = this.fn(name);
    this.totals.requests++;
    // The request id's numbers are drawn now; its text is built only if something reads it (most runs never do).
    const prng = this.prng;
    const w0 = prng.nextUint32();
    const w1 = prng.nextUint32();
    const w2 = prng.nextUint32();
    const w3 = prng.nextUint32();
    const eventNum = ++this.eventCounter;
    const size = sizeOver(payload, LAMBDA_FACTS.syncRequestLimitBytes);
    if (size > 0) {
      this.aggregates.rejectedRequests++;
      const record = this.bareRecord(fn, uuidOf(w0, w1, w2, w3), "sync", `req-${eventNum}`, 1, 1, "rejected", null, payload);
      record.reason = `the ${size.toLocaleString("en-US")}-byte request is larger than the 6 MB (6,291,456-byte) limit of a synchronous invoke`;
      record.error = { errorType: "RequestTooLargeException", errorMessage: "Request must be smaller than 6291456 bytes for the InvokeFunction operation" };
      this.pushRecord(record);
      onResult?.({ statusCode: 413, functionError: null, payload: JSON.stringify({ message: record.error.errorMessage, Type: "User" }), record });
      return;
    }
    // Tenant isolation (§11): the tenant id must fit the function (checked only when either side has one).
    if (tenantId !== null || fn.tenantIdle !== null) {
      const refused = tenantRefusal(fn.config, tenantId);
      if (refused !== null) {
        this.aggregates.rejectedRequests++;
        const record = this.bareRecord(fn, uuidOf(w0, w1, w2, w3), "sync", `req-${eventNum}`, 1, 1, "rejected", null, payload);
        record.tenantId = tenantId;
        record.reason = refused.reason;
        record.error = { errorType: refused.errorType, errorMessage: refused.errorMessage };
        this.pushRecord(record);
        onResult?.({ statusCode: refused.statusCode, functionError: null, payload: JSON.stringify({ Type: "User", message: refused.errorMessage }), record });
        return;
      }
    }
    if (chain !== null && loopStops(chain, fn.config.recursiveLoop)) {
      const record = this.stopLoop(fn, uuidOf(w0, w1, w2, w3), "sync", `req-${eventNum}`, payload, chain);
      this.pushRecord(record);
      onResult?.({ statusCode: 400, functionError: null, payload: JSON.stringify({ Type: "User", message: RECURSION_ERROR.errorMessage }), record });
      return;
    }
    const throttle = this.rateThrottle(fn, true) ?? this.admission(fn, tenantId);
    if (throttle) {
      this.totals.throttles++;
      if (!this.recordTrace && !onResult) {
        // Nobody reads the record: only its number is taken, so that later records keep theirs.
        this.recordCounter++;
        return;
      }
      const record = this.bareRecord(fn, uuidOf(w0, w1, w2, w3), "sync", `req-${eventNum}`, 1, 1, "throttled", null, payload);
      record.tenantId = tenantId;
      record.reason = throttle.reason;
      record.error = { errorType: "TooManyRequestsException", errorMessage: "Rate Exceeded." };
      this.pushRecord(record);
      onResult?.({
        statusCode: 429,
        functionError: null,
        payload: JSON.stringify({ Reason: throttle.code, Type: "User", message: "Rate Exceeded." }),
        record,
      });
      return;
    }
    this.start(fn, "", "", "sync", 1, 1, payload, null, onResult, null, chain, w0, w1, w2, w3, eventNum, tenantId);
  }

  /**
   * Recursive loop detection stops an invocation (§3): counted in RecursiveInvocationsDropped. AWS also sends a Health
   * Dashboard notice; the trace shows one per function (SIMPLIFICATION: how often AWS sends them is not documented).
   */
  private stopLoop(fn: FunctionState, requestId: string, mode: "sync" | "async", eventId: string, payload: JsonText, chain: Chain): InvocationRecord {
    this.recursiveInvocationsDropped++;
    const name = fn.config.name;
    if (!this.healthNotified.has(name)) {
      this.healthNotified.add(name);
      this.healthNotices++;
      if (this.recordTrace) this.platformEvents.push({ kind: "health-notice", t: this.clock, functionName: name, chainId: chain.chainId, message: healthNotice(name) });
    }
    const record = this.bareRecord(fn, requestId, mode, eventId, 1, 1, mode === "sync" ? "rejected" : "discarded", null, payload);
    record.chain = chain;
    record.reason = recursionReason(fn.config.name, chain);
    record.error = { ...RECURSION_ERROR };
    return record;
  }

  // ---- concurrency and request rates (§3) ----

  /**
   * The request rate quotas a request meets when it arrives (§3): the Region's (or, as a SIMPLIFICATION, the
   * function's), then the cap of a function with provisioned concurrency. Null when it is within them.
   */
  private rateThrottle(fn: FunctionState, sync: boolean): Throttle | null {
    const now = this.clock;
    const quota = this.accountRate;
    if (quota !== null && !quota.admit(now)) {
      this.simplificationsUsed.add("request-rate-quota");
      return accountRateThrottle(quota, this.model.requestsPerSecondPerConcurrency ?? 10, this.account.concurrencyLimit);
    }
    // The per-function variant (a SIMPLIFICATION) counts sync requests only.
    const rateCap = fn.rateCap;
    if (sync && rateCap !== null && !rateCap.admit(now)) {
      this.simplificationsUsed.add("request-rate-cap");
      return rateCapThrottle(fn.config.name, rateCap, fn.config.reservedConcurrency !== null);
    }
    const provisioned = fn.provisionedRate;
    if (provisioned !== null && !provisioned.admit(now)) {
      this.simplificationsUsed.add("request-rate-quota");
      return provisionedRateThrottle(fn.config.name, provisioned, fn.config.provisionedConcurrency);
    }
    return null;
  }

  /**
   * Whether a request (of `tenantId`, with tenant isolation) may start now; when it may and needs a new environment,
   * the scaling allowance is taken. With isolation only the tenant's own idle environments spare a new one (§11).
   */
  private admission(fn: FunctionState, tenantId: string | null): Throttle | null {
    const provisionedReady = fn.provisionedIdle.length > 0;
    const holds = this.holdsProvisioned;
    // An idle provisioned environment holds its concurrency already: taking it needs no more.
    if (!(provisionedReady && holds)) {
      const limited = concurrencyThrottle(fn, this.functionList, this.accountInUse, this.account, holds);
      if (limited) return limited;
    }
    if (!provisionedReady && (fn.tenantIdle === null ? fn.idle.length === 0 : (idleOf(fn, tenantId)?.length ?? 0) === 0)) {
      const burst = this.burst;
      if (burst !== null) {
        if (!burst.admit(this.clock, this.accountInUse)) return burst.throttle(fn.config.name, this.clock);
      } else if (!fn.scaling.take(this.clock)) {
        this.simplificationsUsed.add("scaling-throttle-reason");
        return scalingThrottle(fn.config.name);
      }
    }
    return null;
  }

  // ---- environments and the invocation lifecycle (§1, §4, §8) ----

  private start(
    fn: FunctionState,
    requestId: string,
    eventId: string,
    mode: "sync" | "async",
    attempt: number,
    delivery: number,
    payload: JsonText,
    previousAttempt: number | null,
    onResult: ((result: SyncResult) => void) | undefined,
    asyncEvent: AsyncEvent | null,
    chain: Chain | null,
    w0: number,
    w1: number,
    w2: number,
    w3: number,
    eventNum: number,
    tenantId: string | null,
  ): void {
    const env = this.takeEnvironment(fn, tenantId);
    if (fn.recyclePaused.length > 0 || fn.initRetriesPaused > 0) this.provisioned.resume(fn);
    fn.started++;
    const spare = env.spare;
    let running: Running;
    if (spare !== null && onResult === undefined && asyncEvent === null && !this.recordTrace) {
      // Nobody will read this invocation's record either: the environment's last ones are reused.
      env.spare = null;
      running = spare;
      reuseRecord(running.record, this.recordCounter++, this.clock, fn, requestId, mode, eventId, attempt, delivery, "success", previousAttempt, payload);
      running.payload = payload;
      running.deadline = Infinity;
      running.finished = false;
      running.initFailed = false;
      running.startLogged = false;
      running.onResult = undefined;
      running.asyncEvent = null;
      running.w0 = w0;
      running.w1 = w1;
      running.w2 = w2;
      running.w3 = w3;
      running.eventNum = eventNum;
      running.reusable = false;
    } else {
      const fresh = this.bareRecord(fn, requestId, mode, eventId, attempt, delivery, "success", previousAttempt, payload);
      running = { record: fresh, env, payload, deadline: Infinity, finished: false, initFailed: false, startLogged: false, onResult, asyncEvent, w0, w1, w2, w3, eventNum, reusable: false };
    }
    const record = running.record;
    record.chain = chain;
    record.tenantId = tenantId;
    record.envId = env.id;
    record.startedAt = this.clock;
    env.current = running;
    fn.inUse++;
    if (env.provisioned) fn.provisionedBusy++;
    this.accountInUse++;
    this.sampleMetrics();

    if (env.instance) {
      env.state = "busy";
      this.thaw(env);
      this.beginInvoke(running);
      return;
    }
    // INIT: a new environment, or one reset after a crash, timeout or out-of-memory (§1).
    const isNew = env.lastEndedAt < 0;
    record.cold = true;
    record.initKind = isNew ? "new" : "reset";
    env.state = "init";
    this.totals.coldStarts++;
    if (isNew) {
      this.runInit(running, this.clock + LAMBDA_FACTS.initLimitMs, "init");
    } else {
      // A reset environment re-initialises inside the invocation, under the function timeout (§1, observed).
      record.invokeStartedAt = this.clock;
      this.logStart(running);
      this.runInit(running, this.clock + fn.config.timeoutMs, "invoke");
    }
  }

  /**
   * Runs Function init. In the "init" phase (a new environment) the 10 s INIT limit applies and a timed-out INIT is
   * retried during the invocation; in the "invoke" phase (after a reset, or that retry) init counts against the
   * function timeout and its time is part of the invocation's Duration (§1).
   */
  private runInit(running: Running, deadline: number, phase: "init" | "invoke"): void {
    const env = running.env;
    const record = running.record;
    const generation = env.generation;
    const initStart = this.clock;
    let settled = false;
    this.queue.schedule(deadline, () => {
      if (settled || env.generation !== generation) return;
      settled = true;
      env.instance?.abort();
      this.reset(env);
      record.initMs ??= this.clock - initStart;
      if (phase === "init") {
        this.logPlatform(env, withIds(running).requestId, `INIT_REPORT Init Duration: ${(this.clock - initStart).toFixed(2)} ms\tPhase: init\tStatus: timeout`);
        record.invokeStartedAt = this.clock;
        this.logStart(running);
        this.runInit(running, this.clock + env.config.timeoutMs, "invoke");
      } else {
        this.finish(running, { kind: "timeout" });
      }
    });
    this.queue.schedule(this.clock + this.model.initPlatformMs, () => {
      if (settled || env.generation !== generation) return;
      const instance = env.code.createInstance(env.port);
      env.instance = instance;
      instance.init(deadline, (outcome) => {
        if (settled || env.generation !== generation) return;
        settled = true;
        record.initMs ??= this.clock - initStart;
        env.maxMemoryUsedMB = Math.max(env.maxMemoryUsedMB, instance.memoryUsedMB());
        if (outcome.kind !== "success") {
          running.initFailed = true;
          record.invokeStartedAt ??= this.clock;
          this.finish(running, outcome);
          return;
        }
        env.state = "busy";
        // Inside the invocation, the handler keeps the deadline init already counted against.
        this.beginInvoke(running, phase === "invoke" ? deadline : undefined);
      });
    });
  }

  private beginInvoke(running: Running, deadline?: number): void {
    const { env, record } = running;
    const fn = env.fn;
    record.invokeStartedAt ??= this.clock;
    const config = env.config;
    running.deadline = deadline ?? this.clock + config.timeoutMs;
    this.logStart(running);
    const instance = env.instance!;
    // A host-side model that only takes time (timedInvoke): the simulator schedules the end itself, with no
    // callbacks. When it ends before the deadline no timeout can fire, so none is kept for it.
    let timedEnd = -1;
    if (instance.timedInvoke !== undefined) {
      timedEnd = this.clock + Math.max(0, instance.timedInvoke(running.payload));
      if (timedEnd < running.deadline) {
        env.timedRunning = running;
        running.reusable = running.onResult === undefined && running.asyncEvent === null && !this.recordTrace;
        this.queue.schedule(timedEnd, env.endTimed);
        return;
      }
    }
    const generation = env.generation;
    const timeout = env.timeout;
    timeout.time = running.deadline;
    timeout.seq = this.queue.reserveSeq();
    timeout.running = running;
    timeout.generation = generation;
    // Deadlines of one environment only grow (same timeout, later starts), so the armed event is normally earlier.
    if (timeout.armedSeq < 0 || timeout.time < timeout.armedTime) this.armTimeout(env);
    if (timedEnd >= 0) {
      // The timeout ends it first; the end event still takes its place in the queue, as a deferred end does.
      this.queue.schedule(timedEnd, NOTHING);
      return;
    }
    instance.invoke(
      running.payload,
      {
        awsRequestId: withIds(running).requestId,
        functionName: config.name,
        functionVersion: "$LATEST",
        memoryLimitInMB: config.memoryMB,
        invokedFunctionArn: fn.arn,
        logGroupName: fn.logGroupName,
        logStreamName: env.logStream,
        deadlineMs: running.deadline,
        ...(env.tenantId === null ? {} : { tenantId: env.tenantId }),
      },
      running.deadline,
      (outcome) => {
        if (running.finished || env.generation !== generation) return;
        this.finish(running, outcome);
      },
    );
  }

  /** Puts the latest invocation's timeout event on the queue, with the number it took when it began. */
  private armTimeout(env: Environment): void {
    const timeout = env.timeout;
    const seq = timeout.seq;
    timeout.armedSeq = seq;
    timeout.armedTime = timeout.time;
    this.queue.scheduleWithSeq(timeout.time, seq, () => this.timeoutDue(env, seq));
  }

  /** A timeout event: ends the invocation as a timeout if it is still running (§4), or arms a later one. */
  private timeoutDue(env: Environment, seq: number): void {
    const timeout = env.timeout;
    if (timeout.armedSeq === seq) timeout.armedSeq = -1;
    const running = timeout.running;
    if (!running) return;
    if (timeout.seq !== seq) {
      // An earlier invocation's timeout (it has finished): the latest invocation's one is due later.
      if (timeout.armedSeq < 0) this.armTimeout(env);
      return;
    }
    timeout.running = null;
    if (running.finished || env.generation !== timeout.generation) return;
    env.instance?.abort();
    this.finish(running, { kind: "timeout" });
  }

  private finish(running: Running, outcome: CodeOutcome | { kind: "timeout" }): void {
    if (running.finished) return;
    running.finished = true;
    // An invocation whose INIT failed never reached beginInvoke: it still gets its START line (§8).
    this.logStart(running);
    const { env, record } = running;
    const fn = env.fn;
    // The environment's own version: a redeploy may have replaced the function's configuration meanwhile.
    const config = env.config;
    const invokeStart = record.invokeStartedAt ?? this.clock;
    record.endedAt = this.clock;
    record.durationMs = outcome.kind === "timeout" ? Math.min(this.clock - invokeStart, config.timeoutMs) : this.clock - invokeStart;
    if (env.instance) env.maxMemoryUsedMB = Math.max(env.maxMemoryUsedMB, env.instance.memoryUsedMB());
    record.maxMemoryUsedMB = outcome.kind === "oom" ? config.memoryMB : Math.min(config.memoryMB, Math.ceil(env.maxMemoryUsedMB));
    // Billed duration: rounded up to the next ms, INIT included since 2025-08-01 (§1, §8, §9). After a reset, init
    // ran inside the invocation and is already part of Duration.
    const separateInit = record.initKind === "new" ? (record.initMs ?? 0) : 0;
    record.billedMs = Math.ceil(record.durationMs + separateInit - 1e-9);
    record.outcome = outcome.kind;
    if (outcome.kind !== "success") record.failedIn = running.initFailed || record.envId === null || env.state === "init" ? "init" : "invoke";
    // The ids are written when anything will read the record: the trace, the logs, a caller, an error text.
    const id = this.recordTrace || this.recordLogs || running.onResult || outcome.kind !== "success" ? withIds(running).requestId : "";
    if (outcome.kind === "error") {
      record.error = { errorType: outcome.errorType, errorMessage: outcome.errorMessage };
      this.logApp(env, id, "ERROR", JSON.stringify({ errorType: outcome.errorType, errorMessage: outcome.errorMessage, trace: outcome.trace ?? [] }));
    } else if (outcome.kind === "timeout") {
      const message = `Task timed out after ${(record.durationMs / 1000).toFixed(2)} seconds`;
      record.error = { errorType: "Sandbox.Timedout", errorMessage: message };
    } else if (outcome.kind === "oom") {
      const classic = this.model.crashStyle === "classic";
      const message = `RequestId: ${id} ${classic ? "Process exited before completing request" : "Error: Runtime exited with error: signal: killed"}`;
      record.error = { errorType: "Runtime.ExitError", errorMessage: message };
      this.logPlatform(env, id, message);
      if (!classic) this.logPlatform(env, id, "Runtime.ExitError");
    } else {
      record.response = outcome.response;
      if (running.record.mode === "sync" && outcome.response !== undefined && sizeOver(outcome.response, LAMBDA_FACTS.syncResponseLimitBytes) > 0) {
        record.outcome = "error";
        record.failedIn = "invoke";
        record.response = undefined;
        record.error = {
          errorType: "RequestEntityTooLarge",
          errorMessage: `Exceeded maximum allowed payload size (${LAMBDA_FACTS.syncResponseLimitBytes} bytes).`,
        };
      }
    }
    if (this.recordLogs) {
      this.logPlatform(env, id, `END RequestId: ${id}`);
      this.logPlatform(
        env,
        id,
        reportLine(record, outcome.kind === "timeout" && this.model.timeoutStyle === "2026" ? "timeout" : outcome.kind === "oom" ? "error" : null),
      );
      if (outcome.kind === "timeout" && this.model.timeoutStyle === "classic") {
        this.logPlatform(env, id, `${formatLogTime(this.epochMs, this.clock)} ${id} ${record.error!.errorMessage}`);
      }
    }
    this.charge(record, config, env.provisioned);
    if (record.outcome === "error") this.totals.errors++;
    if (record.outcome === "timeout") {
      this.totals.errors++;
      this.totals.timeouts++;
    }
    if (record.outcome === "oom") this.totals.errors++;
    this.pushRecord(record);

    // The environment: reset after a crash, timeout or OOM; retired when due; otherwise frozen until reused (§1).
    env.current = null;
    env.lastEndedAt = this.clock;
    fn.inUse--;
    if (env.provisioned) fn.provisionedBusy--;
    this.accountInUse--;
    if (outcome.kind === "timeout" || outcome.kind === "oom" || running.initFailed) this.reset(env);
    if (env.retireWhenDone) this.destroy(env, env.retireCause);
    else this.park(env);
    this.sampleMetrics();
    this.totals.invocations++;
    const asyncEvent = running.asyncEvent;
    if (asyncEvent === null) this.aggregates.latency.add(this.clock - record.arrivedAt);
    else if (record.outcome === "success") this.aggregates.latency.add(this.clock - asyncEvent.acceptedAt);
    if (asyncEvent !== null) this.asyncQueue.ended(fn, asyncEvent, record);
    else if (running.onResult) running.onResult(syncResultOf(record, outcome));
    if (running.reusable && env.state !== "dead") env.spare = running;
    if (fn.asyncQueue.length > 0) this.asyncQueue.pump(fn);
  }

  /** The START line of an invocation, written once, when its INVOKE phase begins (§8). */
  private logStart(running: Running): void {
    if (running.startLogged) return;
    running.startLogged = true;
    if (!this.recordLogs) return;
    const id = withIds(running).requestId;
    this.logPlatform(running.env, id, `START RequestId: ${id} Version: $LATEST`);
  }

  private takeEnvironment(fn: FunctionState, tenantId: string | null): Environment {
    // Provisioned environments serve first (§3); with tenant isolation (which has none), the tenant's own (§11).
    if (fn.tenantIdle === null) return takeIdle(fn.provisionedIdle) ?? takeIdle(fn.idle) ?? this.createEnvironment(fn, false, null);
    const idle = idleOf(fn, tenantId);
    return (idle && takeIdle(idle)) ?? this.createEnvironment(fn, false, tenantId);
  }

  private createEnvironment(fn: FunctionState, provisioned: boolean, tenantId: string | null): Environment {
    const num = ++this.envCounter;
    const id = `env-${num}`;
    const sim = this;
    const env: Environment = {
      id,
      num,
      logStream: logStreamName(this.epochMs, this.clock, id),
      fn,
      config: fn.config,
      code: fn.code,
      tenantId,
      createdAt: this.clock,
      state: "init",
      provisioned,
      instance: null,
      generation: 0,
      lastEndedAt: -1,
      frozen: [],
      retireWhenDone: false,
      retireCause: "recycled",
      expiry: { endedAt: -Infinity, tickets: [], pending: false, pendingEndedAt: -Infinity, run: () => sim.expire(env) },
      timeout: { time: Infinity, seq: -1, running: null, generation: 0, armedSeq: -1, armedTime: Infinity },
      maxMemoryUsedMB: this.model.memoryBaselineMB,
      tmp: null,
      current: null,
      port: undefined as unknown as EnvironmentPort,
      timedRunning: null,
      spare: null,
      endTimed: () => {
        const running = env.timedRunning;
        env.timedRunning = null;
        if (running !== null && !running.finished) sim.finish(running, TIMED_SUCCESS);
      },
    };
    const envPrng = this.prng.fork(id);
    env.port = {
      envId: id,
      functionName: fn.config.name,
      memoryMB: fn.config.memoryMB,
      cpuMsPerTick: this.model.cpuMsPerTick / cpuSpeedFactor(fn.config.memoryMB),
      epochMs: this.epochMs,
      now: () => sim.clock,
      defer: (delayMs, run) => sim.deferFor(env, delayMs, run),
      callService: (service, operation, args, offsetMs, onReply) => sim.codeCalls.callService(env, service, operation, args, offsetMs, onReply),
      log: (level, message, offsetMs) => sim.logApp(env, env.current ? withIds(env.current).requestId : null, level, message, offsetMs),
      seed: () => envPrng.nextUint32(),
      environment: env.config.environment,
      get tmp() {
        return (env.tmp ??= new TmpStore(fn.config.ephemeralStorageMB, sim.tmpBudget));
      },
    };
    fn.environments.push(env);
    this.liveEnvironments++;
    if (provisioned) {
      this.provisioned.scheduleRecycle(env);
      return env;
    }
    const lifetime = this.model.maxLifetimeMs;
    if (lifetime !== null) {
      this.queue.schedule(this.clock + lifetime, () => {
        if (env.state === "dead") return;
        if (env.state === "idle") this.destroy(env, "max-lifetime");
        else this.retireWhenDone(env, "max-lifetime");
      });
    }
    return env;
  }

  /** Freezes an environment between invocations and schedules its idle expiry (§1). */
  private park(env: Environment): void {
    env.state = "idle";
    if (env.provisioned) {
      // Provisioned environments stay ready: no idle expiry (§1).
      insertIdle(env.fn.provisionedIdle, env);
      return;
    }
    insertIdle(env.tenantId === null ? env.fn.idle : idleListFor(env), env);
    const expiry = env.expiry;
    const tickets = expiry.tickets;
    const ticket = this.queue.reserveSeq();
    if (expiry.endedAt !== env.lastEndedAt) {
      // Tickets of earlier invocations can no longer expire the environment: it has ended an invocation since.
      expiry.endedAt = env.lastEndedAt;
      // Usually one ticket is replaced by one: overwriting it is much cheaper than emptying the array.
      if (tickets.length === 1) tickets[0] = ticket;
      else {
        tickets.length = 0;
        tickets.push(ticket);
      }
    } else tickets.push(ticket);
    this.scheduleExpiry(env);
  }

  /** Puts the environment's first live expiry ticket on the queue, unless an expiry event is already pending. */
  private scheduleExpiry(env: Environment): void {
    const expiry = env.expiry;
    if (expiry.pending || expiry.tickets.length === 0 || expiry.endedAt !== env.lastEndedAt) return;
    expiry.pending = true;
    expiry.pendingEndedAt = expiry.endedAt;
    this.queue.scheduleWithSeq(expiry.endedAt + this.model.idleExpiryMs, expiry.tickets[0]!, expiry.run);
  }

  /** An idle-expiry event: recycles the environment if it has stayed idle since the invocation that parked it (§1). */
  private expire(env: Environment): void {
    const expiry = env.expiry;
    expiry.pending = false;
    if (env.state === "dead") {
      // The tickets left could expire nothing, but one event per park would still have moved the clock there.
      const tickets = expiry.tickets;
      if (tickets.length > 0 && expiry.pendingEndedAt !== expiry.endedAt) {
        this.queue.scheduleWithSeq(expiry.endedAt + this.model.idleExpiryMs, tickets[tickets.length - 1]!, () => {});
      }
      tickets.length = 0;
      return;
    }
    if (expiry.pendingEndedAt === env.lastEndedAt && expiry.endedAt === env.lastEndedAt) {
      expiry.tickets.shift();
      if (env.state === "idle") {
        this.destroy(env, "idle-expiry");
        return;
      }
    }
    this.scheduleExpiry(env);
  }

  private thaw(env: Environment): void {
    const due = env.frozen;
    // Nothing came due while frozen (the usual case): keep the empty list rather than allocate a new one.
    if (due.length === 0) return;
    env.frozen = [];
    for (const run of due) run();
  }

  /** Discards the code instance: module state is lost, the next invocation runs INIT again (§1). */
  private reset(env: Environment): void {
    // The process ends, and with it the connections it held (§11).
    if (!this.stopping) this.services.environmentReset?.(env.id, this.clock);
    env.generation++;
    env.frozen = [];
    // A reset starts a new runtime process: its memory high-water mark starts again from the baseline.
    env.maxMemoryUsedMB = this.model.memoryBaselineMB;
    const instance = env.instance;
    env.instance = null;
    instance?.dispose();
  }

  /**
   * Ends an environment: its code and `/tmp` are gone. With a cause, it went through SHUTDOWN (§1), which the trace
   * shows; without one it never became ready (a failed provisioned INIT) or the simulation is ending.
   */
  private destroy(env: Environment, cause: ShutdownCause | null): void {
    if (env.state === "dead") return;
    if (cause !== null && this.recordTrace) {
      // No extensions are modelled, so nothing runs in SHUTDOWN: it takes no time and bills nothing.
      this.platformEvents.push({ kind: "shutdown", t: this.clock, functionName: env.config.name, envId: env.id, cause, durationMs: 0, capMs: LAMBDA_FACTS.shutdownCapMs });
    }
    const wasIdle = env.state === "idle";
    this.reset(env);
    env.state = "dead";
    env.tmp?.clear();
    if (wasIdle) {
      if (env.tenantId === null) removeIdle(env.provisioned ? env.fn.provisionedIdle : env.fn.idle, env);
      else {
        const list = idleListFor(env);
        removeIdle(list, env);
        dropEmptyIdle(env, list);
      }
    }
    const list = env.fn.environments;
    const j = list.indexOf(env);
    if (j >= 0) list.splice(j, 1);
    this.liveEnvironments--;
    this.sampleMetrics();
  }

  private deferFor(env: Environment, delayMs: number, run: () => void): void {
    const generation = env.generation;
    this.queue.schedule(this.clock + Math.max(0, delayMs), () => {
      if (env.generation !== generation || env.state === "dead") return;
      if (env.state === "idle") env.frozen.push(run);
      else run();
    });
  }

  // ---- records, logs, billing, metrics ----

  private bareRecord(
    fn: FunctionState,
    requestId: string,
    mode: "sync" | "async",
    eventId: string,
    attempt: number,
    delivery: number,
    outcome: InvocationOutcome,
    previousAttempt: number | null,
    event: JsonText,
  ): InvocationRecord {
    return newRecord(this.recordCounter++, this.clock, fn, requestId, mode, eventId, attempt, delivery, outcome, previousAttempt, event);
  }

  private pushRecord(record: InvocationRecord): void {
    if (this.recordTrace) this.trace.push(record);
  }

  private charge(record: InvocationRecord, config: FunctionConfig, provisioned: boolean): void {
    const gbSeconds = (record.billedMs / 1000) * (config.memoryMB / 1024);
    this.totals.billedMs += record.billedMs;
    this.totals.billedGbSeconds += gbSeconds;
    const onDemand = LAMBDA_FACTS.pricePerGbSecondUsd[config.architecture];
    const provisionedRate = provisioned ? this.model.provisionedDurationPricePerGbSecondUsd : null;
    const rate = provisionedRate ?? onDemand;
    // Without the free tier, the price is computed here: every invocation passes, and the call is not free.
    this.totals.costUsd += this.bill.appliesFreeTier
      ? this.bill.invocationUsd(record.billedMs, config.memoryMB, rate, this.clock, provisionedRate === null)
      : LAMBDA_FACTS.pricePerRequestUsd + gbSeconds * rate;
  }

  private logPlatform(env: Environment, requestId: string | null, text: string): void {
    if (!this.recordLogs) return;
    this.logs.push({ t: this.clock, functionName: env.fn.config.name, envId: env.id, stream: env.logStream, requestId, text });
  }

  private logApp(env: Environment, requestId: string | null, level: string, message: string, offsetMs = 0): void {
    if (!this.recordLogs) return;
    const t = this.clock + offsetMs;
    const text = `${formatLogTime(this.epochMs, t)}\t${requestId ?? "undefined"}\t${level}\t${message}`;
    this.logs.push({ t, functionName: env.fn.config.name, envId: env.id, stream: env.logStream, requestId, text });
  }

  private sampleMetrics(): void {
    const aggregates = this.aggregates;
    aggregates.concurrency.set(this.clock, this.accountInUse);
    aggregates.environments.set(this.clock, this.liveEnvironments);
    this.series?.gauges(this.accountInUse, this.liveEnvironments);
    if (!this.recordTrace) return;
    const point: MetricPoint = { t: this.clock, concurrency: this.accountInUse, environments: this.liveEnvironments };
    const last = this.metrics[this.metrics.length - 1];
    if (last && last.t === point.t) {
      last.concurrency = point.concurrency;
      last.environments = point.environments;
    } else this.metrics.push(point);
  }

  private fn(name: string): FunctionState {
    const fn = this.functions.get(name);
    if (!fn) throw new UnknownFunctionError(name);
    return fn;
  }
}

export class UnknownFunctionError extends Error {
  constructor(name: string) {
    super(`no function named "${name}" is deployed in this simulation`);
    this.name = "UnknownFunctionError";
  }
}

// These helpers live in their own files; re-exported for the modules that import them from here.
export { formatMs } from "./format.ts";
export { utf8Length } from "./payload.ts";
