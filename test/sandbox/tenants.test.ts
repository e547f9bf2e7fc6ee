/** Learner code under tenant isolation mode (lambda-model.md §11): context.tenantId, and state that stays per tenant. */
import { describe, expect, it } from "vitest";
import { payloadOf, runHandler } from "./harness.ts";

const REMEMBERS = `
import { tmp } from "workbook:aws";
let lastTenant = null;
export const handler = async (event, context) => {
  const previous = lastTenant;
  lastTenant = context.tenantId;
  const file = tmp.exists("/tmp/owner") ? tmp.read("/tmp/owner") : null;
  tmp.write("/tmp/owner", String(context.tenantId));
  return { tenantId: String(context.tenantId), previous: String(previous), file };
};`;

describe("§11 Tenant isolation mode (re:Invent 2025) in handler code", () => {
  it("§11 Tenant isolation mode (re:Invent 2025): globals and /tmp are never shared across tenants, and context.tenantId names the caller's tenant", async () => {
    const run = await runHandler(REMEMBERS, {
      function: { tenantIsolation: true },
      invokes: [
        { at: 0, tenantId: "blue" },
        { at: 1_000, tenantId: "green" },
        { at: 2_000, tenantId: "blue" },
      ],
    });
    expect(run.results.map(payloadOf)).toEqual([
      { tenantId: "blue", previous: "null", file: null },
      { tenantId: "green", previous: "null", file: null },
      { tenantId: "blue", previous: "blue", file: "blue" },
    ]);
  });

  it("§11 Reuse is per function version: without isolation, the next tenant's request sees the globals and /tmp the previous one left, and context.tenantId is undefined", async () => {
    const run = await runHandler(REMEMBERS, { invokes: [{ at: 0 }, { at: 1_000 }] });
    expect(run.results.map(payloadOf)).toEqual([
      { tenantId: "undefined", previous: "null", file: null },
      { tenantId: "undefined", previous: "undefined", file: "undefined" },
    ]);
  });
});
