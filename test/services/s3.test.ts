/** The object store's size limits (lambda-model.md §5 "S3 object"), each at its boundary and one byte over. */
import { describe, expect, it } from "vitest";
import { connectServices } from "../../src/runtime/service-wiring.ts";
import { Simulation } from "../../src/runtime/simulation.ts";
import { ServiceHub, type ServicesConfigInput } from "../../src/services/hub.ts";
import { SERVICE_LIMITS } from "../../src/services/limits.ts";
import type { Sender } from "../../src/services/queue.ts";
import { HostCode } from "../runtime/host-code.ts";
import { payloadOf, runHandler } from "../sandbox/harness.ts";

const SCENARIO: Sender = { call: null, via: "scenario", chain: null };
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

function setup(services: ServicesConfigInput = {}) {
  const hub = new ServiceHub(services, 1);
  const sim = new Simulation({ seed: 1, services: hub, destinations: hub, model: { initPlatformMs: 0 } });
  const code = new HostCode({ invoke: () => ({ durationMs: 10 }) });
  sim.deploy({ name: "f" }, code);
  connectServices(sim, hub);
  return { hub, sim, code, s3: hub.s3 };
}

/** Uploads parts of the given sizes (described by size) and completes the upload. */
function multipart(s3: ReturnType<typeof setup>["s3"], key: string, sizes: number[]) {
  const created = s3.createMultipartUpload("big", key);
  if (!created.ok) throw new Error(created.message);
  const parts = sizes.map((sizeBytes, i) => s3.uploadPart(0, "big", key, created.uploadId, i + 1, { sizeBytes }, SCENARIO));
  return { parts, complete: s3.completeMultipartUpload(0, "big", key, created.uploadId, SCENARIO) };
}

describe("§5 S3 object: single PUT up to 5 GB", () => {
  it("stores a body described by its size of exactly 5 GiB and refuses one byte more with EntityTooLarge", () => {
    const { s3, hub } = setup();
    expect(s3.put(0, "big", "at", { sizeBytes: 5 * GiB }, SCENARIO)).toEqual({ ok: true, size: 5_368_709_120 });
    expect(s3.put(0, "big", "over", { sizeBytes: 5 * GiB + 1 }, SCENARIO)).toMatchInlineSnapshot(`
      {
        "code": "EntityTooLarge",
        "message": "the 5,368,709,121-byte object is over the 5 GB (5,368,709,120 bytes) limit of a single PUT (larger objects need a multipart upload)",
        "ok": false,
      }
    `);
    expect(hub.hops.records.map((h) => [h.operation, h.outcome, h.bytes, h.limitBytes])).toEqual([
      ["PutObject", "accepted", 5_368_709_120, 5_368_709_120],
      ["PutObject", "rejected", 5_368_709_121, 5_368_709_120],
    ]);
    expect(s3.object("big", "at")).toMatchObject({ body: null, size: 5 * GiB });
  });

  it("refuses a body that is neither a string nor { sizeBytes } with a whole number", () => {
    const { s3 } = setup();
    for (const body of [42, { sizeBytes: -1 }, { sizeBytes: 1.5 }, { sizeBytes: 1, extra: true }, null]) {
      expect(s3.put(0, "big", "k", body, SCENARIO)).toMatchObject({ ok: false, code: "InvalidArgument" });
    }
  });
});

describe("§5 S3 object: multipart parts 5 MiB–5 GiB, up to 10,000 parts, objects up to 50 TB", () => {
  it("takes a part of exactly 5 GiB and refuses one byte more with EntityTooLarge, at that part's hop", () => {
    const { s3, hub } = setup();
    const { uploadId } = s3.createMultipartUpload("big", "k") as { uploadId: string };
    expect(s3.uploadPart(0, "big", "k", uploadId, 1, { sizeBytes: 5 * GiB }, SCENARIO)).toEqual({ ok: true, etag: '"upload-1-1"', size: 5 * GiB });
    expect(s3.uploadPart(0, "big", "k", uploadId, 2, { sizeBytes: 5 * GiB + 1 }, SCENARIO)).toMatchInlineSnapshot(`
      {
        "code": "EntityTooLarge",
        "message": "part 2 has 5,368,709,121 bytes, over the 5 GB (5,368,709,120 bytes) limit of a part",
        "ok": false,
      }
    `);
    expect(hub.hops.rejected().map((h) => [h.operation, h.bytes, h.limitBytes, h.error?.code])).toEqual([["UploadPart 2", 5 * GiB + 1, 5 * GiB, "EntityTooLarge"]]);
  });

  it("needs 5 MiB in every part but the last: exactly 5 MiB passes, 5 MiB − 1 fails the completion with EntityTooSmall (error name a SIMPLIFICATION)", () => {
    const { s3 } = setup();
    expect(multipart(s3, "ok", [5 * MiB, 5 * MiB, 1]).complete).toEqual({ ok: true, size: 10 * MiB + 1, parts: 3 });
    expect(multipart(s3, "small", [5 * MiB, 5 * MiB - 1, 1]).complete).toMatchInlineSnapshot(`
      {
        "code": "EntityTooSmall",
        "message": "part 2 has 5,242,879 bytes; every part but the last needs at least 5 MB (5,242,880 bytes)",
        "ok": false,
      }
    `);
    expect(s3.object("big", "small")).toBeUndefined();
    expect(multipart(s3, "one", [1]).complete).toMatchObject({ ok: true, size: 1 });
  });

  it("numbers parts 1 to 10,000 and refuses 0 and 10,001 with InvalidArgument (a SIMPLIFICATION)", () => {
    const { s3 } = setup();
    const { uploadId } = s3.createMultipartUpload("big", "k") as { uploadId: string };
    for (const n of [1, 10_000]) expect(s3.uploadPart(0, "big", "k", uploadId, n, "x", SCENARIO).ok).toBe(true);
    for (const n of [0, 10_001, 2.5]) expect(s3.uploadPart(0, "big", "k", uploadId, n, "x", SCENARIO)).toMatchObject({ ok: false, code: "InvalidArgument" });
    expect(s3.uploadPart(0, "big", "other-key", uploadId, 1, "x", SCENARIO)).toMatchObject({ ok: false, code: "NoSuchUpload" });
  });

  it("§0 S3 max object size: joins 10,000 parts of 5 GiB into the largest object, 50 TB (48.8 TiB), without holding its content", () => {
    const { s3 } = setup();
    expect(SERVICE_LIMITS.s3ObjectMaxBytes).toBe(53_687_091_200_000);
    expect(SERVICE_LIMITS.s3ObjectMaxBytes / 1024 ** 4).toBeCloseTo(48.83, 2);
    const { complete } = multipart(s3, "huge", Array.from({ length: 10_000 }, () => 5 * GiB));
    expect(complete).toEqual({ ok: true, size: 53_687_091_200_000, parts: 10_000 });
    expect(s3.object("big", "huge")).toMatchObject({ body: null, size: 53_687_091_200_000 });
  });

  it("notifies with ObjectCreated:CompleteMultipartUpload and the object's size", () => {
    const { s3, sim, code } = setup({ s3: { buckets: { big: { notifications: [{ target: { lambda: "f" } }] } } } });
    sim.at(0, () => multipart(s3, "video.mp4", [5 * MiB, 3]));
    sim.run();
    expect(code.invocations[0]!.event).toMatchObject({ Records: [{ eventName: "ObjectCreated:CompleteMultipartUpload", s3: { object: { key: "video.mp4", size: 5 * MiB + 3 } } }] });
  });
});

describe("§5 S3 object: from handler code", () => {
  it("uploads a 6 GB file in parts described by their size after a single put of it fails with EntityTooLarge", async () => {
    const run = await runHandler(`
      import { bucket } from "workbook:aws";
      export const handler = async () => {
        const b = bucket("videos");
        const out = [];
        try { await b.put("raw.mp4", { sizeBytes: 6 * 1024 ** 3 }); } catch (e) { out.push(e.name); }
        const { uploadId } = await b.createMultipartUpload("raw.mp4");
        for (let part = 1; part <= 2; part++) await b.uploadPart("raw.mp4", uploadId, part, { sizeBytes: 3 * 1024 ** 3 });
        out.push(await b.completeMultipartUpload("raw.mp4", uploadId));
        out.push(await b.get("raw.mp4"));
        await b.put("note.txt", "hello");
        out.push(await b.get("note.txt"));
        return out;
      };`);
    expect(payloadOf(run.results[0])).toEqual(["EntityTooLarge", { size: 6 * GiB, parts: 2 }, { sizeBytes: 6 * GiB }, "hello"]);
  });
});
