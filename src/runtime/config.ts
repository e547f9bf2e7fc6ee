/**
 * Configuration of simulated functions, the account and the model's simplifications: one zod schema per concept,
 * types derived from the schemas. Values and ranges follow ../shared/lambda-model.md (section numbers in comments).
 */
import { z } from "zod/mini";
import { DeadLetterQueueSchema, DestinationSchema } from "./destinations.ts";
import { SdkRetriesSchema } from "./sdk-retries.ts";
import { SqsMappingModelSchema } from "./sqs-mapping-model.ts";
import { utf8Length } from "./payload.ts";

export const KiB = 1024;
export const MiB = 1024 * 1024;

/** Fixed facts of Lambda that are not configurable (lambda-model.md §1, §2, §5, §9). */
export const LAMBDA_FACTS = {
  /** INIT phase limit for on-demand functions (§1). */
  initLimitMs: 10_000,
  /** INIT limit of provisioned environments: 130 s or the function timeout, whichever is higher (§1). */
  provisionedInitLimitMs: 130_000,
  /** SHUTDOWN is capped at 2,000 ms (§1). */
  shutdownCapMs: 2_000,
  /** Invocation requests per second per version or alias with provisioned concurrency: 10 × it (§3). */
  provisionedRequestsPerSecondPerConcurrency: 10,
  /** 1,769 MB of memory buys one full vCPU (§2). */
  mbPerVcpu: 1769,
  /** Buffered synchronous response limit as enforced: 6 MiB + 100 bytes (§5, observed). */
  syncResponseLimitBytes: 6_291_556,
  /** Synchronous invoke request limit (§5). */
  syncRequestLimitBytes: 6 * MiB,
  /** Asynchronous invoke request limit since 2025-10-24 (§0, §5). */
  asyncRequestLimitBytes: 1 * MiB,
  /** Environment variables of a function: 4 KB in total (§2). */
  environmentVariablesBytes: 4 * 1024,
  /** Prices, us-east-1 as read in 2026 copies of the pricing page: check it before quoting (§9). */
  pricePerRequestUsd: 0.0000002,
  pricePerGbSecondUsd: { x86_64: 0.0000166667, arm64: 0.0000133334 },
  /** The monthly free tier, shared by both architectures (§9); applied only when `pricing.applyFreeTier` is on. */
  freeTierRequestsPerMonth: 1_000_000,
  freeTierGbSecondsPerMonth: 400_000,
  /** `/tmp` every function gets in the price; storage above it is billed separately, at a price not modelled (§9). */
  includedEphemeralStorageMB: 512,
} as const;

/** One function's configuration, as a learner or an exercise sets it (lambda-model.md §2, §6). */
export const FunctionConfigSchema = z.strictObject({
    /** Function name, as `context.functionName` reports it. */
    name: z._default(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, "letters, digits, '-' or '_' (at most 64)")), "handler"),
    /** Memory size in MB: 128–10,240, default 128 (§2). */
    memoryMB: z._default(z.int().check(z.minimum(128), z.maximum(10_240)), 128),
    /** Function timeout in ms: 1–900 s, default 3 s (§2, §4). */
    timeoutMs: z._default(z.int().check(z.minimum(1_000), z.maximum(900_000)), 3_000),
    /** Reserved concurrency: null for none; 0 throttles every invocation (§3). */
    reservedConcurrency: z._default(z.nullable(z.int().check(z.minimum(0))), null),
    /** Provisioned concurrency: environments initialised ahead of traffic, kept ready (§1, §3); 0 for none. */
    provisionedConcurrency: z._default(z.int().check(z.minimum(0)), 0),
    /** Ephemeral storage (`/tmp`) in MB: 512–10,240, default 512 (§1, §2). */
    ephemeralStorageMB: z._default(z.int().check(z.minimum(512), z.maximum(10_240)), 512),
    /** Instruction set; Arm duration is priced 20% lower (§2, §9). */
    architecture: z._default(z.enum(["x86_64", "arm64"]), "x86_64"),
    /** Asynchronous invocation settings (§6). */
    async: z.prefault(z.strictObject({
        /** Retries after a function error: 0–2, default 2. */
        maxRetryAttempts: z._default(z.int().check(z.minimum(0), z.maximum(2)), 2),
        /** Maximum event age in ms: 60 s – 6 h, default 6 h. */
        maxEventAgeMs: z._default(z.int().check(z.minimum(60_000), z.maximum(21_600_000)), 21_600_000),
        /** Where the invocation record of a successful event goes: SQS, SNS, Lambda or EventBridge, or null. */
        onSuccess: z._default(z.nullable(DestinationSchema), null),
        /** Where the invocation record of a failed or discarded event goes (S3 allowed here too), or null. */
        onFailure: z._default(z.nullable(DestinationSchema), null),
        /**
         * SIMPLIFICATION: the share of accepted events Lambda's queue delivers twice (drawn from the seeded generator).
         * AWS says duplicates can happen without saying how often; 0 unless a scenario asks for them.
         */
        duplicateRate: z._default(z.number().check(z.minimum(0), z.maximum(1)), 0),
      }), {}).check(z.refine((a) => a.onSuccess?.type !== "s3", { path: ["onSuccess", "type"], message: "S3 can only be an on-failure destination" })),
    /** Recursive loop detection: "Terminate" (the default) stops the invocation after 16 in one chain (§3). */
    recursiveLoop: z._default(z.enum(["Terminate", "Allow"]), "Terminate"),
    /**
     * Environment variables (`process.env` in handler code): names of letters, digits and '_' starting with a letter,
     * 4 KB in total (§2; SIMPLIFICATION: counted as the UTF-8 bytes of every name and value).
     */
    environment: z._default(
      z.record(z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9_]+$/, "letters, digits or '_', starting with a letter (at least 2)")), z.string())
        .check(z.refine((vars) => environmentBytes(vars) <= LAMBDA_FACTS.environmentVariablesBytes, {
          message: "environment variables are limited to 4 KB in total (4,096 bytes of names and values, lambda-model.md §2)",
        })),
      {},
    ),
    /** The older dead-letter queue (SQS or SNS) for events that failed or were discarded, or null (§6). */
    deadLetterQueue: z._default(z.nullable(DeadLetterQueueSchema), null),
    /**
     * Tenant isolation mode (§0, §11): every invoke carries a tenant id and gets environments of that tenant only, so
     * module state and `/tmp` never cross tenants. Set when the function is created; a redeploy cannot change it.
     */
    tenantIsolation: z._default(z.boolean(), false),
  }).check(z.refine((f) => f.reservedConcurrency === null || f.provisionedConcurrency <= f.reservedConcurrency, {
    path: ["provisionedConcurrency"],
    message: "provisioned concurrency cannot exceed the function's reserved concurrency",
  }), z.refine((f) => !f.tenantIsolation || f.provisionedConcurrency === 0, {
    path: ["provisionedConcurrency"],
    // AWS's TenancyConfig documentation (not yet in lambda-model.md) lists provisioned concurrency as incompatible.
    message: "provisioned concurrency is not available for a function with tenant isolation",
  }));
export type FunctionConfig = z.infer<typeof FunctionConfigSchema>;
export type FunctionConfigInput = z.input<typeof FunctionConfigSchema>;

/** The account the functions run in (lambda-model.md §3). */
export const AccountConfigSchema = z.strictObject({
    /** Concurrent executions shared by all functions in the Region: 1,000 by default. */
    concurrencyLimit: z._default(z.int().check(z.minimum(1)), 1_000),
    /**
     * Concurrency that reservations may never take: Lambda keeps 100 for functions without a reservation (§3).
     * Configurable only so that tests and lessons can use tiny accounts.
     */
    unreservedMinimum: z._default(z.int().check(z.minimum(0)), 100),
  });
export type AccountConfig = z.infer<typeof AccountConfigSchema>;

/**
 * The model's SIMPLIFICATIONS: behaviour AWS does not document, made configurable (lambda-model.md "Modelling
 * decisions"). Anything a learner sees that depends on these says it is a modelling choice.
 */
export const ModelSettingsSchema = z.strictObject({
    /** SIMPLIFICATION: an idle environment is recycled this long after its last invocation ends (10 min, §1). */
    idleExpiryMs: z._default(z.number().check(z.minimum(0)), 600_000),
    /** SIMPLIFICATION: an environment retires after this lifetime even when busy (2 h, §1); null for never. */
    maxLifetimeMs: z._default(z.nullable(z.number().check(z.minimum(1))), 7_200_000),
    /** SIMPLIFICATION: platform part of a cold start (sandbox, code download, runtime bootstrap), 250 ms (§1). */
    initPlatformMs: z._default(z.number().check(z.minimum(0)), 250),
    /**
     * SIMPLIFICATION: virtual CPU ms charged per sandbox interrupt tick at one full vCPU. QuickJS calls its interrupt
     * handler about once per 10,000 interpreter poll points (~5,000 simple loop iterations); divided by the memory-
     * derived CPU share, so a 128 MB function spends 1 / (128 / 1769) ≈ 13.8 ms per tick (§2).
     */
    cpuMsPerTick: z._default(z.number().check(z.positive()), 1),
    /** Memory the Node.js runtime itself uses before any handler code (73–75 MB observed for trivial functions, §2). */
    memoryBaselineMB: z._default(z.number().check(z.minimum(0)), 70),
    /**
     * SIMPLIFICATION: QuickJS heap bytes that stand for one MB of function memory (1/32 scale), capped at
     * `sandboxHeapCapBytes` so that large memory sizes stay cheap to simulate.
     */
    sandboxBytesPerMB: z._default(z.int().check(z.minimum(1_024)), 32 * KiB),
    /** SIMPLIFICATION: the largest QuickJS heap one environment may use (reached at about 1,606 MB of memory). */
    sandboxHeapCapBytes: z._default(z.int().check(z.minimum(MiB)), 48 * MiB),
    /** Timeout log style: "2026" puts `Status: timeout` in REPORT, "classic" logs `Task timed out after …` (§4). */
    timeoutStyle: z._default(z.enum(["2026", "classic"]), "2026"),
    /**
     * How a crash (out of memory) is written (§8): "2026" logs `Runtime exited with error: signal: killed` then
     * `Runtime.ExitError`; "classic" logs the older `Process exited before completing request`, the text AWS's older
     * async-invocation pages show in an invocation record's errorMessage. Both keep the errorType Runtime.ExitError.
     */
    crashStyle: z._default(z.enum(["2026", "classic"]), "2026"),
    /** Delays before the 2nd and 3rd attempt of an async event after a function error (≈1 min, ≈2 min, §6). */
    asyncRetryDelaysMs: z._default(z.array(z.number().check(z.minimum(0))).check(z.length(2)), [60_000, 120_000]),
    /** Backoff for throttled async events: starts here and doubles (§6). */
    asyncThrottleBaseMs: z._default(z.number().check(z.minimum(1)), 1_000),
    /** ...up to this cap (§6). */
    asyncThrottleCapMs: z._default(z.number().check(z.minimum(1)), 300_000),
    /** SIMPLIFICATIONS of the SQS event source mapping's pollers (§7): scaling steps, scale-down, throttle retries. */
    sqsMapping: z.prefault(SqsMappingModelSchema, {}),
    /** How handler code's AWS calls retry a throttle or a 5xx (§4): 3 attempts, backoff constants a SIMPLIFICATION. */
    sdkRetries: z.prefault(SdkRetriesSchema, {}),
    /**
     * The per-function scaling rate as a token bucket (§3: 1,000 new environments per 10 s, refilled continuously,
     * never more than 1,000 saved up). Creating an environment takes a token; reusing a warm one is free.
     */
    scalingBucketSize: z._default(z.number().check(z.minimum(1)), 1_000),
    /** ...refilled at this many tokens per virtual ms (0.1 = 1,000 per 10 s). */
    scalingRefillPerMs: z._default(z.number().check(z.minimum(0)), 0.1),
    /**
     * The request rate quota: invocation requests per second, this many per unit of concurrency (§3: 10 × the
     * concurrency quota); null turns it off. Counted in whole virtual seconds (a SIMPLIFICATION).
     */
    requestsPerSecondPerConcurrency: z._default(z.nullable(z.number().check(z.positive())), 10),
    /**
     * Where the request rate quota applies: "account" (§3: per Region, sync requests from every source and async
     * requests from clients; async events from AWS services are always accepted), or "function", the workbook's
     * earlier SIMPLIFICATION: each function gets 10 × (its reserved concurrency, or the account limit) sync requests.
     */
    requestRateQuota: z._default(z.enum(["account", "function"]), "account"),
    /**
     * SIMPLIFICATION (implied by §3, not stated): provisioned environments are allocated concurrency, so idle ones
     * hold the function's reserved (or the account's unreserved) concurrency and on-demand room shrinks by them.
     * false counts them only while they serve a request.
     */
    provisionedHoldsConcurrency: z._default(z.boolean(), true),
    /**
     * SIMPLIFICATION: a provisioned environment whose INIT failed or timed out is tried again this long after (AWS
     * retries without saying when); null never retries. Retries pause while the function gets no traffic.
     */
    provisionedInitRetryMs: z._default(z.nullable(z.number().check(z.minimum(0))), 60_000),
    /**
     * Which scaling rule applies (§0, §3): "2023", 1,000 new environments per 10 s for each function (the token bucket
     * above), or "pre-2023", an account-level burst (`burstConcurrency`) in the first minute, then +`burstGrowthPerMinute`
     * each minute, shared by all functions.
     */
    scalingRule: z._default(z.enum(["2023", "pre-2023"]), "2023"),
    /** The pre-2023 burst: 500–3,000 by Region (§3); 3,000 here (SIMPLIFICATION: the workbook picks one Region's). */
    burstConcurrency: z._default(z.int().check(z.minimum(500), z.maximum(3_000)), 3_000),
    /** The pre-2023 growth after the burst: 500 per minute (§3). */
    burstGrowthPerMinute: z._default(z.int().check(z.minimum(1)), 500),
    /**
     * SIMPLIFICATION: a provisioned environment is replaced after this long (AWS says it recycles them periodically,
     * without a period); the replacement initialises first, then the old one retires. null for never (§1).
     */
    provisionedRecycleMs: z._default(z.nullable(z.number().check(z.minimum(1))), 7_200_000),
    /**
     * Price of keeping provisioned concurrency configured, per GB-second (billed in 5-minute steps, §9). lambda-model.md
     * gives no figure, so it is unpriced (null) unless a scenario sets one.
     */
    provisionedPricePerGbSecondUsd: z._default(z.nullable(z.number().check(z.minimum(0))), null),
    /** Duration price of invocations served by provisioned environments; null bills them at the on-demand rate. */
    provisionedDurationPricePerGbSecondUsd: z._default(z.nullable(z.number().check(z.minimum(0))), null),
    /** How the bill is computed (§9). */
    pricing: z.prefault(z.strictObject({
        /**
         * Take the monthly free tier (1M requests, 400,000 GB-seconds; renewed each calendar month, UTC) off the bill.
         * Off by default, so that small lessons show non-zero costs; a widget or workload can switch it on.
         */
        applyFreeTier: z._default(z.boolean(), false),
      }), {}),
    /** SIMPLIFICATION: network round trip a client sees on top of the function's duration (not billed, §1). */
    netRttMs: z._default(z.number().check(z.minimum(0)), 10),
  });
export type ModelSettings = z.infer<typeof ModelSettingsSchema>;
export type ModelSettingsInput = z.input<typeof ModelSettingsSchema>;

/** Size of a set of environment variables as the workbook counts it: the UTF-8 bytes of the names and values. */
export function environmentBytes(vars: Record<string, string>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(vars)) bytes += utf8Length(name) + utf8Length(value);
  return bytes;
}

/** CPU share a function gets from its memory size: 1,769 MB is one vCPU; one JS thread never uses more (§2). */
export function cpuSpeedFactor(memoryMB: number): number {
  return Math.min(1, memoryMB / LAMBDA_FACTS.mbPerVcpu);
}

/** QuickJS heap budget for a function of this memory size (the documented 1/32 scale, capped). */
export function sandboxHeapBytes(memoryMB: number, model: ModelSettings): number {
  const usable = Math.max(1, memoryMB - model.memoryBaselineMB);
  return Math.min(model.sandboxHeapCapBytes, usable * model.sandboxBytesPerMB);
}
