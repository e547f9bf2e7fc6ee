/**
 * `npm run fidelity`: the fact coverage table. Reads the facts of ../shared/lambda-model.md (the first column of each
 * section's tables, and each modelling decision) and the names of the tests under test/, and writes test/fidelity.md:
 * for every fact, the tests that cite it. Regenerated on demand, never compared in a test, so a newer shared folder
 * cannot break `npm test`.
 *
 * A test cites a fact when its full name (describe blocks and test) names the fact's section ("§3") and contains
 * most of the fact's key words (at least two thirds of its words of four letters or more, all of them when it has
 * three or fewer). The match is a heuristic: the table shows what the names say, not what the assertions check.
 */
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

const ROOT = join(import.meta.dirname, "..");
const MODEL = join(ROOT, "..", "shared", "lambda-model.md");
const OUT = join(ROOT, "test", "fidelity.md");

interface Fact {
  section: string;
  title: string;
  label: string;
  kind: "fact" | "decision";
}

interface TestName {
  file: string;
  line: number;
  name: string;
}

const STOP = new Set(["with", "from", "that", "this", "than", "into", "when", "what", "each", "only", "over", "also", "they", "them", "their", "does", "have", "more", "most", "after", "before"]);

/** Sections `## N. Title` and their facts. */
export function parseFacts(markdown: string): Fact[] {
  const facts: Fact[] = [];
  let section: string | null = null;
  let title = "";
  let inDecisions = false;
  let decisionText = "";
  const flushDecisions = () => {
    if (section !== null && decisionText.trim() !== "") {
      for (const label of decisionLabels(decisionText)) facts.push({ section, title, label, kind: "decision" });
    }
    decisionText = "";
    inDecisions = false;
  };
  for (const line of markdown.split("\n")) {
    const heading = /^## (\d+)\. (.+)$/.exec(line);
    if (line.startsWith("## ")) {
      flushDecisions();
      section = heading ? heading[1]! : null;
      title = heading ? heading[2]! : "";
      continue;
    }
    if (section === null) continue;
    if (line.startsWith("**Modelling decisions")) {
      flushDecisions();
      inDecisions = true;
      decisionText = line.replace(/^\*\*Modelling decisions[^*]*\*\*/, "");
      continue;
    }
    if (inDecisions) {
      if (line.startsWith("|")) flushDecisions();
      else {
        decisionText += `\n${line}`;
        continue;
      }
    }
    if (line.startsWith("|") && !/^\|\s*-/.test(line)) {
      const first = line.split("|")[1]!.trim();
      if (first === "" || /^(Fact|What|Hop|Item|Service|Key)$/.test(first)) continue;
      facts.push({ section, title, label: plain(first), kind: "fact" });
    }
  }
  flushDecisions();
  return facts;
}

/** The modelling decisions of a section: bullet labels (`- *Idle recycling.*`) or, in prose, one per sentence. */
function decisionLabels(text: string): string[] {
  const bullets = [...text.matchAll(/^- \*([^*]+)\*/gm)].map((m) => m[1]!.replace(/\.$/, ""));
  if (bullets.length > 0) return bullets;
  const prose = plain(text.replace(/\s+/g, " ").trim());
  return prose
    .split(/(?<=[.)])\s+(?=[A-Z`])/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => (s.length > 110 ? `${s.slice(0, 107).replace(/\s+\S*$/, "")} …` : s));
}

function plain(text: string): string {
  return text.replace(/\*\*|\*|`/g, "").replace(/\[([^\]]+)\]\([^)]*\)/g, "$1").trim();
}

function keyWords(label: string): string[] {
  const base = label.replace(/\([^)]*\)/g, " ").toLowerCase();
  const words = base.match(/[a-z0-9][a-z0-9.-]*[a-z0-9]|[a-z0-9]/g) ?? [];
  const long = words.filter((w) => w.length >= 4 && !STOP.has(w));
  return long.length > 0 ? [...new Set(long)] : words.filter((w) => w.length >= 2);
}

/** Does a test's full name cite the fact? */
export function cites(name: string, fact: Fact): boolean {
  const sections = new Set([...name.matchAll(/§\s?(\d+)/g)].map((m) => m[1]));
  if (!sections.has(fact.section)) return false;
  const text = name.toLowerCase();
  const words = keyWords(fact.label);
  if (words.length === 0) return false;
  const found = words.filter((w) => text.includes(w)).length;
  const needed = words.length <= 3 ? words.length : Math.ceil((words.length * 2) / 3);
  return found >= needed;
}

/** Full names of the tests in a file: enclosing describe titles (by indentation) and the test's own. */
export function testNames(source: string, file: string): TestName[] {
  const names: TestName[] = [];
  const stack: Array<{ indent: number; title: string }> = [];
  const lines = source.split("\n");
  lines.forEach((line, i) => {
    const m = /^(\s*)(describe|it|test)(?:\.\w+)?\(\s*(["'`])((?:\\.|(?!\3).)*)\3/.exec(line);
    if (!m) return;
    const indent = m[1]!.length;
    while (stack.length > 0 && stack[stack.length - 1]!.indent >= indent) stack.pop();
    const title = m[4]!.replace(/\\(.)/g, "$1");
    if (m[2] === "describe") stack.push({ indent, title });
    else names.push({ file, line: i + 1, name: [...stack.map((s) => s.title), title].join(" > ") });
  });
  return names;
}

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...testFiles(path));
    else if (entry.endsWith(".test.ts")) out.push(path);
  }
  return out.sort();
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, "\\|");
}

export function renderTable(facts: Fact[], tests: TestName[]): string {
  const out: string[] = [
    "# Fact coverage of the simulator",
    "",
    "Generated by `npm run fidelity` from [`../shared/lambda-model.md`](../../shared/lambda-model.md) and the test names",
    "under `test/`; do not edit by hand. A test cites a fact when its name gives the fact's section (§N) and most of",
    "the fact's key words (see `scripts/fidelity.ts`): the table shows what test names say, not what assertions check.",
    "",
  ];
  const sections = [...new Set(facts.map((f) => f.section))];
  let cited = 0;
  const rows: string[] = [];
  for (const section of sections) {
    const mine = facts.filter((f) => f.section === section);
    rows.push(`## §${section} ${mine[0]!.title}`, "", "| Fact | Tests citing it |", "|---|---|");
    for (const fact of mine) {
      const hits = tests.filter((t) => cites(t.name, fact));
      if (hits.length > 0) cited++;
      const label = fact.kind === "decision" ? `*Modelling decision:* ${fact.label}` : fact.label;
      const shown = hits.slice(0, 3).map((t) => `[${t.file}:${t.line}](${t.file.replace(/^test\//, "")}#L${t.line})`);
      const more = hits.length > 3 ? ` and ${hits.length - 3} more` : "";
      rows.push(`| ${escapeCell(label)} | ${hits.length === 0 ? "—" : `${hits.length}: ${shown.join(", ")}${more}`} |`);
    }
    rows.push("");
  }
  out.push(`${cited} of ${facts.length} facts and modelling decisions are cited by at least one of ${tests.length} tests.`, "", ...rows);
  return `${out.join("\n").trimEnd()}\n`;
}

function main(): void {
  const facts = parseFacts(readFileSync(MODEL, "utf8"));
  const tests = testFiles(join(ROOT, "test")).flatMap((path) => testNames(readFileSync(path, "utf8"), relative(ROOT, path)));
  writeFileSync(OUT, renderTable(facts, tests));
  const cited = facts.filter((f) => tests.some((t) => cites(t.name, f))).length;
  console.log(`wrote ${relative(ROOT, OUT)}: ${cited} of ${facts.length} facts cited by ${tests.length} tests`);
}

if (process.argv[1] === import.meta.filename) main();
