/**
 * An RDS Proxy-like pool (lambda-model.md §11 RDS Proxy): at most `poolSize` connections to the database, each lent
 * to one call at a time. A call that finds none free waits in arrival order; after `borrowTimeoutMs` it gives up.
 *
 * Calls reach the pool in virtual-time order and every call's duration is known when it arrives (latencies are
 * deterministic), so the pool knows when each of its connections comes free: a call's wait is the time until the
 * earliest of them does, worked out on arrival. Giving each arrival the earliest free connection is first-come,
 * first-served, and a call that gives up never holds a connection, so it delays no one behind it.
 */
import { z } from "zod";

export const ProxyConfigSchema = z
  .object({
    /** Connections the proxy opens to the database at most (a SIMPLIFICATION, lambda-model.md §11). */
    poolSize: z.number().int().min(1).default(20),
    /** Virtual ms a call waits for a free pool connection before it fails with ConnectionBorrowTimeout. */
    borrowTimeoutMs: z.number().min(0).default(5_000),
    /** Virtual ms to open a client connection to the proxy (a workbook choice: the proxy is nearby and already authenticated to the database). */
    connectMs: z.number().min(0).default(20),
  })
  .strict();
export type ProxyConfig = z.infer<typeof ProxyConfigSchema>;

export type Borrow =
  /** The call runs from `waitMs` after its arrival; `opened` when it had to open a new pool connection first. */
  | { ok: true; waitMs: number; opened: boolean }
  /** No connection came free within the borrow timeout. */
  | { ok: false };

export class ProxyPool {
  /** Virtual time each opened pool connection comes free (Infinity: lent to a call that never ends). */
  private readonly freeAt: number[] = [];
  private readonly config: ProxyConfig;

  constructor(config: ProxyConfig) {
    this.config = config;
  }

  /** Pool connections opened so far (they stay open). */
  get opened(): number {
    return this.freeAt.length;
  }

  /**
   * Lends a connection to a call arriving at `t` whose work takes `workMs` once it has one; a new pool connection
   * first takes `connectMs` to open. Prefers an open idle connection, then opening one, then waiting for the earliest
   * to come free (ties: the connection opened first).
   */
  borrow(t: number, workMs: number, connectMs: number): Borrow {
    let best = -1;
    for (let i = 0; i < this.freeAt.length; i++) {
      if (best < 0 || this.freeAt[i]! < this.freeAt[best]!) best = i;
      if (this.freeAt[best]! <= t) break;
    }
    if ((best < 0 || this.freeAt[best]! > t) && this.freeAt.length < this.config.poolSize) {
      this.freeAt.push(t + connectMs + workMs);
      return { ok: true, waitMs: 0, opened: true };
    }
    const waitMs = Math.max(0, this.freeAt[best]! - t);
    if (waitMs > this.config.borrowTimeoutMs) return { ok: false };
    this.freeAt[best] = t + waitMs + workMs;
    return { ok: true, waitMs, opened: false };
  }
}
