import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findExercise, REPO_ROOT } from "../../src/cli/catalog.ts";

// The team-lead page shows this workflow; its grading step is run here as written, against this checkout. It lives
// with the end-to-end tests because it starts grading processes, which would compete with the sandbox tests for CPU.
const workflow = readFileSync(new URL("../../src/site/team-ci.yml", import.meta.url), "utf8");

function gradingScript(): string {
  const lines = workflow.split("\n");
  const start = lines.findIndex((l) => l.includes("name: Grade every solution")) + 1;
  expect(lines[start]).toMatch(/^\s+run: \|$/);
  const body: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() !== "" && !/^ {10}/.test(line)) break;
    body.push(line.slice(10));
  }
  return body.join("\n");
}

const hasJq = spawnSync("jq", ["--version"]).status === 0;

describe("the CI workflow on the team-lead page", () => {
  it.skipIf(!hasJq)("grades every solution file, prints failed checks and fails when one solution fails", () => {
    const repo = mkdtempSync(join(tmpdir(), "team-repo-"));
    symlinkSync(REPO_ROOT, join(repo, "workbook"));
    const solve = (id: string, file: "solution.js" | "starter.js") => {
      const dir = join(repo, "solutions", id.split("/")[0]!);
      mkdirSync(dir, { recursive: true });
      copyFileSync(join(findExercise(id)!.dir, file), join(dir, `${id.split("/")[1]}.js`));
    };
    solve("idempotence/charge-once", "solution.js");
    solve("lifecycle/reuse-client", "starter.js");
    const run = spawnSync("bash", ["-euo", "pipefail", "-c", gradingScript()], { cwd: repo, encoding: "utf8", env: process.env });
    expect(run.stdout).toContain("idempotence/charge-once: passed\n");
    expect(run.stdout).toMatch(/lifecycle\/reuse-client: FAILED\n {2}- .+: .+/);
    expect(run.status).toBe(1);
    const report = JSON.parse(readFileSync(join(repo, "reports", "idempotence--charge-once.json"), "utf8"));
    expect(report).toMatchObject({ exercise: "idempotence/charge-once", passed: true });
  });

  it("uses the grade command's documented form", () => {
    expect(gradingScript()).toContain('run -s grade -- "$id" "$PWD/$file" --json');
  });
});
