import { describe, expect, it } from "vitest";
import { cites, parseFacts, renderTable, testNames } from "../../scripts/fidelity.ts";

const MODEL = `# Model
## 0. Changes
| What | Before | Now |
|---|---|---|
| Async payload | 256 KB | 1 MB |

## 3. Concurrency and scaling

| Fact | Value |
|---|---|
| Reserved concurrency | **0 throttles** |
| Scaling rate (current) | 1,000 per 10 s |

**Modelling decisions:** the scaling limit is a token bucket. Creating an environment costs one token.

## 1. Lifecycle
**Modelling decisions (SIMPLIFICATIONS):**
- *Idle recycling.* 10 min.
- *Cold-start time.* 250 ms.

## Sources
| Key | URL |
|---|---|
| L-quotas | https://example |
`;

describe("the fact coverage table (npm run fidelity)", () => {
  it("takes each numbered section's table rows and modelling decisions as facts, and skips unnumbered sections", () => {
    const facts = parseFacts(MODEL);
    expect(facts.map((f) => [f.section, f.kind, f.label])).toEqual([
      ["0", "fact", "Async payload"],
      ["3", "fact", "Reserved concurrency"],
      ["3", "fact", "Scaling rate (current)"],
      ["3", "decision", "the scaling limit is a token bucket."],
      ["3", "decision", "Creating an environment costs one token."],
      ["1", "decision", "Idle recycling"],
      ["1", "decision", "Cold-start time"],
    ]);
  });

  it("counts a test as citing a fact when its name gives the section and the fact's key words", () => {
    const [, reserved, scaling] = parseFacts(MODEL);
    expect(cites("§3 Concurrency and scaling: reserved concurrency > is a ceiling", reserved!)).toBe(true);
    expect(cites("§2 reserved concurrency", reserved!)).toBe(false);
    expect(cites("§3 Scaling > reserved memory", reserved!)).toBe(false);
    expect(cites("§3 §7 scaling rate of pollers", scaling!)).toBe(true);
  });

  it("names tests by their describe blocks, by indentation", () => {
    const source = `describe("§3 outer", () => {\n  describe("inner", () => {\n    it("a", () => {});\n  });\n  it("b", () => {});\n});\nit("c", () => {});\n`;
    expect(testNames(source, "t.test.ts").map((t) => [t.line, t.name])).toEqual([
      [3, "§3 outer > inner > a"],
      [5, "§3 outer > b"],
      [7, "c"],
    ]);
  });

  it("renders one table per section with the citing tests", () => {
    const table = renderTable(parseFacts(MODEL), [{ file: "test/x.test.ts", line: 4, name: "§3 reserved concurrency" }]);
    expect(table).toContain("| Reserved concurrency | 1: [test/x.test.ts:4](x.test.ts#L4) |");
    expect(table).toContain("| Async payload | — |");
    expect(table).toContain("1 of 7 facts and modelling decisions are cited by at least one of 1 tests.");
  });
});
