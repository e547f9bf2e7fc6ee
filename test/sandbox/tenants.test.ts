/** Learner code under tenant isolation mode (lambda-model.md §11): context.tenantId, and state that stays per tenant. */
import { describe, expect, it } from "vitest";
import { ExerciseSchema } from "../../src/grader/schema.ts";
import { exerciseWith, grade, payloadOf, runHandler } from "./harness.ts";

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

describe("§11 Tenant isolation mode (re:Invent 2025) in exercises", () => {
  it("§11 Tenant isolation mode (re:Invent 2025): a scenario's invoke steps and gateway requests carry tenant ids, and graders see them on the records", async () => {
    let seen: unknown = null;
    const exercise = exerciseWith(() => null, {
      function: { name: "fn", tenantIsolation: true },
      scenarios: [
        {
          name: "three tenants",
          description: "Two tenants call directly, one through a REST API, and one call forgets its tenant.",
          steps: [
            { do: "invoke", mode: "sync", event: {}, tenantId: "blue" },
            { do: "invoke", mode: "sync", at: 1_000, event: {}, tenantId: "green" },
            { do: "http", at: 2_000, path: "/x", headers: { "X-Amz-Tenant-Id": "blue" } },
            { do: "invoke", mode: "sync", at: 3_000, event: {} },
          ],
          checks: [
            {
              name: "records",
              check: (w) => {
                seen = { invocations: w.invocations.map((r) => [r.tenantId, r.envId]), refused: w.trace.filter((r) => r.outcome === "rejected").map((r) => r.error?.errorType) };
                return null;
              },
            },
          ],
        },
      ],
    });
    const result = await grade(REMEMBERS, exercise);
    expect(result.usable && result.report.passed).toBe(true);
    expect(seen).toEqual({
      invocations: [
        ["blue", "env-1"],
        ["green", "env-2"],
        ["blue", "env-1"],
      ],
      refused: ["InvalidParameterValueException"],
    });
  });

  it("refuses, when the exercise loads, an SQS mapping to a function with tenant isolation, naming the mapping", () => {
    const parsed = ExerciseSchema.safeParse({
      ...exerciseWith(() => null).definition,
      function: { name: "fn", tenantIsolation: true },
      scenarios: [{ name: "queue", description: "A queue feeds the function.", sources: { sqs: [{ queue: "q" }] }, steps: [{ do: "send", queue: "q", body: "x" }], checks: [{ name: "c", check: () => null }] }],
    });
    expect(parsed.success ? null : parsed.error.issues.map((i) => [i.path.join("."), i.message])).toMatchInlineSnapshot(`
      [
        [
          "scenarios.0.sources.sqs.0",
          "an SQS event source mapping cannot invoke fn: it uses tenant isolation mode, and the mapping's invokes carry no tenant id, so Lambda would refuse every one",
        ],
      ]
    `);
  });
});
