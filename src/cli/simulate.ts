/**
 * `npm run simulate -- <workload.json> [--json]`: runs a workload (a function, its account and its traffic) through the
 * simulator and prints what happened (DESIGN.md § The `simulate` command). Exit 0 after a run, 2 for unusable input.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { InvalidFileError, parseFile } from "../grader/friendly-error.ts";
import type { RunWorkloadOptions, Workload, WorkloadResult } from "../runtime/workload.ts";
import { runWorkloadWithQueues } from "../runtime/workload-sqs.ts";
import { SqsWorkloadSchema } from "../runtime/workload-sqs-schema.ts";
import { SandboxCode } from "../sandbox/environment.ts";
import { loadQuickJS } from "../sandbox/quickjs.ts";

const USAGE = `Usage:
  npm run simulate -- <workload.json>          a summary of what happened
  npm run simulate -- <workload.json> --json   the same figures as one JSON object
The workload format is described in README.md (section "What if: the simulate command").`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const flags = new Set(argv.filter((a) => a.startsWith("--")));
  const args = argv.filter((a) => !a.startsWith("--"));
  for (const flag of flags) if (!["--json", "--help"].includes(flag)) throw new UsageError(`unknown option ${flag}`);
  if (flags.has("--help")) {
    console.log(USAGE);
    return 0;
  }
  const [file] = args;
  if (!file || args.length > 1) throw new UsageError("expected one workload file");
  const data = readJson(file);
  const workload = parseFile(SqsWorkloadSchema, data, file, "workload");
  let codeFor: RunWorkloadOptions["codeFor"];
  if (workload.work.kind === "handler") {
    const handlerFile = resolve(dirname(file), workload.work.file);
    if (!existsSync(handlerFile) || !statSync(handlerFile).isFile()) {
      throw new InvalidFileError(file, "work.file", `${file}: workload field "work.file" is invalid: no handler file at ${handlerFile}. Give a path relative to the workload file.`);
    }
    const source = readFileSync(handlerFile, "utf8");
    const quickjs = await loadQuickJS();
    codeFor = (model) => new SandboxCode(quickjs, { code: source, filename: handlerFile.split(/[\\/]/).pop() ?? "handler.js" }, model);
  }
  const result = runWorkloadWithQueues(workload, codeFor ? { codeFor } : {});
  console.log(flags.has("--json") ? JSON.stringify(result.summary, null, 2) : formatSummary(file, workload, result));
  return 0;
}

function readJson(file: string): unknown {
  if (!existsSync(file)) throw new UsageError(`workload file not found: ${file}`);
  if (!statSync(file).isFile()) throw new UsageError(`not a file: ${file}`);
  const text = readFileSync(file, "utf8");
  try {
    return JSON.parse(text);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new InvalidFileError(file, "(top level)", `${file}: not valid JSON (${why}). A workload file is one JSON object; see README.md.`);
  }
}

const int = (n: number) => n.toLocaleString("en-US");
const dec = (n: number, digits: number) => n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const pct = (r: number) => `${dec(r * 100, 2)}%`;

/** What one line of the traffic description says, in words. */
function describeTraffic(w: Workload): string {
  const a = w.arrivals;
  const traffic =
    a.kind === "constant" ? `constant ${dec(a.ratePerSec, 2)}/s`
    : a.kind === "poisson" ? `Poisson ${dec(a.ratePerSec, 2)}/s`
    : a.kind === "spikes" ? `spikes ${dec(a.baseRatePerSec, 2)}/s → ${dec(a.spikeRatePerSec, 2)}/s`
    : a.kind === "bursts" ? `bursts of ${int(a.size)} every ${int(a.everyMs)} ms`
    : a.kind === "day" ? `day-shaped ${dec(a.troughRatePerSec, 2)}–${dec(a.peakRatePerSec, 2)}/s`
    : `${int(a.atMs.length)} listed arrivals`;
  return `${w.invoke}, ${traffic} for ${int(w.durationMs)} ms, seed ${String(w.seed)}${w.function.tenantIsolation ? ", tenant isolation mode" : ""}`;
}

/** The human-readable summary: one figure per line, labels and values aligned. */
export function formatSummary(file: string, workload: Workload, result: WorkloadResult): string {
  const s = result.summary;
  const rows: Array<[string, string]> = [
    ["Requests", int(s.requests)],
    ["Invocations", int(s.invocations)],
    ["Cold starts", `${int(s.coldStarts)}   (${pct(s.coldStartRatio)} of invocations)`],
    ["Throttles", `${int(s.throttles)}   (${pct(s.throttleRatio)} of ${s.client ? "invoke requests" : "requests"})`],
    ["Errors", `${int(s.errors)}   (timeouts ${int(s.timeouts)})`],
    ["Rejected (payload too large)", int(s.rejected)],
    ["Async retries", int(s.retries)],
    ["Dropped async events", `${int(s.droppedEvents)}   (dead-lettered ${int(s.deadLettered)})`],
    ["Environments", `mean ${dec(s.meanEnvironments, 2)}   peak ${int(s.peakEnvironments)}`],
    ["Concurrency", `mean ${dec(s.meanConcurrency, 2)}   peak ${int(s.peakConcurrency)}`],
    ["Latency (ms)", `p50 ${dec(s.latencyMs.p50, 1)}   p90 ${dec(s.latencyMs.p90, 1)}   p99 ${dec(s.latencyMs.p99, 1)}   (mean ${dec(s.latencyMs.mean, 1)}, max ${dec(s.latencyMs.max, 1)})`],
    ["Billed", `${dec(s.billedGbSeconds, 3)} GB-s`],
    ["Cost", `$${dec(s.costUsd, 6)}   (us-east-1 prices as read in 2026: check the pricing page before quoting)`],
  ];
  const free = s.freeTier;
  rows.push(["Free tier", free ? `${int(free.requests)} requests and ${dec(free.gbSeconds, 3)} GB-s taken off the cost` : "not applied (pricing.applyFreeTier)"]);
  const c = s.client;
  if (c) rows.push(["Client retries", `${int(c.retries)}   (${int(c.invokeRequests)} invoke requests in all; ${int(c.failedAfterAllAttempts)} requests failed after all attempts)`]);
  if (s.ephemeralStorageGbSeconds > 0) rows.push(["/tmp above 512 MB", `${dec(s.ephemeralStorageGbSeconds, 3)} GB-s   (billed separately; no price in the model, not in the cost)`]);
  const q = s.sqs;
  if (q) {
    rows.push(
      ["Messages", `sent ${int(q.messagesSent)}   deleted ${int(q.messagesDeleted)}   dead-lettered ${int(q.deadLettered)}   expired ${int(q.expired)}   left ${int(q.messagesLeft)}`],
      ["Receives", `${int(q.receives)}   (redeliveries ${int(q.redeliveries)}; ${int(q.batches)} batches of ${dec(q.meanBatchSize, 2)} on average)`],
      ["Queue depth", `mean ${dec(q.meanQueueDepth, 2)}   peak ${int(q.peakQueueDepth)}   (oldest message up to ${dec(q.maxOldestMessageAgeMs / 1_000, 1)} s)`],
      ["Pollers", `peak ${int(q.peakPollers)}   (throttles are of the ${int(q.invokeAttempts)} invoke requests)`],
    );
  }
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = [`${file}: ${describeTraffic(workload)}`, ""];
  for (const [label, value] of rows) lines.push(`${label.padEnd(width)}   ${value}`);
  if (s.tenants) {
    // A caller sees each sync result; async requests are only counted per tenant.
    const sync = workload.invoke === "sync";
    lines.push("", `Per tenant (requests${sync ? ", throttles, errors, cold starts" : ""}):`);
    for (const [tenant, c] of Object.entries(s.tenants)) {
      const rest = sync ? ` ${int(c.throttles).padStart(10)} ${int(c.errors).padStart(8)} ${int(c.coldStarts).padStart(8)}` : "";
      lines.push(`  ${tenant.padEnd(6)} ${int(c.requests).padStart(10)}${rest}`);
    }
  }
  lines.push(
    "",
    q
      ? "Means are over the simulated window; latency is each message's, from its send to its delete after a successful invocation, within 0.5%."
      : s.client
        ? "Means are over the simulated window; latency is from a request's first attempt to the end of the invocation that ran (backoffs and throttled attempts included), within 0.5%."
        : "Means are over the simulated window; latency is from arrival to the end of the invocation (async: to the end of the successful attempt), within 0.5%.",
  );
  for (const note of result.simplifications) lines.push(note);
  return lines.join("\n");
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) console.error(`simulate: ${error.message}\n\n${USAGE}`);
    else if (error instanceof InvalidFileError) console.error(`simulate: ${error.message}`);
    else console.error(`simulate: internal error: ${error instanceof Error ? error.message : String(error)} (set DEBUG=1 for details)`);
    if (process.env.DEBUG && error instanceof Error) console.error(error.stack);
    process.exitCode = 2;
  },
);
