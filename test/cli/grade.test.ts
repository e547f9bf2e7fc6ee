import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { listExercises } from "../../src/cli/catalog.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "grade-cli-"));

function grade(...args: string[]) {
  const run = spawnSync(process.execPath, ["src/cli/grade.ts", ...args], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const STARTER = "exercises/04-idempotence/01-charge-once/starter.js";
const SOLUTION = "exercises/04-idempotence/01-charge-once/solution.js";

describe("the grade command (the contract in DESIGN.md)", () => {
  it("--list prints one exercise id per line and exits 0", () => {
    const run = grade("--list");
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split("\n")).toEqual(listExercises().map((e) => e.id));
    expect(run.stdout).toContain("idempotence/charge-once\n");
  });

  it("exits 0 and says PASSED for a passing handler", () => {
    const run = grade("idempotence/charge-once", SOLUTION);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/PASSED: \d+ of \d+ checks passed/);
  });

  it("exits 1 and explains each failed check in terms of what happened", () => {
    const run = grade("idempotence/charge-once", STARTER);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("FAIL  charges order o-17 exactly once");
    expect(run.stdout.replace(/\s+/g, " ")).toContain(
      "order o-17 was charged 2 times: attempt 2 was Lambda's automatic retry of the same event after attempt 1 timed out at 3,000 ms",
    );
  });

  it("--json prints the machine-readable report", () => {
    const run = grade("idempotence/charge-once", STARTER, "--json");
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { exercise: string; passed: boolean; checks: Array<{ name: string; passed: boolean; message: string; hidden: boolean }>; failure: { trace: unknown[] } };
    expect(report.exercise).toBe("idempotence/charge-once");
    expect(report.passed).toBe(false);
    expect(report.checks.length).toBeGreaterThan(3);
    for (const c of report.checks) expect(Object.keys(c)).toEqual(expect.arrayContaining(["name", "passed", "message", "hidden"]));
    expect(report.failure.trace.length).toBeGreaterThan(0);
  });

  it("--run grades the visible checks only", () => {
    const run = grade("idempotence/charge-once", STARTER, "--run", "--json");
    const report = JSON.parse(run.stdout) as { mode: string; checks: Array<{ hidden: boolean }> };
    expect(report.mode).toBe("run");
    expect(report.checks.every((c) => !c.hidden)).toBe(true);
  });

  const unusable: Array<[string, () => string[], RegExp]> = [
    ["an unknown exercise id", () => ["nope/nothing", SOLUTION], /unknown exercise "nope\/nothing"/],
    ["a missing handler file", () => ["idempotence/charge-once", join(dir, "missing.js")], /handler file not found/],
    ["a syntax error", () => ["idempotence/charge-once", file("syntax.js", "export async function handler(event {\n")], /not valid JavaScript: SyntaxError.*line 1/],
    ["a module without a handler", () => ["idempotence/charge-once", file("nohandler.js", "export const handle = () => 1;\n")], /does not export a function named "handler"/],
    ["a handler that is not a function", () => ["idempotence/charge-once", file("number.js", "export const handler = 42;\n")], /does not export a function named "handler"/],
    ["CommonJS exports", () => ["idempotence/charge-once", file("cjs.js", "exports.handler = async () => 1;\n")], /looks like a CommonJS module/],
    ["module.exports", () => ["idempotence/charge-once", file("cjs2.js", "module.exports = { handler: async () => 1 };\n")], /looks like a CommonJS module/],
    ["an empty file", () => ["idempotence/charge-once", file("empty.js", "")], /has no code/],
    ["a file of comments only", () => ["idempotence/charge-once", file("comments.js", "// TODO\n/* later */\n")], /has no code/],
    ["a binary file", () => ["idempotence/charge-once", file("binary.js", Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80]))], /not a UTF-8 text file/],
    ["text with NUL bytes", () => ["idempotence/charge-once", file("nul.js", "export const handler = 1;\u0000")], /not a text file/],
    ["an import of a host module", () => ["idempotence/charge-once", file("fs.js", 'import fs from "fs";\nexport const handler = () => fs;\n')], /imports "fs", which the workbook does not provide/],
    ["no arguments", () => [], /expected an exercise id and a handler file/],
    ["an unknown option", () => ["--frobnicate"], /unknown option --frobnicate/],
  ];

  it.each(unusable)("exits 2 with a clear message for %s, never a stack trace", (_what, args, message) => {
    const run = grade(...args());
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });

  it("--json reports unusable input as JSON too", () => {
    const run = grade("idempotence/charge-once", file("syntax2.js", "export const handler = (;"), "--json");
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ exercise: "idempotence/charge-once", passed: false, error: { kind: "syntax" } });
  });
});
