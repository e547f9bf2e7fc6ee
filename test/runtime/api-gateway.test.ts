import { describe, expect, it } from "vitest";
import { ApiGateway, base64, headerBytes, type ApiGatewayConfigInput, type GatewayResponse } from "../../src/runtime/api-gateway.ts";
import type { FunctionConfigInput } from "../../src/runtime/config.ts";
import { HopLog } from "../../src/runtime/hops.ts";
import { describeSimplifications } from "../../src/runtime/simplifications.ts";
import { Simulation } from "../../src/runtime/simulation.ts";
import { HostCode, type InvokePlan } from "./host-code.ts";

/** Function "f" behind a gateway; the handler's plan comes from the request body's "plan" field. */
function setup(options: { gateway?: ApiGatewayConfigInput; fn?: Partial<FunctionConfigInput>; plan?: (event: { body?: string | null }) => InvokePlan } = {}) {
  const sim = new Simulation({ seed: 1, model: { initPlatformMs: 0 } });
  const code = new HostCode({
    invoke: (call) => (options.plan ?? ((e) => (e.body ? (JSON.parse(e.body) as { plan?: InvokePlan }).plan ?? {} : {})))(call.event as { body?: string | null }),
  });
  sim.deploy({ name: "f", timeoutMs: 60_000, ...options.fn }, code);
  const hops = new HopLog();
  const gateway = new ApiGateway(sim, "f", options.gateway ?? {}, hops);
  const send = (body: string | null, at = 0) => {
    const holder: { r: GatewayResponse | null } = { r: null };
    sim.at(at, () => gateway.request({ method: "POST", path: "/orders", body }, (r) => (holder.r = r)));
    return holder;
  };
  return { sim, gateway, hops, send, code };
}

const ok = (durationMs: number) => JSON.stringify({ plan: { durationMs, result: { statusCode: 201, headers: { "Content-Type": "application/json" }, body: '{"id":"o-1"}' } } });

describe("API Gateway → Lambda (§4, §5, neighbour services)", () => {
  it("passes a proxy response through; the client waits the gateway time plus the network round trip", () => {
    const { sim, send, code } = setup();
    const call = send(ok(120));
    sim.run();
    expect(call.r).toMatchObject({ statusCode: 201, body: '{"id":"o-1"}', headers: { "content-type": "application/json" }, cause: "ok", respondedAt: 120, clientLatencyMs: 130 });
    expect(code.invocations[0]!.event).toMatchObject({ httpMethod: "POST", path: "/orders", body: ok(120), isBase64Encoded: false });
  });

  it("answers 502 when the function throws", () => {
    const { sim, send } = setup();
    const call = send(JSON.stringify({ plan: { error: { errorType: "TypeError", errorMessage: "x is undefined" } } }));
    sim.run();
    expect(call.r).toMatchObject({ statusCode: 502, body: '{"message":"Internal server error"}', cause: "function-error" });
  });

  it("§3 Sync throttle behind API Gateway (REST, proxy): answers 500, not 429, when Lambda throttles the invoke", () => {
    const { sim, send } = setup({ fn: { reservedConcurrency: 0 } });
    const call = send(ok(10));
    sim.run();
    expect(call.r).toMatchObject({ statusCode: 500, cause: "throttled" });
    expect(call.r!.reason).toMatchInlineSnapshot(`"Lambda throttled the invoke (429); the REST API answers 500, not 429"`);
  });

  it("§4 API Gateway REST integration timeout and §4 when API Gateway gives up, the client gets 504 while the Lambda invocation keeps running and billing to its end", () => {
    const { sim, send } = setup();
    const call = send(ok(40_000));
    sim.run();
    expect(call.r).toMatchObject({ statusCode: 504, body: '{"message":"Endpoint request timed out"}', cause: "timeout", respondedAt: 29_000, lambdaEndedAt: 40_000 });
    expect(call.r!.reason).toMatchInlineSnapshot(`"the function had not answered within the REST API's 29 s integration timeout; the invocation keeps running and billing (a workbook simplification)"`);
    expect(sim.trace[0]).toMatchObject({ outcome: "success", durationMs: 40_000, billedMs: 40_000 });
  });

  it("§0 API Gateway REST integration timeout and §4 API Gateway HTTP API integration timeout: uses a raised REST integration timeout, and the HTTP API's fixed 30 s", () => {
    const rest = setup({ gateway: { kind: "rest", integrationTimeoutMs: 45_000 } });
    const a = rest.send(ok(40_000));
    rest.sim.run();
    expect(a.r).toMatchObject({ statusCode: 201 });
    const http = setup({ gateway: { kind: "http" } });
    const b = http.send(ok(31_000));
    http.sim.run();
    expect(b.r).toMatchObject({ statusCode: 504, respondedAt: 30_000 });
    expect(() => setup({ gateway: { kind: "http", integrationTimeoutMs: 10_000 } })).toThrow(/fixed at 30 s/);
  });

  it("§5 API Gateway REST: refuses a body over 10 MB (10,485,760 bytes) with 413 without invoking the function, and records the hop", () => {
    const { sim, send, hops } = setup();
    const call = send("x".repeat(10_485_761));
    sim.run();
    expect(call.r).toMatchObject({ statusCode: 413, cause: "payload-too-large", invocation: null });
    expect(sim.trace).toHaveLength(0);
    expect(hops.records.map((h) => [h.service, h.outcome, h.bytes, h.limitBytes])).toEqual([["api-gateway", "rejected", 10_485_761, 10_485_760]]);
  });

  it("lets a 7 MB body through the gateway and fails it at the Lambda hop (6 MB), visibly", () => {
    const { sim, send, hops } = setup();
    const call = send("x".repeat(7 * 1_048_576));
    sim.run();
    expect(call.r).toMatchObject({ statusCode: 500, cause: "lambda-refused" });
    expect(hops.records.map((h) => [h.service, h.outcome, h.limitBytes, h.error?.code ?? null])).toEqual([
      ["api-gateway", "accepted", 10_485_760, null],
      ["lambda", "rejected", 6_291_456, "RequestTooLargeException"],
    ]);
    expect(sim.trace[0]).toMatchObject({ outcome: "rejected" });
  });

  it("§5 binary bodies behind API Gateway are base64 and grow by 4/3: a binary body is passed base64-encoded, so 5 MB of binary fails at the Lambda hop (6 MB)", () => {
    const { sim, gateway, hops, code } = setup({ plan: () => ({ result: { statusCode: 200 } }) });
    const small: GatewayResponse[] = [];
    sim.at(0, () => gateway.request({ path: "/img", body: "ab\u00e9", binary: true }, (r) => small.push(r)));
    sim.at(1_000, () => gateway.request({ path: "/img", body: "x".repeat(5 * 1_048_576), binary: true }, (r) => small.push(r)));
    sim.run();
    expect(code.invocations[0]!.event).toMatchObject({ body: Buffer.from("ab\u00e9").toString("base64"), isBase64Encoded: true });
    expect(small.map((r) => r.statusCode)).toEqual([200, 500]);
    expect(hops.records.filter((h) => h.service === "lambda").map((h) => [h.outcome, h.bytes > 4 * 5 * 1_048_576 / 3])).toEqual([
      ["accepted", false],
      ["rejected", true],
    ]);
  });

  it("encodes a binary body as Node's base64 does, padding and multi-byte characters included", () => {
    for (const text of ["", "a", "ab", "abc", "abcd", "é€😀"]) expect(base64(text)).toBe(Buffer.from(text).toString("base64"));
  });

  it("answers 502 when the function's response is over 6 MB", () => {
    const { sim, send } = setup({ plan: () => ({ responseText: JSON.stringify({ statusCode: 200, body: "x".repeat(6_291_556) }) }) });
    const call = send(null);
    sim.run();
    expect(call.r).toMatchObject({ statusCode: 502, cause: "response-too-large" });
  });

  it("answers 502 when a REST proxy response has no statusCode or a body that is not a string", () => {
    for (const result of [{ ok: true }, { statusCode: 200, body: { id: 1 } }, "done"]) {
      const { sim, send } = setup({ plan: () => ({ result }) });
      const call = send(null);
      sim.run();
      expect(call.r).toMatchObject({ statusCode: 502, cause: "malformed-response" });
    }
  });

  it("HTTP API: takes a response without statusCode as a JSON body with status 200", () => {
    const { sim, send, code } = setup({ gateway: { kind: "http" }, plan: () => ({ result: { ok: true } }) });
    const call = send('{"a":1}');
    sim.run();
    expect(call.r).toMatchObject({ statusCode: 200, body: '{"ok":true}' });
    expect(code.invocations[0]!.event).toMatchObject({ version: "2.0", routeKey: "POST /orders", rawPath: "/orders", body: '{"a":1}' });
  });
});

describe("§5 API Gateway REST and §5 API Gateway HTTP API: 10 MB payload", () => {
  for (const kind of ["rest", "http"] as const) {
    it(`lets a body of exactly 10,485,760 bytes through the ${kind} API (it then fails at Lambda's 6 MB) and answers 413 to one byte more`, () => {
      const { sim, gateway, hops } = setup({ gateway: { kind } });
      const seen: GatewayResponse[] = [];
      sim.at(0, () => gateway.request({ path: "/upload", body: "x".repeat(10_485_760) }, (r) => seen.push(r)));
      sim.at(1, () => gateway.request({ path: "/upload", body: "x".repeat(10_485_761) }, (r) => seen.push(r)));
      sim.run();
      expect(seen.map((r) => [r.statusCode, r.cause])).toEqual([
        [500, "lambda-refused"],
        [413, "payload-too-large"],
      ]);
      expect(hops.records.map((h) => [h.service, h.outcome, h.bytes > 10_485_760 ? "over" : "within", h.limitBytes])).toEqual([
        ["api-gateway", "accepted", "within", 10_485_760],
        ["lambda", "rejected", "over", 6_291_456],
        ["api-gateway", "rejected", "over", 10_485_760],
      ]);
    });
  }
});

describe("§5 API Gateway REST: 10,240 bytes of headers", () => {
  /** Headers of exactly `bytes` bytes as the workbook counts them: "x-pad: " + value + CRLF. */
  const headersOf = (bytes: number) => ({ "x-pad": "v".repeat(bytes - "x-pad: \r\n".length) });
  const request = (kind: "rest" | "http", headers: Record<string, string>) => {
    const { sim, gateway, hops } = setup({ gateway: { kind }, plan: () => ({ result: { statusCode: 200 } }) });
    let r: GatewayResponse | null = null;
    sim.at(0, () => gateway.request({ path: "/orders", body: "{}", headers }, (x) => (r = x)));
    sim.run();
    return { r: r as GatewayResponse | null, hops, sim };
  };

  it("counts each header as its UTF-8 name, \": \", value and a line break (a modelling choice)", () => {
    expect(headerBytes({})).toBe(0);
    expect(headerBytes({ a: "b" })).toBe(6);
    expect(headerBytes({ "x-name": "é", host: "example.com" })).toBe(6 + 2 + 2 + 2 + (4 + 2 + 11 + 2));
    expect(headerBytes(headersOf(10_240))).toBe(10_240);
  });

  it("passes headers of exactly 10,240 bytes to the function", () => {
    const { r, hops } = request("rest", headersOf(10_240));
    expect(r).toMatchObject({ statusCode: 200, cause: "ok" });
    expect(hops.rejected()).toEqual([]);
    expect(hops.records.map((h) => h.operation)).toEqual(["POST /orders", "Invoke (RequestResponse) from POST /orders"]);
  });

  it("answers 413 (status unsourced: a named simplification) to one byte more, without invoking the function, and records the hop", () => {
    const { r, hops, sim } = request("rest", headersOf(10_241));
    expect(r).toMatchObject({ statusCode: 413, body: '{"message":"Request Too Long"}', cause: "headers-too-large", invocation: null });
    expect(r!.reason).toMatchInlineSnapshot(`"the request's headers take 10,241 bytes (name, ": ", value and line break of each, as the workbook counts them), over the REST API's 10,240-byte header limit"`);
    expect(sim.trace).toHaveLength(0);
    expect(hops.records.map((h) => [h.service, h.operation, h.outcome, h.bytes, h.limitBytes, h.error?.code])).toEqual([["api-gateway", "POST /orders (headers)", "rejected", 10_241, 10_240, "HeadersTooLarge"]]);
    expect(describeSimplifications(sim.model, sim.simplificationsUsed).at(-1)).toContain("oversize REST headers");
  });

  it("§5 API Gateway HTTP API: has no header limit in the model, so 20 KB of headers pass", () => {
    const { r, hops } = request("http", headersOf(20_480));
    expect(r).toMatchObject({ statusCode: 200, cause: "ok" });
    expect(hops.records.map((h) => h.operation)).toEqual(["POST /orders", "Invoke (RequestResponse) from POST /orders"]);
  });
});

describe("API Gateway → a function with tenant isolation (§11)", () => {
  it("§11 Tenant isolation mode (re:Invent 2025): a REST API passes the client's X-Amz-Tenant-Id header on as the invoke's tenant id; an HTTP API passes none, so Lambda refuses and the client gets 500", () => {
    const answers: Record<string, GatewayResponse | null> = {};
    const send = (gateway: ApiGateway, label: string, headers: Record<string, string>, at: number, sim: Simulation) =>
      sim.at(at, () => gateway.request({ method: "POST", path: "/orders", body: "{}", headers }, (r) => (answers[label] = r)));
    const rest = setup({ fn: { tenantIsolation: true } });
    send(rest.gateway, "blue", { "x-amz-tenant-id": "blue" }, 0, rest.sim);
    send(rest.gateway, "green", { "X-Amz-Tenant-Id": "green" }, 1_000, rest.sim);
    send(rest.gateway, "none", {}, 2_000, rest.sim);
    rest.sim.run({ until: 10_000 });
    expect(rest.code.invocations.map((c) => [c.context.tenantId, c.instance.envId])).toEqual([
      ["blue", "env-1"],
      ["green", "env-2"],
    ]);
    expect(answers.none).toMatchObject({ statusCode: 500, cause: "lambda-refused" });
    expect(answers.none!.reason).toMatchInlineSnapshot(`"Lambda refused the invoke with HTTP 400 (InvalidParameterValueException)"`);
    const http = setup({ fn: { tenantIsolation: true }, gateway: { kind: "http" } });
    send(http.gateway, "http", { "x-amz-tenant-id": "blue" }, 0, http.sim);
    http.sim.run({ until: 10_000 });
    expect(http.code.invocations).toEqual([]);
    expect(answers.http).toMatchObject({ statusCode: 500, cause: "lambda-refused" });
    expect(describeSimplifications(http.sim.model, http.sim.simplificationsUsed).some((l) => l.startsWith("Tenant isolation mode"))).toBe(true);
  });
});
