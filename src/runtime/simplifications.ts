/**
 * The modelling choices a learner must know are choices, not AWS guarantees (lambda-model.md "Modelling decisions"),
 * worded with the values actually in force.
 */
import { formatMs } from "./format.ts";
import type { ModelSettings } from "./config.ts";
import { describeSdkRetries } from "./sdk-retries.ts";

/**
 * Simplifications that only some runs depend on: the simulator notes each one the first time it is used
 * (`Simulation.simplificationsUsed`), and reports list them after the ones every run depends on.
 */
export type SimplificationKey =
  | "request-rate-quota"
  | "request-rate-cap"
  | "pre-2023-scaling"
  | "scaling-throttle-reason"
  | "async-record-shape"
  | "dead-letter-attributes"
  | "async-duplicate-rate"
  | "provisioned-concurrency"
  | "tmp-full-error"
  | "sqs-event-source-mapping"
  | "api-gateway-answers"
  | "service-hand-offs"
  | "delivery-retries"
  | "step-functions"
  | "database-connections"
  | "tenant-isolation"
  | "sdk-retries";

type Describe = (model: ModelSettings) => string;

/** Keys whose text the module making the choice registers, so that pages running only the simulator do not carry it. */
type RegisteredKey = "delivery-retries" | "step-functions" | "database-connections";

/** Called by the module that makes the choice (services/delivery.ts, stepfunctions.ts, db-connections.ts) when it loads. */
export function registerSimplification(key: RegisteredKey, describe: Describe): void {
  OCCASIONAL[key] = describe;
}

const OCCASIONAL: Partial<Record<SimplificationKey, Describe>> = {
  "request-rate-quota": () =>
    "Request rate quotas (the Region's, and a function's with provisioned concurrency) count requests in whole seconds of virtual time, and a refused request gets the 429 Reason FunctionInvocationRateLimitExceeded; AWS documents neither.",
  "request-rate-cap": (model) =>
    `Each function accepts at most ${model.requestsPerSecondPerConcurrency ?? 10} sync requests per second per unit of its reserved concurrency (or of the account limit), counted in whole seconds; AWS documents this quota per Region, not per function (requestRateQuota "function", a modelling choice; "account" follows AWS).`,
  "pre-2023-scaling": (model) =>
    `The pre-2023 scaling rule: the account's functions together reach ${model.burstConcurrency.toLocaleString("en-US")} concurrent executions at once (AWS gave 500–3,000 by Region), then ${model.burstGrowthPerMinute.toLocaleString("en-US")} more in each whole minute after concurrency first reaches that burst, starting again once it falls below; AWS did not document the steps.`,
  "scaling-throttle-reason": () =>
    "A request refused by the scaling rate (no idle environment and no new one allowed yet) gets the 429 Reason ConcurrentInvocationLimitExceeded; AWS does not document which Reason it uses.",
  "async-record-shape": () =>
    "Invocation records use the conditions Success and EventAgeExceeded besides the documented RetriesExhausted, and have no response part when no attempt ran; AWS documents only the RetriesExhausted form.",
  "dead-letter-attributes": () =>
    "The dead-letter queue's ErrorCode attribute is the last attempt's HTTP status (200 for a function error, 429 when the event never ran); AWS shows the attribute names but not their values.",
  "provisioned-concurrency": (model) =>
    `Provisioned environments are ${model.provisionedRecycleMs === null ? "never replaced" : `replaced every ${formatMs(model.provisionedRecycleMs)}`} (the replacement initialises first; a period without traffic pauses this); ${model.provisionedHoldsConcurrency ? "idle ones hold the concurrency they are allocated (implied by AWS, not stated)" : "they count toward concurrency only while serving a request"}; a failed INIT is ${model.provisionedInitRetryMs === null ? "not retried" : `retried after ${formatMs(model.provisionedInitRetryMs)}`}; their standing charge is ${model.provisionedPricePerGbSecondUsd === null ? "not priced (no price in the workbook's sources)" : `$${model.provisionedPricePerGbSecondUsd} per GB-second`}, and their invocations are billed at ${model.provisionedDurationPricePerGbSecondUsd === null ? "the on-demand duration rate" : `$${model.provisionedDurationPricePerGbSecondUsd} per GB-second`}. AWS documents none of these details.`,
  "tmp-full-error": () =>
    "A write that would take /tmp past its size fails with ENOSPC, the error Linux gives a Node.js program, and only file contents count toward the size; AWS does not document what a full /tmp does.",
  "sqs-event-source-mapping": (model) => {
    const m = model.sqsMapping;
    const low = m.lowTrafficAfterEmptyMs === null ? "" : ` and to ${m.lowTrafficPollers} after ${formatMs(m.lowTrafficAfterEmptyMs)} (not with a maximum concurrency)`;
    const wait = m.lowTrafficWaitMs > 0 ? ` With a batching window, a batch that is not full waits until ${formatMs(m.lowTrafficWaitMs)} after its window opened.` : "";
    const sees = m.pollDelayMs > 0 ? `an idle mapping notices a new message ${formatMs(m.pollDelayMs)} after it arrives` : "the mapping sees a message the instant it arrives, with no polling delay";
    return (
      `The SQS event source mapping starts with 5 pollers, each running one batch at a time, and ${sees}; it adds ${m.pollerStep} pollers every ${formatMs(m.scaleStepMs)} while messages wait and every poller is busy (up to 1,000 or the maximum concurrency; ${m.provisionedPollerStep} per step in provisioned mode), ` +
      `drops back to 5 (to the minimum in provisioned mode) after ${formatMs(m.scaleBackAfterEmptyMs)} with an empty queue${low}, and loses ${m.pollersLostPerFailure} per failed batch; ` +
      `a throttled batch is retried after ${formatMs(m.throttleRetryBaseMs)}, then twice as long each time, until its visibility timeout ends; messages of an invoke stopped by loop detection go to the queue's dead-letter queue or are dropped; ` +
      `a visibility timeout shorter than the function timeout is refused.${wait} AWS documents the starting point, the rate and the floors, not these steps.`
    );
  },
  "api-gateway-answers": () =>
    "The API gateway's 413 status for an oversize body or oversize REST headers (name: value plus CRLF each), and its error bodies, are the workbook's; after a 504 the Lambda invocation keeps running and billing until it ends (widely reported, not in AWS's documentation); an invoke Lambda refuses, and a throttle behind an HTTP API, get 500 like a throttle behind a REST API.",
  "service-hand-offs": () =>
    "Topics, event-bus rules and bucket notifications deliver at once; bucket notifications do not retry a refused hand-off; an oversize EventBridge entry fails alone; service latencies are the workbook's. AWS documents none of these details.",
  "tenant-isolation": () =>
    "Tenant isolation mode, as the workbook simplifies it: within a tenant, the most recently created idle environment takes the request; AWS's limit on how many tenant environments may exist is not modelled; a tenant id that does not fit the function gets InvalidParameterValueException with the workbook's wording; a REST API passes the client's X-Amz-Tenant-Id header on as it is (in AWS the integration maps a client value to it), an HTTP API passes none.",
  "sdk-retries": (model) => describeSdkRetries(model.sdkRetries),
  "async-duplicate-rate": () =>
    `Lambda's queue delivers a configured share of async events twice, drawn from the seeded generator; AWS says duplicates happen without saying how often.`,
} satisfies Record<Exclude<SimplificationKey, RegisteredKey>, Describe>;

export function describeSimplifications(model: ModelSettings, used: Iterable<SimplificationKey> = []): string[] {
  const occasional = [...new Set(used)].sort().map((key) => OCCASIONAL[key]!(model));
  return [...always(model), ...occasional];
}

function always(model: ModelSettings): string[] {
  return [
    `An idle environment is recycled ${formatMs(model.idleExpiryMs)} after its last invocation${model.maxLifetimeMs === null ? "" : `, and any environment retires after ${formatMs(model.maxLifetimeMs)}`}; AWS documents neither period.`,
    "The most recently created idle environment takes the next request; AWS does not document which one does.",
    `A cold start costs ${formatMs(model.initPlatformMs)} of platform set-up plus the time the module's top level takes.`,
    `Handler CPU is counted deterministically: ${model.cpuMsPerTick} ms per sandbox interrupt tick at one full vCPU (1,769 MB), scaled down for smaller memory sizes.`,
    `Memory is scaled: each MB of function memory is ${model.sandboxBytesPerMB / 1024} KiB of sandbox heap, on top of a ${model.memoryBaselineMB} MB runtime baseline.`,
    `Async retries come exactly ${formatMs(model.asyncRetryDelaysMs[0] ?? 60_000)} and ${formatMs(model.asyncRetryDelaysMs[1] ?? 120_000)} after a failure (AWS says "about"); a retry keeps its request id, a duplicate delivery gets a new one.`,
  ];
}
