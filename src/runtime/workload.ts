/**
 * Workloads: a declarative description of a function, its account and its traffic, and `runWorkload`, which runs one
 * through the simulator and returns whole-run figures (and, if asked, a small sampled timeline). The same description
 * drives lesson widgets (in the browser: this module imports nothing from Node), exercise scenarios and the
 * `npm run simulate` command. The keys follow DESIGN.md § The `simulate` command: keys may be added, never renamed.
 *
 * Defaults follow ../shared/lambda-model.md: idle environments are recycled 10 min after their last invocation, any
 * environment retires after 2 h (both SIMPLIFICATIONS, §1), the most recently created idle environment takes the next
 * request (SIMPLIFICATION, §1), a cold start lasts `initMs` plus the request's work, and a sync request is throttled
 * when the reserved concurrency or the account limit is reached (§3).
 */
import { z } from "zod/mini";
import { LAMBDA_FACTS, type FunctionConfigInput, type ModelSettings } from "./config.ts";
import { Prng } from "./prng.ts";
import type { FreeTierUse } from "./pricing.ts";
import { describeSimplifications } from "./simplifications.ts";
import { Simulation, type InvokeOptions } from "./simulation.ts";
import type { FunctionCode } from "./types.ts";
import { sampleArrivals, type ArrivalProcess } from "./workload-arrivals.ts";
import { timedCode } from "./workload-code.ts";
import { ArrivalsSchema, WorkSchema, workSampler } from "./workload-schema.ts";
import type { LatencyHistogram } from "./aggregates.ts";
import type { SqsSummary } from "./workload-sqs-schema.ts";
import { RetryingClient, WorkloadClientSchema, type ClientSummary } from "./workload-client.ts";
import { describeSdkRetries } from "./sdk-retries.ts";

export { ArrivalsSchema, WorkSchema } from "./workload-schema.ts";

/** The function under load (lambda-model.md §1, §2, §3). */
export const WorkloadFunctionSchema = z.strictObject({
    /** Memory size in MB, 128–10,240 (§2). */
    memoryMB: z._default(z.int().check(z.minimum(128), z.maximum(10_240)), 128),
    /** Function timeout in ms, 1–900 s (§4). */
    timeoutMs: z._default(z.int().check(z.minimum(1_000), z.maximum(900_000)), 3_000),
    /** Reserved concurrency, or null for none; 0 throttles every request (§3). */
    reservedConcurrency: z._default(z.nullable(z.int().check(z.minimum(0))), null),
    /** Provisioned concurrency: environments initialised at the start and kept ready (§1, §3); 0 for none. */
    provisionedConcurrency: z._default(z.int().check(z.minimum(0), z.maximum(10_000)), 0),
    /** Ephemeral storage (`/tmp`) in MB, 512–10,240 (§2); above 512 MB it is billed separately (§9, unpriced here). */
    ephemeralStorageMB: z._default(z.int().check(z.minimum(512), z.maximum(10_240)), 512),
    /** SIMPLIFICATION: an idle environment is recycled this long after its last invocation ends (§1). */
    idleExpiryMs: z._default(z.number().check(z.minimum(0)), 600_000),
    /** SIMPLIFICATION: an environment retires after this lifetime, even when busy; null for never (§1). */
    maxLifetimeMs: z._default(z.nullable(z.number().check(z.minimum(1))), 7_200_000),
    /** The whole INIT phase of a cold start in ms (platform set-up plus the module's top level, §1). */
    initMs: z._default(z.number().check(z.minimum(0)), 250),
    /** x86_64 or arm64; Arm duration is priced 20% lower (§9). */
    architecture: z._default(z.enum(["x86_64", "arm64"]), "x86_64"),
    /** Async retries after a function error, 0–2 (§6). */
    maxRetryAttempts: z._default(z.int().check(z.minimum(0), z.maximum(2)), 2),
    /** Async maximum event age in ms, 60 s – 6 h (§6). */
    maxEventAgeMs: z._default(z.int().check(z.minimum(60_000), z.maximum(21_600_000)), 21_600_000),
    /** Async events that are given up go to a dead-letter queue (counted as `deadLettered`, §6). */
    deadLetterQueue: z._default(z.boolean(), false),
    /** Tenant isolation mode (§11): each request carries its tenant's id, and each tenant gets its own environments. */
    tenantIsolation: z._default(z.boolean(), false),
  });

/** The account the function runs in (§3). */
export const WorkloadAccountSchema = z.strictObject({
    /** Concurrent executions shared by the account's functions: 1,000 by default (§3). */
    concurrencyLimit: z._default(z.int().check(z.minimum(1)), 1_000),
    /**
     * The scaling rule (§0, §3): "2023", 1,000 new environments per 10 s for each function, or "pre-2023", an
     * account-level burst of `burstConcurrency` in the first minute, then +500 per minute.
     */
    scalingRule: z._default(z.enum(["2023", "pre-2023"]), "2023"),
    /** The pre-2023 burst: 500–3,000 depending on the Region (§3); used only with that rule. */
    burstConcurrency: z._default(z.int().check(z.minimum(500), z.maximum(3_000)), 3_000),
  });

/** Tenants sending the traffic: each request belongs to one, drawn with a Zipf-like skew (§11). */
export const TenantsSchema = z.strictObject({
    /** Number of tenants (named t1, t2, …). */
    count: z.int().check(z.minimum(1), z.maximum(1_000)),
    /** Skew: tenant k sends in proportion to 1 / k^skew; 0 spreads requests evenly. */
    skew: z._default(z.number().check(z.minimum(0), z.maximum(5)), 0),
  });

/** A whole workload: the function, its account and its traffic. */
export const WorkloadSchema = z.strictObject({
    /** Seed of every random draw (arrivals, work, request ids): the same seed gives the same figures. */
    seed: z._default(z.union([z.number(), z.string()]), 1),
    /** Simulated time during which requests arrive, in ms; time averages are taken over it. */
    durationMs: z.number().check(z.positive(), z.maximum(366 * 86_400_000)),
    function: z.prefault(WorkloadFunctionSchema, {}),
    account: z.prefault(WorkloadAccountSchema, {}),
    /**
     * How requests reach the function: "sync" (RequestResponse), "async" (Event) or "sqs" (each request is a message
     * sent to `queue`; an event source mapping polls it and invokes the function with batches).
     */
    invoke: z._default(z.enum(["sync", "async", "sqs"]), "sync"),
    arrivals: ArrivalsSchema,
    /** Each request's work; with "sqs", each message's (a batch takes the sum of its messages' work). */
    work: z.prefault(WorkSchema, { kind: "fixed", ms: 100 }),
    /** "sqs" only: the queue the messages go to (its keys are checked by SqsWorkloadSchema, with the queue code). */
    queue: z.optional(z.unknown()),
    /** "sqs" only: the event source mapping that polls the queue (checked by SqsWorkloadSchema too). */
    mapping: z.optional(z.unknown()),
    /** Size of each request's event in bytes (UTF-8 JSON), for the payload limits of §5. */
    payloadBytes: z._default(z.int().check(z.minimum(2), z.maximum(16 * 1024 * 1024)), 64),
    /** Optional tenants; the summary then gives requests, throttles, errors and cold starts per tenant. */
    tenants: z._default(z.nullable(TenantsSchema), null),
    /**
     * Modelling choices a "what if" may change (the SIMPLIFICATIONS of config.ts ModelSettingsSchema, same names and
     * defaults): where the request rate quota applies, whether idle provisioned environments hold concurrency, when a
     * failed provisioned INIT is retried and when provisioned environments are replaced.
     */
    model: z.prefault(z.strictObject({
        requestRateQuota: z.optional(z.enum(["account", "function"])),
        requestsPerSecondPerConcurrency: z.optional(z.nullable(z.number().check(z.positive()))),
        provisionedHoldsConcurrency: z.optional(z.boolean()),
        provisionedInitRetryMs: z.optional(z.nullable(z.number().check(z.minimum(0)))),
        provisionedRecycleMs: z.optional(z.nullable(z.number().check(z.minimum(1)))),
      }), {}),
    /** How `costUsd` is computed (§9): `applyFreeTier` takes the monthly free tier off; off by default. */
    pricing: z.prefault(z.strictObject({ applyFreeTier: z._default(z.boolean(), false) }), {}),
    /** The client sending sync invokes: whether it retries throttles like the AWS SDK (§4); by default it does not. */
    client: z.prefault(WorkloadClientSchema, {}),
  }).check(z.refine((w) => w.client.retries === "none" || w.invoke === "sync", {
    path: ["client", "retries"],
    message: 'client retries apply to sync invokes only ("invoke": "sync"); Lambda retries async events itself (§6)',
  }), z.refine((w) => w.function.reservedConcurrency === null || w.function.provisionedConcurrency <= w.function.reservedConcurrency, {
    path: ["function", "provisionedConcurrency"],
    message: "provisioned concurrency cannot exceed the reserved concurrency (lambda-model.md §3)",
  }), z.refine(
    (w) => w.function.reservedConcurrency === null || w.function.reservedConcurrency <= w.account.concurrencyLimit - 100,
    {
      path: ["function", "reservedConcurrency"],
      message: "at most the account's concurrency limit minus the 100 Lambda keeps unreserved (lambda-model.md §3)",
    },
  ), z.superRefine((w, ctx) => {
    // Tenant isolation (§11): each request must carry a tenant id, and the mode rules out provisioned concurrency.
    const fn = w.function;
    if (!fn.tenantIsolation) return;
    if (w.tenants === null) {
      ctx.addIssue({ code: "custom", path: ["function", "tenantIsolation"], input: true, message: 'needs "tenants": with tenant isolation every request must carry a tenant id (lambda-model.md §11)' });
    }
    if (fn.provisionedConcurrency > 0) {
      ctx.addIssue({ code: "custom", path: ["function", "provisionedConcurrency"], input: fn.provisionedConcurrency, message: "provisioned concurrency is not available for a function with tenant isolation" });
    }
  }));
export type Workload = z.infer<typeof WorkloadSchema>;
export type WorkloadInput = z.input<typeof WorkloadSchema>;

/** One tenant's figures: its requests, and for sync (where a caller sees each result) its throttles, errors and cold starts. */
export interface TenantCounts {
  requests: number;
  throttles: number;
  errors: number;
  coldStarts: number;
}

/** Percentiles of client-observed latency (see RunAggregates.latency for what is measured). */
export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  max: number;
}

/** What happened, as whole-run figures. The first keys are DESIGN.md's contract; more may be added, none renamed. */
export interface WorkloadSummary {
  /** Every arrival. */
  requests: number;
  /** Requests that ran (attempts included, as CloudWatch counts invocations). */
  invocations: number;
  coldStarts: number;
  /** coldStarts / invocations. */
  coldStartRatio: number;
  throttles: number;
  /** throttles / requests. */
  throttleRatio: number;
  /** Time-averaged live environments (busy, initialising or idle) over [0, durationMs]. */
  meanEnvironments: number;
  peakEnvironments: number;
  /** Time-averaged environments initialising or running a request over [0, durationMs]. */
  meanConcurrency: number;
  peakConcurrency: number;
  /** Client-observed latency in ms, within 0.5% (see aggregates.ts). */
  latencyMs: LatencySummary;
  billedGbSeconds: number;
  costUsd: number;
  /** Invocations that failed: function errors, timeouts and out-of-memory. */
  errors: number;
  timeouts: number;
  /** Async attempts after a function error. */
  retries: number;
  /** Async events given up (retries exhausted, too old, reserved concurrency 0). */
  droppedEvents: number;
  /** Of those, events sent to the dead-letter queue. */
  deadLettered: number;
  /** Requests refused before running (a payload over its limit, §5). */
  rejected: number;
  /**
   * The standing charge of provisioned concurrency over the window, in GB-seconds (§9); not in `costUsd`, because
   * lambda-model.md gives no price for it.
   */
  provisionedGbSeconds: number;
  /**
   * Ephemeral storage above the 512 MB included, × billed duration, in GB-seconds (§9: billed separately). Not in
   * `costUsd`: lambda-model.md gives no price, and measuring it per billed duration is the workbook's choice.
   */
  ephemeralStorageGbSeconds: number;
  /** The simulated window, in ms (the workload's durationMs). */
  durationMs: number;
  /** With `pricing.applyFreeTier`: the requests and GB-seconds the free tier took off `costUsd`, all months together. */
  freeTier?: FreeTierUse;
  /** Per tenant (when the workload has tenants): requests; for sync, also throttles, errors and cold starts. */
  tenants?: Record<string, TenantCounts>;
  /** With `invoke: "sqs"`: the queue's and the mapping's figures. */
  sqs?: SqsSummary;
  /**
   * With `client.retries: "sdk-standard"`: the client's retries. `requests` then counts the client's requests, while
   * `throttles` and `throttleRatio` are over the invoke requests Lambda received (retries included), and `latencyMs`
   * runs from a request's first attempt (backoffs included).
   */
  client?: ClientSummary;
}

/** One sample of the optional timeline: levels at `t` and counts since the start. */
export interface TimelinePoint {
  t: number;
  environments: number;
  concurrency: number;
  requests: number;
  coldStarts: number;
  throttles: number;
  /** With `invoke: "sqs"`: messages held (visible or in flight), the age of the oldest in ms, and the pollers. */
  queueDepth?: number;
  oldestMessageAgeMs?: number;
  pollers?: number;
}

export interface RunWorkloadOptions {
  /** Samples of the timeline to take over [0, durationMs] (0, the default, for none; at most 10,000). */
  timelinePoints?: number;
  /**
   * The function's code, for `work.kind: "handler"`: the command builds it from the handler file through the
   * sandbox, with the model settings of the run (the runtime never loads code itself). Other work kinds ignore it.
   */
  codeFor?: (model: ModelSettings) => FunctionCode;
  /**
   * For `invoke: "sqs"`: the queue code (`QUEUES` from workload-sqs.ts, which `runWorkloadWithQueues` passes). It is an
   * option so that pages running sync or async workloads load none of it.
   */
  sqs?: SqsPlugin;
}

/** The queue, its dead-letter queue and the event source mapping of an `invoke: "sqs"` run, as runWorkload drives them. */
export interface SqsTraffic {
  /** How long after the window the batches running or gathering may still need (their visibility timeout and window). */
  readonly settleMs: number;
  /** One arrival: one message. */
  send(now: number, body: string): void;
  /** The end of the window: the depth's mean and peak are taken, the mapping takes no more batches. */
  stop(end: number): void;
  /** The queue at `t`, for the timeline. */
  sample(t: number): { queueDepth: number; oldestMessageAgeMs: number; pollers: number };
  /** Turns the summary into an SQS run's (see README: requests are messages, latency is send-to-delete…) and adds `sqs`. */
  complete(summary: WorkloadSummary, sim: Simulation, requests: number): void;
}

/** What runWorkload needs from the queue code for `invoke: "sqs"`. */
export interface SqsPlugin {
  /** The queue, its dead-letter queue and the mapping, wired to the simulation. */
  traffic(sim: Simulation, functionName: string, workload: Workload, prng: Prng): SqsTraffic;
  /** The batch handler of numeric work: each message takes a draw of `sample` and fails at `errorRate`. */
  code(sample: () => number, errorRate: number, failures: Prng, workload: Workload): FunctionCode;
}

export interface WorkloadResult {
  summary: WorkloadSummary;
  timeline: TimelinePoint[];
  /** The model's simplifications the figures depend on, in words, for whoever shows them. */
  simplifications: string[];
}

/** The function's name inside the simulation. */
const FUNCTION = "workload";

/** Runs a workload (a parsed `Workload`, or input that `WorkloadSchema` accepts) and returns what happened. */
export function runWorkload(input: Workload | WorkloadInput, options: RunWorkloadOptions = {}): WorkloadResult {
  const workload = WorkloadSchema.parse(input);
  const fn = workload.function;
  const sim = new Simulation({
    seed: workload.seed,
    account: { concurrencyLimit: workload.account.concurrencyLimit },
    // The whole INIT phase is the platform part here; the code's own init takes no time.
    model: {
      ...workload.model,
      idleExpiryMs: fn.idleExpiryMs,
      maxLifetimeMs: fn.maxLifetimeMs,
      initPlatformMs: fn.initMs,
      scalingRule: workload.account.scalingRule,
      burstConcurrency: workload.account.burstConcurrency,
      pricing: workload.pricing,
    },
    recordTrace: false,
    recordLogs: false,
  });
  // Arrivals, work and tenants draw from their own generators, so that none shifts another's draws.
  const seed = String(workload.seed);
  const queues = workload.invoke === "sqs" ? options.sqs : null;
  if (queues === undefined) throw new Error('invoke "sqs" needs options.sqs');
  const code =
    workload.work.kind === "handler"
      ? options.codeFor?.(sim.model)
      : (queues?.code ?? timedCode)(workSampler(workload.work, new Prng(`${seed}:work`)), workload.work.errorRate, new Prng(`${seed}:errors`), workload);
  if (!code) throw new Error('work.kind "handler" needs the handler\'s code (RunWorkloadOptions.codeFor)');
  const config: FunctionConfigInput = {
    name: FUNCTION,
    memoryMB: fn.memoryMB,
    timeoutMs: fn.timeoutMs,
    reservedConcurrency: fn.reservedConcurrency,
    provisionedConcurrency: fn.provisionedConcurrency,
    ephemeralStorageMB: fn.ephemeralStorageMB,
    architecture: fn.architecture,
    async: { maxRetryAttempts: fn.maxRetryAttempts, maxEventAgeMs: fn.maxEventAgeMs },
    deadLetterQueue: fn.deadLetterQueue ? { type: "sqs", name: `${FUNCTION}-dlq` } : null,
    tenantIsolation: fn.tenantIsolation,
  };
  sim.deploy(config, code);

  const arrivals: ArrivalProcess = sampleArrivals(workload.arrivals, new Prng(`${seed}:arrivals`));
  const mode = workload.invoke === "async" ? "async" : "sync";
  const client = workload.client.retries === "none" ? null : new RetryingClient(sim, FUNCTION, workload.client, new Prng(`${seed}:client`));
  const tenants = workload.tenants ? new TenantTraffic(workload.tenants, workload.payloadBytes, fn.tenantIsolation, new Prng(`${seed}:tenants`), client) : null;
  const payload = payloadOfBytes(workload.payloadBytes, null);
  const noOptions = {};
  const end = workload.durationMs;
  const sqs = queues?.traffic(sim, FUNCTION, workload, new Prng(`${seed}:sqs`));
  let requests = 0;
  // Each arrival runs at its time and returns the next one (no queue event per request).
  const first = arrivals.next();
  sim.arrivals(first < end ? first : Infinity, () => {
    requests++;
    if (sqs) sqs.send(sim.now, payload);
    else if (tenants) tenants.arrive(sim, mode);
    else if (client) client.send(payload, null);
    else sim.arrive(FUNCTION, mode, payload, noOptions);
    const t = arrivals.next();
    return t < end ? t : Infinity;
  });

  const timeline: TimelinePoint[] = [];
  const points = Math.min(10_000, Math.max(0, Math.floor(options.timelinePoints ?? 0)));
  for (let i = 0; i <= points && points > 0; i++) {
    const t = (end * i) / points;
    sim.at(t, () => {
      const a = sim.aggregates;
      const point: TimelinePoint = { t, environments: a.environments.current, concurrency: a.concurrency.current, requests, coldStarts: sim.totals.coldStarts, throttles: sim.totals.throttles };
      if (sqs) Object.assign(point, sqs.sample(t));
      timeline.push(point);
    });
  }

  // The window: time averages and peaks cover [0, durationMs]. Then the requests still in flight finish (their
  // invocations, bills, latencies and retries count).
  sim.run({ until: end });
  const a = sim.aggregates;
  const meanEnvironments = a.environments.meanUntil(end);
  const meanConcurrency = a.concurrency.meanUntil(end);
  const peakEnvironments = a.environments.peak;
  const peakConcurrency = a.concurrency.peak;
  const provisioned = sim.provisionedChargeOf(FUNCTION);
  // Whatever is still in flight ends within the INIT limit and the timeout (sync), or within the maximum event age
  // (async); provisioned environments are replaced forever, so the run stops there rather than when nothing is left.
  // SQS: the mapping takes no new batch after the window; a throttled batch is retried until its visibility timeout.
  sqs?.stop(end);
  const settleMs =
    LAMBDA_FACTS.initLimitMs + fn.timeoutMs + (mode === "async" ? fn.maxEventAgeMs + fn.timeoutMs : 0) + (sqs?.settleMs ?? 0);
  sim.run({ until: end + settleMs });
  sim.shutdown();

  const totals = sim.totals;
  // SQS: latency is each message's, from its send to its delete after a successful invocation.
  // A retrying client: latency from each request's first attempt.
  const latency = client ? client.latency : a.latency;
  const summary: WorkloadSummary = {
    requests: client ? requests : totals.requests,
    invocations: totals.invocations,
    coldStarts: totals.coldStarts,
    coldStartRatio: ratio(totals.coldStarts, totals.invocations),
    throttles: totals.throttles,
    // SQS: over the mapping's invoke requests (totals.requests), not over the messages.
    throttleRatio: ratio(totals.throttles, totals.requests),
    meanEnvironments,
    peakEnvironments,
    meanConcurrency,
    peakConcurrency,
    latencyMs: latencySummaryOf(latency),
    billedGbSeconds: totals.billedGbSeconds,
    costUsd: totals.costUsd,
    errors: totals.errors,
    timeouts: totals.timeouts,
    retries: a.retries,
    droppedEvents: a.eventsDropped,
    deadLettered: fn.deadLetterQueue ? a.eventsDropped - sim.destinations.deadLetterErrors : 0,
    rejected: a.rejectedRequests,
    provisionedGbSeconds: provisioned.gbSeconds,
    ephemeralStorageGbSeconds: extraStorageGbSeconds(fn.ephemeralStorageMB, totals.billedMs),
    durationMs: end,
  };
  if (tenants) summary.tenants = tenants.summary();
  if (sim.bill.freeTierUsed) summary.freeTier = { ...sim.bill.freeTierUsed };
  if (client) summary.client = client.summary();
  sqs?.complete(summary, sim, requests);
  // The occasional simplifications this run depended on (a request-rate cap, a scaling throttle…) follow the usual ones.
  const occasional = describeSimplifications(sim.model, sim.simplificationsUsed).slice(describeSimplifications(sim.model).length);
  return { summary, timeline, simplifications: [...workloadSimplifications(workload), ...occasional] };
}

/** Storage above the 512 MB every function gets (§9), in GB, × the billed seconds. */
export function extraStorageGbSeconds(ephemeralStorageMB: number, billedMs: number): number {
  return ((ephemeralStorageMB - LAMBDA_FACTS.includedEphemeralStorageMB) / 1024) * (billedMs / 1000);
}

/** The percentiles, mean and maximum of a latency histogram. */
export function latencySummaryOf(latency: LatencyHistogram): LatencySummary {
  return { p50: latency.percentile(50), p90: latency.percentile(90), p99: latency.percentile(99), mean: latency.mean, max: latency.max };
}

function ratio(a: number, b: number): number {
  return b > 0 ? a / b : 0;
}

/** The simplifications behind a workload's figures, with the values in force. */
export function workloadSimplifications(workload: Workload): string[] {
  const fn = workload.function;
  const lines = [
    `SIMPLIFICATION: an idle environment is recycled ${fn.idleExpiryMs.toLocaleString("en-US")} ms after its last invocation${fn.maxLifetimeMs === null ? "" : ` and any environment retires after ${fn.maxLifetimeMs.toLocaleString("en-US")} ms`}; AWS documents neither (lambda-model.md §1).`,
    "SIMPLIFICATION: the most recently created idle environment takes the next request; AWS does not say which one does (§1).",
    ...(fn.ephemeralStorageMB > LAMBDA_FACTS.includedEphemeralStorageMB
      ? [`SIMPLIFICATION: /tmp above 512 MB is billed separately (§9) at a price the model lacks: ephemeralStorageGbSeconds, (${fn.ephemeralStorageMB.toLocaleString("en-US")} − 512 MB) × billed duration, is not in costUsd.`]
      : []),
    `Prices are us-east-1's as read in 2026 (check the pricing page before quoting), at the first pricing tier only (later tiers are ignored)${workload.pricing.applyFreeTier ? "; the monthly free tier (1M requests, 400,000 GB-seconds) is taken off, renewed each calendar month" : "; the free tier is not taken off"} (§9).`,
    `A cold start lasts the INIT phase (${fn.initMs.toLocaleString("en-US")} ms) plus the request's work; latency excludes the network round trip.`,
    ...(workload.client.retries === "none" ? [] : [`SIMPLIFICATION: ${describeSdkRetries(workload.client)}`]),
  ];
  return lines;
}

/** A JSON event of exactly `bytes` UTF-8 bytes (at least 2): `{"pad":"xxx…"}`, with the tenant when there is one. */
export function payloadOfBytes(bytes: number, tenant: string | null): string {
  const head = tenant === null ? '{"pad":"' : `{"tenant":${JSON.stringify(tenant)},"pad":"`;
  const room = bytes - head.length - 2;
  if (room < 0) return tenant === null ? (bytes >= 2 ? "{}".padEnd(bytes, " ") : "{}") : JSON.stringify({ tenant });
  return `${head}${"x".repeat(room)}"}`;
}

/** Requests per tenant: a Zipf-like choice of tenant, an event naming it, and counts of what happened to each. */
class TenantTraffic {
  private readonly names: string[];
  private readonly cumulative: number[];
  private readonly payloads: string[];
  private readonly counts: TenantCounts[];
  /** The invoke options of each tenant's sync and async requests: its tenant id with isolation, and its counters. */
  private readonly syncOptions: InvokeOptions[];
  private readonly asyncOptions: InvokeOptions[];
  private readonly prng: Prng;
  private readonly client: RetryingClient | null;

  constructor(tenants: z.infer<typeof TenantsSchema>, payloadBytes: number, isolation: boolean, prng: Prng, client: RetryingClient | null) {
    this.prng = prng;
    this.client = client;
    this.names = Array.from({ length: tenants.count }, (_, i) => `t${i + 1}`);
    const weights = this.names.map((_, i) => 1 / (i + 1) ** tenants.skew);
    const total = weights.reduce((s, w) => s + w, 0);
    let sum = 0;
    this.cumulative = weights.map((w) => (sum += w / total));
    this.payloads = this.names.map((n) => payloadOfBytes(payloadBytes, n));
    this.counts = this.names.map(() => ({ requests: 0, throttles: 0, errors: 0, coldStarts: 0 }));
    // With tenant isolation the tenant's name goes with the invoke as its tenant id (X-Amz-Tenant-Id, §11).
    const tenantIds = this.names.map((n) => (isolation ? n : null));
    this.syncOptions = this.counts.map((c, i) => ({
      tenantId: tenantIds[i]!,
      onResult: (r) => {
        if (r.statusCode === 429) c.throttles++;
        else if (r.functionError !== null) c.errors++;
        if (r.record.cold) c.coldStarts++;
      },
    }));
    this.asyncOptions = tenantIds.map((tenantId) => ({ tenantId }));
  }

  arrive(sim: Simulation, mode: "sync" | "async"): void {
    // The first tenant whose cumulative share exceeds u (a binary search: workloads may have 1,000 tenants).
    const u = this.prng.next();
    const cumulative = this.cumulative;
    let k = 0;
    let hi = cumulative.length - 1;
    while (k < hi) {
      const mid = (k + hi) >> 1;
      if (cumulative[mid]! <= u) k = mid + 1;
      else hi = mid;
    }
    this.counts[k]!.requests++;
    // Throttles, errors and cold starts per tenant are known for sync requests (a caller sees them); async ones count
    // requests. With a retrying client, every throttled attempt counts.
    if (this.client) this.client.send(this.payloads[k]!, this.syncOptions[k]!);
    else sim.arrive(FUNCTION, mode, this.payloads[k]!, mode === "sync" ? this.syncOptions[k]! : this.asyncOptions[k]!);
  }

  summary(): Record<string, TenantCounts> {
    const out: Record<string, TenantCounts> = {};
    this.names.forEach((n, i) => (out[n] = this.counts[i]!));
    return out;
  }
}
