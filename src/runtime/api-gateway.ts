/**
 * An API gateway in front of a function (lambda-model.md §3, §4, §5, "Neighbour services"): a REST API (integration
 * timeout 29 s by default, configurable) or an HTTP API (30 s, fixed), a 10 MB payload limit, and the status a client
 * sees when the function is throttled (500), fails (502), returns more than 6 MB (502) or outlasts the integration
 * timeout (504). A layer on the simulator's public API: the function is invoked synchronously with a proxy event.
 *
 * A REST API also refuses more than 10,240 bytes of request headers (§5), counted as the workbook chooses (see
 * `headerBytes`); lambda-model.md gives the HTTP API no header limit, so none is applied there.
 *
 * Tenant isolation (§11): a REST API passes the client's `X-Amz-Tenant-Id` header (any case) to Lambda as the invoke's
 * tenant id, a SIMPLIFICATION of the integration's mapping of a client value to that header; an HTTP API passes none
 * (AWS's docs say it cannot set the header), so an isolated function behind one refuses every invoke.
 *
 * SIMPLIFICATIONS (named wherever a learner sees them): the 413 status for an oversize request and the gateway's error
 * bodies are unsourced; after a 504 the Lambda invocation keeps running and billing until it ends or times out; an
 * invoke Lambda itself refuses (request over 6 MB) is answered with 500 like a throttle; the HTTP API answers a
 * throttle with 500 as the REST proxy does.
 */
import { z } from "zod";
import type { HopLog } from "./hops.ts";
import { formatMs } from "./format.ts";
import { utf8Length } from "./payload.ts";
import type { Simulation, SyncResult } from "./simulation.ts";
import { LAMBDA_FACTS } from "./config.ts";
import { describeBytes, SERVICE_LIMITS as L } from "../services/limits.ts";

export const ApiGatewayConfigSchema = z
  .object({
    /** "rest" (REST API, Lambda proxy integration) or "http" (HTTP API, payload format 2.0). */
    kind: z.enum(["rest", "http"]).default("rest"),
    /**
     * REST only: the integration timeout in ms, 50 ms – 29 s by default; since June 2024 a quota request can raise it
     * for Regional and private APIs (a re:Post answer cites up to 300 s). The HTTP API's is fixed at 30 s (§4).
     */
    integrationTimeoutMs: z.number().int().min(L.restIntegrationTimeoutMinMs).max(300_000).optional(),
  })
  .strict()
  .refine((c) => c.kind === "rest" || c.integrationTimeoutMs === undefined, {
    message: "an HTTP API's integration timeout is fixed at 30 s; only a REST API's can be set",
    path: ["integrationTimeoutMs"],
  });
export type ApiGatewayConfig = z.infer<typeof ApiGatewayConfigSchema>;
export type ApiGatewayConfigInput = z.input<typeof ApiGatewayConfigSchema>;

/** SIMPLIFICATION: the gateway's own answers; status 413 and these bodies are not from AWS documentation. */
export const GATEWAY_ANSWERS = {
  payloadTooLarge: { statusCode: 413, body: '{"message":"Request Too Long"}' },
  internalError: { statusCode: 500, body: '{"message":"Internal server error"}' },
  badGateway: { statusCode: 502, body: '{"message":"Internal server error"}' },
  timeout: { statusCode: 504, body: '{"message":"Endpoint request timed out"}' },
} as const;

export interface HttpRequest {
  method?: string;
  path: string;
  /** The request body as text (JSON text for JSON requests). */
  body?: string | null;
  headers?: Record<string, string>;
  /**
   * The body is binary data (its bytes are the body text's UTF-8 bytes): the function receives it base64-encoded,
   * 4/3 as large, with `isBase64Encoded: true` (SIMPLIFICATION, lambda-model.md §5).
   */
  binary?: boolean;
}

/** What a client saw for one request, and why. */
export interface GatewayResponse {
  seq: number;
  method: string;
  path: string;
  sentAt: number;
  /** Virtual time the gateway answered. */
  respondedAt: number;
  /** What the client waits: the gateway's answer time plus the network round trip (`netRttMs`, not billed). */
  clientLatencyMs: number;
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  /** Why the client got this status. */
  cause: "ok" | "payload-too-large" | "headers-too-large" | "throttled" | "lambda-refused" | "function-error" | "response-too-large" | "malformed-response" | "timeout";
  /** In words, for graders and the timeline. */
  reason: string | null;
  /** Trace seq of the Lambda invocation (or its throttle/refusal record), once known. */
  invocation: number | null;
  /** After a 504: when the invocation really ended (it kept running and billing), once it has. */
  lambdaEndedAt: number | null;
}

export class ApiGateway {
  readonly config: ApiGatewayConfig;
  readonly functionName: string;
  readonly responses: GatewayResponse[] = [];
  private readonly sim: Simulation;
  private readonly hops: HopLog;

  constructor(sim: Simulation, functionName: string, config: ApiGatewayConfigInput, hops: HopLog) {
    this.sim = sim;
    this.functionName = functionName;
    this.config = ApiGatewayConfigSchema.parse(config);
    this.hops = hops;
    sim.functionConfig(functionName); // fails now, with the function's name, if it is not deployed
  }

  get integrationTimeoutMs(): number {
    return this.config.kind === "http" ? L.httpIntegrationTimeoutMs : (this.config.integrationTimeoutMs ?? L.restIntegrationTimeoutDefaultMs);
  }

  /** Sends a request now (call it from a simulator event); `onResponse` gets what the client sees. */
  request(req: HttpRequest, onResponse?: (r: GatewayResponse) => void): GatewayResponse {
    const sim = this.sim;
    const method = (req.method ?? "POST").toUpperCase();
    const body = req.body ?? null;
    const response: GatewayResponse = {
      seq: this.responses.length,
      method,
      path: req.path,
      sentAt: sim.now,
      respondedAt: -1,
      clientLatencyMs: -1,
      statusCode: 0,
      headers: {},
      body: "",
      cause: "ok",
      reason: null,
      invocation: null,
      lambdaEndedAt: null,
    };
    this.responses.push(response);
    const operation = `${method} ${req.path}`;
    const answer = (statusCode: number, text: string, cause: GatewayResponse["cause"], reason: string | null, headers: Record<string, string> = {}) => {
      if (cause !== "ok" && cause !== "function-error" && cause !== "response-too-large") sim.simplificationsUsed.add("api-gateway-answers");
      response.respondedAt = sim.now;
      response.clientLatencyMs = sim.now - response.sentAt + sim.model.netRttMs;
      response.statusCode = statusCode;
      response.body = text;
      response.headers = headers;
      response.cause = cause;
      response.reason = reason;
      onResponse?.(response);
    };
    const api = this.config.kind === "rest" ? "REST API" : "HTTP API";
    if (this.config.kind === "rest") {
      const headers = headerBytes(req.headers ?? {});
      const limit = L.restHeaderMaxBytes;
      // Headers within the limit add no hop record of their own: the body's record below stands for the request.
      if (headers > limit) {
        const reason = `the request's headers take ${headers.toLocaleString("en-US")} bytes (name, ": ", value and line break of each, as the workbook counts them), over the REST API's ${limit.toLocaleString("en-US")}-byte header limit`;
        this.hops.add({ t: sim.now, service: "api-gateway", resource: api, operation: `${operation} (headers)`, bytes: headers, limitBytes: limit, outcome: "rejected", error: { code: "HeadersTooLarge", message: reason } });
        answer(GATEWAY_ANSWERS.payloadTooLarge.statusCode, GATEWAY_ANSWERS.payloadTooLarge.body, "headers-too-large", reason);
        return response;
      }
    }
    const bytes = body === null ? 0 : utf8Length(body);
    if (bytes > L.apiGatewayPayloadMaxBytes) {
      const reason = `the ${bytes.toLocaleString("en-US")}-byte request body is over the ${api}'s ${describeBytes(L.apiGatewayPayloadMaxBytes)} payload limit`;
      this.hops.add({ t: sim.now, service: "api-gateway", resource: api, operation, bytes, limitBytes: L.apiGatewayPayloadMaxBytes, outcome: "rejected", error: { code: "PayloadTooLarge", message: reason } });
      answer(GATEWAY_ANSWERS.payloadTooLarge.statusCode, GATEWAY_ANSWERS.payloadTooLarge.body, "payload-too-large", reason);
      return response;
    }
    this.hops.add({ t: sim.now, service: "api-gateway", resource: api, operation, bytes, limitBytes: L.apiGatewayPayloadMaxBytes, outcome: "accepted", error: null });

    const encoded = body !== null && req.binary === true ? base64(body) : body;
    const event = this.config.kind === "rest" ? restEvent(method, req, encoded, response.seq, sim) : httpEvent(method, req, encoded, response.seq, sim);
    const payload = JSON.stringify(event);
    const timeoutMs = this.integrationTimeoutMs;
    let answered = false;
    sim.at(sim.now + timeoutMs, () => {
      if (answered) return;
      answered = true;
      answer(
        GATEWAY_ANSWERS.timeout.statusCode,
        GATEWAY_ANSWERS.timeout.body,
        "timeout",
        `the function had not answered within the ${api}'s ${formatMs(timeoutMs)} integration timeout; the invocation keeps running and billing (a workbook simplification)`,
      );
    });
    // The gateway → Lambda hop, recorded when the invoke is made: refused over the 6 MB synchronous limit (§5).
    const lambdaBytes = utf8Length(payload);
    const hop = this.hops.add({
      t: sim.now,
      service: "lambda",
      resource: this.functionName,
      operation: `Invoke (RequestResponse) from ${operation}`,
      bytes: lambdaBytes,
      limitBytes: LAMBDA_FACTS.syncRequestLimitBytes,
      outcome: "accepted",
      error: null,
    });
    sim.arrive(this.functionName, "sync", payload, {
      tenantId: this.config.kind === "rest" ? tenantHeader(req.headers) : null,
      onResult: (result) => {
        response.invocation = result.record.seq;
        hop.invocation = result.record.seq;
        if (result.record.outcome === "rejected") {
          hop.outcome = "rejected";
          hop.error = result.record.error && { code: result.record.error.errorType, message: result.record.error.errorMessage };
        }
        if (answered) {
          response.lambdaEndedAt = sim.now;
          return;
        }
        answered = true;
        const mapped = this.map(result, api);
        answer(mapped.statusCode, mapped.body, mapped.cause, mapped.reason, mapped.headers);
      },
    });
    return response;
  }

  private map(result: SyncResult, api: string): { statusCode: number; body: string; headers: Record<string, string>; cause: GatewayResponse["cause"]; reason: string | null } {
    const G = GATEWAY_ANSWERS;
    if (result.statusCode === 429) {
      return { ...G.internalError, headers: {}, cause: "throttled", reason: `Lambda throttled the invoke (429); the ${api} answers 500, not 429` };
    }
    if (result.statusCode !== 200) {
      return { ...G.internalError, headers: {}, cause: "lambda-refused", reason: `Lambda refused the invoke with HTTP ${result.statusCode} (${result.record.error?.errorType ?? "error"})` };
    }
    if (result.functionError !== null) {
      const errorType = result.record.error?.errorType ?? "Error";
      if (errorType === "RequestEntityTooLarge") {
        return { ...G.badGateway, headers: {}, cause: "response-too-large", reason: `the function's response was over Lambda's 6 MB response limit (${errorType})` };
      }
      return { ...G.badGateway, headers: {}, cause: "function-error", reason: `the function failed (${errorType}); the ${api} answers 502` };
    }
    const response: unknown = JSON.parse(result.payload);
    const isObject = response !== null && typeof response === "object" && !Array.isArray(response);
    const proxy = isObject ? (response as { statusCode?: unknown; body?: unknown; headers?: unknown }) : null;
    if (this.config.kind === "http" && (proxy === null || proxy.statusCode === undefined)) {
      // Payload format 2.0: a response without statusCode is taken as a JSON body with status 200.
      return { statusCode: 200, body: result.payload, headers: { "content-type": "application/json" }, cause: "ok", reason: null };
    }
    const status = proxy?.statusCode;
    if (proxy === null || typeof status !== "number" || !Number.isInteger(status) || status < 100 || status > 599 || (proxy.body !== undefined && proxy.body !== null && typeof proxy.body !== "string")) {
      return {
        ...G.badGateway,
        headers: {},
        cause: "malformed-response",
        reason: "the function's response is not a proxy response ({ statusCode, headers?, body? } with a string body), so the gateway answers 502",
      };
    }
    const headers: Record<string, string> = {};
    if (proxy.headers !== null && typeof proxy.headers === "object") for (const [k, v] of Object.entries(proxy.headers)) headers[k.toLowerCase()] = String(v);
    return { statusCode: status, body: typeof proxy.body === "string" ? proxy.body : "", headers, cause: "ok", reason: null };
  }
}

/**
 * Bytes of request headers as the workbook counts them against the REST API's 10,240-byte limit: for each header the
 * UTF-8 bytes of `name: value` plus a line break (CRLF), as the header is written in an HTTP/1.1 request. A modelling
 * choice: lambda-model.md gives the limit, not how AWS counts it (the request line is not counted).
 */
export function headerBytes(headers: Record<string, string>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(headers)) bytes += utf8Length(name) + 2 + utf8Length(value) + 2;
  return bytes;
}

/** The client's X-Amz-Tenant-Id header, whatever its case, or null. */
function tenantHeader(headers: Record<string, string> | undefined): string | null {
  if (headers === undefined) return null;
  for (const name in headers) if (name.toLowerCase() === "x-amz-tenant-id") return headers[name]!;
  return null;
}

/** A REST API Lambda proxy event (payload format 1.0). */
function restEvent(method: string, req: HttpRequest, body: string | null, seq: number, sim: Simulation): unknown {
  return {
    resource: req.path,
    path: req.path,
    httpMethod: method,
    headers: req.headers ?? {},
    queryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: { requestId: `gw-${seq + 1}`, stage: "prod", httpMethod: method, path: `/prod${req.path}`, resourcePath: req.path, requestTimeEpoch: Math.floor(sim.epochMs + sim.now) },
    body,
    isBase64Encoded: req.binary === true && body !== null,
  };
}

/** An HTTP API event (payload format 2.0). */
function httpEvent(method: string, req: HttpRequest, body: string | null, seq: number, sim: Simulation): unknown {
  return {
    version: "2.0",
    routeKey: `${method} ${req.path}`,
    rawPath: req.path,
    rawQueryString: "",
    headers: req.headers ?? {},
    requestContext: {
      http: { method, path: req.path, protocol: "HTTP/1.1" },
      requestId: `gw-${seq + 1}`,
      routeKey: `${method} ${req.path}`,
      stage: "$default",
      timeEpoch: Math.floor(sim.epochMs + sim.now),
    },
    ...(body === null ? {} : { body }),
    isBase64Encoded: req.binary === true && body !== null,
  };
}

const BASE64 = new TextEncoder().encode("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
const PAD = 61; // "="

/** Base64 of the text's UTF-8 bytes (no Buffer or btoa: the same code runs in Node and a browser worker). */
export function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  let o = 0;
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out[o++] = BASE64[n >> 18]!;
    out[o++] = BASE64[(n >> 12) & 63]!;
    out[o++] = i + 1 < bytes.length ? BASE64[(n >> 6) & 63]! : PAD;
    out[o++] = i + 2 < bytes.length ? BASE64[n & 63]! : PAD;
  }
  return new TextDecoder().decode(out);
}
