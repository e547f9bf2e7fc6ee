/**
 * Tenant starvation (lambda-model.md §11 decisions): one noisy tenant takes the concurrency every tenant shares and the
 * quiet ones are throttled; the documented fixes — reserved concurrency per function, or MaximumConcurrency on a queue
 * per tenant — protect the quiet tenants. Only existing engine features are used.
 */
import { describe, expect, it } from "vitest";
import { Simulation } from "../../src/runtime/simulation.ts";
import { SqsEventSourceMapping } from "../../src/runtime/sqs-mapping.ts";
import { ServiceHub } from "../../src/services/hub.ts";
import type { Sender } from "../../src/services/queue.ts";
import { HostCode } from "./host-code.ts";

const QUIET = ["q1", "q2", "q3"];
/** A small account, so that one tenant's burst can fill it: 20 concurrent executions, 5 always left unreserved. */
const ACCOUNT = { concurrencyLimit: 20, unreservedMinimum: 5 };

/**
 * Sync traffic for 30 s: the noisy tenant sends 30 requests of 950 ms at every whole second (it alone wants 30
 * concurrent executions); each quiet tenant sends a 100 ms request every 250 ms. `route` says which function serves a
 * tenant and with which tenant id. Returns the throttles per tenant.
 */
function syncTraffic(sim: Simulation, route: (tenant: string) => { fn: string; tenantId: string | null }): Record<string, number> {
  const throttles: Record<string, number> = { noisy: 0, q1: 0, q2: 0, q3: 0 };
  const send = (tenant: string, at: number, durationMs: number) => {
    const { fn, tenantId } = route(tenant);
    sim.invoke(fn, "sync", { durationMs }, { at, tenantId, onResult: (r) => (r.statusCode === 429 ? throttles[tenant]!++ : undefined) });
  };
  for (let s = 0; s < 30; s++) {
    for (let i = 0; i < 30; i++) send("noisy", s * 1_000, 950);
    for (let k = 0; k < 4; k++) for (const q of QUIET) send(q, s * 1_000 + 10 + k * 250, 100);
  }
  sim.run({ until: 40_000 });
  return throttles;
}

const sim = () => new Simulation({ seed: 1, account: ACCOUNT, model: { initPlatformMs: 0 } });

describe("§11 Tenant starvation comes from the shared concurrency pool; the fixes use reserved concurrency per function or SQS MaximumConcurrency per queue", () => {
  it("§11 tenant starvation comes from the shared concurrency pool: a noisy tenant's bursts throttle the quiet tenants of the same function, with tenant isolation mode or without it", () => {
    for (const tenantIsolation of [false, true]) {
      const s = sim();
      s.deploy({ name: "api", tenantIsolation }, new HostCode());
      const throttles = syncTraffic(s, (tenant) => ({ fn: "api", tenantId: tenantIsolation ? tenant : null }));
      // Every quiet request arrives while a burst runs and finds the 20 executions taken; the noisy tenant gets 20 of 30.
      expect(throttles, `isolation ${tenantIsolation}`).toEqual({ noisy: 30 * 10, q1: 120, q2: 120, q3: 120 });
    }
  });

  it("§11 the fixes use reserved concurrency per function: the noisy tenant on its own function with a reservation is throttled alone", () => {
    const s = sim();
    s.deploy({ name: "api" }, new HostCode());
    // The silo for the noisy tenant: its reservation (12) comes out of the account, the quiet tenants share the other 8.
    s.deploy({ name: "api-noisy", reservedConcurrency: 12 }, new HostCode());
    const throttles = syncTraffic(s, (tenant) => ({ fn: tenant === "noisy" ? "api-noisy" : "api", tenantId: null }));
    expect(throttles).toEqual({ noisy: 30 * 18, q1: 0, q2: 0, q3: 0 });
  });
});

describe("§11 the fixes use SQS MaximumConcurrency per queue", () => {
  const SCENARIO: Sender = { call: null, via: "scenario", chain: null };

  /**
   * One queue per tenant, every queue mapped to the same function (the pool). The noisy tenant drops a backlog of
   * 3,000 messages at once; each quiet tenant sends one message every 500 ms. Each message takes 1.9 s to process.
   * Returns the quiet tenants' throttled invokes and the longest time one of their messages waited to be deleted.
   */
  function queues(noisyMaximumConcurrency: number | null) {
    const services = new ServiceHub({});
    const s = new Simulation({ seed: 1, services, account: { concurrencyLimit: 30 }, model: { initPlatformMs: 0 } });
    s.deploy({ name: "worker", timeoutMs: 5_000 }, new HostCode({ invoke: () => ({ durationMs: 1_900 }) }));
    const mappings = new Map<string, SqsEventSourceMapping>();
    let quietWaitMs = 0;
    for (const tenant of ["noisy", ...QUIET]) {
      const queue = services.sqs.queue(`orders-${tenant}`);
      const maximumConcurrency = tenant === "noisy" ? noisyMaximumConcurrency : null;
      mappings.set(tenant, new SqsEventSourceMapping(s, queue, "worker", { queue: queue.name, batchSize: 1, maximumConcurrency }));
      if (tenant === "noisy") {
        s.at(0, () => {
          for (let i = 0; i < 3_000; i++) queue.send(s.now, { body: "bulk" }, SCENARIO);
        });
      } else {
        queue.onDeleted = (now, sentAt) => (quietWaitMs = Math.max(quietWaitMs, now - sentAt));
        for (let t = 0; t < 60_000; t += 500) s.at(t, () => queue.send(s.now, { body: "order" }, SCENARIO));
      }
    }
    s.run({ until: 60_000 });
    const quietThrottled = QUIET.reduce((n, q) => n + mappings.get(q)!.counts.throttledInvokes, 0);
    return { quietThrottled, quietWaitMs, noisyPeakPollers: mappings.get("noisy")!.counts.peakPollers };
  }

  it("§11 the fixes use SQS MaximumConcurrency per queue: without it the noisy queue's pollers take the shared concurrency and the quiet tenants' messages wait; with it they never do", () => {
    const open = queues(null);
    expect(open.noisyPeakPollers).toBeGreaterThan(30);
    expect(open.quietThrottled).toBeGreaterThan(0);
    expect(open.quietWaitMs).toBeGreaterThan(10_000);
    const capped = queues(10);
    expect(capped.noisyPeakPollers).toBe(10);
    expect(capped.quietThrottled).toBe(0);
    expect(capped.quietWaitMs).toBe(1_900); // only its own work
  });
});
