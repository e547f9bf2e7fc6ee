import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { contextMembers, contextParameterName } from "../../src/client/context-members.ts";

const declarations = readFileSync(new URL("../../src/sandbox/workbook-aws.d.ts", import.meta.url), "utf8");

describe("context members for the editor", () => {
  it("reads every member of LambdaContext from the declaration file, with its documentation", () => {
    const members = contextMembers(declarations);
    expect(members.map((m) => m.name)).toEqual([
      "awsRequestId",
      "functionName",
      "functionVersion",
      "memoryLimitInMB",
      "invokedFunctionArn",
      "logGroupName",
      "logStreamName",
      "tenantId",
      "callbackWaitsForEmptyEventLoop",
      "getRemainingTimeInMillis",
    ]);
    expect(members.find((m) => m.name === "getRemainingTimeInMillis")).toEqual({
      name: "getRemainingTimeInMillis",
      kind: "method",
      signature: "getRemainingTimeInMillis(): number",
      documentation: "Virtual ms left before the function times out.",
    });
    expect(members.find((m) => m.name === "tenantId")).toMatchInlineSnapshot(`
      {
        "documentation": "The tenant id the invoke carried (X-Amz-Tenant-Id), for a function created with tenant isolation mode, which gives each tenant its own execution environments: module state and /tmp never cross tenants. undefined for other functions (a SIMPLIFICATION: AWS documents the property only for isolated functions).",
        "kind": "property",
        "name": "tenantId",
        "signature": "tenantId?: string",
      }
    `);
  });

  it("finds the handler's second parameter whatever it is called", () => {
    expect(contextParameterName("export async function handler(event, ctx) {}")).toBe("ctx");
    expect(contextParameterName("export const handler = async (e, c) => {}")).toBe("c");
    expect(contextParameterName("export function handler(event) {}")).toBe("context");
  });
});
