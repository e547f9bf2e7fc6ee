/**
 * `npm run fidelity`: the fact coverage table. Reads the facts of ../shared/lambda-model.md and the names of the tests
 * under test/, and writes test/fidelity.md: for every fact, the tests that cite it, or why the simulator leaves it out
 * (test/fidelity-scope.ts), or that it is untested.
 *
 * Facts: the first column of every table row of every `## ` section except Sources, and each modelling decision (a
 * bullet's italic lead, or one sentence of prose). A test cites a fact when one of its titles (describe blocks or the
 * test's own) contains `§N ` followed by the fact's first-column text or the decision's lead (case-insensitive,
 * markdown stripped; a trailing parenthesis may be left out when the rest names one fact only), or for a prose decision `§N ` and a phrase of three words or more taken from it. Facts of an
 * unnumbered section (Neighbour services) are cited by their first column anywhere in a title. `§N <section title>`
 * names a section without citing a fact; any other `§N text` is an unknown citation, which test/scripts/fidelity.test.ts
 * rejects.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

export const ROOT = join(import.meta.dirname, "..");
export const MODEL_PATH = join(ROOT, "..", "shared", "lambda-model.md");
export const TABLE_PATH = join(ROOT, "test", "fidelity.md");

export interface Fact {
  /** "0" … "11", or the heading of an unnumbered section. */
  section: string;
  title: string;
  /** The first column, a decision's italic lead, or a prose decision's sentence, markdown stripped. */
  label: string;
  kind: "fact" | "decision";
  /** A prose decision: cited by a phrase of it rather than by its whole text. */
  phrase: boolean;
}

export interface Model {
  facts: Fact[];
  /** Section number → title (without a trailing parenthesis), for `§N <title>` references. */
  titles: Map<string, string>;
}

export interface TestName {
  file: string;
  line: number;
  /** The describe titles and the test's own title, outermost first. */
  titles: string[];
}

export interface Citations {
  facts: Fact[];
  /** `§N text` that names no fact, decision or section title of §N. */
  unknown: string[];
}

const MIN_PHRASE_WORDS = 3;

/** What a test writes for a fact: `§N label`, or the label alone for an unnumbered section. */
export function factKey(fact: Fact): string {
  return /^\d+$/.test(fact.section) ? `§${fact.section} ${fact.label}` : fact.label;
}

function plain(text: string): string {
  return text
    .replace(/\[([^\]]+)\]\([^)]*\)/g, "$1")
    .replace(/\*\*|\*|`/g, "")
    .trim();
}

/** Case, spacing, arrows and trailing punctuation don't matter when matching names to facts. */
export function normalize(text: string): string {
  return plain(text)
    .replace(/->/g, "→")
    .replace(/\s+/g, " ")
    .toLowerCase()
    .trim()
    .replace(/[.:;,]+$/, "");
}

function cells(row: string): string[] {
  return row
    .trim()
    .replace(/^\||\|$/g, "")
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

function sentences(text: string): string[] {
  return text
    .replace(/\s*\[[A-Za-z0-9-]+\]/g, "")
    .replace(/\s+/g, " ")
    .split(/(?<=[.!?]["”')]?)\s+(?=[A-Z(`])/)
    .map((s) => plain(s))
    .filter((s) => s.length > 0);
}

/** Every fact of the model: table rows of every section but Sources, and the modelling decisions. */
export function parseModel(markdown: string): Model {
  const facts: Fact[] = [];
  const titles = new Map<string, string>();
  const lines = markdown.split("\n");
  let section: string | null = null;
  let title = "";
  const add = (label: string, kind: Fact["kind"], phrase = false) => {
    if (section !== null && label !== "") facts.push({ section, title, label, kind, phrase });
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith("## ")) {
      const heading = line.slice(3).trim();
      const numbered = /^(\d+)\.\s+(.+)$/.exec(heading);
      section = numbered ? numbered[1]! : /^sources\b/i.test(heading) ? null : heading;
      title = numbered ? numbered[2]! : heading;
      if (numbered) titles.set(numbered[1]!, title.replace(/\s*\(.*$/, ""));
      continue;
    }
    if (section === null) continue;
    if (line.startsWith("|") && /^\|\s*:?-/.test(lines[i + 1] ?? "")) {
      // A table: the header, its separator, then rows until the first line that is not a row.
      for (i += 2; i < lines.length && lines[i]!.startsWith("|"); i++) add(plain(cells(lines[i]!)[0] ?? ""), "fact");
      i--;
      continue;
    }
    if (/^\*\*modelling decisions/i.test(line)) {
      const block = [line.replace(/^\*\*[^*]*\*\*/, "")];
      while (i + 1 < lines.length && lines[i + 1]!.trim() !== "" && !/^(## |\|)/.test(lines[i + 1]!)) block.push(lines[++i]!);
      const text = block.join("\n");
      const leads = [...text.matchAll(/^\s*- \*([^*]+)\*/gm)].map((m) => plain(m[1]!).replace(/[.:]$/, ""));
      if (leads.length > 0) for (const lead of leads) add(lead, "decision");
      else for (const sentence of sentences(text)) add(sentence, "decision", true);
    }
  }
  return { facts, titles };
}

/** A name ends at `index`: the text ends, or goes on with something other than a letter, digit or a joined word (`cpu.speed`). */
function boundaryAt(text: string, index: number): boolean {
  return index >= text.length || !/^([a-z0-9]|[._/-][a-z0-9])/.test(text.slice(index, index + 2));
}

/** The facts a single title cites, and its `§N` citations that resolve to nothing. */
export function citations(title: string, model: Model): Citations {
  const found = new Set<Fact>();
  const unknown: string[] = [];
  const whole = normalize(title);
  for (const fact of model.facts) {
    if (/^\d+$/.test(fact.section)) continue;
    const label = normalize(fact.label);
    for (let at = whole.indexOf(label); at >= 0; at = whole.indexOf(label, at + 1)) {
      if ((at === 0 || !/[a-z0-9]/.test(whole[at - 1]!)) && boundaryAt(whole, at + label.length)) {
        found.add(fact);
        break;
      }
    }
  }
  for (const m of title.matchAll(/§(\d+) (?=\S)/g)) {
    const section = m[1]!;
    const raw = title.slice(m.index + m[0].length);
    const rest = normalize(raw);
    const mine = model.facts.filter((f) => f.section === section);
    const named = names(mine)
      .filter(({ label }) => rest.startsWith(label) && boundaryAt(rest, label.length))
      .sort((a, b) => b.label.length - a.label.length)[0];
    if (named) {
      found.add(named.f);
      continue;
    }
    const sectionTitle = model.titles.get(section);
    if (sectionTitle !== undefined && rest.startsWith(normalize(sectionTitle)) && boundaryAt(rest, normalize(sectionTitle).length)) continue;
    const phrased = phraseCitations(rest, mine);
    if (phrased.length > 0) phrased.forEach((f) => found.add(f));
    else unknown.push(`§${section} ${raw.length > 70 ? `${raw.slice(0, 67)}…` : raw}`);
  }
  return { facts: [...found], unknown };
}

/**
 * The names of a section's facts and leads: each first column, and also the first column without a trailing
 * parenthesis ("Ephemeral storage" for "Ephemeral storage (/tmp)") when no other fact of the section shares it.
 */
function names(facts: Fact[]): Array<{ f: Fact; label: string }> {
  const named = facts.filter((f) => !f.phrase);
  const full = named.map((f) => ({ f, label: normalize(f.label) }));
  const base = (label: string) => label.replace(/\s*\([^()]*\)$/, "");
  const short = full.filter(({ label }) => base(label) !== label && full.filter((o) => base(o.label) === base(label)).length === 1);
  return [...full, ...short.map(({ f, label }) => ({ f, label: base(label) }))];
}

/** Prose decisions containing the longest opening phrase (at least three words) of `rest`, compared word by word. */
function phraseCitations(rest: string, facts: Fact[]): Fact[] {
  const words = (text: string) => text.replace(/[^a-z0-9]+/g, " ").trim().split(" ");
  const restWords = words(rest);
  const prose = facts.filter((f) => f.phrase).map((f) => ({ f, text: ` ${words(normalize(f.label)).join(" ")} ` }));
  for (let n = restWords.length; n >= MIN_PHRASE_WORDS; n--) {
    const phrase = ` ${restWords.slice(0, n).join(" ")} `;
    const hits = prose.filter(({ text }) => text.includes(phrase));
    if (hits.length > 0) return hits.map(({ f }) => f);
  }
  return [];
}

/** The tests of one file with their titles: enclosing describe blocks found by indentation, then the test's own. */
export function testNames(source: string, file: string): TestName[] {
  const names: TestName[] = [];
  const stack: Array<{ indent: number; title: string }> = [];
  let pendingEach: { indent: number; kind: string; line: number } | null = null;
  const STRING = /(?<q>["'`])(?<title>(?:\\.|(?!\k<q>).)*)\k<q>/.source;
  const record = (indent: number, kind: string, rawTitle: string, line: number) => {
    while (stack.length > 0 && stack[stack.length - 1]!.indent >= indent) stack.pop();
    const title = rawTitle.replace(/\\(.)/g, "$1");
    if (kind === "describe") stack.push({ indent, title });
    else names.push({ file, line, titles: [...stack.map((s) => s.title), title] });
  };
  source.split("\n").forEach((line, i) => {
    const direct = new RegExp(`^(\\s*)(describe|it|test)(?:\\.(?!each)\\w+)?\\(\\s*${STRING}`).exec(line);
    if (direct) return record(direct[1]!.length, direct[2]!, direct.groups!.title!, i + 1);
    const each = /^(\s*)(describe|it|test)\.each\(/.exec(line);
    if (each) {
      const sameLine = new RegExp(`\\)\\(\\s*${STRING}`).exec(line);
      if (sameLine) return record(each[1]!.length, each[2]!, sameLine.groups!.title!, i + 1);
      pendingEach = { indent: each[1]!.length, kind: each[2]!, line: i + 1 };
      return;
    }
    const close: { indent: number; kind: string; line: number } | null = pendingEach;
    const later = close ? new RegExp(`^\\s*[\\])]*\\)\\(\\s*${STRING}`).exec(line) : null;
    if (close && later) {
      record(close.indent, close.kind, later.groups!.title!, close.line);
      pendingEach = null;
    }
  });
  return names;
}

export function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...testFiles(path));
    else if (entry.endsWith(".test.ts")) out.push(path);
  }
  return out.sort();
}

export function allTestNames(root = ROOT): TestName[] {
  return testFiles(join(root, "test")).flatMap((path) => testNames(readFileSync(path, "utf8"), relative(root, path)));
}

/** The facts cited by each test (by any of its titles). */
export function coverage(model: Model, tests: TestName[]): Map<Fact, TestName[]> {
  const byFact = new Map<Fact, TestName[]>(model.facts.map((f) => [f, []]));
  const memo = new Map<string, Fact[]>();
  for (const test of tests) {
    const cited = new Set<Fact>();
    for (const title of test.titles) {
      if (!memo.has(title)) memo.set(title, citations(title, model).facts);
      memo.get(title)!.forEach((f) => cited.add(f));
    }
    for (const fact of cited) byFact.get(fact)!.push(test);
  }
  return byFact;
}

/** Problems with the scope file: keys that name no single fact exactly, and facts both out of scope and cited. */
export function scopeProblems(model: Model, scope: Record<string, string>, byFact: Map<Fact, TestName[]>): string[] {
  const problems: string[] = [];
  for (const [key, reason] of Object.entries(scope)) {
    const fact = scopeFact(key, model);
    if (fact === undefined) problems.push(`test/fidelity-scope.ts names "${key}", which is no fact of lambda-model.md`);
    else if (reason.trim() === "") problems.push(`test/fidelity-scope.ts gives no reason for "${key}"`);
    else if (byFact.get(fact)!.length > 0) {
      const t = byFact.get(fact)![0]!;
      problems.push(`"${key}" is out of scope in test/fidelity-scope.ts but cited by ${t.file}: "${t.titles.join(" > ")}"`);
    }
  }
  return problems;
}

/** The fact a scope key names: exactly its first column or lead (a phrase for a prose decision). */
export function scopeFact(key: string, model: Model): Fact | undefined {
  const { facts, unknown } = citations(key, model);
  if (unknown.length > 0 || facts.length !== 1) return undefined;
  const fact = facts[0]!;
  return fact.phrase || normalize(factKey(fact)) === normalize(key) ? fact : undefined;
}

export function modelHash(markdown: string): string {
  return createHash("sha256").update(markdown).digest("hex").slice(0, 16);
}

/** The hash of the model a table was generated from, read from its header. */
export function recordedHash(table: string): string | null {
  return /sha256 `([0-9a-f]+)`/.exec(table)?.[1] ?? null;
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/\n/g, " ");
}

function shortLabel(fact: Fact): string {
  const label = fact.label.length > 150 ? `${fact.label.slice(0, 147).replace(/\s+\S*$/, "")} …` : fact.label;
  return fact.kind === "decision" ? `*Decision:* ${label}` : label;
}

export function renderTable(markdown: string, tests: TestName[], scope: Record<string, string>): string {
  const model = parseModel(markdown);
  const byFact = coverage(model, tests);
  const scoped = new Map<Fact, string>();
  for (const [key, reason] of Object.entries(scope)) {
    const fact = scopeFact(key, model);
    if (fact !== undefined) scoped.set(fact, reason);
  }
  const state = (f: Fact) => (byFact.get(f)!.length > 0 ? "tested" : scoped.has(f) ? "out of scope" : "untested");
  const count = (s: string) => model.facts.filter((f) => state(f) === s).length;
  const untested = model.facts.filter((f) => state(f) === "untested");
  const out: string[] = [
    "# Fact coverage of the simulator",
    "",
    "Generated by `npm run fidelity` from `../shared/lambda-model.md` (sha256 `" + modelHash(markdown) + "`), the test",
    "names under `test/` and `test/fidelity-scope.ts`; do not edit by hand. A test cites a fact when one of its titles",
    "holds `§N` and the fact's first column (or a decision's lead, or a phrase of a prose decision); see",
    "`scripts/fidelity.ts`. `npm test` checks that every citation names a real fact, and that this file is current",
    "whenever the model's hash still matches the one above.",
    "",
    `**${model.facts.length} facts and modelling decisions: ${count("tested")} tested, ${count("out of scope")} out of scope, ${untested.length} untested**.`,
    "",
  ];
  const sections = [...new Set(model.facts.map((f) => f.section))];
  for (const section of sections) {
    const mine = model.facts.filter((f) => f.section === section);
    out.push(/^\d+$/.test(section) ? `## §${section} ${mine[0]!.title}` : `## ${section}`, "", "| Fact | State | Tests citing it, or why it is out of scope |", "|---|---|---|");
    for (const fact of mine) {
      const hits = byFact.get(fact)!;
      const shown = hits.slice(0, 3).map((t) => `${t.file.replace(/^test\//, "")}: ${t.titles.join(" › ")}`);
      const more = hits.length > 3 ? [`and ${hits.length - 3} more`] : [];
      const detail = hits.length > 0 ? [...shown, ...more].map(cell).join("<br>") : cell(scoped.get(fact) ?? "—");
      out.push(`| ${cell(shortLabel(fact))} | ${state(fact)}${hits.length > 0 ? ` (${hits.length})` : ""} | ${detail} |`);
    }
    out.push("");
  }
  out.push("## Untested", "");
  if (untested.length === 0) out.push("None.");
  for (const fact of untested) out.push(`- ${factKey(fact).length > 150 ? `${factKey(fact).slice(0, 147)} …` : factKey(fact)}`);
  return `${out.join("\n").trimEnd()}\n`;
}

export function modelText(): string | null {
  return existsSync(MODEL_PATH) ? readFileSync(MODEL_PATH, "utf8") : null;
}

async function main(): Promise<void> {
  const markdown = modelText();
  if (markdown === null) {
    console.error(`npm run fidelity: ${MODEL_PATH} is missing (the shared folder sits beside the repository)`);
    process.exit(2);
  }
  const { OUT_OF_SCOPE } = await import("../test/fidelity-scope.ts");
  const model = parseModel(markdown);
  const tests = allTestNames();
  const problems = scopeProblems(model, OUT_OF_SCOPE, coverage(model, tests));
  const unknown = tests.flatMap((t) => t.titles.flatMap((title) => citations(title, model).unknown.slice(0, 1).map((u) => `${t.file}: ${u}`)));
  writeFileSync(TABLE_PATH, renderTable(markdown, tests, OUT_OF_SCOPE));
  const summary = /\*\*(.+?)\*\*/.exec(readFileSync(TABLE_PATH, "utf8"))![1];
  console.log(`wrote ${relative(ROOT, TABLE_PATH)}: ${summary}`);
  for (const p of [...new Set([...problems, ...unknown])]) console.log(`  problem: ${p}`);
}

if (process.argv[1] === import.meta.filename) await main();
