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
});
