import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = new URL("../../", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "simulate-cli-"));

function simulate(...args: string[]) {
  const run = spawnSync(process.execPath, ["src/cli/simulate.ts", ...args], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** The output keys outside tools rely on (DESIGN.md § The `simulate` command). */
const CONTRACT_KEYS = [
  "requests",
  "invocations",
  "coldStarts",
  "coldStartRatio",
  "throttles",
  "throttleRatio",
  "meanEnvironments",
  "peakEnvironments",
  "meanConcurrency",
  "latencyMs",
  "billedGbSeconds",
  "costUsd",
];

describe("the simulate command (the contract in DESIGN.md)", () => {
  it("prints an aligned summary of the first README example and exits 0, the cost with its note (§9 prices carry the note: us-east-1, as read in 2026)", () => {
    const run = simulate("public/workloads/steady-api.json");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("public/workloads/steady-api.json: sync, Poisson 20.00/s for 3,600,000 ms, seed 1");
    expect(run.stdout).toMatch(/^Cold starts {2,}\d+ {3}\(\d+\.\d\d% of invocations\)$/m);
    expect(run.stdout).toMatch(/^Latency \(ms\) {2,}p50 [\d.,]+ {3}p90 [\d.,]+ {3}p99 [\d.,]+/m);
    expect(run.stdout).toContain("SIMPLIFICATION");
    expect(run.stdout).toMatch(/^Cost {2,}\$[\d.]+ {3}\(us-east-1 prices as read in 2026: check the pricing page before quoting\)$/m);
  });

  it("gives the same figures as one JSON object with --json, with every contract key", () => {
    const run = simulate("public/workloads/spike-with-reserved.json", "--json");
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    for (const key of CONTRACT_KEYS) expect(summary).toHaveProperty(key);
    expect(Object.keys(summary.latencyMs)).toEqual(expect.arrayContaining(["p50", "p90", "p99"]));
    expect(summary.throttles).toBeGreaterThan(0);
    expect(summary.peakConcurrency).toBe(50); // the reserved concurrency
    expect(summary.coldStartRatio).toBeCloseTo(summary.coldStarts / summary.invocations, 12);
    expect(summary.throttleRatio).toBeCloseTo(summary.throttles / summary.requests, 12);
  });

  it("exits 2 naming the file and the field for an invalid workload", () => {
    const path = file("bad.json", JSON.stringify({ durationMs: 1000, arrivals: { kind: "poisson", ratePerSec: -3 } }));
    const run = simulate(path);
    expect(run.code).toBe(2);
    expect(run.stderr.replace(path, "bad.json").trim()).toMatchInlineSnapshot(
      `"simulate: bad.json: workload field "arrivals.ratePerSec" is invalid: Too small: expected number to be >0; found number -3. Fix that field and try again."`,
    );
  });

  it("§3 Scaling rate (old): exits 2 naming account.scalingRule when it is neither rule", () => {
    const path = file("rule.json", JSON.stringify({ durationMs: 1000, account: { scalingRule: "2019" }, arrivals: { kind: "poisson", ratePerSec: 1 } }));
    const run = simulate(path);
    expect(run.code).toBe(2);
    expect(run.stderr.replace(path, "rule.json").trim()).toMatchInlineSnapshot(`"simulate: rule.json: workload field "account.scalingRule" is invalid: Invalid option: expected one of "2023"|"pre-2023"; found "2019". Fix that field and try again."`);
  });

  it("§9 Free tier: says it is not applied by default (pricing.applyFreeTier), and what it took off when a workload applies it", () => {
    const workload = { durationMs: 60_000, arrivals: { kind: "constant", ratePerSec: 10 } };
    const off = simulate(file("paid.json", JSON.stringify(workload)));
    expect(off.stdout).toMatch(/^Free tier {2,}not applied \(pricing\.applyFreeTier\)$/m);
    expect(off.stdout).toContain("the free tier is not taken off (§9)");
    const on = simulate(file("free.json", JSON.stringify({ ...workload, pricing: { applyFreeTier: true } })));
    expect(on.stdout).toMatch(/^Cost {2,}\$0\.000000 /m);
    expect(on.stdout).toMatch(/^Free tier {2,}600 requests and [\d.]+ GB-s taken off the cost$/m);
    const bad = simulate(file("badfree.json", JSON.stringify({ ...workload, pricing: { applyFreeTier: "yes" } })));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"pricing.applyFreeTier" is invalid');
  });

  it("exits 2 for a file that is not JSON, and for a missing file", () => {
    const notJson = simulate(file("not.json", "{ durationMs: 1000 "));
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain("not valid JSON");
    const missing = simulate(join(dir, "nope.json"));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("workload file not found");
  });

  it('exits 2 naming the field for an SQS mapping AWS would refuse (invoke "sqs")', () => {
    const path = file("sqs-fifo.json", JSON.stringify({ durationMs: 1000, invoke: "sqs", arrivals: { kind: "poisson", ratePerSec: 1 }, queue: { fifo: true }, mapping: { batchSize: 50, batchingWindowMs: 2_000 } }));
    const run = simulate(path);
    expect(run.code).toBe(2);
    expect(run.stderr.replace(path, "sqs-fifo.json").trim()).toMatchInlineSnapshot(
      `"simulate: sqs-fifo.json: workload field "mapping.batchSize" is invalid: the batch size of a FIFO queue's mapping is at most 10 (got 50); found number 50. Fix that field and try again."`,
    );
  });

  it("runs every example in public/workloads (the README's) and prints the SQS figures for an sqs one", () => {
    const examples = readdirSync(join(ROOT, "public/workloads")).filter((f) => f.endsWith(".json"));
    expect(examples.length).toBeGreaterThanOrEqual(3);
    for (const example of examples) {
      const run = simulate(`public/workloads/${example}`, "--json");
      expect(run.code, `${example}: ${run.stderr}`).toBe(0);
      const summary = JSON.parse(run.stdout);
      for (const key of CONTRACT_KEYS) expect(summary).toHaveProperty(key);
      if (example.startsWith("sqs-")) expect(summary.sqs.messagesSent).toBe(summary.requests);
    }
    const sqs = simulate(`public/workloads/${examples.find((f) => f.startsWith("sqs-"))}`);
    expect(sqs.stdout).toMatch(/^Queue depth {2,}mean [\d.,]+ {3}peak [\d,]+/m);
    expect(sqs.stdout).toContain("latency is each message's, from its send to its delete");
  }, 240_000);

  it("§4 AWS SDK retries: prints the client's retries and the requests that failed after all attempts", () => {
    const path = file("retries.json", JSON.stringify({ durationMs: 10_000, function: { reservedConcurrency: 0 }, arrivals: { kind: "constant", ratePerSec: 2 }, client: { retries: "sdk-standard" } }));
    const run = simulate(path);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Throttles {2,}60 {3}\(100\.00% of invoke requests\)$/m);
    expect(run.stdout).toMatch(/^Client retries {2,}40 {3}\(60 invoke requests in all; 20 requests failed after all attempts\)$/m);
    expect(run.stdout).toContain("SIMPLIFICATION: AWS SDK retries");
    expect(run.stdout).toContain("latency is from a request's first attempt to the end of the invocation that ran");
  });

  it("runs a real handler file in the sandbox for work.kind handler", () => {
    file("handler.js", "export async function handler(event) { return { ok: true }; }\n");
    const path = file("handler-workload.json", JSON.stringify({ durationMs: 10_000, arrivals: { kind: "constant", ratePerSec: 2 }, work: { kind: "handler", file: "handler.js" } }));
    const run = simulate(path, "--json");
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ requests: 20, invocations: 20, coldStarts: 1, errors: 0 });
  });
});

describe("the simulate command with tenant isolation (§11)", () => {
  it("§11 Tenant isolation mode (re:Invent 2025): runs the README's example, with per-tenant cold starts and the mode's simplifications named", () => {
    const run = simulate("public/workloads/tenant-isolation.json");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("sync, Poisson 5.00/s for 3,600,000 ms, seed 1, tenant isolation mode");
    expect(run.stdout).toMatch(/^Per tenant \(requests, throttles, errors, cold starts\):\n {2}t1 +[\d,]+ +0 +0 +\d+$/m);
    expect(run.stdout).toContain("Tenant isolation mode, as the workbook simplifies it:");
    const json = JSON.parse(simulate("public/workloads/tenant-isolation.json", "--json").stdout);
    expect(Object.values(json.tenants as Record<string, { coldStarts: number }>).reduce((s, t) => s + t.coldStarts, 0)).toBe(json.coldStarts);
  });

  it("exits 2 naming function.tenantIsolation when the workload has no tenants to send", () => {
    const path = file("isolated.json", JSON.stringify({ durationMs: 1000, arrivals: { kind: "poisson", ratePerSec: 1 }, function: { tenantIsolation: true } }));
    const run = simulate(path);
    expect(run.code).toBe(2);
    expect(run.stderr.replace(path, "isolated.json").trim()).toMatchInlineSnapshot(`"simulate: isolated.json: workload field "function.tenantIsolation" is invalid: needs "tenants": with tenant isolation every request must carry a tenant id (lambda-model.md §11); found boolean true. Fix that field and try again."`);
  });
});
