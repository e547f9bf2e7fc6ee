/**
 * Configuration of simulated functions, the account and the model's simplifications: one zod schema per concept,
 * types derived from the schemas. Values and ranges follow ../shared/lambda-model.md (section numbers in comments).
 */
import { z } from "zod";
import { DeadLetterQueueSchema, DestinationSchema } from "./destinations.ts";
import { SqsMappingModelSchema } from "./sqs-mapping-model.ts";

export const KiB = 1024;
export const MiB = 1024 * 1024;

/** Fixed facts of Lambda that are not configurable (lambda-model.md §1, §2, §5, §9). */
export const LAMBDA_FACTS = {
  /** INIT phase limit for on-demand functions (§1). */
  initLimitMs: 10_000,
  /** INIT limit of provisioned environments: 130 s or the function timeout, whichever is higher (§1). */
  provisionedInitLimitMs: 130_000,
  /** 1,769 MB of memory buys one full vCPU (§2). */
  mbPerVcpu: 1769,
  /** Buffered synchronous response limit as enforced: 6 MiB + 100 bytes (§5, observed). */
  syncResponseLimitBytes: 6_291_556,
  /** Synchronous invoke request limit (§5). */
  syncRequestLimitBytes: 6 * MiB,
  /** Asynchronous invoke request limit since 2025-10-24 (§0, §5). */
  asyncRequestLimitBytes: 1 * MiB,
  /** Prices, us-east-1 as read in 2026 copies of the pricing page: check it before quoting (§9). */
  pricePerRequestUsd: 0.0000002,
  pricePerGbSecondUsd: { x86_64: 0.0000166667, arm64: 0.0000133334 },
  /** `/tmp` every function gets in the price; storage above it is billed separately, at a price not modelled (§9). */
  includedEphemeralStorageMB: 512,
} as const;

/** One function's configuration, as a learner or an exercise sets it (lambda-model.md §2, §6). */
export const FunctionConfigSchema = z
  .object({
    /** Function name, as `context.functionName` reports it. */
    name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "letters, digits, '-' or '_' (at most 64)").default("handler"),
    /** Memory size in MB: 128–10,240, default 128 (§2). */
    memoryMB: z.number().int().min(128).max(10_240).default(128),
    /** Function timeout in ms: 1–900 s, default 3 s (§2, §4). */
    timeoutMs: z.number().int().min(1_000).max(900_000).default(3_000),
    /** Reserved concurrency: null for none; 0 throttles every invocation (§3). */
    reservedConcurrency: z.number().int().min(0).nullable().default(null),
    /** Provisioned concurrency: environments initialised ahead of traffic, kept ready (§1, §3); 0 for none. */
    provisionedConcurrency: z.number().int().min(0).default(0),
    /** Ephemeral storage (`/tmp`) in MB: 512–10,240, default 512 (§1, §2). */
    ephemeralStorageMB: z.number().int().min(512).max(10_240).default(512),
    /** Instruction set; Arm duration is priced 20% lower (§2, §9). */
    architecture: z.enum(["x86_64", "arm64"]).default("x86_64"),
    /** Asynchronous invocation settings (§6). */
    async: z
      .object({
        /** Retries after a function error: 0–2, default 2. */
        maxRetryAttempts: z.number().int().min(0).max(2).default(2),
        /** Maximum event age in ms: 60 s – 6 h, default 6 h. */
        maxEventAgeMs: z.number().int().min(60_000).max(21_600_000).default(21_600_000),
        /** Where the invocation record of a successful event goes: SQS, SNS, Lambda or EventBridge, or null. */
        onSuccess: DestinationSchema.nullable().default(null),
        /** Where the invocation record of a failed or discarded event goes (S3 allowed here too), or null. */
        onFailure: DestinationSchema.nullable().default(null),
        /**
         * SIMPLIFICATION: the share of accepted events Lambda's queue delivers twice (drawn from the seeded generator).
         * AWS says duplicates can happen without saying how often; 0 unless a scenario asks for them.
         */
        duplicateRate: z.number().min(0).max(1).default(0),
      })
      .strict()
      .prefault({})
      .refine((a) => a.onSuccess?.type !== "s3", { path: ["onSuccess", "type"], message: "S3 can only be an on-failure destination" }),
    /** Recursive loop detection: "Terminate" (the default) stops the invocation after 16 in one chain (§3). */
    recursiveLoop: z.enum(["Terminate", "Allow"]).default("Terminate"),
    /** The older dead-letter queue (SQS or SNS) for events that failed or were discarded, or null (§6). */
    deadLetterQueue: DeadLetterQueueSchema.nullable().default(null),
  })
  .strict()
  .refine((f) => f.reservedConcurrency === null || f.provisionedConcurrency <= f.reservedConcurrency, {
    path: ["provisionedConcurrency"],
    message: "provisioned concurrency cannot exceed the function's reserved concurrency",
  });
export type FunctionConfig = z.infer<typeof FunctionConfigSchema>;
export type FunctionConfigInput = z.input<typeof FunctionConfigSchema>;

/** The account the functions run in (lambda-model.md §3). */
export const AccountConfigSchema = z
  .object({
    /** Concurrent executions shared by all functions in the Region: 1,000 by default. */
    concurrencyLimit: z.number().int().min(1).default(1_000),
    /**
     * Concurrency that reservations may never take: Lambda keeps 100 for functions without a reservation (§3).
     * Configurable only so that tests and lessons can use tiny accounts.
     */
    unreservedMinimum: z.number().int().min(0).default(100),
  })
  .strict();
export type AccountConfig = z.infer<typeof AccountConfigSchema>;

/**
 * The model's SIMPLIFICATIONS: behaviour AWS does not document, made configurable (lambda-model.md "Modelling
 * decisions"). Anything a learner sees that depends on these says it is a modelling choice.
 */
export const ModelSettingsSchema = z
  .object({
    /** SIMPLIFICATION: an idle environment is recycled this long after its last invocation ends (10 min, §1). */
    idleExpiryMs: z.number().min(0).default(600_000),
    /** SIMPLIFICATION: an environment retires after this lifetime even when busy (2 h, §1); null for never. */
    maxLifetimeMs: z.number().min(1).nullable().default(7_200_000),
    /** SIMPLIFICATION: platform part of a cold start (sandbox, code download, runtime bootstrap), 250 ms (§1). */
    initPlatformMs: z.number().min(0).default(250),
    /**
     * SIMPLIFICATION: virtual CPU ms charged per sandbox interrupt tick at one full vCPU. QuickJS calls its interrupt
     * handler about once per 10,000 interpreter poll points (~5,000 simple loop iterations); divided by the memory-
     * derived CPU share, so a 128 MB function spends 1 / (128 / 1769) ≈ 13.8 ms per tick (§2).
     */
    cpuMsPerTick: z.number().positive().default(1),
    /** Memory the Node.js runtime itself uses before any handler code (73–75 MB observed for trivial functions, §2). */
    memoryBaselineMB: z.number().min(0).default(70),
    /**
     * SIMPLIFICATION: QuickJS heap bytes that stand for one MB of function memory (1/32 scale), capped at
     * `sandboxHeapCapBytes` so that large memory sizes stay cheap to simulate.
     */
    sandboxBytesPerMB: z.number().int().min(1_024).default(32 * KiB),
    /** SIMPLIFICATION: the largest QuickJS heap one environment may use (reached at about 1,606 MB of memory). */
    sandboxHeapCapBytes: z.number().int().min(MiB).default(48 * MiB),
    /** Timeout log style: "2026" puts `Status: timeout` in REPORT, "classic" logs `Task timed out after …` (§4). */
    timeoutStyle: z.enum(["2026", "classic"]).default("2026"),
    /** Delays before the 2nd and 3rd attempt of an async event after a function error (≈1 min, ≈2 min, §6). */
    asyncRetryDelaysMs: z.array(z.number().min(0)).length(2).default([60_000, 120_000]),
    /** Backoff for throttled async events: starts here and doubles (§6). */
    asyncThrottleBaseMs: z.number().min(1).default(1_000),
    /** ...up to this cap (§6). */
    asyncThrottleCapMs: z.number().min(1).default(300_000),
    /** SIMPLIFICATIONS of the SQS event source mapping's pollers (§7): scaling steps, scale-down, throttle retries. */
    sqsMapping: SqsMappingModelSchema.prefault({}),
    /**
     * The per-function scaling rate as a token bucket (§3: 1,000 new environments per 10 s, refilled continuously,
     * never more than 1,000 saved up). Creating an environment takes a token; reusing a warm one is free.
     */
    scalingBucketSize: z.number().min(1).default(1_000),
    /** ...refilled at this many tokens per virtual ms (0.1 = 1,000 per 10 s). */
    scalingRefillPerMs: z.number().min(0).default(0.1),
    /**
     * SIMPLIFICATION: each function accepts at most this many sync requests per second per unit of its reserved
     * concurrency (or of the account limit when it has none). AWS documents 10 × the concurrency quota per Region;
     * null turns the cap off (§3).
     */
    requestsPerSecondPerConcurrency: z.number().positive().nullable().default(10),
    /**
     * SIMPLIFICATION: a provisioned environment is replaced after this long (AWS says it recycles them periodically,
     * without a period); the replacement initialises first, then the old one retires. null for never (§1).
     */
    provisionedRecycleMs: z.number().min(1).nullable().default(7_200_000),
    /**
     * Price of keeping provisioned concurrency configured, per GB-second (billed in 5-minute steps, §9). lambda-model.md
     * gives no figure, so it is unpriced (null) unless a scenario sets one.
     */
    provisionedPricePerGbSecondUsd: z.number().min(0).nullable().default(null),
    /** Duration price of invocations served by provisioned environments; null bills them at the on-demand rate. */
    provisionedDurationPricePerGbSecondUsd: z.number().min(0).nullable().default(null),
    /** SIMPLIFICATION: network round trip a client sees on top of the function's duration (not billed, §1). */
    netRttMs: z.number().min(0).default(10),
  })
  .strict();
export type ModelSettings = z.infer<typeof ModelSettingsSchema>;
export type ModelSettingsInput = z.input<typeof ModelSettingsSchema>;

/** CPU share a function gets from its memory size: 1,769 MB is one vCPU; one JS thread never uses more (§2). */
export function cpuSpeedFactor(memoryMB: number): number {
  return Math.min(1, memoryMB / LAMBDA_FACTS.mbPerVcpu);
}

/** QuickJS heap budget for a function of this memory size (the documented 1/32 scale, capped). */
export function sandboxHeapBytes(memoryMB: number, model: ModelSettings): number {
  const usable = Math.max(1, memoryMB - model.memoryBaselineMB);
  return Math.min(model.sandboxHeapCapBytes, usable * model.sandboxBytesPerMB);
}
