import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { allExercises, exercise, failed, grade } from "../helpers.ts";

const exercises = await allExercises();

describe.each(exercises.map((e) => [e.id, e] as const))("exercise %s", (_id, ex) => {
  it("has at least one hint and a summary", () => {
    expect(ex.hints.length).toBeGreaterThan(0);
    expect(ex.definition.summary.length).toBeGreaterThan(20);
  });

  it("its starter fails a visible check when the learner presses Run, with a message", async () => {
    const report = await grade(ex, ex.starter, { mode: "run" });
    expect(report.passed).toBe(false);
    const visible = failed(report).filter((c) => !c.hidden);
    expect(visible.length).toBeGreaterThan(0);
    for (const check of visible) expect(check.message.length).toBeGreaterThan(30);
    expect(report.failure?.trace.length).toBeGreaterThan(0);
  });

  it("its reference solution passes every visible and hidden check", async () => {
    const report = await grade(ex, ex.solution, { mode: "grade" });
    expect(failed(report)).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.checks.some((c) => c.hidden)).toBe(true);
  });

  it.each(ex.wrongFixes.map((w) => [w.file, w] as const))("the wrong fix %s fails, saying why", async (_file, wrong) => {
    const report = await grade(ex, wrong.source);
    expect(report.passed).toBe(false);
    for (const check of failed(report)) expect(check.message).not.toMatch(/could not evaluate/);
  });
});

describe("different correct fixes also pass", () => {
  it("idempotence/charge-once accepts a conditional write instead of the provider's idempotency key", async () => {
    const source = readFileSync(new URL("../fixtures/alternative-solutions/charge-once--conditional-write.js", import.meta.url), "utf8");
    const report = await grade(await exercise("idempotence/charge-once"), source);
    expect(failed(report)).toEqual([]);
  });

  it("§10 A learner-built idempotency layer and a Powertools-like one must both pass the same scenarios: charge-once accepts either", async () => {
    const charge = await exercise("idempotence/charge-once");
    for (const file of ["charge-once--conditional-write.js", "charge-once--powertools-like.js"]) {
      const source = readFileSync(new URL(`../fixtures/alternative-solutions/${file}`, import.meta.url), "utf8");
      const report = await grade(charge, source, { mode: "grade" });
      expect(failed(report)).toEqual([]);
      expect(report.checks.filter((c) => c.hidden).length).toBeGreaterThan(0);
    }
  });

  it("lifecycle/reuse-client accepts a connection opened lazily on first use", async () => {
    const source = readFileSync(new URL("../fixtures/alternative-solutions/reuse-client--lazy.js", import.meta.url), "utf8");
    const report = await grade(await exercise("lifecycle/reuse-client"), source);
    expect(failed(report)).toEqual([]);
  });

  it("lifecycle/finish-before-returning accepts the two tasks awaited one after the other", async () => {
    const source = readFileSync(new URL("../fixtures/alternative-solutions/finish-before-returning--sequential.js", import.meta.url), "utf8");
    const report = await grade(await exercise("lifecycle/finish-before-returning"), source);
    expect(failed(report)).toEqual([]);
  });
});
