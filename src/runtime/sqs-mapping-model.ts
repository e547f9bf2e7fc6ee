/**
 * The SQS event source mapping's SIMPLIFICATIONS (lambda-model.md §7 modelling decisions): what AWS leaves
 * undocumented about its pollers, as settings (`model.sqsMapping`). Reports word them with the values in force
 * (simplifications.ts). The documented facts stay fixed in `SQS_MAPPING` (sqs-mapping.ts).
 */
import { z } from "zod/mini";

export const SqsMappingModelSchema = z.strictObject({
    /** Pollers added per scaling step while messages wait and every poller is busy: 5 per 1 s gives the documented 300/min. */
    pollerStep: z._default(z.int().check(z.minimum(1)), 5),
    /** Length of a scaling step in ms. */
    scaleStepMs: z._default(z.int().check(z.minimum(1)), 1_000),
    /** After this long with an empty queue the mapping goes back to 5 pollers (the docs say "at low traffic"). */
    scaleBackAfterEmptyMs: z._default(z.int().check(z.minimum(0)), 60_000),
    /**
     * AWS says the mapping can go further down, to 2 pollers, unless MaximumConcurrency is set. The floor and when it
     * is reached (after this long with an empty queue; null for never) are the workbook's.
     */
    lowTrafficPollers: z._default(z.int().check(z.minimum(2), z.maximum(5)), 2),
    lowTrafficAfterEmptyMs: z._default(z.nullable(z.int().check(z.minimum(0))), 300_000),
    /** Pollers taken away per failed batch (without ReportBatchItemFailures), down to the floor. */
    pollersLostPerFailure: z._default(z.int().check(z.minimum(0)), 1),
    /** First retry of a throttled invoke; the delay doubles after each throttle until the visibility timeout ends. */
    throttleRetryBaseMs: z._default(z.int().check(z.minimum(1)), 1_000),
    /** Provisioned mode: pollers added per scaling step, between the minimum and maximum pollers (AWS gives no speed). */
    provisionedPollerStep: z._default(z.int().check(z.minimum(1)), 5),
    /**
     * With a batching window, at low traffic Lambda may wait up to 20 s before invoking (§7): a batch that is not full
     * is held until this long after its window opened, if that is later than the window's end. 0 (off) by default.
     */
    lowTrafficWaitMs: z._default(z.int().check(z.minimum(0), z.maximum(20_000)), 0),
    /**
     * How long after a message arrives an idle mapping notices it. Lambda's pollers long-poll the queue, and AWS gives
     * no delay: 0 by default (the mapping sees a message the instant it is sent).
     */
    pollDelayMs: z._default(z.number().check(z.minimum(0), z.maximum(20_000)), 0),
  });
export type SqsMappingModel = z.infer<typeof SqsMappingModelSchema>;
