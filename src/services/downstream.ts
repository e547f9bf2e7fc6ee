/**
 * A downstream dependency (an HTTP API or a database) whose latency and failures a scenario controls. It can be
 * called directly, or through a connection whose set-up costs time (the "expensive client" of lambda-model.md §11).
 */
import { z } from "zod";
import type { CallContext, ServiceReply } from "../runtime/types.ts";
import { ok, serviceError } from "./errors.ts";

export const FaultSchema = z
  .object({
    /** Only calls of this operation ("connect" for opening a connection); any operation if omitted. */
    operation: z.string().optional(),
    /** Only calls made by this attempt of an invocation (1 = first; 2 and 3 = Lambda's async retries). */
    attempt: z.number().int().min(1).optional(),
    /** Only the Nth call that matches the other conditions. */
    nth: z.number().int().min(1).optional(),
    /** "error" fails the call, "hang" never answers (the caller times out), "slow" answers after `latencyMs`. */
    effect: z.enum(["error", "hang", "slow"]),
    latencyMs: z.number().min(0).optional(),
    /** Error message for "error". */
    message: z.string().default("503 Service Unavailable"),
  })
  .strict();
export type Fault = z.infer<typeof FaultSchema>;

export const DownstreamConfigSchema = z
  .object({
    /** Virtual ms per call. */
    latencyMs: z.number().min(0).default(30),
    /** Virtual ms to open a connection (TCP + TLS + authentication). */
    connectMs: z.number().min(0).default(180),
    faults: z.array(FaultSchema).default([]),
    /** Answer only over a connection (a database): `downstream.call` without one fails with NotConnected. */
    requireConnection: z.boolean().default(false),
  })
  .strict();
export type DownstreamConfig = z.infer<typeof DownstreamConfigSchema>;

export interface DownstreamCall {
  operation: string;
  payload: unknown;
  connectionId: string | null;
  fault: Fault["effect"] | null;
  call: CallContext;
  /** Virtual time the answer reaches the caller's environment (null: it never answers). */
  answeredAt: number | null;
}

export interface Connection {
  id: string;
  envId: string;
  openedAt: number;
  closedAt: number | null;
  call: CallContext;
}

export class Downstream {
  readonly calls: DownstreamCall[] = [];
  readonly connections: Connection[] = [];
  private readonly config: DownstreamConfig;
  private readonly matched = new Map<Fault, number>();

  constructor(config: DownstreamConfig) {
    this.config = config;
  }

  /** Connections opened so far, per environment id. */
  connectionsByEnvironment(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const c of this.connections) counts.set(c.envId, (counts.get(c.envId) ?? 0) + 1);
    return counts;
  }

  handle(operation: string, args: unknown[], call: CallContext): ServiceReply {
    switch (operation) {
      case "connect":
        return this.reply("connect", this.config.connectMs, call, () => {
          const connection: Connection = { id: `conn-${this.connections.length + 1}`, envId: call.envId, openedAt: call.time, closedAt: null, call };
          this.connections.push(connection);
          return ok({ connectionId: connection.id });
        });
      case "close": {
        const connection = this.connections.find((c) => c.id === args[0]);
        return {
          latencyMs: 1,
          complete: () => {
            if (!connection || connection.closedAt !== null) return serviceError("ConnectionClosed", "this connection is not open");
            connection.closedAt = call.time;
            return ok(null);
          },
        };
      }
      case "call":
      case "callOnConnection": {
        const onConnection = operation === "callOnConnection";
        const connectionId = onConnection ? String(args[0]) : null;
        const [name, payload] = onConnection ? [args[1], args[2]] : [args[0], args[1]];
        if (typeof name !== "string" || name === "") {
          return { latencyMs: 0, complete: () => serviceError("ValidationException", "call(operation, payload): operation must be a non-empty string") };
        }
        const record: DownstreamCall = { operation: name, payload, connectionId, fault: null, call, answeredAt: null };
        this.calls.push(record);
        return this.reply(name, this.config.latencyMs, call, () => {
          if (connectionId === null && this.config.requireConnection) {
            return serviceError("NotConnected", `${name} needs a connection: open one with downstream.connect() and call it on that`);
          }
          if (connectionId !== null) {
            const connection = this.connections.find((c) => c.id === connectionId);
            if (!connection || connection.closedAt !== null) return serviceError("ConnectionClosed", "this connection is closed; open a new one with downstream.connect()");
          }
          return ok({ ok: true, operation: name });
        }, record);
      }
      default:
        return { latencyMs: 0, complete: () => serviceError("ValidationException", `unknown downstream operation ${operation}`) };
    }
  }

  private reply(name: string, latencyMs: number, call: CallContext, complete: ServiceReply["complete"], record?: DownstreamCall): ServiceReply {
    const fault = this.faultFor(name, call);
    const answer = (ms: number, done: ServiceReply["complete"]): ServiceReply => {
      if (record) record.answeredAt = Number.isFinite(ms) ? call.time + ms : null;
      return { latencyMs: ms, complete: done };
    };
    if (record) record.fault = fault?.effect ?? null;
    if (!fault) return answer(latencyMs, complete);
    if (fault.effect === "hang") return answer(Infinity, complete);
    if (fault.effect === "slow") return answer(fault.latencyMs ?? latencyMs * 10, complete);
    return answer(latencyMs, () => serviceError("DownstreamError", fault.message));
  }

  private faultFor(name: string, call: CallContext): Fault | null {
    // Every fault counts its own matching calls, so that `nth` means the same whatever other faults are listed.
    let chosen: Fault | null = null;
    for (const fault of this.config.faults) {
      if (fault.operation !== undefined && fault.operation !== name) continue;
      if (fault.attempt !== undefined && fault.attempt !== call.attempt) continue;
      const n = (this.matched.get(fault) ?? 0) + 1;
      this.matched.set(fault, n);
      if (!chosen && (fault.nth === undefined || fault.nth === n)) chosen = fault;
    }
    return chosen;
  }
}
