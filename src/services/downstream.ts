/**
 * A downstream dependency (an HTTP API or a database) whose latency and failures a scenario controls. It can be
 * called directly, or through a connection whose set-up costs time (the "expensive client" of lambda-model.md §11).
 * Connections are what a database has a limited number of (db-connections.ts); a proxy can share a few of them among
 * many environments (proxy-pool.ts).
 */
import { z } from "zod";
import { formatMs } from "../runtime/format.ts";
import type { CallContext, ServiceReply, ServiceResult } from "../runtime/types.ts";
import { ConnectionBook, type Connection } from "./db-connections.ts";
import { ok, serviceError } from "./errors.ts";
import { ProxyConfigSchema, ProxyPool } from "./proxy-pool.ts";

/** Connections the simulated database accepts at once by default (lambda-model.md §11, a SIMPLIFICATION). */
export const DEFAULT_MAX_CONNECTIONS = 100;

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
    /**
     * Connections the database accepts at once (lambda-model.md §11: 100, a SIMPLIFICATION); null for no limit. It
     * counts the connections `connect()` opens, so it only matters where the downstream is used as a database: a plain
     * `call()` (an HTTP API) opens none.
     */
    maxConnections: z.number().int().min(1).nullable().default(DEFAULT_MAX_CONNECTIONS),
    /** An RDS Proxy-like proxy in front of the database (§11), or null: `connect()` then reaches the proxy. */
    proxy: ProxyConfigSchema.nullable().default(null),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.proxy === null || c.maxConnections === null || c.proxy.poolSize <= c.maxConnections) return;
    ctx.addIssue({
      code: "custom",
      message: `the proxy's pool cannot hold more connections than the database accepts (maxConnections ${c.maxConnections})`,
      path: ["proxy", "poolSize"],
      input: c.proxy.poolSize,
    });
  });
export type DownstreamConfig = z.infer<typeof DownstreamConfigSchema>;

export interface DownstreamCall {
  operation: string;
  payload: unknown;
  connectionId: string | null;
  fault: Fault["effect"] | null;
  call: CallContext;
  /** Virtual ms the call waited for a connection of the proxy's pool (0 without a proxy). */
  waitedMs: number;
  /** Virtual time the answer reaches the caller's environment (null: it never answers). */
  answeredAt: number | null;
}

/** A call through the proxy that found no free pool connection within the borrow timeout. */
export interface BorrowTimeout {
  call: CallContext;
  connectionId: string;
  failedAt: number;
}

export class Downstream {
  readonly calls: DownstreamCall[] = [];
  /** Connections handler code opened, refusals, and open connections over time (§11). */
  readonly book: ConnectionBook;
  readonly borrowTimeouts: BorrowTimeout[] = [];
  private readonly config: DownstreamConfig;
  private readonly pool: ProxyPool | null;
  private readonly matched = new Map<Fault, number>();
  private readonly noteSimplification: () => void;

  /** `noteSimplification` tells the simulation a run depends on the database's modelling choices. */
  constructor(config: DownstreamConfig, noteSimplification: () => void = () => {}) {
    this.config = config;
    this.book = new ConnectionBook(config.maxConnections);
    this.pool = config.proxy ? new ProxyPool(config.proxy) : null;
    this.noteSimplification = noteSimplification;
  }

  /** Every connection handler code opened, in order. */
  get connections(): readonly Connection[] {
    return this.book.connections;
  }

  /** Connections opened so far, per environment id. */
  connectionsByEnvironment(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const c of this.connections) counts.set(c.envId, (counts.get(c.envId) ?? 0) + 1);
    return counts;
  }

  /** The environment's runtime process ended (reset or recycled): its connections close with it (§11). */
  environmentReset(envId: string, t: number): void {
    this.book.environmentReset(envId, t);
  }

  handle(operation: string, args: unknown[], call: CallContext): ServiceReply {
    switch (operation) {
      case "connect":
        return this.connect(call);
      case "close": {
        // The connection is closed when the request reaches the service; the reply takes 1 ms.
        const closed = this.book.close(args[0], call.time);
        return { latencyMs: 1, complete: () => (closed ? ok(null) : serviceError("ConnectionClosed", "this connection is not open")) };
      }
      case "call":
      case "callOnConnection": {
        const onConnection = operation === "callOnConnection";
        const connectionId = onConnection ? String(args[0]) : null;
        const [name, payload] = onConnection ? [args[1], args[2]] : [args[0], args[1]];
        if (typeof name !== "string" || name === "") {
          return { latencyMs: 0, complete: () => serviceError("ValidationException", "call(operation, payload): operation must be a non-empty string") };
        }
        const record: DownstreamCall = { operation: name, payload, connectionId, fault: null, call, waitedMs: 0, answeredAt: null };
        this.calls.push(record);
        const complete = (): ServiceResult => {
          if (connectionId === null && this.config.requireConnection) {
            return serviceError("NotConnected", `${name} needs a connection: open one with downstream.connect() and call it on that`);
          }
          if (connectionId !== null && !this.book.openConnection(connectionId)) {
            return serviceError("ConnectionClosed", "this connection is closed; open a new one with downstream.connect()");
          }
          return ok({ ok: true, operation: name });
        };
        const fault = this.faultFor(name, call);
        record.fault = fault?.effect ?? null;
        const answer = (ms: number, done: () => ServiceResult): ServiceReply => {
          record.answeredAt = Number.isFinite(ms) ? call.time + ms : null;
          return { latencyMs: ms, complete: done };
        };
        const workMs = latencyWith(fault, this.config.latencyMs);
        const done = fault?.effect === "error" ? () => serviceError("DownstreamError", fault.message) : complete;
        const proxied = connectionId !== null && this.pool !== null && this.book.openConnection(connectionId)?.via === "proxy";
        if (!proxied) return answer(workMs, done);
        return this.throughProxy(record, workMs, done, answer);
      }
      default:
        return { latencyMs: 0, complete: () => serviceError("ValidationException", `unknown downstream operation ${operation}`) };
    }
  }

  /** Opens a connection: to the database (refused when it is full) or, in proxy mode, to the proxy. */
  private connect(call: CallContext): ServiceReply {
    const proxy = this.config.proxy;
    const fault = this.faultFor("connect", call);
    const connectMs = proxy ? proxy.connectMs : this.config.connectMs;
    const latencyMs = latencyWith(fault, connectMs);
    if (fault?.effect === "hang") return { latencyMs, complete: () => ok(null) };
    if (fault?.effect === "error") return { latencyMs, complete: () => serviceError("DownstreamError", fault.message) };
    if (proxy) this.noteSimplification();
    // The connection counts against the maximum from the moment the database sees the request.
    const opened = this.book.open(call, proxy ? "proxy" : "database");
    if ("id" in opened) return { latencyMs, complete: () => ok({ connectionId: opened.id }) };
    this.noteSimplification();
    const max = opened.maxConnections.toLocaleString("en-US");
    return {
      latencyMs,
      complete: () =>
        serviceError(
          "TooManyConnections",
          `the database refused a new connection: it already has ${max} open, the most it accepts (maxConnections, a workbook SIMPLIFICATION). ` +
            "Each execution environment keeps its connections open, even while idle, until it closes them or Lambda recycles it.",
        ),
    };
  }

  /** A call on a proxy connection: it waits for a pool connection, then holds it for its own duration (§11 RDS Proxy). */
  private throughProxy(
    record: DownstreamCall,
    workMs: number,
    done: () => ServiceResult,
    answer: (ms: number, done: () => ServiceResult) => ServiceReply,
  ): ServiceReply {
    const proxy = this.config.proxy!;
    const t = record.call.time;
    const borrow = this.pool!.borrow(t, workMs, this.config.connectMs);
    if (!borrow.ok) {
      record.waitedMs = proxy.borrowTimeoutMs;
      this.borrowTimeouts.push({ call: record.call, connectionId: record.connectionId!, failedAt: t + proxy.borrowTimeoutMs });
      const pool = proxy.poolSize === 1 ? "the one connection of its pool (poolSize) stayed busy" : `all ${proxy.poolSize.toLocaleString("en-US")} connections of its pool (poolSize) stayed busy`;
      return answer(proxy.borrowTimeoutMs, () =>
        serviceError(
          "ConnectionBorrowTimeout",
          `the proxy found no free database connection within ${formatMs(proxy.borrowTimeoutMs)} (borrowTimeoutMs): ${pool}. Both values are workbook SIMPLIFICATIONS.`,
        ),
      );
    }
    record.waitedMs = borrow.waitMs;
    if (borrow.opened) this.book.poolConnectionOpened(t);
    return answer(borrow.waitMs + (borrow.opened ? this.config.connectMs : 0) + workMs, done);
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

/** A call's latency under a fault: "hang" never answers, "slow" takes the fault's latency (ten times by default). */
function latencyWith(fault: Fault | null, latencyMs: number): number {
  if (fault?.effect === "hang") return Infinity;
  if (fault?.effect === "slow") return fault.latencyMs ?? latencyMs * 10;
  return latencyMs;
}
