/**
 * The modelling choices a learner must know are choices, not AWS guarantees (lambda-model.md "Modelling decisions"),
 * worded with the values actually in force.
 */
import { formatMs } from "./simulation.ts";
import type { ModelSettings } from "./config.ts";

export function describeSimplifications(model: ModelSettings): string[] {
  return [
    `An idle environment is recycled ${formatMs(model.idleExpiryMs)} after its last invocation${model.maxLifetimeMs === null ? "" : `, and any environment retires after ${formatMs(model.maxLifetimeMs)}`}; AWS documents neither period.`,
    "The most recently created idle environment takes the next request; AWS does not document which one does.",
    `A cold start costs ${formatMs(model.initPlatformMs)} of platform set-up plus the time the module's top level takes.`,
    `Handler CPU is counted deterministically: ${model.cpuMsPerTick} ms per sandbox interrupt tick at one full vCPU (1,769 MB), scaled down for smaller memory sizes.`,
    `Memory is scaled: each MB of function memory is ${model.sandboxBytesPerMB / 1024} KiB of sandbox heap, on top of a ${model.memoryBaselineMB} MB runtime baseline.`,
    `Async retries come exactly ${formatMs(model.asyncRetryDelaysMs[0] ?? 60_000)} and ${formatMs(model.asyncRetryDelaysMs[1] ?? 120_000)} after a failure (AWS says "about"); a retry keeps its request id, a duplicate delivery gets a new one.`,
  ];
}
