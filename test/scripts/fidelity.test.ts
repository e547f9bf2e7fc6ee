import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  TABLE_PATH,
  allTestNames,
  citations,
  coverage,
  factKey,
  modelHash,
  modelText,
  parseModel,
  recordedHash,
  renderTable,
  scopeProblems,
  testNames,
} from "../../scripts/fidelity.ts";
import { OUT_OF_SCOPE } from "../fidelity-scope.ts";

const MODEL = `# Model
Intro | not a table row.

## 0. Changes
| What | Before | Now |
|---|---|---|
| \`Task timed out\` log line | a line | REPORT |
| Async payload | 256 KB | 1 MB |

## 3. Concurrency and scaling (per function)

| Fact | Value |
|---|---|
| Reserved concurrency | **0 throttles** |
| Scaling rate (current) | 1,000 per 10 s |
| Scaling rate (old) | 500/min |

**Modelling decisions:** the scaling limit is a token bucket [L-x]. Creating an environment costs one token; reusing
costs nothing. \`cpu.speed = 1\` stays.

## 1. Lifecycle
**Modelling decisions (SIMPLIFICATIONS):**
- *Idle recycling.* 10 min.
- *Cold-start time.* 250 ms.

## Neighbour services: delivery and retries

| Service | Behaviour |
|---|---|
| SNS → Lambda/SQS | 100,015 attempts |

## Sources
| Key | URL |
|---|---|
| L-quotas | https://example |
`;

const model = parseModel(MODEL);
const fact = (key: string) => model.facts.find((f) => factKey(f) === key)!;
const cited = (title: string) => citations(title, model).facts.map(factKey);

describe("the fact coverage table (npm run fidelity): reading lambda-model.md", () => {
  it("takes every table row and modelling decision as a fact, including section 0 and unnumbered sections, but not Sources", () => {
    expect(model.facts.map((f) => [factKey(f), f.kind])).toEqual([
      ["§0 Task timed out log line", "fact"],
      ["§0 Async payload", "fact"],
      ["§3 Reserved concurrency", "fact"],
      ["§3 Scaling rate (current)", "fact"],
      ["§3 Scaling rate (old)", "fact"],
      ["§3 the scaling limit is a token bucket.", "decision"],
      ["§3 Creating an environment costs one token; reusing costs nothing.", "decision"],
      ["§3 cpu.speed = 1 stays.", "decision"],
      ["§1 Idle recycling", "decision"],
      ["§1 Cold-start time", "decision"],
      ["SNS → Lambda/SQS", "fact"],
    ]);
    expect(model.titles.get("3")).toBe("Concurrency and scaling");
  });
});

describe("the fact coverage table (npm run fidelity): which facts a test name cites", () => {
  it("cites a fact by §N and its first column, whatever the case, markdown or trailing punctuation", () => {
    expect(cited("§3 Reserved concurrency: 0 throttles every invocation")).toEqual(["§3 Reserved concurrency"]);
    expect(cited("§3 reserved concurrency.")).toEqual(["§3 Reserved concurrency"]);
    expect(cited("§0 `Task timed out` log line")).toEqual(["§0 Task timed out log line"]);
    expect(cited("§3 Scaling rate (current) and §0 Async payload")).toEqual(["§3 Scaling rate (current)", "§0 Async payload"]);
  });

  it("lets a trailing parenthesis of the first column be left out when the rest names one fact only", () => {
    const withNote = parseModel(MODEL.replace("| Reserved concurrency |", "| Reserved concurrency (function) |"));
    expect(citations("§3 Reserved concurrency: a ceiling", withNote).facts.map(factKey)).toEqual(["§3 Reserved concurrency (function)"]);
    expect(citations("(§3 Reserved concurrency)", withNote).facts.map(factKey)).toEqual(["§3 Reserved concurrency (function)"]);
    expect(citations("§3 Scaling rate: 1,000 per 10 s", withNote).unknown).toEqual(["§3 Scaling rate: 1,000 per 10 s"]);
  });

  it("needs the right section, the whole first column, and a word boundary after it", () => {
    expect(cited("§2 Reserved concurrency")).toEqual([]);
    expect(cited("§3 Reserved concurrencies")).toEqual([]);
    expect(cited("§3 Scaling rate")).toEqual([]);
    expect(cited("§3 Reserved concurrency (per function)")).toEqual(["§3 Reserved concurrency"]);
    expect(cited("§3 Reserved concurrency.limit")).toEqual([]);
    expect(cited("reserved concurrency (§3)")).toEqual([]);
  });

  it("cites a modelling decision by its italic lead, or a prose decision by a phrase of three words or more", () => {
    expect(cited("§1 Idle recycling after 10 minutes")).toEqual(["§1 Idle recycling"]);
    expect(cited("§3 token bucket: the 1,001st environment waits")).toEqual([]);
    expect(cited("§3 a token bucket: the 1,001st environment waits")).toEqual(["§3 the scaling limit is a token bucket."]);
    expect(cited("§3 creating an environment costs one token, a warm one none")).toEqual([fact("§3 Creating an environment costs one token; reusing costs nothing.")].map(factKey));
  });

  it("cites a Neighbour services fact by its first column anywhere in the name, with -> for →", () => {
    expect(cited("SNS → Lambda/SQS: 100,015 attempts")).toEqual(["SNS → Lambda/SQS"]);
    expect(cited("sns -> lambda/sqs")).toEqual(["SNS → Lambda/SQS"]);
    expect(cited("SNS → Lambda")).toEqual([]);
  });

  it("treats §N followed by the section's title as a reference to the section, and anything else as an unknown citation", () => {
    expect(citations("§3 Concurrency and scaling: reserved concurrency", model)).toEqual({ facts: [], unknown: [] });
    expect(citations("§3 Reserved concurency is a ceiling", model)).toEqual({ facts: [], unknown: ["§3 Reserved concurency is a ceiling"] });
    expect(citations("§9 Reserved concurrency", model).unknown).toEqual(["§9 Reserved concurrency"]);
    expect(citations("§3 §0 Async payload", model).unknown).toEqual(["§3 §0 Async payload"]);
  });

  it("names tests by their describe blocks (by indentation), including it.each and describe.each titles", () => {
    const source = [
      `describe("§3 outer", () => {`,
      `  describe('inner \\'quoted\\'', () => {`,
      "    it(`a`, () => {});",
      "  });",
      `  it.each([1, 2])("b %s", () => {});`,
      `  it.each([`,
      `    [1],`,
      `  ])("c %s", () => {});`,
      `});`,
      `it.skip("d", () => {});`,
    ].join("\n");
    expect(testNames(source, "t.test.ts").map((t) => [t.line, t.titles.join(" > ")])).toEqual([
      [3, "§3 outer > inner 'quoted' > a"],
      [5, "§3 outer > b %s"],
      [6, "§3 outer > c %s"],
      [10, "d"],
    ]);
  });
});

describe("the fact coverage table (npm run fidelity): rendering", () => {
  const tests = [
    { file: "test/x.test.ts", line: 4, titles: ["§3 Reserved concurrency", "throttles at 0"] },
    { file: "test/y.test.ts", line: 9, titles: ["§1 Idle recycling after 10 minutes"] },
  ];

  it("shows each fact as tested (with the tests), out of scope (with the reason) or untested, and lists the gaps", () => {
    const table = renderTable(MODEL, tests, { "§0 Async payload": "no async invokes in this fixture" });
    expect(table).toContain(`sha256 \`${modelHash(MODEL)}\``);
    expect(table).toContain("**11 facts and modelling decisions: 2 tested, 1 out of scope, 8 untested**.");
    expect(table).toContain("| Reserved concurrency | tested (1) | x.test.ts: §3 Reserved concurrency › throttles at 0 |");
    expect(table).toContain("| *Decision:* Idle recycling | tested (1) | y.test.ts: §1 Idle recycling after 10 minutes |");
    expect(table).toContain("| Async payload | out of scope | no async invokes in this fixture |");
    expect(table).toContain("| Scaling rate (old) | untested | — |");
    expect(table).toContain("## Untested\n\n- §0 Task timed out log line\n- §3 Scaling rate (current)\n");
    expect(recordedHash(table)).toBe(modelHash(MODEL));
  });

  it("rejects a scope entry that names no fact, gives no reason, or is cited by a test", () => {
    const byFact = coverage(model, tests);
    expect(scopeProblems(model, { "§0 Async payload": "x", "§0 Async payloads": "x", "§3 Scaling rate": "x", "§1 Cold-start time": " " }, byFact)).toEqual([
      'test/fidelity-scope.ts names "§0 Async payloads", which is no fact of lambda-model.md',
      'test/fidelity-scope.ts names "§3 Scaling rate", which is no fact of lambda-model.md',
      'test/fidelity-scope.ts gives no reason for "§1 Cold-start time"',
    ]);
    expect(scopeProblems(model, { "§3 Reserved concurrency": "not modelled" }, byFact)).toEqual([
      '"§3 Reserved concurrency" is out of scope in test/fidelity-scope.ts but cited by test/x.test.ts: "§3 Reserved concurrency > throttles at 0"',
    ]);
  });
});

// The real model sits outside the repository (../shared); without it there is nothing to check against.
const markdown = modelText();

describe.skipIf(markdown === null)("the fact coverage table against ../shared/lambda-model.md and this repository's tests", () => {
  const real = parseModel(markdown ?? "");
  const tests = allTestNames();

  it("every §N citation in a test name names a real fact, decision or section title of lambda-model.md", () => {
    const unknown = tests.flatMap((t) => t.titles.flatMap((title) => citations(title, real).unknown.slice(0, 1).map((u) => `${t.file}: "${title}" cites an unknown fact: ${u}`)));
    expect([...new Set(unknown)], "cite a fact as §N and its first column (or a decision's lead) exactly as lambda-model.md has it; test/fidelity.md lists them").toEqual([]);
  });

  it("every entry of test/fidelity-scope.ts names one fact, with a reason, that no test cites", () => {
    expect(scopeProblems(real, OUT_OF_SCOPE, coverage(real, tests))).toEqual([]);
  });

  it("test/fidelity.md is current (checked only while lambda-model.md has the hash recorded in its header; run npm run fidelity)", (ctx) => {
    const table = readFileSync(TABLE_PATH, "utf8");
    if (recordedHash(table) !== modelHash(markdown!)) ctx.skip("lambda-model.md changed since test/fidelity.md was generated");
    expect(table, "test/fidelity.md is stale: run `npm run fidelity` and commit the result").toBe(renderTable(markdown!, tests, OUT_OF_SCOPE));
  });
});
