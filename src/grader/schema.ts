/**
 * The exercise format: one zod schema per concept, the single source of truth for the CLI, the site and the tests.
 * An exercise is a folder `exercises/<nn>-<chapter>/<nn>-<slug>/` holding exercise.ts (this record), starter.js,
 * solution.js, hints.md and wrong-fixes/*.js. Its id, `<chapter>/<slug>`, comes from the folder names.
 */
import { z } from "zod";
// The runtime's schemas are zod/mini ones (small in the browser): they are wrapped with mini's functions.
import { z as mini } from "zod/mini";
import { AccountConfigSchema, FunctionConfigSchema, ModelSettingsSchema } from "../runtime/config.ts";
import { reservationError } from "../runtime/scaling.ts";
import { mappingConfigError } from "../runtime/sqs-mapping.ts";
import { ServicesConfigSchema } from "../services/hub.ts";
import { SERVICE_LIMITS } from "../services/limits.ts";
import { EventSourcesSchema, SourceStepSchemas } from "./source-steps.ts";
import type { ScenarioWorld } from "./world.ts";

/** What a check returns: nothing when it passes, or a message for the learner (optionally pointing at records). */
export type CheckVerdict = string | null | undefined | { message: string; highlight?: number[] };
export type CheckFn = (world: ScenarioWorld) => CheckVerdict;

const checkFunction = z.custom<CheckFn>((v) => typeof v === "function", { message: "expected a function (world) => string | null" });

export const CheckSchema = z
  .object({
    /** What the check expects, as a sentence a learner reads ("charges order o-17 exactly once"). */
    name: z.string().min(1),
    /** Returns null when the expectation holds, else a message that explains what happened. */
    check: checkFunction,
    /** Lesson section the check is about (path and anchor), linked from a failed check. */
    lesson: z.string().optional(),
  })
  .strict();

export const StepSchema = z.discriminatedUnion("do", [
  z
    .object({
      do: z.literal("invoke"),
      /** Virtual ms from the start of the scenario. */
      at: z.number().min(0).default(0),
      /** "sync" is RequestResponse, "async" is Event (Lambda queues it and retries failures). */
      mode: z.enum(["sync", "async"]),
      /** The event, any JSON value. */
      event: z.unknown(),
      /** Deliver the same async event this many times (duplicates happen, lambda-model.md §6). */
      deliveries: z.number().int().min(1).max(10).default(1),
      /** Gap between duplicate deliveries. */
      duplicateDelayMs: z.number().min(0).default(0),
      /** The tenant id the invoke carries (`X-Amz-Tenant-Id`): required when the function has tenant isolation (§11). */
      tenantId: z.string().min(1).optional(),
    })
    .strict(),
  z
    .object({
      do: z.literal("recycle"),
      at: z.number().min(0).default(0),
    })
    .strict(),
  ...SourceStepSchemas,
]);
export type Step = z.infer<typeof StepSchema>;

export const ScenarioSchema = z
  .object({
    /** Short name shown beside the checks. */
    name: z.string().min(1),
    /** What happens in this scenario, in a sentence or two. */
    description: z.string().min(1),
    /** Hidden scenarios run only on Grade; visible ones also on Run. */
    hidden: z.boolean().default(false),
    /** Seed of the scenario's random choices (request ids, Math.random in the sandbox). */
    seed: z.number().int().default(1),
    /**
     * Virtual time after which the scenario stops: 8 h by default, beyond Lambda's async retries and maximum event age
     * (§6); up to 30 days for scenarios that follow SNS's 23 days of delivery retries or a queue's retention.
     */
    horizonMs: z.number().int().positive().max(30 * 86_400_000).default(8 * 3_600_000),
    /** Configuration of the simulated services, faults included. */
    services: ServicesConfigSchema.prefault({}),
    /** Overrides of the model's simplifications for this scenario. */
    model: mini._default(mini.partial(ModelSettingsSchema), {}),
    /** SQS event source mappings and the API gateway in front of the function (lambda-model.md §4, §5, §7). */
    sources: EventSourcesSchema.prefault({}),
    steps: z.array(StepSchema).min(1),
    checks: z.array(CheckSchema).min(1),
  })
  .strict();
export type Scenario = z.infer<typeof ScenarioSchema>;

export const ExerciseSchema = z
  .object({
    /** Title shown in lists and on the exercise panel. */
    title: z.string().min(1),
    /** One or two sentences: the situation and what to fix. */
    summary: z.string().min(1),
    /** Lesson section the exercise practises (path and anchor). */
    lesson: z.string().min(1),
    /** The function's configuration. */
    function: FunctionConfigSchema,
    /** Account settings (concurrency limit). */
    account: mini.prefault(AccountConfigSchema, {}),
    /** Overrides of the model's simplifications for every scenario. */
    model: mini._default(mini.partial(ModelSettingsSchema), {}),
    scenarios: z.array(ScenarioSchema).min(1),
  })
  .strict()
  .superRefine((exercise, ctx) => {
    // Lambda refuses a reservation that leaves less than the unreserved minimum (§3): say so before grading.
    const refused = reservationError(exercise.function.name, exercise.function.reservedConcurrency, 0, exercise.account);
    if (refused) ctx.addIssue({ code: "custom", path: ["function", "reservedConcurrency"], message: refused });
    // CreateEventSourceMapping's refusals (§7), reported at load time rather than in the middle of grading.
    exercise.scenarios.forEach((scenario, i) =>
      scenario.sources.sqs.forEach((mapping, j) => {
        const queue = { name: mapping.queue, visibilityTimeoutMs: scenario.services.sqs.queues[mapping.queue]?.visibilityTimeoutMs ?? SERVICE_LIMITS.sqsVisibilityTimeoutDefaultMs };
        const problem = mappingConfigError(mapping, queue, exercise.function);
        if (problem) ctx.addIssue({ code: "custom", path: ["scenarios", i, "sources", "sqs", j], message: problem });
      }),
    );
  });
export type Exercise = z.infer<typeof ExerciseSchema>;
export type ExerciseInput = z.input<typeof ExerciseSchema>;
