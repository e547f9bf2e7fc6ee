import { describe, expect, it } from "vitest";
import { payloadOf, runHandler } from "../sandbox/harness.ts";

const CONNECT_AT_TOP_LEVEL = `
import { downstream } from "workbook:aws";
const connection = await downstream.connect();
export const handler = async () => connection.call("select-price", { id: 1 });
`;

const CATCH_BY_NAME = `
import { downstream } from "workbook:aws";
export const handler = async () => {
  try {
    await downstream.connect();
    return "connected";
  } catch (e) {
    return e.name;
  }
};
`;

describe("§11 Connection exhaustion, as handler code sees it", () => {
  it("fails the INIT phase of a module that connects at its top level once the database is full, and the trace and logs say why", async () => {
    const run = await runHandler(CONNECT_AT_TOP_LEVEL, { services: { downstream: { maxConnections: 2 } }, invokes: [{}, {}, {}] });
    expect(run.records.map((r) => [r.envId, r.outcome, r.error?.errorType ?? null])).toEqual([
      ["env-1", "success", null],
      ["env-2", "success", null],
      ["env-3", "error", "TooManyConnections"],
    ]);
    expect(run.logs.filter((l) => l.includes("\tERROR\t")).map((l) => l.split("\t")[3]!.slice(0, 62))).toEqual([
      '{"errorType":"TooManyConnections","errorMessage":"the database',
    ]);
  });

  it("gives handler code an error it can catch by its name", async () => {
    const run = await runHandler(CATCH_BY_NAME, { services: { downstream: { maxConnections: 2 } }, invokes: [{}, {}, {}] });
    expect(run.results.map(payloadOf)).toEqual(["connected", "connected", "TooManyConnections"]);
  });

  it("§11 RDS Proxy: through a proxy, three environments share one database connection and each waits its turn", async () => {
    const run = await runHandler(CONNECT_AT_TOP_LEVEL, { services: { downstream: { maxConnections: 1, proxy: { poolSize: 1 } } }, invokes: [{}, {}, {}] });
    expect(run.records.map((r) => r.outcome)).toEqual(["success", "success", "success"]);
    // The first query opens the pool's connection (180 ms) and runs (30 ms); the next ones wait for it in turn.
    expect(run.services.downstream.calls.map((c) => c.waitedMs)).toEqual([0, 210, 240]);
    expect(run.services.downstream.book.peakDatabase).toBe(1);
  });
});
