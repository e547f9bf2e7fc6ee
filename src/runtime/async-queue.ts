/**
 * Lambda's internal queue for asynchronous (Event) invocations (lambda-model.md §6): it accepts events, hands them to
 * the function while concurrency allows, backs off after throttles, retries failed attempts, discards events that are
 * too old or have used their attempts, and sends outcomes to destinations and the dead-letter queue.
 */
import { LAMBDA_FACTS, type ModelSettings } from "./config.ts";
import type { DestinationRouter, RecordCondition } from "./destinations.ts";
import { formatMs } from "./format.ts";
import type { RunAggregates } from "./aggregates.ts";
import { sizeOver } from "./payload.ts";
import type { Prng } from "./prng.ts";
import { loopStops, nextHop, type Chain } from "./recursion.ts";
import type { Throttle } from "./scaling.ts";
import type { SimplificationKey } from "./simplifications.ts";
import { tenantRefusal } from "./tenants.ts";
import type { AsyncEvent, FunctionState } from "./state.ts";
import type { InvocationOutcome, InvocationRecord, Totals } from "./trace.ts";
import type { JsonText } from "./types.ts";

/** What the queue needs from the simulation it belongs to. */
export interface AsyncQueueHost {
  readonly now: number;
  readonly model: ModelSettings;
  readonly prng: Prng;
  readonly totals: Totals;
  readonly aggregates: RunAggregates;
  readonly simplificationsUsed: Set<SimplificationKey>;
  readonly destinations: DestinationRouter;
  /** Async events accepted and waiting to run, tracked only for the metric series (null without one). */
  readonly waitingAsync: Set<AsyncEvent> | null;
  /** The deployed function of that name (throws for an unknown one), or undefined from `find`. */
  fn(name: string): FunctionState;
  find(name: string): FunctionState | undefined;
  /** The next number of the event-id counter shared with sync requests. */
  nextEventNum(): number;
  at(time: number, run: () => void): void;
  record(
    fn: FunctionState,
    requestId: string,
    eventId: string,
    attempt: number,
    delivery: number,
    outcome: InvocationOutcome,
    previousAttempt: number | null,
    event: JsonText,
  ): InvocationRecord;
  push(record: InvocationRecord): void;
  stopLoop(fn: FunctionState, requestId: string, mode: "async", eventId: string, payload: JsonText, chain: Chain): InvocationRecord;
  /** Whether an attempt (of a tenant, with tenant isolation) may start now: concurrency and the scaling rate (§3). */
  admission(fn: FunctionState, tenantId: string | null): Throttle | null;
  /** The request rate quotas a request from a client meets when it arrives (§3), or null. */
  rateThrottle(fn: FunctionState): Throttle | null;
  /** Starts an attempt of the event in an environment. */
  start(fn: FunctionState, event: AsyncEvent): void;
}

export class AsyncQueue {
  private readonly host: AsyncQueueHost;

  constructor(host: AsyncQueueHost) {
    this.host = host;
  }

  /**
   * Lambda accepts an event (202) and queues it, or refuses it: too large (413), a tenant id that does not fit the
   * function (400, §11), or over the request rate quota (429; only for requests from clients: async events from AWS
   * services are always accepted, §3). An accepted event may still be stopped as a recursive loop. Returns the
   * throttle of a throttled request, else null.
   */
  accept(
    name: string,
    payload: JsonText,
    deliveries: number,
    duplicateDelayMs: number,
    chain: Chain | null,
    fromAwsService: boolean,
    tenantId: string | null = null,
  ): Throttle | null {
    const host = this.host;
    const fn = host.fn(name);
    // SIMPLIFICATION (§6): Lambda's queue duplicates this share of events, drawn from the seeded generator.
    const rate = fn.config.async.duplicateRate;
    if (rate > 0) {
      host.simplificationsUsed.add("async-duplicate-rate");
      if (host.prng.next() < rate) deliveries++;
    }
    const eventId = `evt-${host.nextEventNum()}`;
    const size = sizeOver(payload, LAMBDA_FACTS.asyncRequestLimitBytes);
    if (size > 0) {
      host.aggregates.rejectedRequests++;
      host.totals.requests++;
      const record = host.record(fn, host.prng.uuid(), eventId, 1, 1, "rejected", null, payload);
      record.reason = `the ${size.toLocaleString("en-US")}-byte event is larger than the 1 MB (1,048,576-byte) limit of an asynchronous invoke`;
      record.error = {
        errorType: "RequestTooLargeException",
        errorMessage: `${size} byte payload is too large for the Event invocation type (limit ${LAMBDA_FACTS.asyncRequestLimitBytes} bytes)`,
      };
      host.push(record);
      return null;
    }
    const refused = tenantId !== null || fn.tenantIdle !== null ? tenantRefusal(fn.config, tenantId) : null;
    if (refused !== null) {
      host.aggregates.rejectedRequests++;
      host.totals.requests++;
      const record = host.record(fn, host.prng.uuid(), eventId, 1, 1, "rejected", null, payload);
      record.tenantId = tenantId;
      record.reason = refused.reason;
      record.error = { errorType: refused.errorType, errorMessage: refused.errorMessage };
      host.push(record);
      return null;
    }
    const throttle = fromAwsService ? null : host.rateThrottle(fn);
    if (throttle !== null) {
      host.totals.requests++;
      host.totals.throttles++;
      const record = host.record(fn, host.prng.uuid(), eventId, 1, 1, "throttled", null, payload);
      record.chain = chain;
      record.tenantId = tenantId;
      record.reason = `${throttle.reason}; Lambda refused the event with 429, so it is not queued: the client must retry`;
      record.error = { errorType: "TooManyRequestsException", errorMessage: "Rate Exceeded." };
      host.push(record);
      return throttle;
    }
    for (let d = 1; d <= deliveries; d++) {
      const event: AsyncEvent = {
        eventId,
        // SIMPLIFICATION: retries of one delivery keep its request id; a duplicate delivery gets a new one.
        requestId: host.prng.uuid(),
        payload,
        acceptedAt: host.now,
        attempt: 1,
        delivery: d,
        throttles: 0,
        previousAttempt: null,
        tenantId,
        last: null,
        chain,
      };
      if (chain !== null && loopStops(chain, fn.config.recursiveLoop)) {
        // The event goes to the dead-letter queue or on-failure destination, if there is one (§3).
        host.totals.requests++;
        const record = host.stopLoop(fn, event.requestId, "async", eventId, payload, chain);
        host.push(this.routeFailure(fn, event, record, "RetriesExhausted"));
        continue;
      }
      const enqueue = () => {
        host.totals.requests++;
        host.waitingAsync?.add(event);
        fn.asyncQueue.push(event);
        this.pump(fn);
      };
      if (d === 1) enqueue();
      else host.at(host.now + (d - 1) * duplicateDelayMs, enqueue);
    }
    return null;
  }

  /** Lambda's internal poller: hands queued events to the function while concurrency allows. */
  pump(fn: FunctionState): void {
    const host = this.host;
    while (fn.asyncQueue.length > 0) {
      const event = fn.asyncQueue[0]!;
      if (host.now - event.acceptedAt > fn.config.async.maxEventAgeMs) {
        fn.asyncQueue.shift();
        this.discardAged(fn, event);
        continue;
      }
      if (fn.config.reservedConcurrency === 0) {
        fn.asyncQueue.shift();
        this.discard(fn, event, "reserved concurrency is 0, so Lambda discards new events without retrying them", "RetriesExhausted");
        continue;
      }
      const throttle = host.admission(fn, event.tenantId);
      if (throttle) {
        fn.asyncQueue.shift();
        host.totals.throttles++;
        event.throttles++;
        const record = host.record(fn, event.requestId, event.eventId, event.attempt, event.delivery, "throttled", null, event.payload);
        record.tenantId = event.tenantId;
        const backoff = Math.min(host.model.asyncThrottleCapMs, host.model.asyncThrottleBaseMs * 2 ** (event.throttles - 1));
        record.reason = `${throttle.reason}; the event stays in Lambda's queue and is retried in ${formatMs(backoff)}`;
        host.push(record);
        this.requeue(fn, event, host.now + backoff);
        continue;
      }
      fn.asyncQueue.shift();
      host.waitingAsync?.delete(event);
      host.start(fn, event);
    }
  }

  /** An attempt ended: the outcome goes to the on-success destination, or the event is retried or given up. */
  ended(fn: FunctionState, event: AsyncEvent, record: InvocationRecord): void {
    const host = this.host;
    if (record.outcome === "success") {
      const onSuccess = fn.config.async.onSuccess;
      if (onSuccess !== null) {
        host.simplificationsUsed.add("async-record-shape");
        host.destinations.succeeded(onSuccess, this.outcomeEvent(fn, event), record);
      }
      return;
    }
    const maxAttempts = 1 + fn.config.async.maxRetryAttempts;
    event.last = record;
    if (event.attempt >= maxAttempts) {
      this.discard(fn, event, `all ${maxAttempts} attempts failed (the maximum retry attempts is ${fn.config.async.maxRetryAttempts})`, "RetriesExhausted", record.seq);
      return;
    }
    const delays = host.model.asyncRetryDelaysMs;
    const delay = delays[event.attempt - 1] ?? delays[1] ?? 120_000;
    const retry: AsyncEvent = { ...event, attempt: event.attempt + 1, throttles: 0, previousAttempt: record.seq };
    host.aggregates.retries++;
    this.requeue(fn, retry, host.now + delay);
  }

  /** A Lambda destination: the record becomes an async event of the target function (§6). */
  invokeDestination(name: string, body: JsonText, chain: Chain): { ok: true } | { ok: false; error: { name: string; message: string } } {
    const target = this.host.find(name);
    if (target === undefined) {
      return { ok: false, error: { name: "ResourceNotFoundException", message: `no function named ${name} is deployed` } };
    }
    // A destination's invoke carries no tenant id, so a function with tenant isolation refuses it (§11).
    const refused = target.tenantIdle !== null ? tenantRefusal(target.config, null) : null;
    if (refused !== null) return { ok: false, error: { name: refused.errorType, message: refused.errorMessage } };
    const size = sizeOver(body, LAMBDA_FACTS.asyncRequestLimitBytes);
    if (size > 0) {
      return { ok: false, error: { name: "RequestTooLargeException", message: `the ${size}-byte record is larger than the 1 MB limit of an asynchronous invoke` } };
    }
    // A destination is Lambda itself handing the record on: an AWS service, so the event is always accepted (§3).
    // It is accepted as an event of its own at this instant, so that destinations that feed each other in a loop
    // (recursion allowed, nothing ever running) make events one at a time instead of nesting calls without end.
    this.host.at(this.host.now, () => this.accept(name, body, 1, 0, nextHop(chain), true));
    return { ok: true };
  }

  /**
   * Puts an event back in Lambda's queue at `due`, or, if it would be older than the maximum event age by then,
   * discards it at the instant it reaches that age (§6: the age is checked on time, not only when picked up).
   */
  private requeue(fn: FunctionState, event: AsyncEvent, due: number): void {
    const host = this.host;
    host.waitingAsync?.add(event);
    const expires = event.acceptedAt + fn.config.async.maxEventAgeMs;
    if (due > expires) {
      host.at(expires, () => this.discardAged(fn, event));
      return;
    }
    host.at(due, () => {
      fn.asyncQueue.push(event);
      this.pump(fn);
    });
  }

  private discardAged(fn: FunctionState, event: AsyncEvent): void {
    this.discard(fn, event, `the event was older than the maximum event age (${formatMs(fn.config.async.maxEventAgeMs)})`, "EventAgeExceeded");
  }

  /** Gives an async event up; `lastAttempt` is the trace seq of its last failed attempt, if any. */
  private discard(fn: FunctionState, event: AsyncEvent, reason: string, condition: RecordCondition, lastAttempt: number | null = event.previousAttempt): void {
    const host = this.host;
    host.aggregates.eventsDropped++;
    host.waitingAsync?.delete(event);
    const record = host.record(fn, event.requestId, event.eventId, event.attempt, event.delivery, "discarded", lastAttempt, event.payload);
    record.chain = event.chain;
    record.tenantId = event.tenantId;
    record.reason = reason;
    host.push(this.routeFailure(fn, event, record, condition));
  }

  /** Sends a given-up event to the on-failure destination and dead-letter queue, and says so in its record. */
  private routeFailure(fn: FunctionState, event: AsyncEvent, record: InvocationRecord, condition: RecordCondition): InvocationRecord {
    const host = this.host;
    const reason = record.reason ?? "";
    const config = fn.config;
    if (config.async.onFailure !== null && (condition !== "RetriesExhausted" || event.last === null)) host.simplificationsUsed.add("async-record-shape");
    if (config.deadLetterQueue !== null) host.simplificationsUsed.add("dead-letter-attributes");
    const sent =
      config.async.onFailure !== null || config.deadLetterQueue !== null
        ? host.destinations.failed(config.async.onFailure, config.deadLetterQueue, this.outcomeEvent(fn, event), condition, event.last, reason)
        : "";
    record.reason = sent === "" ? reason : `${reason}; ${sent}`;
    return record;
  }

  private outcomeEvent(fn: FunctionState, event: AsyncEvent) {
    return {
      functionName: fn.config.name,
      functionArn: fn.arn,
      eventId: event.eventId,
      requestId: event.requestId,
      payload: event.payload,
      chain: event.chain ?? { chainId: event.eventId, hops: 1 },
    };
  }
}
