/**
 * Calls that handler code makes from inside an environment (lambda-model.md §1, §3): to a simulated service, whose
 * reply reaches the code only while its environment is thawed, and to another function (`lambda.invoke`). Calls to AWS
 * services retry a throttle or a 5xx as the AWS SDK's standard mode does (§4, sdk-retries.ts), from inside the
 * environment: the code waits (and is billed) meanwhile, and a timeout or reset of the environment ends the retries.
 */
import { LAMBDA_FACTS, type FunctionConfig } from "./config.ts";
import { sizeOver } from "./payload.ts";
import type { Prng } from "./prng.ts";
import { chainOf, type Chain } from "./recursion.ts";
import type { Throttle } from "./scaling.ts";
import { tenantRefusal } from "./tenants.ts";
import { withIds } from "./records.ts";
import { backoffMs, retryableStatus, type SdkRetries } from "./sdk-retries.ts";
import type { InvokeOptions } from "./simulation.ts";
import type { Environment } from "./state.ts";
import type { CallContext, JsonText, ServiceDispatcher, ServiceResult } from "./types.ts";

/**
 * The `workbook:aws` services that stand for AWS services, whose calls the SDK retries (§4). The downstream dependency
 * and the payment provider are third parties: their errors, a downstream 503 included, reach the code at once.
 */
const AWS_SERVICES: ReadonlySet<string> = new Set(["lambda", "table", "queue", "topic", "bus", "bucket", "states"]);

/** One retry the SDK made for handler code: the attempt that failed and how long the client waited after it. */
export interface SdkRetry {
  /** Virtual time the failed attempt's answer reached the code. */
  t: number;
  functionName: string;
  envId: string;
  service: string;
  operation: string;
  /** The attempt that failed (1 for the first). */
  attempt: number;
  errorName: string;
  httpStatus: number;
  delayMs: number;
}

/** One AWS call with its retries: what it asks and how far it got. */
interface SdkCall {
  service: string;
  operation: string;
  args: unknown[];
  maxAttempts: number;
  attempts: number;
  waitedMs: number;
}

/** What calls from code need from the simulation they run in. */
export interface CodeCallsHost {
  readonly now: number;
  readonly services: ServiceDispatcher;
  schedule(time: number, run: () => void): void;
  /** Runs `run` in the environment after `delayMs`, or when it next thaws if it is frozen by then. */
  deferFor(env: Environment, delayMs: number, run: () => void): void;
  isDeployed(name: string): boolean;
  /** The configuration of a deployed function. */
  functionConfig(name: string): FunctionConfig;
  /** A sync request arrives now (Simulation.arrive). */
  arrive(name: string, payload: JsonText, options: InvokeOptions): void;
  /** An async request from this code (a client) arrives now, sent in chain `from`: its throttle if refused. */
  acceptAsync(name: string, payload: JsonText, from: Chain | null, tenantId: string | null): Throttle | null;
  /** model.sdkRetries. */
  readonly sdkRetries: SdkRetries;
  /** The seeded generator of the backoff's jitter (its own stream: retries shift no other draw). */
  readonly retryPrng: Prng;
  /** A retry happened: reports name the simplification. */
  noteRetry(): void;
}

export class CodeCalls {
  /** Every retry the SDK made for handler code, in order. */
  readonly retries: SdkRetry[] = [];
  private readonly host: CodeCallsHost;

  constructor(host: CodeCallsHost) {
    this.host = host;
  }

  /**
   * A service call made at `offsetMs` into the running code; the reply arrives after the service's latency. For
   * `lambda.invoke`, `args[4]` (after the tenant id) may set the call's maxAttempts (1–20; otherwise model.sdkRetries.maxAttempts).
   */
  callService(env: Environment, service: string, operation: string, args: unknown[], offsetMs: number, onReply: (result: ServiceResult) => void): void {
    const host = this.host;
    const call = this.context(env, host.now + offsetMs);
    if (!AWS_SERVICES.has(service)) {
      host.schedule(call.time, () => this.dispatch(env, service, operation, args, call, onReply));
      return;
    }
    const asked = service === "lambda" ? args[4] : undefined;
    const maxAttempts = typeof asked === "number" && Number.isInteger(asked) && asked >= 1 && asked <= 20 ? asked : host.sdkRetries.maxAttempts;
    const sdk: SdkCall = { service, operation, args, maxAttempts, attempts: 0, waitedMs: 0 };
    host.schedule(call.time, () => this.attempt(env, sdk, call, onReply));
  }

  /** Who makes a call at `time`: the environment's current invocation, if any. */
  private context(env: Environment, time: number): CallContext {
    const rec = env.current ? withIds(env.current) : undefined;
    return {
      time,
      functionName: env.fn.config.name,
      envId: env.id,
      invocation: rec && rec.invokeStartedAt !== null ? rec.seq : null,
      requestId: rec?.requestId ?? null,
      eventId: rec?.eventId ?? null,
      attempt: rec?.attempt ?? 0,
      // Messages the code sends carry its chain (recursive loop detection, §3).
      chain: rec ? chainOf(rec) : null,
    };
  }

  /**
   * The service sees the request (and applies its effect) at reply time, even if the caller is frozen by then. A reply
   * that waits for an event (ServiceReply.wakeEarly) completes when the service wakes it, or after `latencyMs`.
   */
  private dispatch(env: Environment, service: string, operation: string, args: unknown[], call: CallContext, onReply: (result: ServiceResult) => void): void {
    const host = this.host;
    const reply = host.services.dispatch(service, operation, args, call);
    let pending = true;
    const finish = () => {
      if (!pending) return;
      pending = false;
      const result = reply.complete();
      host.deferFor(env, 0, () => onReply(result));
    };
    if (reply.wakeEarly) {
      let woken = false;
      reply.wakeEarly(() => {
        if (woken || !pending) return false;
        woken = true;
        host.schedule(host.now, finish);
        return true;
      });
    }
    if (Number.isFinite(reply.latencyMs)) host.schedule(host.now + Math.max(0, reply.latencyMs), finish);
  }

  /**
   * One attempt of an AWS call, now. Its answer reaches the code in the environment, where the SDK decides: a throttle
   * or a 5xx with attempts left waits a full-jitter backoff and tries again; anything else goes to the code, an error
   * with the SDK's `$metadata` (attempts made, total backoff in ms).
   */
  private attempt(env: Environment, sdk: SdkCall, call: CallContext, onReply: (result: ServiceResult) => void): void {
    const host = this.host;
    sdk.attempts++;
    const answer = (result: ServiceResult) => {
      if (result.ok) {
        onReply(result);
        return;
      }
      const status = result.error.httpStatus;
      if (status !== undefined && retryableStatus(status) && sdk.attempts < sdk.maxAttempts) {
        const delayMs = backoffMs(host.sdkRetries, sdk.attempts, host.retryPrng);
        sdk.waitedMs += delayMs;
        host.noteRetry();
        this.retries.push({ t: host.now, functionName: call.functionName, envId: env.id, service: sdk.service, operation: sdk.operation, attempt: sdk.attempts, errorName: result.error.name, httpStatus: status, delayMs });
        host.deferFor(env, delayMs, () => this.attempt(env, sdk, this.context(env, host.now), onReply));
        return;
      }
      const metadata = { ...(status === undefined ? {} : { httpStatusCode: status }), attempts: sdk.attempts, totalRetryDelay: Math.round(sdk.waitedMs) };
      onReply({ ok: false, error: { ...result.error, metadata } });
    };
    if (sdk.service === "lambda") this.invokeFromCode(env, sdk.args, call, answer);
    else this.dispatch(env, sdk.service, sdk.operation, sdk.args, call, answer);
  }

  /**
   * Handler code invokes a function (`lambda.invoke`): "RequestResponse" waits for the callee, so in a chain A→B→C each
   * hop holds its own concurrency until its callee returns (§3); "Event" is accepted at once (202). The callee
   * continues the caller's chain (recursive loop detection). Like the SDK, a function error is a 200 reply with
   * `functionError`, never retried (§4); throttles, oversize payloads, stopped loops and a tenant id that does not fit
   * the callee (§11) are errors, with their HTTP status when the SDK's retries depend on it.
   */
  private invokeFromCode(env: Environment, args: unknown[], call: CallContext, onReply: (result: ServiceResult) => void): void {
    const host = this.host;
    const reply = (result: ServiceResult) => host.deferFor(env, 0, () => onReply(result));
    const [name, event, type, tenant] = args;
    if (typeof name !== "string" || !host.isDeployed(name)) {
      reply({ ok: false, error: { name: "ResourceNotFoundException", message: `Function not found: ${String(name)}`, httpStatus: 404 } });
      return;
    }
    if (tenant !== undefined && tenant !== null && typeof tenant !== "string") {
      reply({ ok: false, error: { name: "InvalidParameterValueException", message: `tenantId must be a string, not ${typeof tenant}` } });
      return;
    }
    const tenantId = tenant ?? null;
    const payload = JSON.stringify(event ?? null);
    if (type === "Event") {
      const size = sizeOver(payload, LAMBDA_FACTS.asyncRequestLimitBytes);
      if (size > 0) {
        reply({ ok: false, error: { name: "RequestTooLargeException", message: `${size} byte payload is too large for the Event invocation type (limit ${LAMBDA_FACTS.asyncRequestLimitBytes} bytes)`, httpStatus: 413 } });
        return;
      }
      const refused = tenantRefusal(host.functionConfig(name), tenantId);
      if (refused !== null) {
        reply({ ok: false, error: { name: refused.errorType, message: refused.errorMessage } });
        return;
      }
      const throttle = host.acceptAsync(name, payload, call.chain ?? null, tenantId);
      if (throttle !== null) {
        reply({ ok: false, error: { name: "TooManyRequestsException", message: `Rate Exceeded. (Reason: ${throttle.code})`, httpStatus: 429 } });
        return;
      }
      reply({ ok: true, value: { statusCode: 202 } });
      return;
    }
    host.arrive(name, payload, {
      chain: call.chain ?? null,
      tenantId,
      onResult: (result) => {
        if (result.statusCode !== 200) {
          const errorType = result.record.error?.errorType ?? "ServiceException";
          reply({ ok: false, error: { name: errorType, message: result.record.error?.errorMessage ?? `HTTP ${result.statusCode}`, httpStatus: result.statusCode } });
          return;
        }
        reply({ ok: true, value: { statusCode: 200, functionError: result.functionError, payload: JSON.parse(result.payload) as unknown } });
      },
    });
  }
}
