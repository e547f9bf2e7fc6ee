/**
 * Provisioned concurrency (lambda-model.md §1, §3, §9): environments initialised ahead of traffic and kept ready,
 * recycled now and then, and their standing charge.
 */
import { LAMBDA_FACTS, type ModelSettings } from "./config.ts";
import { formatMs } from "./format.ts";
import type { Environment, FunctionState } from "./state.ts";

/** Pricing rounds the time provisioned concurrency is configured up to 5 minutes (§9). */
export const PROVISIONED_BILLING_STEP_MS = 300_000;

export interface ProvisionedCharge {
  /** Configured concurrency × memory × configured time (rounded up to 5 minutes), in GB-seconds. */
  gbSeconds: number;
  /** null when no price is configured: lambda-model.md gives none for provisioned concurrency. */
  costUsd: number | null;
}

/** The standing charge of `concurrency` provisioned environments of `memoryMB` configured from `since` to `now`. */
export function provisionedCharge(concurrency: number, memoryMB: number, since: number, now: number, pricePerGbSecond: number | null): ProvisionedCharge {
  if (concurrency === 0) return { gbSeconds: 0, costUsd: pricePerGbSecond === null ? null : 0 };
  const billedMs = Math.max(1, Math.ceil((now - since) / PROVISIONED_BILLING_STEP_MS)) * PROVISIONED_BILLING_STEP_MS;
  const gbSeconds = concurrency * (memoryMB / 1024) * (billedMs / 1000);
  return { gbSeconds, costUsd: pricePerGbSecond === null ? null : gbSeconds * pricePerGbSecond };
}

/** What provisioned concurrency needs from the simulation it belongs to. */
export interface ProvisionedHost {
  readonly now: number;
  readonly model: ModelSettings;
  /** Provisioned environments whose INIT failed or timed out (Simulation.provisionedInitFailures). */
  readonly initFailures: Array<{ t: number; functionName: string; envId: string; reason: string }>;
  schedule(time: number, run: () => void): void;
  /** Whether `fn` is still the deployed state of its function (a redeploy replaces it). */
  isDeployed(fn: FunctionState): boolean;
  createEnvironment(fn: FunctionState, provisioned: true): Environment;
  /** Freezes a ready environment, idle (§1). */
  park(env: Environment): void;
  destroy(env: Environment): void;
  sampleMetrics(): void;
  /** Lets queued async events use the new environment. */
  pumpAsync(fn: FunctionState): void;
}

/** Creates, readies and recycles provisioned environments (§1, §3). */
export class ProvisionedConcurrency {
  private readonly host: ProvisionedHost;

  constructor(host: ProvisionedHost) {
    this.host = host;
  }

  /**
   * Creates a provisioned environment and runs its INIT ahead of traffic, under the 130 s (or function timeout) limit
   * (§1). Once ready it waits idle without expiring; `replaces` is the environment it takes over from (recycling).
   */
  prewarm(fn: FunctionState, replaces: Environment | null): void {
    const host = this.host;
    const env = host.createEnvironment(fn, true);
    const generation = env.generation;
    const deadline = host.now + Math.max(LAMBDA_FACTS.provisionedInitLimitMs, fn.config.timeoutMs);
    let settled = false;
    const failed = (why: string) => {
      settled = true;
      host.initFailures.push({ t: host.now, functionName: fn.config.name, envId: env.id, reason: why });
      host.destroy(env);
    };
    host.schedule(deadline, () => {
      if (settled || env.generation !== generation || env.state === "dead") return;
      env.instance?.abort();
      failed(`INIT did not finish within ${formatMs(deadline - env.createdAt)}`);
    });
    host.schedule(host.now + host.model.initPlatformMs, () => {
      if (settled || env.generation !== generation || env.state === "dead") return;
      const instance = fn.code.createInstance(env.port);
      env.instance = instance;
      instance.init(deadline, (outcome) => {
        if (settled || env.generation !== generation || env.state === "dead") return;
        env.maxMemoryUsedMB = Math.max(env.maxMemoryUsedMB, instance.memoryUsedMB());
        if (outcome.kind !== "success") {
          failed(outcome.kind === "error" ? `INIT failed: ${outcome.errorType}: ${outcome.errorMessage}` : "INIT ran out of memory");
          return;
        }
        settled = true;
        host.park(env);
        host.sampleMetrics();
        if (replaces !== null && replaces.state !== "dead") {
          if (replaces.state === "idle") host.destroy(replaces);
          else replaces.retireWhenDone = true;
        }
        host.pumpAsync(fn);
      });
    });
  }

  /**
   * SIMPLIFICATION (§1): a provisioned environment is replaced after a fixed period, the replacement ready first. A
   * period without any invocation of the function pauses it until the next invocation, so that a quiet simulation
   * runs out of events instead of recycling forever.
   */
  scheduleRecycle(env: Environment): void {
    const host = this.host;
    const period = host.model.provisionedRecycleMs;
    if (period === null) return;
    const fn = env.fn;
    const mark = fn.started;
    host.schedule(host.now + period, () => {
      if (env.state === "dead" || env.retireWhenDone || !host.isDeployed(fn)) return;
      if (fn.started === mark) fn.recyclePaused.push(env);
      else this.prewarm(fn, env);
    });
  }

  /** The function is invoked again: recycling paused for lack of traffic goes on. */
  resumeRecycling(fn: FunctionState): void {
    const paused = fn.recyclePaused;
    fn.recyclePaused = [];
    for (const env of paused) if (env.state !== "dead") this.scheduleRecycle(env);
  }
}
