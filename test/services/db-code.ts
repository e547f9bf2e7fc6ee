/**
 * A host-side FunctionCode for database tests: the module's top level opens a connection (as §11 advises), and each
 * invocation follows the event's DbPlan on it. A service error ends the phase with the error's name as errorType, as
 * an uncaught SDK error would. No QuickJS, so hundreds of environments cost little.
 */
import type { FunctionConfigInput, ModelSettingsInput } from "../../src/runtime/config.ts";
import { Simulation } from "../../src/runtime/simulation.ts";
import type { CodeInstance, CodeOutcome, EnvironmentPort, FunctionCode, ServiceResult } from "../../src/runtime/types.ts";
import { ServiceHub, type ServicesConfigInput } from "../../src/services/hub.ts";
import { connectServices } from "../../src/runtime/service-wiring.ts";

export interface DbPlan {
  /** Open a new connection in this invocation (instead of the one from INIT) before querying. */
  connect?: boolean;
  /** Queries to run one after another on the connection (default 1). */
  queries?: number;
  /** Close the connection at the end. */
  close?: boolean;
  /** Virtual ms of work after the queries (default 0). */
  holdMs?: number;
  /** Never finish (only the function timeout ends the invocation). */
  hang?: boolean;
}

export class DbCode implements FunctionCode {
  private readonly connectInInit: boolean;

  /** `connectInInit`: the module's top level opens the connection (default true). */
  constructor(connectInInit = true) {
    this.connectInInit = connectInInit;
  }

  createInstance(port: EnvironmentPort): CodeInstance {
    let connectionId: string | null = null;
    let alive = true;
    const call = (operation: string, args: unknown[], then: (r: ServiceResult) => void) =>
      port.callService("downstream", operation, args, 0, (r) => alive && then(r));
    const failed = (r: ServiceResult): CodeOutcome | null => (r.ok ? null : { kind: "error", errorType: r.error.name, errorMessage: r.error.message });
    const connect = (next: (failure: CodeOutcome | null) => void) =>
      call("connect", [], (r) => {
        if (r.ok) connectionId = (r.value as { connectionId: string }).connectionId;
        next(failed(r));
      });
    return {
      init: (_deadline, done) => {
        if (!this.connectInInit) return done({ kind: "success", response: undefined });
        connect((failure) => done(failure ?? { kind: "success", response: undefined }));
      },
      invoke: (eventText, _context, _deadline, done) => {
        const plan = JSON.parse(eventText) as DbPlan;
        if (plan.hang) return;
        const finish = () => port.defer(plan.holdMs ?? 0, () => alive && done({ kind: "success", response: JSON.stringify({ connectionId }) }));
        const end = () => (plan.close ? call("close", [connectionId], (r) => (failed(r) ? done(failed(r)!) : finish())) : finish());
        const query = (left: number) => {
          if (left === 0) return end();
          call("callOnConnection", [connectionId, "select", null], (r) => (failed(r) ? done(failed(r)!) : query(left - 1)));
        };
        if (plan.connect) connect((failure) => (failure ? done(failure) : query(plan.queries ?? 1)));
        else query(plan.queries ?? 1);
      },
      abort: () => {
        alive = false;
      },
      dispose: () => {
        alive = false;
      },
      memoryUsedMB: () => 0,
    };
  }
}

/** A simulation whose functions share one ServiceHub (one database). Function "f" runs DbCode unless `fn` says otherwise. */
export function dbSetup(options: { services?: ServicesConfigInput; model?: ModelSettingsInput; fn?: Partial<FunctionConfigInput>; connectInInit?: boolean } = {}) {
  const services = new ServiceHub(options.services ?? {});
  const sim = new Simulation({ seed: 1, services, model: options.model ?? {} });
  sim.deploy({ name: "f", timeoutMs: 30_000, ...options.fn }, new DbCode(options.connectInInit ?? true));
  connectServices(sim, services);
  return { sim, services, db: services.downstream };
}
