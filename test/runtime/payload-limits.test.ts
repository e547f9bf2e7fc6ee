import { describe, expect, it } from "vitest";
import { LAMBDA_FACTS } from "../../src/runtime/config.ts";
import { utf8Length } from "../../src/runtime/payload.ts";
import { jsonStringOfBytes, setup, syncInvoke } from "./host-code.ts";

describe("§5 Payload and event size limits per hop: Lambda invoke", () => {
  it("uses 1024-based units: 6 MB = 6,291,456 bytes, 1 MB = 1,048,576 bytes, response limit 6,291,556 bytes", () => {
    expect(LAMBDA_FACTS.syncRequestLimitBytes).toBe(6_291_456);
    expect(LAMBDA_FACTS.asyncRequestLimitBytes).toBe(1_048_576);
    expect(LAMBDA_FACTS.syncResponseLimitBytes).toBe(6_291_556);
  });

  it("§5 every hop checks the UTF-8 byte length of the serialized payload, not the JavaScript string length", () => {
    expect(utf8Length("abc")).toBe(3);
    expect(utf8Length("é")).toBe(2);
    expect(utf8Length("€")).toBe(3);
    expect(utf8Length("😀")).toBe(4);
    expect(utf8Length(JSON.stringify({ k: "é€😀" }))).toBe(8 + 2 + 3 + 4);
  });

  it("§5 Lambda sync invoke request: accepts a sync request of exactly 6,291,456 bytes and rejects one byte more with 413 RequestTooLargeException", () => {
    const { sim, code } = setup();
    const fits = syncInvoke(sim, "f", jsonStringOfBytes(6_291_456), 0);
    const tooBig = syncInvoke(sim, "f", jsonStringOfBytes(6_291_457), 1_000);
    sim.run();
    expect(fits.result!.statusCode).toBe(200);
    expect(tooBig.result!.statusCode).toBe(413);
    expect(tooBig.result!.functionError).toBeNull();
    expect(JSON.parse(tooBig.result!.payload)).toEqual({
      message: "Request must be smaller than 6291456 bytes for the InvokeFunction operation",
      Type: "User",
    });
    expect(tooBig.result!.record).toMatchObject({ outcome: "rejected", envId: null, billedMs: 0 });
    expect(tooBig.result!.record.error!.errorType).toBe("RequestTooLargeException");
    expect(tooBig.result!.record.reason).toContain("6,291,457-byte request");
    expect(code.invocations).toHaveLength(1);
    expect(sim.totals.invocations).toBe(1);
  });

  it("counts multi-byte characters at their UTF-8 size against the sync request limit", () => {
    const { sim } = setup();
    const fits = syncInvoke(sim, "f", "é".repeat(3_145_727), 0); // 2 × 3,145,727 + 2 quotes = 6,291,456 bytes
    const tooBig = syncInvoke(sim, "f", "é".repeat(3_145_728), 1_000); // 6,291,458 bytes, though only 3.1 M characters
    sim.run();
    expect(fits.result!.statusCode).toBe(200);
    expect(tooBig.result!.statusCode).toBe(413);
  });

  it("§5 Lambda async invoke request and §0 Lambda async invoke payload: accepts an async event of exactly 1,048,576 bytes and rejects a larger one without running or retrying it", () => {
    const { sim, code } = setup();
    sim.invoke("f", "async", jsonStringOfBytes(1_048_576), { at: 0 });
    sim.invoke("f", "async", jsonStringOfBytes(1_048_577), { at: 1_000 });
    sim.run();
    expect(code.invocations).toHaveLength(1);
    const rejected = sim.trace.filter((r) => r.outcome === "rejected");
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ mode: "async", envId: null, billedMs: 0, arrivedAt: 1_000 });
    expect(rejected[0]!.error).toEqual({
      errorType: "RequestTooLargeException",
      errorMessage: "1048577 byte payload is too large for the Event invocation type (limit 1048576 bytes)",
    });
    expect(sim.trace.filter((r) => r.eventId === rejected[0]!.eventId)).toHaveLength(1);
    expect(sim.trace.some((r) => r.outcome === "success" && r.mode === "async")).toBe(true);
  });

  it("rejects an async event that would fit a sync invoke (1 MB < size ≤ 6 MB)", () => {
    const { sim, code } = setup();
    sim.invoke("f", "async", jsonStringOfBytes(2_000_000), { at: 0 });
    sim.run();
    expect(sim.trace.map((r) => r.outcome)).toEqual(["rejected"]);
    expect(code.invocations).toHaveLength(0);
  });

  it("§5 Lambda sync response (buffered): returns a sync response of exactly 6,291,556 bytes and turns a larger one into a RequestEntityTooLarge function error", () => {
    const { sim } = setup({ code: { invoke: (c) => ({ responseText: JSON.stringify(jsonStringOfBytes((c.event as { bytes: number }).bytes)) }) } });
    const fits = syncInvoke(sim, "f", { bytes: 6_291_556 }, 0);
    const tooBig = syncInvoke(sim, "f", { bytes: 6_291_557 }, 1_000);
    sim.run();
    expect(fits.result!.statusCode).toBe(200);
    expect(fits.result!.functionError).toBeNull();
    expect(utf8Length(fits.result!.payload)).toBe(6_291_556);
    expect(tooBig.result!.statusCode).toBe(200);
    expect(tooBig.result!.functionError).toBe("Unhandled");
    expect(JSON.parse(tooBig.result!.payload)).toEqual({
      errorMessage: "Exceeded maximum allowed payload size (6291556 bytes).",
      errorType: "RequestEntityTooLarge",
    });
    const rec = tooBig.result!.record;
    expect(rec).toMatchObject({ outcome: "error", response: undefined });
    // The function ran, so it is billed.
    expect(rec.billedMs).toBe(10);
    expect(sim.totals.errors).toBe(1);
  });

  it("does not apply the sync response limit to async invocations, whose result is discarded", () => {
    const { sim } = setup({ code: { invoke: () => ({ responseText: JSON.stringify(jsonStringOfBytes(7_000_000)) }) } });
    sim.invoke("f", "async", {}, { at: 0 });
    sim.run();
    expect(sim.trace.map((r) => r.outcome)).toEqual(["success"]);
  });
});
