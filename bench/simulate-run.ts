/**
 * One measured run of the simulate path, in its own process so that its peak memory is its own: a day-shaped
 * workload of host-side handlers over `days` simulated days, sync by default or through a queue and its SQS event
 * source mapping with `sqs`. Prints one JSON line; bench/run.ts reads it.
 * Usage: node [--expose-gc] bench/simulate-run.ts <days> [sqs]
 */
import type { WorkloadInput } from "../src/runtime/workload.ts";
import { runWorkloadWithQueues as runWorkload } from "../src/runtime/workload-sqs.ts";

const days = Number(process.argv[2] ?? 1);
const sqs = process.argv[3] === "sqs";
const workload: WorkloadInput = {
  seed: 1,
  durationMs: days * 86_400_000,
  // Peak 25/s in the afternoon, 2/s at night: about 1.17 million requests (or messages) a day.
  arrivals: { kind: "day", peakRatePerSec: 25, troughRatePerSec: 2 },
  work: { kind: "exponential", meanMs: 100 },
  // SQS: the defaults of lambda-model.md §7 (batches of up to 10, no window, 30 s visibility), 0.1% of messages
  // failing and reported one by one, a dead-letter queue after 5 receives.
  ...(sqs ? { invoke: "sqs" as const, work: { kind: "exponential" as const, meanMs: 100, errorRate: 0.001 }, queue: { maxReceiveCount: 5 }, mapping: { reportBatchItemFailures: true } } : {}),
};
// A short warm-up, so that the measured run is compiled code, as a long simulate run mostly is.
runWorkload({ ...workload, durationMs: 3_600_000 });
const cpu = process.cpuUsage();
const started = performance.now();
const { summary } = runWorkload(workload);
const seconds = (performance.now() - started) / 1000;
const used = process.cpuUsage(cpu);
console.log(
  JSON.stringify({
    days,
    seconds,
    // CPU time of the run: on a shared machine, wall time also counts the time other processes had the CPU.
    cpuSeconds: (used.user + used.system) / 1e6,
    invocations: summary.invocations,
    requests: summary.requests,
    // Peak resident memory of this process (kB on Linux).
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    heapUsedMB: process.memoryUsage().heapUsed / 1_048_576,
    // What the run still holds after a full collection (with --expose-gc): flat when nothing is kept per message.
    liveHeapMB: liveHeapMB(),
  }),
);

function liveHeapMB(): number | null {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return null;
  gc();
  return process.memoryUsage().heapUsed / 1_048_576;
}
