/**
 * `/tmp` of one execution environment (lambda-model.md §1, §2): files that survive between invocations and a reset
 * after a crash or timeout, and are gone when the environment is recycled. Its size is the function's ephemeral
 * storage (512 MB by default, up to 10,240 MB). Only text files, written whole or appended to, are modelled.
 *
 * Errors have the shape of Node's `fs` errors (code, errno, syscall, path). SIMPLIFICATION: lambda-model.md does not
 * give the error of a full `/tmp`; the model uses what Linux gives a Node.js program, ENOSPC, and counts only the
 * bytes of file contents (no blocks, no metadata). A write that does not fit writes nothing.
 *
 * Host memory: a file is a list of chunks (one per write or append), and equal chunk texts are stored once for the
 * whole simulation. So a handler that fills a 512 MB (or 10 GB) `/tmp` with the same 1 MB string costs the host 1 MB,
 * while unique content is bounded by the workbook's guard (`TMP_HOST_BYTES`).
 */
import { MiB } from "./config.ts";
import { utf8Length } from "./payload.ts";

export interface TmpError {
  code: "ENOENT" | "ENOSPC" | "EROFS" | "EISDIR" | "EWORKBOOK";
  errno: number;
  syscall: string;
  path: string;
  message: string;
}

export type TmpResult<T> = { ok: true; value: T } | { ok: false; error: TmpError };

/**
 * Workbook safety limit (not Lambda's): the distinct file contents all environments of one simulation may keep in the
 * host's memory, so that filling `/tmp` with unique data cannot exhaust a browser tab. Writes past it fail with
 * EWORKBOOK. Repeated content is stored once, so `/tmp` can still be filled to its configured size.
 */
export const TMP_HOST_BYTES = 64 * MiB;

/** Host bytes charged per chunk of a file (the reference to a shared chunk), so tiny appends are bounded too. */
export const TMP_CHUNK_REF_BYTES = 16;

/** A stored chunk text, shared by every file (of any environment) that holds the same text. */
interface Chunk {
  text: string;
  bytes: number;
  refs: number;
}

/** Shared by the `/tmp` of every environment of one simulation: the host memory its files hold. */
export interface TmpBudget {
  /** Host bytes held: distinct chunk texts plus `TMP_CHUNK_REF_BYTES` per chunk of a file. */
  usedBytes: number;
  /** Distinct chunk texts, by a cheap key (length and a sample of characters); equal keys are told apart by `===`. */
  chunks?: Map<string, Chunk[]>;
  /** Called when a write finds `/tmp` full (the simulator names the SIMPLIFICATION then). */
  onFull?: () => void;
}

interface TmpFile {
  chunks: Chunk[];
  bytes: number;
}

export class TmpStore {
  readonly sizeBytes: number;
  private readonly files = new Map<string, TmpFile>();
  private used = 0;
  private readonly budget: TmpBudget;
  private readonly pool: Map<string, Chunk[]>;

  constructor(ephemeralStorageMB: number, budget: TmpBudget) {
    this.sizeBytes = ephemeralStorageMB * MiB;
    this.budget = budget;
    this.pool = budget.chunks ??= new Map();
  }

  /** Bytes of file contents stored now (what counts toward the size). */
  get usedBytes(): number {
    return this.used;
  }

  /** Writes (or, with `append`, extends) a text file; fails with ENOSPC when `/tmp` would be over its size. */
  write(path: string, text: string, append = false): TmpResult<null> {
    const full = normalise(path);
    if (full === null) return fail("EROFS", -30, "open", path, "read-only file system");
    if (full === "/tmp") return fail("EISDIR", -21, "open", full, "illegal operation on a directory");
    const old = this.files.get(full);
    const key = chunkKey(text);
    const shared = text === "" ? undefined : this.pool.get(key)?.find((c) => c.text === text);
    const bytes = shared?.bytes ?? utf8Length(text);
    const kept = append && old ? old.bytes : 0;
    const grow = kept + bytes - (old?.bytes ?? 0);
    if (this.used + grow > this.sizeBytes) {
      this.budget.onFull?.();
      return fail("ENOSPC", -28, "write", full, "no space left on device");
    }
    // Host memory: a new distinct text, one more reference, minus what a rewrite frees (freed only on success).
    const freed = append || !old ? 0 : old.chunks.reduce((n, c) => n + TMP_CHUNK_REF_BYTES + (c.refs === 1 && c !== shared ? c.bytes : 0), 0);
    const hostGrow = text === "" ? 0 : TMP_CHUNK_REF_BYTES + (shared ? 0 : bytes);
    if (this.budget.usedBytes + hostGrow - freed > TMP_HOST_BYTES) {
      return {
        ok: false,
        error: {
          code: "EWORKBOOK",
          errno: 0,
          syscall: "write",
          path: full,
          message: `the workbook keeps at most ${TMP_HOST_BYTES / MiB} MiB of distinct /tmp contents (its limit, not Lambda's; repeated content is stored once)`,
        },
      };
    }
    const file = append && old ? old : { chunks: [], bytes: 0 };
    if (text !== "") file.chunks.push(this.intern(key, text, bytes, shared));
    file.bytes += bytes;
    if (file !== old && old) this.release(old); // after interning: the new text may be one of the old chunks
    this.files.set(full, file);
    this.used += grow;
    return { ok: true, value: null };
  }

  append(path: string, text: string): TmpResult<null> {
    return this.write(path, text, true);
  }

  /** A file's text. Reading more than the host guard at once is refused (EWORKBOOK): the host would have to build it. */
  read(path: string): TmpResult<string> {
    const full = normalise(path);
    const file = full === null ? undefined : this.files.get(full);
    if (!file) return fail("ENOENT", -2, "open", full ?? path, "no such file or directory");
    if (file.bytes > TMP_HOST_BYTES) {
      return {
        ok: false,
        error: { code: "EWORKBOOK", errno: 0, syscall: "read", path: full!, message: `the workbook reads files of at most ${TMP_HOST_BYTES / MiB} MiB whole (its limit, not Lambda's)` },
      };
    }
    return { ok: true, value: file.chunks.length === 1 ? file.chunks[0]!.text : file.chunks.map((c) => c.text).join("") };
  }

  exists(path: string): boolean {
    const full = normalise(path);
    return full !== null && this.files.has(full);
  }

  /** A file's size in bytes, or ENOENT (like the `size` of `fs.statSync`). */
  size(path: string): TmpResult<number> {
    const full = normalise(path);
    const file = full === null ? undefined : this.files.get(full);
    return file ? { ok: true, value: file.bytes } : fail("ENOENT", -2, "stat", full ?? path, "no such file or directory");
  }

  /** File paths, sorted. */
  list(): string[] {
    return [...this.files.keys()].sort();
  }

  remove(path: string): TmpResult<null> {
    const full = normalise(path);
    const file = full === null ? undefined : this.files.get(full);
    if (!file) return fail("ENOENT", -2, "unlink", full ?? path, "no such file or directory");
    this.files.delete(full!);
    this.used -= file.bytes;
    this.release(file);
    return { ok: true, value: null };
  }

  /** The environment is gone: its files are freed. */
  clear(): void {
    for (const file of this.files.values()) this.release(file);
    this.used = 0;
    this.files.clear();
  }

  private intern(key: string, text: string, bytes: number, shared: Chunk | undefined): Chunk {
    this.budget.usedBytes += TMP_CHUNK_REF_BYTES;
    if (shared) {
      shared.refs++;
      return shared;
    }
    const chunk: Chunk = { text, bytes, refs: 1 };
    const same = this.pool.get(key);
    if (same) same.push(chunk);
    else this.pool.set(key, [chunk]);
    this.budget.usedBytes += bytes;
    return chunk;
  }

  private release(file: TmpFile): void {
    for (const chunk of file.chunks) {
      this.budget.usedBytes -= TMP_CHUNK_REF_BYTES;
      if (--chunk.refs > 0) continue;
      this.budget.usedBytes -= chunk.bytes;
      const key = chunkKey(chunk.text);
      const same = this.pool.get(key)!;
      if (same.length === 1) this.pool.delete(key);
      else same.splice(same.indexOf(chunk), 1);
    }
  }
}

/**
 * A constant-time key for a chunk text: its length and 32 characters spread over it. Texts with equal keys are compared
 * in full (`===`), so hostile texts that share a key cost comparisons, bounded by the host guard.
 */
function chunkKey(text: string): string {
  const n = text.length;
  let key = `${n}:`;
  if (n <= 64) return key + text;
  for (let i = 0; i < 32; i++) key += text[Math.floor((i * (n - 1)) / 31)];
  return key;
}

/** "/tmp/a/b", from "/tmp/a/b" or a path relative to /tmp; null for a path outside /tmp (read-only in Lambda). */
function normalise(path: string): string | null {
  const p = path.startsWith("/") ? path : `/tmp/${path}`;
  const parts: string[] = [];
  for (const part of p.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  if (parts[0] !== "tmp") return null;
  return `/${parts.join("/")}`;
}

function fail<T>(code: TmpError["code"], errno: number, syscall: string, path: string, what: string): TmpResult<T> {
  return { ok: false, error: { code, errno, syscall, path, message: `${code}: ${what}, ${syscall} '${path}'` } };
}
