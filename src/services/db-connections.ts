/**
 * The database's connections (lambda-model.md §11 Connection exhaustion, RDS Proxy). Each execution environment holds
 * its own connections, and an idle (frozen) environment keeps them open until it closes them or its runtime process
 * ends (a reset after a timeout or crash, or a recycle); past `maxConnections` the database refuses new ones. In proxy
 * mode handler code connects to a proxy instead, and each call borrows one connection of the proxy's pool for its
 * duration (proxy-pool.ts). Every change happens when a call reaches the service, in virtual-time order, so the
 * samples form a step series that needs no sorting.
 */
import { registerSimplification } from "../runtime/simplifications.ts";
import type { CallContext } from "../runtime/types.ts";

registerSimplification(
  "database-connections",
  () =>
    "The simulated database accepts a fixed number of open connections (maxConnections, 100 unless a scenario sets another) and refuses more with TooManyConnections after the usual connect time; an environment's connections close when its runtime process ends (a reset or a recycle), not before. " +
    "The proxy mode accepts any number of client connections (20 ms each), gives each call one of its pool's database connections (poolSize, 20 by default) for the call's duration, in arrival order, opens a pool connection the first time it is needed and keeps it, adds no latency of its own, and fails a call that waited borrowTimeoutMs (5 s by default) with ConnectionBorrowTimeout. " +
    "AWS does not document a database's limit (it depends on the engine and instance size) or these proxy details.",
);

export interface Connection {
  id: string;
  envId: string;
  /** "database": straight to the database; "proxy": a client connection to the proxy. */
  via: "database" | "proxy";
  openedAt: number;
  closedAt: number | null;
  /** "close": handler code closed it; "environment": its environment's runtime process ended. */
  closedBy: "close" | "environment" | null;
  call: CallContext;
}

/** A connection the database refused because all of its connections were open. */
export interface ConnectionRefusal {
  t: number;
  envId: string;
  invocation: number | null;
  requestId: string | null;
  maxConnections: number;
}

/** Open connections after a change, at virtual time `t`. */
export interface ConnectionSample {
  t: number;
  /** Connections open at the database (the proxy's pool connections in proxy mode). */
  database: number;
  /** Connections handler code holds (the same as `database` without a proxy). */
  clients: number;
}

export class ConnectionBook {
  /** Every connection handler code opened, in order. */
  readonly connections: Connection[] = [];
  readonly refusals: ConnectionRefusal[] = [];
  /** A step series: one sample per virtual time at which the open counts changed (the last change at that time). */
  readonly samples: ConnectionSample[] = [];
  /** The most connections open at the database at once. */
  peakDatabase = 0;
  private database = 0;
  private clients = 0;
  private readonly openByEnv = new Map<string, Connection[]>();
  private readonly byId = new Map<string, Connection>();
  private readonly maxConnections: number | null;

  constructor(maxConnections: number | null) {
    this.maxConnections = maxConnections;
  }

  /** Opens a connection for the calling environment, or records a refusal (only straight to a full database). */
  open(call: CallContext, via: Connection["via"]): Connection | ConnectionRefusal {
    if (via === "database" && this.maxConnections !== null && this.database >= this.maxConnections) {
      const refusal: ConnectionRefusal = { t: call.time, envId: call.envId, invocation: call.invocation, requestId: call.requestId, maxConnections: this.maxConnections };
      this.refusals.push(refusal);
      return refusal;
    }
    const connection: Connection = { id: `conn-${this.connections.length + 1}`, envId: call.envId, via, openedAt: call.time, closedAt: null, closedBy: null, call };
    this.connections.push(connection);
    this.byId.set(connection.id, connection);
    const held = this.openByEnv.get(call.envId);
    if (held) held.push(connection);
    else this.openByEnv.set(call.envId, [connection]);
    this.clients++;
    if (via === "database") this.database++;
    this.sample(call.time);
    return connection;
  }

  /** The connection with this id if it is open. */
  openConnection(id: unknown): Connection | null {
    const connection = typeof id === "string" ? this.byId.get(id) : undefined;
    return connection && connection.closedAt === null ? connection : null;
  }

  /** Closes one connection (handler code's `close()`); false if it was not open. */
  close(id: unknown, t: number): boolean {
    const connection = this.openConnection(id);
    if (!connection) return false;
    const held = this.openByEnv.get(connection.envId)!;
    held.splice(held.indexOf(connection), 1);
    this.end(connection, t, "close");
    this.sample(t);
    return true;
  }

  /** The environment's runtime process ended: every connection it held is closed with it. */
  environmentReset(envId: string, t: number): void {
    const held = this.openByEnv.get(envId);
    if (!held || held.length === 0) return;
    this.openByEnv.delete(envId);
    for (const connection of held) this.end(connection, t, "environment");
    this.sample(t);
  }

  /** The proxy opened one more connection of its pool to the database. */
  poolConnectionOpened(t: number): void {
    this.database++;
    this.sample(t);
  }

  /** Connections open at the database now. */
  get openAtDatabase(): number {
    return this.database;
  }

  private end(connection: Connection, t: number, by: NonNullable<Connection["closedBy"]>): void {
    connection.closedAt = t;
    connection.closedBy = by;
    this.clients--;
    if (connection.via === "database") this.database--;
  }

  private sample(t: number): void {
    if (this.database > this.peakDatabase) this.peakDatabase = this.database;
    const last = this.samples[this.samples.length - 1];
    if (last && last.t === t) {
      last.database = this.database;
      last.clients = this.clients;
    } else this.samples.push({ t, database: this.database, clients: this.clients });
  }
}
