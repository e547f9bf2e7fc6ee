/**
 * Calls that handler code makes from inside an environment (lambda-model.md §1, §3): to a simulated service, whose
 * reply reaches the code only while its environment is thawed, and to another function (`lambda.invoke`).
 */
import { LAMBDA_FACTS, type FunctionConfig } from "./config.ts";
import { sizeOver } from "./payload.ts";
import { chainOf, type Chain } from "./recursion.ts";
import type { Throttle } from "./scaling.ts";
import { tenantRefusal } from "./tenants.ts";
import { withIds } from "./records.ts";
import type { InvokeOptions } from "./simulation.ts";
import type { Environment } from "./state.ts";
import type { CallContext, JsonText, ServiceDispatcher, ServiceResult } from "./types.ts";

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
}

export class CodeCalls {
  private readonly host: CodeCallsHost;

  constructor(host: CodeCallsHost) {
    this.host = host;
  }

  /** A service call made at `offsetMs` into the running code; the reply arrives after the service's latency. */
  callService(env: Environment, service: string, operation: string, args: unknown[], offsetMs: number, onReply: (result: ServiceResult) => void): void {
    const host = this.host;
    const rec = env.current ? withIds(env.current) : undefined;
    const call: CallContext = {
      time: host.now + offsetMs,
      functionName: env.fn.config.name,
      envId: env.id,
      invocation: rec && rec.invokeStartedAt !== null ? rec.seq : null,
      requestId: rec?.requestId ?? null,
      eventId: rec?.eventId ?? null,
      attempt: rec?.attempt ?? 0,
      // Messages the code sends carry its chain (recursive loop detection, §3).
      chain: rec ? chainOf(rec) : null,
    };
    if (service === "lambda") {
      host.schedule(call.time, () => this.invokeFromCode(env, args, call, onReply));
      return;
    }
    // The service sees the request (and applies its effect) at reply time even if the caller is frozen by then.
    host.schedule(call.time, () => {
      const reply = host.services.dispatch(service, operation, args, call);
      if (!Number.isFinite(reply.latencyMs)) return;
      host.schedule(host.now + Math.max(0, reply.latencyMs), () => {
        const result = reply.complete();
        host.deferFor(env, 0, () => onReply(result));
      });
    });
  }

  /**
   * Handler code invokes a function (`lambda.invoke`): "RequestResponse" waits for the callee, so in a chain A→B→C each
   * hop holds its own concurrency until its callee returns (§3); "Event" is accepted at once (202). The callee
   * continues the caller's chain (recursive loop detection). Like the SDK, a function error is a 200 reply with
   * `functionError`; throttles, oversize payloads, stopped loops and a tenant id that does not fit the callee (§11)
   * are errors.
   */
  private invokeFromCode(env: Environment, args: unknown[], call: CallContext, onReply: (result: ServiceResult) => void): void {
    const host = this.host;
    const reply = (result: ServiceResult) => host.deferFor(env, 0, () => onReply(result));
    const [name, event, type, tenant] = args;
    if (typeof name !== "string" || !host.isDeployed(name)) {
      reply({ ok: false, error: { name: "ResourceNotFoundException", message: `Function not found: ${String(name)}` } });
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
        reply({ ok: false, error: { name: "RequestTooLargeException", message: `${size} byte payload is too large for the Event invocation type (limit ${LAMBDA_FACTS.asyncRequestLimitBytes} bytes)` } });
        return;
      }
      const refused = tenantRefusal(host.functionConfig(name), tenantId);
      if (refused !== null) {
        reply({ ok: false, error: { name: refused.errorType, message: refused.errorMessage } });
        return;
      }
      const throttle = host.acceptAsync(name, payload, call.chain ?? null, tenantId);
      if (throttle !== null) {
        reply({ ok: false, error: { name: "TooManyRequestsException", message: `Rate Exceeded. (Reason: ${throttle.code})` } });
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
          reply({ ok: false, error: { name: errorType, message: result.record.error?.errorMessage ?? `HTTP ${result.statusCode}` } });
          return;
        }
        reply({ ok: true, value: { statusCode: 200, functionError: result.functionError, payload: JSON.parse(result.payload) as unknown } });
      },
    });
  }
}
