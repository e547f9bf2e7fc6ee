import { describe, expect, it } from "vitest";
import type { CallContext } from "../../src/runtime/types.ts";
import { Downstream, DownstreamConfigSchema, type DownstreamConfig } from "../../src/services/downstream.ts";
import { dbSetup } from "./db-code.ts";

const at = (time: number, envId = "env-1"): CallContext => ({ time, functionName: "f", envId, invocation: 1, requestId: "r", eventId: "e", attempt: 1 });

function proxied(config: object) {
  const db = new Downstream(DownstreamConfigSchema.parse(config) as DownstreamConfig);
  const reply = db.handle("connect", [], at(0));
  const { connectionId } = (reply.complete() as { value: { connectionId: string } }).value;
  const query = (time: number) => {
    const r = db.handle("callOnConnection", [connectionId, "select", null], at(time));
    return { latencyMs: r.latencyMs, result: r.complete() };
  };
  return { db, connectReply: reply, query };
}

// With a proxy, INIT is 250 ms of platform set-up plus the module's connect to the proxy (20 ms); each environment's
// first query reaches the proxy at 270 ms. A new pool connection takes the database's connect time (180 ms), a query 30 ms.
const QUERY_AT = 250 + 20;

describe("§11 RDS Proxy", () => {
  it("§11 A proxy mode gives a pool of proxy.poolSize (default 20): 500 concurrent environments all work with 20 database connections", () => {
    const { sim, db } = dbSetup({ services: { downstream: { proxy: {} } } });
    for (let i = 0; i < 500; i++) sim.invoke("f", "sync", {}, { at: 0 });
    sim.run({ until: 60_000 });
    expect(sim.trace.filter((r) => r.outcome === "success")).toHaveLength(500);
    expect(db.book.peakDatabase).toBe(20);
    expect(db.book.refusals).toEqual([]);
    expect(db.connections.filter((c) => c.via === "proxy")).toHaveLength(500);
    // 25 waves of 20: the first opens the pool (180 + 30 ms), each later one waits 30 ms more than the one before.
    const waits = db.calls.map((c) => c.waitedMs);
    expect(Math.max(...waits)).toBe(210 + 23 * 30);
    expect(waits.filter((w) => w === 0)).toHaveLength(20);
    expect(waits.filter((w) => w === 210 + 23 * 30)).toHaveLength(20);
    // The wait is part of the invocation: the last wave's handlers ran 900 ms of waiting plus the 30 ms query.
    expect(Math.max(...sim.trace.map((r) => r.durationMs))).toBe(930);
    expect(db.book.samples.map((s) => [s.t, s.database, s.clients])).toEqual([
      [250, 0, 500],
      [QUERY_AT, 20, 500],
    ]);
    expect(sim.simplificationsUsed.has("database-connections")).toBe(true);
  });

  it("§11 RDS Proxy: without the proxy the same burst exhausts the database, 400 environments are refused", () => {
    const { sim } = dbSetup();
    for (let i = 0; i < 500; i++) sim.invoke("f", "sync", {}, { at: 0 });
    sim.run({ until: 60_000 });
    expect(sim.trace.filter((r) => r.error?.errorType === "TooManyConnections")).toHaveLength(400);
  });

  it("§11 A proxy mode gives a pool of proxy.poolSize: waiting calls are served first come, first served, each as its connection comes free", () => {
    const { query } = proxied({ proxy: { poolSize: 1, borrowTimeoutMs: 100 } });
    // 0: opens the pool's one connection (180 ms) and queries (30 ms): busy until 210. 0: would wait 210 ms, gives up
    // at 100. 150: waits 60 ms, busy until 240. 150: waits 90 ms. 150: would wait 120 ms, gives up.
    const replies = [query(0), query(0), query(150), query(150), query(150)];
    expect(replies.map((r) => [r.latencyMs, r.result.ok ? "ok" : r.result.error.name])).toEqual([
      [210, "ok"],
      [100, "ConnectionBorrowTimeout"],
      [90, "ok"],
      [120, "ok"],
      [100, "ConnectionBorrowTimeout"],
    ]);
  });

  it("§11 A proxy mode gives a pool of proxy.poolSize (default 20) backend connections and queues client requests for up to proxy.borrowTimeoutMs = 5000: a longer wait fails at exactly 5 s", () => {
    const { db, query } = proxied({ proxy: { poolSize: 1 }, faults: [{ operation: "select", nth: 1, effect: "slow", latencyMs: 6_000 }] });
    query(0);
    const late = query(500);
    expect(late.latencyMs).toBe(5_000);
    expect(db.borrowTimeouts.map((b) => [b.call.time, b.failedAt])).toEqual([[500, 5_500]]);
    expect(late.result).toMatchInlineSnapshot(`
      {
        "error": {
          "message": "the proxy found no free database connection within 5 s (borrowTimeoutMs): the one connection of its pool (poolSize) stayed busy. Both values are workbook SIMPLIFICATIONS.",
          "name": "ConnectionBorrowTimeout",
        },
        "ok": false,
      }
    `);
    // A wait of exactly the timeout is still served.
    expect(query(1_180).latencyMs).toBe(6_180 - 1_180 + 30);
  });

  it("§11 RDS Proxy: a call that never ends keeps its pool connection, so the calls behind it time out", () => {
    const { query } = proxied({ proxy: { poolSize: 1, borrowTimeoutMs: 1_000 }, faults: [{ operation: "select", nth: 1, effect: "hang" }] });
    expect(query(0).latencyMs).toBe(Infinity);
    expect(query(10_000).latencyMs).toBe(1_000);
  });

  it("§11 RDS Proxy: connecting to the proxy is cheap and never refused; the database sees only the pool", () => {
    const { db, connectReply } = proxied({ maxConnections: 2, proxy: { poolSize: 2 } });
    expect(connectReply.latencyMs).toBe(20);
    for (let i = 0; i < 5; i++) expect(db.handle("connect", [], at(1, `env-${i + 2}`)).complete().ok).toBe(true);
    expect(db.book.openAtDatabase).toBe(0);
  });

  it("§11 RDS Proxy: a recycled environment closes its client connection; the pool's database connections stay open", () => {
    const { sim, db } = dbSetup({ services: { downstream: { proxy: { poolSize: 5 } } } });
    for (let i = 0; i < 10; i++) sim.invoke("f", "sync", {}, { at: 0 });
    sim.at(5_000, () => sim.recycle("f"));
    sim.run({ until: 60_000 });
    expect(db.book.samples.at(-1)).toEqual({ t: 5_000, database: 5, clients: 0 });
  });

  it("is deterministic: the same burst through the proxy twice gives the same trace and connection history", () => {
    const once = () => {
      const { sim, db } = dbSetup({ services: { downstream: { proxy: { poolSize: 7, borrowTimeoutMs: 300 } } } });
      for (let i = 0; i < 200; i++) sim.invoke("f", "sync", { queries: 2 }, { at: i * 3 });
      sim.run({ until: 60_000 });
      return JSON.stringify({ trace: sim.trace, samples: db.book.samples, waits: db.calls.map((c) => [c.waitedMs, c.answeredAt]), timeouts: db.borrowTimeouts.length });
    };
    const first = once();
    expect(first).toContain("ConnectionBorrowTimeout");
    expect(once()).toBe(first);
  });
});
