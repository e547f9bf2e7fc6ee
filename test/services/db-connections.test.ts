import { describe, expect, it } from "vitest";
import { DownstreamConfigSchema } from "../../src/services/downstream.ts";
import { DbCode, dbSetup } from "./db-code.ts";

// With the defaults: INIT is 250 ms of platform set-up, then the module's connect (180 ms); a query takes 30 ms.
const INIT_ENDS = 250 + 180;
const IDLE_AFTER_FIRST = INIT_ENDS + 30;

function invokeMany(sim: ReturnType<typeof dbSetup>["sim"], name: string, count: number, at: number, plan: object = {}) {
  for (let i = 0; i < count; i++) sim.invoke(name, "sync", plan, { at });
}

const outcomes = (sim: ReturnType<typeof dbSetup>["sim"], name: string) => {
  const counts: Record<string, number> = {};
  for (const r of sim.trace) {
    const key = r.outcome === "error" ? r.error!.errorType : r.outcome;
    if (r.functionName === name) counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
};

describe("§11 Connection exhaustion", () => {
  it("§11 the simulated database has db.maxConnections = 100: 100 concurrent environments each connect, the 101st is refused with TooManyConnections", () => {
    const { sim, db } = dbSetup();
    invokeMany(sim, "f", 101, 0);
    sim.run();
    expect(outcomes(sim, "f")).toEqual({ success: 100, TooManyConnections: 1 });
    expect(db.book.peakDatabase).toBe(100);
    const refused = sim.trace.find((r) => r.outcome === "error")!;
    expect(db.book.refusals).toEqual([{ t: 250, envId: refused.envId, invocation: null, requestId: refused.requestId, maxConnections: 100 }]);
    // The refusal comes after the usual connect time, and ends that environment's INIT phase with the error.
    expect(refused.initMs).toBe(180 + 250);
    expect(refused.error?.errorMessage).toMatchInlineSnapshot(
      `"the database refused a new connection: it already has 100 open, the most it accepts (maxConnections, a workbook SIMPLIFICATION). Each execution environment keeps its connections open, even while idle, until it closes them or Lambda recycles it."`,
    );
    expect(sim.simplificationsUsed.has("database-connections")).toBe(true);
  });

  it("§11 A connection lives until close() or until its environment is recycled: recycling the idle environments frees every connection", () => {
    const { sim, db } = dbSetup();
    invokeMany(sim, "f", 100, 0);
    sim.at(1_000, () => sim.recycle("f"));
    invokeMany(sim, "f", 100, 2_000);
    // Before the new environments' idle expiry.
    sim.run({ until: 60_000 });
    expect(outcomes(sim, "f")).toEqual({ success: 200 });
    const first = db.connections.slice(0, 100);
    expect(new Set(first.map((c) => `${c.closedAt} ${c.closedBy}`))).toEqual(new Set(["1000 environment"]));
    expect(db.connections.slice(100).every((c) => c.closedAt === null)).toBe(true);
    // Open connections over time: all 100 by the end of INIT, none after the recycle, 100 again for the new environments.
    expect(db.book.samples.map((s) => [s.t, s.database])).toEqual([
      [250, 100],
      [1_000, 0],
      [2_250, 100],
    ]);
  });

  it("§11 Connection exhaustion: frozen idle environments keep theirs open, so another function is refused until idle expiry recycles them", () => {
    const { sim, db } = dbSetup();
    sim.deploy({ name: "g", timeoutMs: 30_000 }, new DbCode());
    invokeMany(sim, "f", 100, 0);
    // Five seconds later f's 100 environments are idle (frozen); their connections are still open.
    sim.invoke("g", "sync", {}, { at: 5_000 });
    // Idle environments are recycled 10 minutes after their last invocation (a SIMPLIFICATION, §1).
    const expired = IDLE_AFTER_FIRST + 600_000;
    sim.invoke("g", "sync", {}, { at: expired + 1 });
    sim.run();
    expect(outcomes(sim, "g")).toEqual({ TooManyConnections: 1, success: 1 });
    expect(db.connections.slice(0, 100).every((c) => c.closedAt === expired && c.closedBy === "environment")).toBe(true);
  });

  it("§11 A connection lives until close() or until its environment is recycled: closing one lets exactly one more connect", () => {
    const { sim, db } = dbSetup();
    sim.deploy({ name: "g", timeoutMs: 30_000 }, new DbCode());
    invokeMany(sim, "f", 99, 0);
    sim.invoke("f", "sync", { close: true }, { at: 0 });
    invokeMany(sim, "g", 2, 5_000);
    sim.run();
    expect(outcomes(sim, "f")).toEqual({ success: 100 });
    expect(outcomes(sim, "g")).toEqual({ success: 1, TooManyConnections: 1 });
    const closed = db.connections.filter((c) => c.closedBy === "close");
    expect(closed.map((c) => c.closedAt)).toEqual([IDLE_AFTER_FIRST]);
    expect(db.book.peakDatabase).toBe(100);
  });

  it("§11 A connection lives until close() or until its environment is recycled: a timeout resets the environment and closes its connection", () => {
    const { sim, db } = dbSetup({ fn: { timeoutMs: 1_000 } });
    sim.invoke("f", "sync", { hang: true }, { at: 0 });
    sim.invoke("f", "sync", {}, { at: 5_000 });
    sim.run();
    expect(outcomes(sim, "f")).toEqual({ timeout: 1, success: 1 });
    // The same environment runs INIT again and opens a new connection; the first one closed with the old process, the
    // second when idle expiry recycled the environment 10 minutes after its last invocation.
    expect(db.connections.map((c) => [c.envId, c.openedAt, c.closedAt, c.closedBy])).toEqual([
      ["env-1", 250, INIT_ENDS + 1_000, "environment"],
      ["env-1", 5_250, 5_000 + IDLE_AFTER_FIRST + 600_000, "environment"],
    ]);
  });

  it("opens connections to the database only through connect(): plain calls to an HTTP API are never refused", () => {
    const { sim, db } = dbSetup({ services: { downstream: { maxConnections: 1 } }, connectInInit: false });
    sim.deploy({ name: "g" }, new DbCode(false));
    for (let i = 0; i < 3; i++) sim.invoke("f", "sync", { connect: true }, { at: 0 });
    sim.run();
    expect(outcomes(sim, "f")).toEqual({ success: 1, TooManyConnections: 2 });
    expect(db.handle("call", ["get", null], { time: 1, functionName: "g", envId: "x", invocation: null, requestId: null, eventId: null, attempt: 1 }).complete()).toEqual({
      ok: true,
      value: { ok: true, operation: "get" },
    });
  });

  it("lifts the maximum when maxConnections is null", () => {
    const { sim, db } = dbSetup({ services: { downstream: { maxConnections: null } } });
    invokeMany(sim, "f", 150, 0);
    sim.run();
    expect(outcomes(sim, "f")).toEqual({ success: 150 });
    expect(db.book.peakDatabase).toBe(150);
  });
});

describe("§11 Connections and multi-tenancy: the database's configuration", () => {
  it("refuses a proxy pool larger than maxConnections, naming the field", () => {
    const parsed = DownstreamConfigSchema.safeParse({ maxConnections: 10, proxy: { poolSize: 20 } });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((i) => [i.path.join("."), i.message])).toMatchInlineSnapshot(`
      [
        [
          "proxy.poolSize",
          "the proxy's pool cannot hold more connections than the database accepts (maxConnections 10)",
        ],
      ]
    `);
  });

  it("defaults to 100 connections and no proxy; a proxy defaults to a pool of 20 and a 5 s borrow timeout", () => {
    expect(DownstreamConfigSchema.parse({})).toMatchObject({ maxConnections: 100, proxy: null });
    expect(DownstreamConfigSchema.parse({ proxy: {} }).proxy).toEqual({ poolSize: 20, borrowTimeoutMs: 5_000, connectMs: 20 });
  });
});
