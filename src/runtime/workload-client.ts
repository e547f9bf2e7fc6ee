/**
 * The client of a `simulate` workload with sync invokes. By default ("none") each arrival is one Invoke request and a
 * throttle is final. With `client.retries: "sdk-standard"` the client retries a throttle or a 5xx as the AWS SDK's
 * standard mode does (lambda-model.md §4, sdk-retries.ts), so a team lead can see how retries amplify the traffic
 * Lambda receives under throttling. A function error is an answer (HTTP 200) and is never retried.
 */
import { z } from "zod/mini";
import { LatencyHistogram } from "./aggregates.ts";
import type { Prng } from "./prng.ts";
import { backoffMs, retryableStatus, SdkRetriesSchema, type SdkRetries } from "./sdk-retries.ts";
import type { InvokeOptions, Simulation, SyncResult } from "./simulation.ts";

export const WorkloadClientSchema = z.extend(SdkRetriesSchema, {
  /** "none" (the default): one attempt per request. "sdk-standard": retry a throttle or 5xx like the AWS SDK (§4). */
  retries: z._default(z.enum(["none", "sdk-standard"]), "none"),
});
export type WorkloadClient = z.infer<typeof WorkloadClientSchema>;

/** What the summary says about a retrying client (the `client` key, present only with retries). */
export interface ClientSummary {
  /** Invoke requests the client sent after a throttle or a 5xx. */
  retries: number;
  /** Requests whose last attempt was still throttled (or a 5xx) when the attempts ran out. */
  failedAfterAllAttempts: number;
  /** Invoke requests Lambda received: the requests plus the retries. */
  invokeRequests: number;
}

/** A client that retries sync invokes; the simulation draws its backoff from `prng`. */
export class RetryingClient {
  retries = 0;
  failedAfterAllAttempts = 0;
  /** Latency as the client sees it: from its first attempt to the end of the invocation that ran, backoffs included. */
  readonly latency = new LatencyHistogram();
  private readonly sim: Simulation;
  private readonly functionName: string;
  private readonly settings: SdkRetries;
  private readonly prng: Prng;

  constructor(sim: Simulation, functionName: string, settings: SdkRetries, prng: Prng) {
    this.sim = sim;
    this.functionName = functionName;
    this.settings = settings;
    this.prng = prng;
  }

  /**
   * One request arrives now. `tenant` (per-tenant traffic) gives every attempt its tenant id, and its `onResult` sees
   * every attempt's result.
   */
  send(payload: string, tenant: InvokeOptions | null): void {
    const sim = this.sim;
    const firstAt = sim.now;
    let attempts = 1;
    const observe = tenant?.onResult;
    const options: InvokeOptions = {
      tenantId: tenant?.tenantId ?? null,
      onResult: (r: SyncResult) => {
        observe?.(r);
        if (r.statusCode === 200) {
          this.latency.add(sim.now - firstAt);
          return;
        }
        if (!retryableStatus(r.statusCode)) return;
        if (attempts >= this.settings.maxAttempts) {
          this.failedAfterAllAttempts++;
          return;
        }
        this.retries++;
        const delay = backoffMs(this.settings, attempts, this.prng);
        attempts++;
        sim.at(sim.now + delay, () => sim.arrive(this.functionName, "sync", payload, options));
      },
    };
    sim.arrive(this.functionName, "sync", payload, options);
  }

  summary(): ClientSummary {
    return { retries: this.retries, failedAfterAllAttempts: this.failedAfterAllAttempts, invokeRequests: this.sim.totals.requests };
  }
}
