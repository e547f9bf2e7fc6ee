/**
 * A learner's progress, one localStorage key per exercise (`sgw:v1:exercise:<id>`), with export to and import from a
 * file. Storage is never trusted: it may be missing (private mode, SecurityError), full (quota), or hold hand-edited
 * or truncated JSON. Every problem becomes a notice for the page and touches only the exercise concerned; nothing here
 * throws at its callers.
 */
import { z } from "zod/mini";
import { KEY_PREFIX, keyOf } from "./progress-key.ts";

export { KEY_PREFIX, keyOf };
export const EXPORT_FORMAT = "serverless-gotchas-workbook/progress";

/** What is kept for one exercise. */
export const ProgressEntrySchema = z.object({
  /** The learner's edited handler; absent while they have not edited the starter. */
  code: z.optional(z.string()),
  /** Names of the checks that passed in the latest Run or Grade. */
  passedChecks: z.array(z.string()),
  /** True once a Grade passed every check (it stays true). */
  solved: z.boolean(),
  /** How many hints have been revealed, in order. */
  hintsRevealed: z.int().check(z.minimum(0)),
  /** Wall-clock ms of the last change (for the learner's export; never used by grading). */
  updatedAt: z.number(),
});
export type ProgressEntry = z.infer<typeof ProgressEntrySchema>;

export const ExportFileSchema = z.object({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(1),
  exportedAt: z.number(),
  /** Exercise id → entry. Entries are checked one by one on import. */
  exercises: z.record(z.string(), z.unknown()),
});
export type ExportFile = z.infer<typeof ExportFileSchema>;

export interface Notice {
  kind: "unavailable" | "corrupt" | "quota" | "write-failed" | "import";
  /** The exercise concerned, when there is one. */
  exercise?: string;
  message: string;
}

/** The part of the Web Storage API this module uses (a fake in tests, `localStorage` in the browser). */
export interface StorageLike {
  readonly length: number;
  key(index: number): string | null;
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** How storage held an entry: absent, valid, valid after resetting bad fields, or not usable at all. */
export type EntryState = "missing" | "ok" | "repaired" | "unreadable";

export interface ImportSummary {
  imported: string[];
  skipped: Array<{ exercise: string; reason: string }>;
  /** Set when the file as a whole could not be used. */
  error?: string;
}

export function emptyEntry(): ProgressEntry {
  return { passedChecks: [], solved: false, hintsRevealed: 0, updatedAt: 0 };
}

const UNAVAILABLE =
  "This browser does not let the workbook keep your progress (private browsing or blocked storage). Everything works, but your code and passes are lost when you leave the page; use Export progress to keep them.";

/** `window.localStorage`, or null where reading it throws (SecurityError) or a probe write fails other than for a full storage. */
export function browserStorage(): StorageLike | null {
  let storage: Storage | undefined;
  try {
    storage = globalThis.localStorage;
    if (!storage) return null;
    const probe = `${KEY_PREFIX}__probe__`;
    storage.setItem(probe, "1");
    storage.removeItem(probe);
    return storage;
  } catch (error) {
    // A full storage still reads: keep it, so saved progress shows, and let each failed write give its quota notice.
    return storage && isQuotaError(error) ? storage : null;
  }
}

/** A storage that lives as long as the page: the fallback when the browser gives none. */
export class MemoryStorage implements StorageLike {
  private readonly items = new Map<string, string>();
  get length(): number {
    return this.items.size;
  }
  key(index: number): string | null {
    return [...this.items.keys()][index] ?? null;
  }
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, String(value));
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

function isQuotaError(error: unknown): boolean {
  return error instanceof Error && (error.name === "QuotaExceededError" || error.name === "NS_ERROR_DOM_QUOTA_REACHED" || /quota/i.test(error.message));
}

/**
 * Validates a stored or imported value field by field: fields of the right type are kept, the others fall back to
 * their defaults, so a hand-edited entry with one bad field keeps the learner's code. Returns the entry and the
 * names of the fields that were dropped (empty when the value was fully valid).
 */
export function salvageEntry(value: unknown): { entry: ProgressEntry; dropped: string[] } | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const record = value as Record<string, unknown>;
  const entry = emptyEntry();
  const dropped: string[] = [];
  const shape = ProgressEntrySchema.def.shape;
  for (const field of Object.keys(shape) as Array<keyof typeof shape>) {
    if (!(field in record)) {
      if (field !== "code") dropped.push(field);
      continue;
    }
    const parsed = shape[field].safeParse(record[field]);
    if (parsed.success) (entry as Record<string, unknown>)[field] = parsed.data;
    else dropped.push(field);
  }
  return { entry, dropped };
}

export class ProgressStore {
  private readonly storage: StorageLike;
  /** False when the browser gave no storage and the store keeps progress for this page only. */
  readonly persistent: boolean;
  private readonly notify: (notice: Notice) => void;

  constructor(storage: StorageLike | null, notify: (notice: Notice) => void = () => {}) {
    this.persistent = storage !== null;
    this.storage = storage ?? new MemoryStorage();
    this.notify = notify;
    if (!storage) notify({ kind: "unavailable", message: UNAVAILABLE });
  }

  /** The exercise's progress; a missing entry is empty, an unreadable one is salvaged (with a notice) or empty. */
  read(id: string): ProgressEntry {
    return this.load(id).entry;
  }

  /** The entry and what state storage held it in. Each problem is reported once per store, not on every read. */
  load(id: string): { entry: ProgressEntry; state: EntryState } {
    let text: string | null;
    try {
      text = this.storage.getItem(keyOf(id));
    } catch {
      this.warn({ kind: "unavailable", exercise: id, message: `Saved progress for ${id} could not be read from this browser's storage; starting from the starter code.` });
      return { entry: emptyEntry(), state: "unreadable" };
    }
    if (text === null) return { entry: emptyEntry(), state: "missing" };
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      this.warn({ kind: "corrupt", exercise: id, message: `Saved progress for ${id} is not valid JSON (edited or cut short), so it was ignored; starting from the starter code. Other exercises are not affected.` });
      return { entry: emptyEntry(), state: "unreadable" };
    }
    const salvaged = salvageEntry(value);
    if (!salvaged) {
      this.warn({ kind: "corrupt", exercise: id, message: `Saved progress for ${id} is not an object, so it was ignored; starting from the starter code. Other exercises are not affected.` });
      return { entry: emptyEntry(), state: "unreadable" };
    }
    if (salvaged.dropped.length > 0) {
      this.warn({
        kind: "corrupt",
        exercise: id,
        message: `Saved progress for ${id} had unreadable fields (${salvaged.dropped.join(", ")}); they were reset and the rest was kept.`,
      });
      return { entry: salvaged.entry, state: "repaired" };
    }
    return { entry: salvaged.entry, state: "ok" };
  }

  private readonly warned = new Set<string>();
  private warn(notice: Notice): void {
    if (this.warned.has(notice.message)) return;
    this.warned.add(notice.message);
    this.notify(notice);
  }

  /** Merges `patch` into the exercise's entry and saves it; false (with a notice) when the browser refused. */
  update(id: string, patch: Partial<Omit<ProgressEntry, "updatedAt">>, now = Date.now()): boolean {
    const entry: ProgressEntry = { ...this.read(id), ...patch, updatedAt: now };
    return this.save(id, entry);
  }

  private save(id: string, entry: ProgressEntry): boolean {
    try {
      this.storage.setItem(keyOf(id), JSON.stringify(entry));
      return true;
    } catch (error) {
      this.warn(
        isQuotaError(error)
          ? { kind: "quota", exercise: id, message: `This browser's storage is full, so your latest change to ${id} was not saved. Export your progress to keep it, or free some space.` }
          : { kind: "write-failed", exercise: id, message: `Your latest change to ${id} could not be saved in this browser's storage.` },
      );
      return false;
    }
  }

  /** Forgets one exercise's progress (the Reset button); the others stay. */
  reset(id: string): void {
    try {
      this.storage.removeItem(keyOf(id));
    } catch {
      this.warn({ kind: "write-failed", exercise: id, message: `The saved progress for ${id} could not be removed from this browser's storage.` });
    }
  }

  /** Ids of every exercise with a key in storage, sorted. */
  ids(): string[] {
    const ids: string[] = [];
    try {
      for (let i = 0; i < this.storage.length; i++) {
        const key = this.storage.key(i);
        if (key?.startsWith(KEY_PREFIX) && key !== `${KEY_PREFIX}__probe__`) ids.push(key.slice(KEY_PREFIX.length));
      }
    } catch {
      this.warn({ kind: "unavailable", message: "The list of saved exercises could not be read from this browser's storage." });
    }
    return ids.sort();
  }

  /** Every readable entry (unreadable ones are left out), as the file "Export progress" writes. */
  exportAll(now = Date.now()): ExportFile {
    const exercises: Record<string, ProgressEntry> = {};
    for (const id of this.ids()) {
      const { entry, state } = this.load(id);
      if (state !== "unreadable") exercises[id] = entry;
    }
    return { format: EXPORT_FORMAT, version: 1, exportedAt: now, exercises };
  }

  /**
   * Reads an exported file and saves each valid entry over the stored one; entries with a bad field are skipped and
   * named, and exercises absent from the file keep their progress.
   */
  importAll(text: string, knownIds?: ReadonlySet<string>): ImportSummary {
    const summary: ImportSummary = { imported: [], skipped: [] };
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      summary.error = "The file is not valid JSON: nothing was imported.";
      return summary;
    }
    const file = ExportFileSchema.safeParse(value);
    if (!file.success) {
      summary.error = `The file is not a workbook progress export (expected "format": "${EXPORT_FORMAT}" and "version": 1): nothing was imported.`;
      return summary;
    }
    for (const [id, raw] of Object.entries(file.data.exercises)) {
      if (knownIds && !knownIds.has(id)) {
        summary.skipped.push({ exercise: id, reason: "no exercise has this id" });
        continue;
      }
      const parsed = ProgressEntrySchema.safeParse(raw);
      if (!parsed.success) {
        const field = parsed.error.issues[0]?.path.join(".") || "(entry)";
        summary.skipped.push({ exercise: id, reason: `field "${field}" is invalid` });
        continue;
      }
      if (this.save(id, parsed.data)) summary.imported.push(id);
      else summary.skipped.push({ exercise: id, reason: "the browser refused to store it" });
    }
    return summary;
  }
}

/** One sentence saying what an import did. */
export function describeImport(summary: ImportSummary): string {
  if (summary.error) return summary.error;
  const n = summary.imported.length;
  const parts = [`Imported progress for ${n} exercise${n === 1 ? "" : "s"}.`];
  if (summary.skipped.length > 0) {
    parts.push(`Skipped ${summary.skipped.map((s) => `${s.exercise} (${s.reason})`).join(", ")}.`);
  }
  return parts.join(" ");
}

/** One exercise's status in words, for the progress page. */
export function statusOf(entry: ProgressEntry, state: EntryState): string {
  if (state === "unreadable") return "saved progress unreadable (ignored)";
  if (entry.solved) return "solved";
  if (state === "missing") return "not started";
  const parts = ["started"];
  if (entry.passedChecks.length > 0) parts.push(`${entry.passedChecks.length} check${entry.passedChecks.length === 1 ? "" : "s"} passed last time`);
  if (entry.hintsRevealed > 0) parts.push(`${entry.hintsRevealed} hint${entry.hintsRevealed === 1 ? "" : "s"} opened`);
  return parts.join(", ");
}
