/**
 * Tenant isolation mode (lambda-model.md §0, §11): environments keyed by (version, tenant), invokes that must carry a
 * tenant id, a setting fixed at creation, and the cold starts and concurrency it costs.
 */
import { describe, expect, it } from "vitest";
import { FunctionConfigSchema } from "../../src/runtime/config.ts";
import { Simulation, type SyncResult } from "../../src/runtime/simulation.ts";
import { connectServices } from "../../src/runtime/service-wiring.ts";
import { mappingConfigError } from "../../src/runtime/sqs-mapping.ts";
import { ServiceHub } from "../../src/services/hub.ts";
import { HostCode } from "./host-code.ts";

function setup(tenantIsolation: boolean, model: ConstructorParameters<typeof Simulation>[0] = {}) {
  const sim = new Simulation({ seed: 7, ...model });
  const code = new HostCode();
  sim.deploy({ name: "f", tenantIsolation }, code);
  return { sim, code };
}

/** A sync invoke of `f` carrying `tenantId` at `at`; its result is filled in when the simulation gets there. */
function call(sim: Simulation, tenantId: string | null, at: number, event: unknown = {}): { result: SyncResult | null } {
  const holder: { result: SyncResult | null } = { result: null };
  sim.invoke("f", "sync", event, { at, tenantId, onResult: (r) => (holder.result = r) });
  return holder;
}

describe("§11 Tenant isolation mode (re:Invent 2025)", () => {
  it("§0 Tenant isolation mode for Lambda gives per-tenant environments inside one function, and §11 function.tenantIsolation = false by default; when true, environments are keyed by (version, tenantId): an idle environment only takes requests of its own tenant", () => {
    expect(FunctionConfigSchema.parse({}).tenantIsolation).toBe(false);
    const { sim } = setup(true);
    call(sim, "blue", 0);
    call(sim, "green", 1_000); // blue's environment is idle, but it is blue's
    call(sim, "blue", 2_000);
    call(sim, "green", 3_000);
    sim.run({ until: 10_000 });
    expect(sim.trace.map((r) => [r.tenantId, r.envId, r.cold])).toEqual([
      ["blue", "env-1", true],
      ["green", "env-2", true],
      ["blue", "env-1", false],
      ["green", "env-2", false],
    ]);
    expect(sim.environmentsOf("f").map((e) => [e.id, e.tenantId])).toEqual([
      ["env-1", "blue"],
      ["env-2", "green"],
    ]);
  });

  it("§11 Reuse is per function version: without tenant isolation, an idle environment serves the next request whichever tenant sent it", () => {
    const { sim } = setup(false);
    // The tenant is only in the event here: Lambda cannot tell the requests apart.
    call(sim, null, 0, { tenant: "blue" });
    call(sim, null, 1_000, { tenant: "green" });
    sim.run();
    expect(sim.trace.map((r) => [r.envId, r.cold, r.tenantId])).toEqual([
      ["env-1", true, null],
      ["env-1", false, null],
    ]);
  });

  it("§11 Tenant isolation mode (re:Invent 2025): module state never crosses tenants, and the newest idle environment of the request's own tenant serves it", () => {
    const { sim, code } = setup(true);
    call(sim, "blue", 0, { durationMs: 1_000 }); // env-1
    call(sim, "blue", 100, { durationMs: 10 }); // env-2, newer
    call(sim, "green", 200, { durationMs: 10 }); // env-3, newest of all
    const later = call(sim, "blue", 5_000);
    sim.run();
    // The newest idle environment overall is green's env-3; blue's newest is env-2, whose counter is at 1.
    expect(JSON.parse(later.result!.payload)).toEqual({ envId: "env-2", instance: 1, count: 2 });
    expect(code.instances.map((i) => [i.envId, i.count])).toEqual([
      ["env-1", 1],
      ["env-2", 2],
      ["env-3", 1],
    ]);
  });

  it("§11 Tenant isolation mode (re:Invent 2025): gives the handler context.tenantId, and leaves it undefined for a function without isolation", () => {
    const on = setup(true);
    call(on.sim, "blue", 0);
    on.sim.run();
    expect(on.code.invocations[0]!.context.tenantId).toBe("blue");
    const off = setup(false);
    call(off.sim, null, 0);
    off.sim.run();
    expect(off.code.invocations[0]!.context.tenantId).toBeUndefined();
    expect("tenantId" in off.code.invocations[0]!.context).toBe(false);
  });

  it("refuses an invoke without a tenant id to an isolated function, and one with a tenant id to a function without isolation (InvalidParameterValueException, 400)", () => {
    const on = setup(true);
    const missing = call(on.sim, null, 0);
    const empty = call(on.sim, "", 0);
    on.sim.run();
    expect(on.code.instances).toEqual([]);
    expect(empty.result!.statusCode).toBe(400);
    expect({ status: missing.result!.statusCode, payload: missing.result!.payload, reason: missing.result!.record.reason, outcome: missing.result!.record.outcome })
      .toMatchInlineSnapshot(`
        {
          "outcome": "rejected",
          "payload": "{"Type":"User","message":"Function f uses tenant isolation mode: the invoke must carry a tenant id (X-Amz-Tenant-Id)."}",
          "reason": "f uses tenant isolation mode, and the invoke carried no tenant id, so Lambda refused it (400) without running anything",
          "status": 400,
        }
      `);
    const off = setup(false);
    const extra = call(off.sim, "blue", 0);
    off.sim.run();
    expect(off.code.instances).toEqual([]);
    expect([extra.result!.statusCode, extra.result!.record.error]).toMatchInlineSnapshot(`
      [
        400,
        {
          "errorMessage": "Function f does not use tenant isolation mode: the invoke must not carry a tenant id.",
          "errorType": "InvalidParameterValueException",
        },
      ]
    `);
    expect([on.sim.totals.requests, on.sim.totals.invocations, on.sim.aggregates.rejectedRequests]).toEqual([2, 0, 2]);
  });

  it("§11 Tenant isolation mode (re:Invent 2025): can only be enabled when the function is created; a redeploy that changes it is refused", () => {
    const { sim } = setup(false);
    expect(() => sim.deploy({ name: "f", tenantIsolation: true }, new HostCode())).toThrowErrorMatchingInlineSnapshot(
      `[DeploymentError: f was created without tenant isolation mode, which can only be set when a function is created (lambda-model.md §11): create a new function to use it]`,
    );
    const isolated = setup(true);
    expect(() => isolated.sim.deploy({ name: "f", tenantIsolation: false }, new HostCode())).toThrow(/created with tenant isolation mode/);
    // The refused redeploy changed nothing: the function still takes tenant ids.
    expect(sim.functionConfig("f").tenantIsolation).toBe(false);
    expect(isolated.sim.functionConfig("f").tenantIsolation).toBe(true);
  });

  it("§11 Reuse is per function version: a redeploy of an isolated function keeps isolation, and each tenant's next request is cold on the new version", () => {
    const { sim } = setup(true);
    call(sim, "blue", 0);
    call(sim, "green", 0);
    sim.run({ until: 1_000 });
    const code2 = new HostCode();
    sim.deploy({ name: "f", tenantIsolation: true, memoryMB: 256 }, code2);
    call(sim, "blue", 5_000);
    call(sim, "blue", 6_000);
    sim.run({ until: 10_000 });
    expect(sim.trace.slice(2).map((r) => [r.tenantId, r.envId, r.cold, r.memorySizeMB])).toEqual([
      ["blue", "env-3", true, 256],
      ["blue", "env-3", false, 256],
    ]);
    expect(sim.environmentsOf("f").map((e) => [e.id, e.tenantId])).toEqual([["env-3", "blue"]]);
  });

  it("refuses provisioned concurrency on a function with tenant isolation (a fact from AWS's TenancyConfig docs, not yet in lambda-model.md)", () => {
    const parsed = FunctionConfigSchema.safeParse({ tenantIsolation: true, provisionedConcurrency: 1 });
    expect(parsed.success ? null : parsed.error.issues.map((i) => [i.path.join("."), i.message])).toMatchInlineSnapshot(`
      [
        [
          "provisionedConcurrency",
          "provisioned concurrency is not available for a function with tenant isolation",
        ],
      ]
    `);
  });

  it("§11 Tenant isolation mode (re:Invent 2025): an async event keeps its tenant through Lambda's retries, and one without a tenant id is refused", () => {
    const { sim, code } = setup(true, { model: { asyncRetryDelaysMs: [1_000, 1_000] } });
    sim.invoke("f", "async", { error: { errorType: "Boom", errorMessage: "no" } }, { at: 0, tenantId: "blue" });
    sim.invoke("f", "async", {}, { at: 0, tenantId: "green" });
    sim.invoke("f", "async", {}, { at: 0 });
    sim.run();
    const attempts = sim.trace.filter((r) => r.envId !== null).sort((a, b) => a.seq - b.seq);
    expect(attempts.map((r) => [r.tenantId, r.attempt, r.envId])).toEqual([
      ["blue", 1, "env-1"],
      ["green", 1, "env-2"],
      ["blue", 2, "env-1"],
      ["blue", 3, "env-1"],
    ]);
    expect(code.invocations.map((c) => c.context.tenantId)).toEqual(["blue", "green", "blue", "blue"]);
    const refused = sim.trace.find((r) => r.outcome === "rejected")!;
    expect(refused.error?.errorType).toBe("InvalidParameterValueException");
  });

  it("§11 Tenant isolation mode (re:Invent 2025) causes more cold starts and uses more concurrency than the same traffic without it", () => {
    const figures = (tenantIsolation: boolean) => {
      const { sim } = setup(tenantIsolation);
      // 20 tenants take turns, one request every 400 ms, each running 100 ms: once warm, one environment serves them all.
      for (let i = 0; i < 200; i++) call(sim, tenantIsolation ? `t${i % 20}` : null, i * 400, { durationMs: 100 });
      sim.run({ until: 80_000 });
      const a = sim.aggregates;
      return { coldStarts: sim.totals.coldStarts, peakEnvironments: a.environments.peak, meanConcurrency: a.concurrency.meanUntil(80_000) };
    };
    const off = figures(false);
    const on = figures(true);
    expect(off).toMatchObject({ coldStarts: 1, peakEnvironments: 1 });
    expect(on).toMatchObject({ coldStarts: 20, peakEnvironments: 20 });
    // Each extra cold start holds its concurrency for the 250 ms INIT too: 19 × 250 ms more over the 80 s.
    expect(on.meanConcurrency - off.meanConcurrency).toBeCloseTo((19 * 250) / 80_000, 9);
  });

  it("§11 Tenant isolation mode (re:Invent 2025): a tenant without an idle environment of its own needs a new one, and meets the scaling rate where a shared environment would have served it", () => {
    const figures = (tenantIsolation: boolean) => {
      const { sim } = setup(tenantIsolation, { model: { scalingBucketSize: 1, scalingRefillPerMs: 0 } });
      const first = call(sim, tenantIsolation ? "blue" : null, 0);
      const second = call(sim, tenantIsolation ? "green" : null, 1_000);
      sim.run();
      return [first.result!.statusCode, second.result!.statusCode];
    };
    expect(figures(false)).toEqual([200, 200]);
    expect(figures(true)).toEqual([200, 429]);
  });

  it("§11 Tenant isolation mode (re:Invent 2025): handler code passes a tenant id to lambda.invoke, sync or Event, and is refused without one", () => {
    const sim = new Simulation({ seed: 1, model: { initPlatformMs: 0 } });
    const invoke = (args: unknown[], label: string) => ({ service: "lambda", operation: "invoke", args: ["g", ...args], label });
    const caller = new HostCode({
      invoke: () => ({
        durationMs: 50,
        services: [
          invoke([{}, "RequestResponse", "blue"], "sync-blue"),
          invoke([{}, "Event", "green"], "event-green"),
          invoke([{}, "RequestResponse", null], "sync-none"),
          invoke([{}, "Event", null], "event-none"),
          invoke([{}, "RequestResponse", 7], "sync-number"),
        ],
      }),
    });
    const callee = new HostCode();
    sim.deploy({ name: "a" }, caller);
    sim.deploy({ name: "g", tenantIsolation: true }, callee);
    sim.invoke("a", "sync", {});
    sim.run({ until: 10_000 });
    const reply = (label: string) => caller.happened(`reply:${label}`)[0]!.detail as { ok: boolean; value?: unknown; error?: { name: string; message: string } };
    expect(reply("sync-blue")).toMatchObject({ ok: true, value: { statusCode: 200, functionError: null } });
    expect(reply("event-green")).toEqual({ ok: true, value: { statusCode: 202 } });
    expect(reply("sync-none")).toMatchInlineSnapshot(`
      {
        "error": {
          "httpStatus": 400,
          "message": "Function g uses tenant isolation mode: the invoke must carry a tenant id (X-Amz-Tenant-Id).",
          "metadata": {
            "attempts": 1,
            "httpStatusCode": 400,
            "totalRetryDelay": 0,
          },
          "name": "InvalidParameterValueException",
        },
        "ok": false,
      }
    `);
    expect(reply("event-none")).toMatchObject({ ok: false, error: { name: "InvalidParameterValueException" } });
    expect(reply("sync-number")).toMatchInlineSnapshot(`
      {
        "error": {
          "message": "tenantId must be a string, not number",
          "metadata": {
            "attempts": 1,
            "totalRetryDelay": 0,
          },
          "name": "InvalidParameterValueException",
        },
        "ok": false,
      }
    `);
    expect(callee.invocations.map((c) => c.context.tenantId).sort()).toEqual(["blue", "green"]);
  });

  it("refuses an SQS event source mapping to an isolated function: its invokes carry no tenant id", () => {
    const fn = FunctionConfigSchema.parse({ name: "f", tenantIsolation: true });
    expect(mappingConfigError({ batchSize: 10, batchingWindowMs: 0 }, { name: "q", visibilityTimeoutMs: 30_000 }, fn)).toMatchInlineSnapshot(
      `"an SQS event source mapping cannot invoke f: it uses tenant isolation mode, and the mapping's invokes carry no tenant id, so Lambda would refuse every one"`,
    );
    expect(mappingConfigError({ batchSize: 10, batchingWindowMs: 0 }, { name: "q", visibilityTimeoutMs: 30_000 }, { ...fn, tenantIsolation: false })).toBeNull();
  });

  it("§1 Idle recycling applies to each tenant's environments: an expired one leaves its tenant's idle list, and the tenant's next request after the last expires is cold", () => {
    const { sim } = setup(true);
    call(sim, "blue", 0, { durationMs: 1_000 }); // env-1
    call(sim, "blue", 100); // env-2, created while env-1 is busy
    call(sim, "blue", 300_000); // the newest idle one, env-2: env-1 is left to expire
    sim.run({ until: 700_000 });
    expect(sim.environmentsOf("f").map((e) => e.id)).toEqual(["env-2"]);
    call(sim, "blue", 800_000); // env-2 again
    call(sim, "blue", 2_000_000); // env-2 expired at about 1,400,260: a new environment
    sim.run({ until: 2_100_000 });
    expect([...sim.trace].sort((a, b) => a.seq - b.seq).map((r) => [r.envId, r.cold])).toEqual([
      ["env-1", true],
      ["env-2", true],
      ["env-2", false],
      ["env-2", false],
      ["env-3", true],
    ]);
  });

  it("refuses a Lambda destination's record to a function with tenant isolation (the record carries no tenant id), and says so in the delivery", () => {
    const sim = new Simulation({ seed: 1 });
    sim.deploy({ name: "f", async: { onSuccess: { type: "lambda", name: "g" } } }, new HostCode());
    sim.deploy({ name: "g", tenantIsolation: true }, new HostCode());
    sim.invoke("f", "async", {});
    sim.run({ until: 10_000 });
    expect(sim.destinations.deliveries.map((d) => [d.kind, d.delivered, d.error])).toMatchInlineSnapshot(`
      [
        [
          "on-success",
          false,
          {
            "message": "Function g uses tenant isolation mode: the invoke must carry a tenant id (X-Amz-Tenant-Id).",
            "name": "InvalidParameterValueException",
          },
        ],
      ]
    `);
    expect(sim.trace.filter((r) => r.functionName === "g")).toEqual([]);
  });

  it("refuses an SNS hand-off to a function with tenant isolation (a service's invoke carries no tenant id), so the message never runs the function", () => {
    const hub = new ServiceHub({ sns: { topics: { orders: { subscriptions: [{ lambda: "g", deadLetterQueue: "orders-dlq" }] } } } });
    const sim = new Simulation({ seed: 1, services: hub, destinations: hub });
    const code = new HostCode();
    sim.deploy({ name: "g", tenantIsolation: true }, code);
    connectServices(sim, hub);
    sim.at(0, () => hub.sns.publish(sim.now, "orders", { message: "{}" }, { call: null, via: "scenario", chain: null }));
    sim.run({ until: 60_000 });
    expect(code.instances).toEqual([]);
    expect(hub.hops.records.map((h) => [h.service, h.outcome, h.error?.code ?? null])).toEqual([
      ["sns", "accepted", null],
      ["lambda", "rejected", "InvalidParameterValueException"],
    ]);
  });
});
