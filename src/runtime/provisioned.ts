/**
 * Provisioned concurrency (lambda-model.md §1, §3, §9): environments initialised ahead of traffic and kept ready,
 * recycled now and then, and their standing charge.
 */
import { LAMBDA_FACTS, type ModelSettings } from "./config.ts";
import { formatMs } from "./format.ts";
import type { Environment, FunctionState } from "./state.ts";
import type { PlatformEvent, ShutdownCause } from "./trace.ts";

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
  /** Where the trace's platform events go (null when the trace is not kept). */
  readonly events: PlatformEvent[] | null;
  schedule(time: number, run: () => void): void;
  createEnvironment(fn: FunctionState, provisioned: true): Environment;
  /** Freezes a ready environment, idle (§1). */
  park(env: Environment): void;
  /** Ends an environment; with a cause it went through SHUTDOWN (§1). */
  destroy(env: Environment, cause: ShutdownCause | null): void;
  /** Retires an environment when its invocation ends. */
  retireWhenDone(env: Environment, cause: ShutdownCause): void;
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
   * A failed INIT is tried again later (SIMPLIFICATION: `provisionedInitRetryMs`); a second failure in a row with no
   * invocation of the function in between pauses the retries until the next one, so a quiet simulation ends.
   */
  prewarm(fn: FunctionState, replaces: Environment | null, startedAtLastFailure = -1): void {
    const host = this.host;
    const env = host.createEnvironment(fn, true);
    const generation = env.generation;
    const version = fn.version;
    const deadline = host.now + Math.max(LAMBDA_FACTS.provisionedInitLimitMs, env.config.timeoutMs);
    let settled = false;
    const failed = (why: string) => {
      settled = true;
      host.initFailures.push({ t: host.now, functionName: fn.config.name, envId: env.id, reason: why });
      host.destroy(env, null);
      const retryMs = host.model.provisionedInitRetryMs;
      let retryAt: number | null = null;
      if (retryMs !== null && fn.version === version) {
        if (fn.started === startedAtLastFailure) fn.initRetriesPaused++;
        else {
          retryAt = host.now + retryMs;
          const started = fn.started;
          host.schedule(retryAt, () => {
            if (fn.version === version) this.prewarm(fn, replaces, started);
          });
        }
      }
      host.events?.push({ kind: "provisioned-init-failed", t: host.now, functionName: fn.config.name, envId: env.id, reason: why, retryAt });
    };
    host.schedule(deadline, () => {
      if (settled || env.generation !== generation || env.state === "dead") return;
      env.instance?.abort();
      failed(`INIT did not finish within ${formatMs(deadline - env.createdAt)}`);
    });
    host.schedule(host.now + host.model.initPlatformMs, () => {
      if (settled || env.generation !== generation || env.state === "dead") return;
      const instance = env.code.createInstance(env.port);
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
          if (replaces.state === "idle") host.destroy(replaces, "provisioned-recycle");
          else host.retireWhenDone(replaces, "provisioned-recycle");
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
      if (env.state === "dead" || env.retireWhenDone) return;
      if (fn.started === mark) fn.recyclePaused.push(env);
      else this.prewarm(fn, env);
    });
  }

  /** The function is invoked again: recycling and INIT retries paused for lack of traffic go on. */
  resume(fn: FunctionState): void {
    const paused = fn.recyclePaused;
    fn.recyclePaused = [];
    for (const env of paused) if (env.state !== "dead") this.scheduleRecycle(env);
    const retries = fn.initRetriesPaused;
    fn.initRetriesPaused = 0;
    for (let i = 0; i < retries; i++) this.prewarm(fn, null, fn.started);
  }
}
