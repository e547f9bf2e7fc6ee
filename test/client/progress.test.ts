import { describe, expect, it } from "vitest";
import { describeImport, keyOf, MemoryStorage, ProgressStore, type Notice, type StorageLike } from "../../src/client/progress.ts";

/** A storage that can be told to fail the way browsers do. */
class FakeStorage extends MemoryStorage {
  failWrites: "quota" | "security" | null = null;
  failReads = false;
  override setItem(key: string, value: string): void {
    if (this.failWrites === "quota") throw Object.assign(new Error("The quota has been exceeded."), { name: "QuotaExceededError" });
    if (this.failWrites === "security") throw Object.assign(new Error("The operation is insecure."), { name: "SecurityError" });
    super.setItem(key, value);
  }
  override getItem(key: string): string | null {
    if (this.failReads) throw Object.assign(new Error("The operation is insecure."), { name: "SecurityError" });
    return super.getItem(key);
  }
}

function store(storage: StorageLike | null = new FakeStorage()) {
  const notices: Notice[] = [];
  return { progress: new ProgressStore(storage, (n) => notices.push(n)), notices, storage };
}

describe("progress store", () => {
  it("returns an empty entry for an exercise never opened", () => {
    const { progress, notices } = store();
    expect(progress.read("lifecycle/reuse-client")).toEqual({ passedChecks: [], solved: false, hintsRevealed: 0, updatedAt: 0 });
    expect(notices).toEqual([]);
  });

  it("saves code, passes and hints under one key per exercise and reads them back", () => {
    const { progress, storage } = store();
    progress.update("lifecycle/reuse-client", { code: "export const handler = () => 1;" }, 10);
    progress.update("lifecycle/reuse-client", { passedChecks: ["a"], hintsRevealed: 2 }, 20);
    progress.update("idempotence/charge-once", { solved: true }, 30);
    expect(JSON.parse(storage!.getItem(keyOf("lifecycle/reuse-client"))!)).toEqual({
      code: "export const handler = () => 1;",
      passedChecks: ["a"],
      solved: false,
      hintsRevealed: 2,
      updatedAt: 20,
    });
    expect(progress.ids()).toEqual(["idempotence/charge-once", "lifecycle/reuse-client"]);
    expect(keyOf("lifecycle/reuse-client")).toBe("sgw:v1:exercise:lifecycle/reuse-client");
  });

  it("resets one exercise and keeps the others", () => {
    const { progress } = store();
    progress.update("a/one", { code: "1" });
    progress.update("b/two", { code: "2" });
    progress.reset("a/one");
    expect(progress.read("a/one").code).toBeUndefined();
    expect(progress.read("b/two").code).toBe("2");
  });

  it("ignores truncated JSON for one exercise with a notice, and keeps the others", () => {
    const { progress, notices, storage } = store();
    progress.update("b/two", { code: "kept" });
    storage!.setItem(keyOf("a/one"), '{"code":"export async function handler(');
    expect(progress.read("a/one")).toEqual({ passedChecks: [], solved: false, hintsRevealed: 0, updatedAt: 0 });
    expect(progress.read("b/two").code).toBe("kept");
    expect(notices.map((n) => n.message)).toMatchInlineSnapshot(`
      [
        "Saved progress for a/one is not valid JSON (edited or cut short), so it was ignored; starting from the starter code. Other exercises are not affected.",
      ]
    `);
  });

  it("keeps the valid fields of a hand-edited entry with wrong types", () => {
    const { progress, notices, storage } = store();
    storage!.setItem(keyOf("a/one"), JSON.stringify({ code: "mine", passedChecks: "all of them", solved: "yes", hintsRevealed: -3, updatedAt: 5 }));
    expect(progress.read("a/one")).toEqual({ code: "mine", passedChecks: [], solved: false, hintsRevealed: 0, updatedAt: 5 });
    expect(notices.map((n) => n.message)).toMatchInlineSnapshot(`
      [
        "Saved progress for a/one had unreadable fields (passedChecks, solved, hintsRevealed); they were reset and the rest was kept.",
      ]
    `);
  });

  it("ignores an entry that is JSON but not an object", () => {
    const { progress, notices, storage } = store();
    storage!.setItem(keyOf("a/one"), "[1,2,3]");
    expect(progress.read("a/one").passedChecks).toEqual([]);
    expect(notices[0]?.kind).toBe("corrupt");
  });

  it("reports a full storage as a notice instead of throwing, and keeps what was saved before", () => {
    const storage = new FakeStorage();
    const { progress, notices } = store(storage);
    progress.update("a/one", { code: "first" });
    storage.failWrites = "quota";
    expect(progress.update("a/one", { code: "second" })).toBe(false);
    expect(progress.read("a/one").code).toBe("first");
    expect(notices.map((n) => [n.kind, n.message])).toMatchInlineSnapshot(`
      [
        [
          "quota",
          "This browser's storage is full, so your latest change to a/one was not saved. Export your progress to keep it, or free some space.",
        ],
      ]
    `);
  });

  it("reports reads that throw (blocked storage) and starts from the starter", () => {
    const storage = new FakeStorage();
    const { progress, notices } = store(storage);
    storage.failReads = true;
    expect(progress.read("a/one").code).toBeUndefined();
    expect(notices[0]?.kind).toBe("unavailable");
  });

  it("keeps progress in memory for the page when the browser gives no storage, and says so", () => {
    const { progress, notices } = store(null);
    expect(progress.persistent).toBe(false);
    progress.update("a/one", { code: "in memory" });
    expect(progress.read("a/one").code).toBe("in memory");
    expect(notices.map((n) => n.kind)).toEqual(["unavailable"]);
  });
});

describe("export and import", () => {
  it("exports every exercise and imports them into an empty browser", () => {
    const { progress } = store();
    progress.update("a/one", { code: "1", solved: true, passedChecks: ["x"] }, 7);
    progress.update("b/two", { hintsRevealed: 1 }, 8);
    const file = JSON.stringify(progress.exportAll(99));
    const other = store();
    const summary = other.progress.importAll(file);
    expect(summary).toEqual({ imported: ["a/one", "b/two"], skipped: [] });
    expect(other.progress.read("a/one")).toEqual({ code: "1", solved: true, passedChecks: ["x"], hintsRevealed: 0, updatedAt: 7 });
    expect(other.progress.read("b/two").hintsRevealed).toBe(1);
  });

  it("skips bad entries and unknown exercises, imports the rest and leaves absent exercises alone", () => {
    const { progress } = store();
    progress.update("c/three", { code: "untouched" });
    const file = JSON.stringify({
      format: "serverless-gotchas-workbook/progress",
      version: 1,
      exportedAt: 1,
      exercises: {
        "a/one": { code: "ok", passedChecks: [], solved: false, hintsRevealed: 0, updatedAt: 1 },
        "b/two": { passedChecks: "nope", solved: false, hintsRevealed: 0, updatedAt: 1 },
        "z/unknown": { passedChecks: [], solved: false, hintsRevealed: 0, updatedAt: 1 },
      },
    });
    const summary = progress.importAll(file, new Set(["a/one", "b/two", "c/three"]));
    expect(describeImport(summary)).toMatchInlineSnapshot(
      `"Imported progress for 1 exercise. Skipped b/two (field "passedChecks" is invalid), z/unknown (no exercise has this id)."`,
    );
    expect(progress.read("a/one").code).toBe("ok");
    expect(progress.read("b/two").code).toBeUndefined();
    expect(progress.read("c/three").code).toBe("untouched");
  });

  it("leaves unreadable entries out of an export and reports each problem once", () => {
    const { progress, notices, storage } = store();
    progress.update("a/one", { code: "kept" });
    storage!.setItem(keyOf("b/two"), "{cut");
    progress.read("b/two");
    const file = progress.exportAll(1);
    expect(Object.keys(file.exercises)).toEqual(["a/one"]);
    expect(progress.load("b/two").state).toBe("unreadable");
    expect(notices).toHaveLength(1);
  });

  it("refuses a file that is not JSON or not an export, changing nothing", () => {
    const { progress } = store();
    progress.update("a/one", { code: "mine" });
    expect(describeImport(progress.importAll("{not json"))).toMatchInlineSnapshot(`"The file is not valid JSON: nothing was imported."`);
    expect(describeImport(progress.importAll(JSON.stringify({ exercises: {} })))).toMatchInlineSnapshot(
      `"The file is not a workbook progress export (expected "format": "serverless-gotchas-workbook/progress" and "version": 1): nothing was imported."`,
    );
    expect(progress.read("a/one").code).toBe("mine");
  });

  it("names the exercises a full storage refused during an import", () => {
    const storage = new FakeStorage();
    const { progress } = store(storage);
    storage.failWrites = "quota";
    const file = JSON.stringify({
      format: "serverless-gotchas-workbook/progress",
      version: 1,
      exportedAt: 1,
      exercises: { "a/one": { passedChecks: [], solved: false, hintsRevealed: 0, updatedAt: 1 } },
    });
    expect(progress.importAll(file).skipped).toEqual([{ exercise: "a/one", reason: "the browser refused to store it" }]);
  });
});

describe("status words", () => {
  it("says not started, started with details, or solved", async () => {
    const { statusOf, emptyEntry } = await import("../../src/client/progress.ts");
    expect(statusOf(emptyEntry(), "missing")).toBe("not started");
    expect(statusOf({ ...emptyEntry(), passedChecks: ["a", "b"], hintsRevealed: 1 }, "ok")).toBe("started, 2 checks passed last time, 1 hint opened");
    expect(statusOf({ ...emptyEntry(), solved: true }, "repaired")).toBe("solved");
    expect(statusOf(emptyEntry(), "unreadable")).toBe("saved progress unreadable (ignored)");
  });
});

describe("what the island says on load", () => {
  it("mentions restored code and a solved exercise, and nothing for a fresh start", async () => {
    const { restoredMessage } = await import("../../src/client/messages.ts");
    const { emptyEntry } = await import("../../src/client/progress.ts");
    expect(restoredMessage(emptyEntry(), "starter")).toBe("");
    expect(restoredMessage({ ...emptyEntry(), code: "starter" }, "starter")).toBe("");
    expect(restoredMessage({ ...emptyEntry(), code: "mine", solved: true }, "starter")).toMatchInlineSnapshot(
      `"Your saved code was restored; press Run or Grade to check it. You solved this exercise in this browser."`,
    );
  });
});
