import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { listExercises, loadExercise } from "../../src/cli/catalog.ts";
import { InvalidFileError, parseFile } from "../../src/grader/friendly-error.ts";
import { exerciseIdFromPath } from "../../src/grader/ids.ts";
import { ExerciseSchema } from "../../src/grader/schema.ts";

const valid = {
  title: "T",
  summary: "A summary long enough.",
  lesson: "/lifecycle/#x",
  function: { name: "f" },
  scenarios: [{ name: "s", description: "d", steps: [{ do: "invoke", mode: "sync", event: {} }], checks: [{ name: "c", check: () => null }] }],
};

function exerciseFolder(source: string): string {
  const root = mkdtempSync(join(tmpdir(), "exercises-"));
  const dir = join(root, "01-chapter", "01-broken");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "exercise.ts"), source);
  for (const f of ["starter.js", "solution.js"]) writeFileSync(join(dir, f), "export const handler = () => 1;\n");
  writeFileSync(join(dir, "hints.md"), "## One\nA hint.\n");
  return root;
}

describe("exercise metadata is validated when loaded", () => {
  it("accepts a well-formed definition and fills in the defaults", () => {
    const parsed = parseFile(ExerciseSchema, valid, "exercise.ts", "exercise");
    expect(parsed.function.memoryMB).toBe(128);
    expect(parsed.function.timeoutMs).toBe(3_000);
    expect(parsed.scenarios[0]!.hidden).toBe(false);
  });

  it("names the file and the dotted field of the first problem, with what was found", () => {
    const bad = { ...valid, function: { name: "f", memoryMB: 64 } };
    expect(() => parseFile(ExerciseSchema, bad, "exercises/x/y/exercise.ts", "exercise")).toThrowError(
      /^exercises\/x\/y\/exercise\.ts: exercise field "function\.memoryMB" is invalid: .*128.*; found number 64\. Fix that field and try again\.$/,
    );
  });

  it("points into arrays by index", () => {
    const bad = { ...valid, scenarios: [{ ...valid.scenarios[0], steps: [{ do: "invoke", mode: "sometimes", event: {} }] }] };
    try {
      parseFile(ExerciseSchema, bad, "e.ts", "exercise");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidFileError);
      expect((error as InvalidFileError).field).toBe("scenarios[0].steps[0].mode");
    }
  });

  it("rejects a check that is not a function", () => {
    const bad = { ...valid, scenarios: [{ ...valid.scenarios[0], checks: [{ name: "c", check: "yes" }] }] };
    expect(() => parseFile(ExerciseSchema, bad, "e.ts", "exercise")).toThrowError(/"scenarios\[0\]\.checks\[0\]\.check".*expected a function/);
  });

  it("§11 Connections and multi-tenancy: takes a scenario's database limit and proxy, and names the field when they disagree", () => {
    const withDb = (downstream: object) => ({ ...valid, scenarios: [{ ...valid.scenarios[0], services: { downstream } }] });
    const parsed = parseFile(ExerciseSchema, withDb({ maxConnections: 50, proxy: { poolSize: 10 } }), "e.ts", "exercise");
    expect(parsed.scenarios[0]!.services.downstream).toMatchObject({ maxConnections: 50, proxy: { poolSize: 10, borrowTimeoutMs: 5_000 } });
    expect(() => parseFile(ExerciseSchema, withDb({ maxConnections: 5, proxy: { poolSize: 10 } }), "e.ts", "exercise")).toThrowErrorMatchingInlineSnapshot(
      `[InvalidFileError: e.ts: exercise field "scenarios[0].services.downstream.proxy.poolSize" is invalid: the proxy's pool cannot hold more connections than the database accepts (maxConnections 5); found number 10. Fix that field and try again.]`,
    );
  });

  it("rejects unknown fields, so that typos do not pass silently", () => {
    expect(() => parseFile(ExerciseSchema, { ...valid, titel: "x" }, "e.ts", "exercise")).toThrowError(/titel/);
  });

  it("loading a malformed exercise.ts from disk fails with its path and field", async () => {
    const root = exerciseFolder(`export default ${JSON.stringify({ ...valid, scenarios: [] })};\n`);
    const [folder] = listExercises(root);
    expect(folder!.id).toBe("chapter/broken");
    await expect(loadExercise(folder!)).rejects.toThrowError(/01-broken\/exercise\.ts: exercise field "scenarios" is invalid/);
  });

  it("an exercise.ts without a default export is reported as such", async () => {
    const root = exerciseFolder("export const nothing = 1;\n");
    await expect(loadExercise(listExercises(root)[0]!)).rejects.toThrowError(/must default-export defineExercise/);
  });

  it("derives ids and order from folder names", () => {
    expect(exerciseIdFromPath("../../exercises/04-idempotence/01-charge-once/exercise.ts")).toBe("idempotence/charge-once");
    expect(exerciseIdFromPath("exercises/Bad Name/x/exercise.ts")).toBeNull();
    const ids = listExercises().map((e) => e.id);
    // Chapter 00 (lifecycle) comes before chapter 04 (idempotence), whatever the alphabet says.
    expect(ids.indexOf("lifecycle/reuse-client")).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf("lifecycle/reuse-client")).toBeLessThan(ids.indexOf("idempotence/charge-once"));
  });
});

describe("§7 creating a mapping whose queue visibility timeout is shorter than the function timeout is rejected, in exercises when they load", () => {
  it("refuses a mapping whose queue's visibility timeout is shorter than the function timeout, naming the field", () => {
    const bad = {
      ...valid,
      function: { name: "f", timeoutMs: 60_000 },
      scenarios: [{ ...valid.scenarios[0]!, sources: { sqs: [{ queue: "orders" }] }, steps: [{ do: "send", queue: "orders", body: "x" }] }],
    };
    expect(() => parseFile(ExerciseSchema, bad, "exercise.ts", "exercise")).toThrowErrorMatchingInlineSnapshot(
      `[InvalidFileError: exercise.ts: exercise field "scenarios[0].sources.sqs[0]" is invalid: the visibility timeout of orders (30 s) is shorter than the timeout of f (1 min); set it to at least the function timeout, and AWS advises 6 times it (this refusal is a workbook simplification); found an object. Fix that field and try again.]`,
    );
    const fixed = { ...bad, scenarios: [{ ...bad.scenarios[0]!, services: { sqs: { queues: { orders: { visibilityTimeoutMs: 360_000 } } } } }] };
    expect(() => parseFile(ExerciseSchema, fixed, "exercise.ts", "exercise")).not.toThrow();
  });
});

describe("§7 Provisioned mode, in exercises when they load", () => {
  it("refuses provisioned pollers combined with a maximum concurrency, naming the field", () => {
    const bad = {
      ...valid,
      scenarios: [{ ...valid.scenarios[0]!, sources: { sqs: [{ queue: "orders", maximumConcurrency: 10, provisionedPollers: { minimum: 2, maximum: 10 } }] } }],
    };
    expect(() => parseFile(ExerciseSchema, bad, "exercise.ts", "exercise")).toThrowErrorMatchingInlineSnapshot(`[InvalidFileError: exercise.ts: exercise field "scenarios[0].sources.sqs[0].provisionedPollers" is invalid: provisioned mode (provisionedPollers) cannot be combined with maximumConcurrency: set one of them, not both; found an object. Fix that field and try again.]`);
  });
});
