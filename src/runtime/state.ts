/**
 * The simulator's mutable state: functions, their execution environments, the invocation each one runs and the events
 * of Lambda's async queue. Only the Simulation (and the small modules it delegates to) reads and writes these.
 */
import type { FunctionConfig } from "./config.ts";
import type { Chain } from "./recursion.ts";
import type { RequestRateCap, ScalingBucket } from "./scaling.ts";
import type { SyncResult } from "./simulation.ts";
import type { TmpStore } from "./tmp.ts";
import type { InvocationRecord, ShutdownCause } from "./trace.ts";
import type { CodeInstance, EnvironmentPort, FunctionCode, JsonText } from "./types.ts";

export type EnvState = "init" | "busy" | "idle" | "dead";

export interface Environment {
  id: string;
  /** The number in `id` (env-<n>): creation order. */
  num: number;
  /** CloudWatch log stream name, fixed at creation. */
  logStream: string;
  fn: FunctionState;
  /**
   * The function version the environment belongs to: its configuration and code when it was created. A redeploy
   * retires it (environments are never shared across versions, §11), but a request in flight ends on it.
   */
  config: FunctionConfig;
  code: FunctionCode;
  /** With tenant isolation, the tenant the environment serves (it never serves another, §11); null without. */
  tenantId: string | null;
  createdAt: number;
  state: EnvState;
  /** A provisioned environment: initialised ahead of traffic, never idle-expired, recycled periodically (§1, §3). */
  provisioned: boolean;
  /** null before the first INIT and after a reset: the next invocation runs INIT. */
  instance: CodeInstance | null;
  /** Bumped on every reset or recycle so that callbacks from an older instance are dropped. */
  generation: number;
  lastEndedAt: number;
  /** Callbacks that came due while the environment was frozen; they run when it thaws (§1). */
  frozen: Array<() => void>;
  retireWhenDone: boolean;
  /** Why it retires when done (its SHUTDOWN's cause). */
  retireCause: ShutdownCause;
  /**
   * Idle expiry, scheduled lazily so that the queue holds at most one expiry event per environment. Every park takes
   * a queue number (a "ticket") for an expiry at lastEndedAt + idleExpiryMs; only tickets of the current lastEndedAt
   * can still expire the environment, and they are scheduled one at a time with their own numbers, so expiries run
   * exactly where one event per park would have run.
   */
  expiry: { endedAt: number; tickets: number[]; pending: boolean; pendingEndedAt: number; run: () => void };
  /**
   * The timeout of the latest invocation, scheduled lazily in the same way: its event keeps the queue number taken
   * when the invocation began, but goes on the queue only when no earlier timeout event of this environment is
   * pending (the earlier invocations' timeouts can no longer fire: they have finished).
   */
  timeout: { time: number; seq: number; running: Running | null; generation: number; armedSeq: number; armedTime: number };
  maxMemoryUsedMB: number;
  /** `/tmp`, created on first use; it survives resets and is cleared when the environment is recycled (§1). */
  tmp: TmpStore | null;
  current: Running | null;
  port: EnvironmentPort;
  /** The invocation a timed handler (CodeInstance.timedInvoke) is running, ended by `endTimed` at its end time. */
  timedRunning: Running | null;
  endTimed: () => void;
  /**
   * A finished invocation's Running (and record) that nobody can read any more, reused by the environment's next
   * unobserved invocation instead of allocating new ones (aggregate-only runs allocate nothing per request).
   */
  spare: Running | null;
}

export interface Running {
  record: InvocationRecord;
  env: Environment;
  payload: JsonText;
  deadline: number;
  finished: boolean;
  /** INIT threw: the environment is reset so that the next invocation tries INIT again. */
  initFailed: boolean;
  /** The START line was written (once per invocation, even when INIT fails before the handler runs, §8). */
  startLogged: boolean;
  /** A sync invocation's caller (undefined when nobody listens, or for async). */
  onResult: ((result: SyncResult) => void) | undefined;
  /** An async invocation's event (null for sync): its retries are decided when it ends. */
  asyncEvent: AsyncEvent | null;
  /**
   * A sync request's id, drawn at arrival but written into the record only when something reads it (records.ts
   * `withIds`): the four numbers of its request id and the number of its event id. Unused for async (ids are text).
   */
  w0: number;
  w1: number;
  w2: number;
  w3: number;
  eventNum: number;
  /** Ended on the timed path with nobody observing it: nothing refers to it afterwards, so it can be reused. */
  reusable: boolean;
}

export interface AsyncEvent {
  eventId: string;
  requestId: string;
  payload: JsonText;
  acceptedAt: number;
  attempt: number;
  delivery: number;
  throttles: number;
  previousAttempt: number | null;
  /** The tenant the event was sent for (tenant isolation, §11), or null. Retries keep it. */
  tenantId: string | null;
  /** The last attempt that ran (null before the first one): what destination records report. */
  last: InvocationRecord | null;
  /** Where the event sits in a chain of invocations (null: it came from outside, §3). */
  chain: Chain | null;
}

export interface FunctionState {
  config: FunctionConfig;
  code: FunctionCode;
  environments: Environment[];
  idle: Environment[];
  /**
   * With tenant isolation (§11): each tenant's idle environments, in the same order of preference as `idle`, which
   * stays empty; null for a function without isolation (fixed at creation: a redeploy cannot change it).
   */
  tenantIdle: Map<string, Environment[]> | null;
  /** Idle provisioned environments, in the same order of preference as `idle`; they serve requests first (§3). */
  provisionedIdle: Environment[];
  deployedAt: number;
  /** Invocations started so far: provisioned recycling pauses while this does not move (provisioned.ts). */
  started: number;
  /** Provisioned environments whose recycling paused because the function had no traffic for a whole period. */
  recyclePaused: Environment[];
  inUse: number;
  /** Of `inUse`, the executions running on provisioned environments. */
  provisionedBusy: number;
  /** Provisioned environments whose INIT failed and whose retry paused for lack of traffic (provisioned.ts). */
  initRetriesPaused: number;
  /** Deployments so far: a redeploy stops what an earlier version scheduled (provisioned INIT retries). */
  version: number;
  asyncQueue: AsyncEvent[];
  arn: string;
  logGroupName: string;
  /** The scaling rate (§3): new environments take a token. */
  scaling: ScalingBucket;
  /** SIMPLIFICATION: sync requests per second of this function (§3, `requestRateQuota: "function"`), or null. */
  rateCap: RequestRateCap | null;
  /** Requests per second with provisioned concurrency: 10 × it (§3), or null without any. */
  provisionedRate: RequestRateCap | null;
}
