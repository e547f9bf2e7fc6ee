/**
 * Host-side code for workloads whose work is described by numbers (workload-schema.ts): the handler only takes its
 * sampled time, and fails at the workload's error rate. No sandbox, no JSON parsing of the event beyond what a
 * batch's handler needs (its message ids).
 */
import type { Prng } from "./prng.ts";
import type { CodeInstance, CodeOutcome, EnvironmentPort, FunctionCode, JsonText } from "./types.ts";

const SUCCESS: CodeOutcome = { kind: "success", response: undefined };

/** Code whose instances init at once and answer each event through `invoke` (or `timed`, the fast path, when given). */
function hostCode(invoke: (port: EnvironmentPort, event: JsonText, done: (outcome: CodeOutcome) => void) => void, timed: ((event: JsonText) => number) | null): FunctionCode {
  return {
    createInstance(port: EnvironmentPort): CodeInstance {
      const instance: CodeInstance = {
        init: (_deadline, done) => done(SUCCESS),
        invoke: (event, _context, _deadline, done) => invoke(port, event, done),
        abort: () => {},
        dispose: () => {},
        memoryUsedMB: () => 0,
      };
      // Every invocation succeeds: the simulator's fast path, with no callback per invocation.
      if (timed !== null) instance.timedInvoke = timed;
      return instance;
    },
  };
}

/** One request, one draw of work; a share `errorRate` of requests fail with a function error. */
export function timedCode(sample: () => number, errorRate: number, failures: Prng): FunctionCode {
  const failure: CodeOutcome = { kind: "error", errorType: "Error", errorMessage: "simulated failure (work.errorRate)" };
  return hostCode(
    (port, _event, done) => {
      const outcome = failures.next() < errorRate ? failure : SUCCESS;
      port.defer(sample(), () => done(outcome));
    },
    errorRate === 0 ? sample : null,
  );
}

const MESSAGE_ID = '"messageId":"';

/** The message ids of an SQS batch event, in order (the mapping writes each record's messageId first, unescaped). */
export function messageIdsOf(event: JsonText): string[] {
  const ids: string[] = [];
  for (let i = event.indexOf(MESSAGE_ID); i >= 0; i = event.indexOf(MESSAGE_ID, i)) {
    i += MESSAGE_ID.length;
    const end = event.indexOf('"', i);
    ids.push(event.slice(i, end));
    i = end;
  }
  return ids;
}

function recordCountOf(event: JsonText): number {
  let n = 0;
  for (let i = event.indexOf(MESSAGE_ID); i >= 0; i = event.indexOf(MESSAGE_ID, i + MESSAGE_ID.length)) n++;
  return n;
}

/**
 * A batch handler (SQS, lambda-model.md §7): it processes the batch's records one after the other, each taking a draw
 * of work and failing with probability `errorRate`. Without `reportBatchItemFailures` it throws at the first failed
 * record. With it, a standard queue's handler processes every record and reports the failed ones; a FIFO queue's
 * handler stops at the first failure and reports that record and every one after it.
 */
export function batchCode(sample: () => number, errorRate: number, failures: Prng, options: { reportBatchItemFailures: boolean; fifo: boolean }): FunctionCode {
  const failure: CodeOutcome = { kind: "error", errorType: "Error", errorMessage: "simulated failure of a message (work.errorRate)" };
  const timed = (event: JsonText) => {
    let ms = 0;
    for (let n = recordCountOf(event); n > 0; n--) ms += sample();
    return ms;
  };
  return hostCode(
    (port, event, done) => {
      const ids = messageIdsOf(event);
      const failed: string[] = [];
      let ms = 0;
      for (let i = 0; i < ids.length; i++) {
        ms += sample();
        if (failures.next() >= errorRate) continue;
        if (!options.reportBatchItemFailures) {
          port.defer(ms, () => done(failure));
          return;
        }
        if (options.fifo) {
          failed.push(...ids.slice(i));
          break;
        }
        failed.push(ids[i]!);
      }
      const response = failed.length === 0 ? undefined : JSON.stringify({ batchItemFailures: failed.map((id) => ({ itemIdentifier: id })) });
      port.defer(ms, () => done(response === undefined ? SUCCESS : { kind: "success", response }));
    },
    errorRate === 0 ? timed : null,
  );
}
