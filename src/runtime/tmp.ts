/**
 * `/tmp` of one execution environment (lambda-model.md §1, §2): files that survive between invocations and a reset
 * after a crash or timeout, and are gone when the environment is recycled. Its size is the function's ephemeral
 * storage (512 MB by default, up to 10,240 MB). Only text files, written and read whole, are modelled.
 *
 * Errors have the shape of Node's `fs` errors (code, errno, syscall, path). SIMPLIFICATION: lambda-model.md does not
 * give the error of a full `/tmp`; the model uses what Linux gives a Node.js program, ENOSPC, and counts only the
 * bytes of file contents (no blocks, no metadata).
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
 * Workbook safety limit (not Lambda's): the file contents all environments of one simulation may keep in the host's
 * memory, so that filling a 10 GB `/tmp` cannot exhaust a browser tab. Larger writes fail with EWORKBOOK.
 */
export const TMP_HOST_BYTES = 64 * MiB;

/** Shared by the `/tmp` of every environment of one simulation: the bytes kept in host memory. */
export interface TmpBudget {
  usedBytes: number;
  /** Called when a write finds `/tmp` full (the simulator names the SIMPLIFICATION then). */
  onFull?: () => void;
}

export class TmpStore {
  readonly sizeBytes: number;
  private readonly files = new Map<string, { text: string; bytes: number }>();
  private used = 0;
  private readonly budget: TmpBudget;

  constructor(ephemeralStorageMB: number, budget: TmpBudget) {
    this.sizeBytes = ephemeralStorageMB * MiB;
    this.budget = budget;
  }

  /** Bytes of file contents stored now. */
  get usedBytes(): number {
    return this.used;
  }

  /** Writes (or, with `append`, extends) a text file; fails with ENOSPC when `/tmp` would be over its size. */
  write(path: string, text: string, append = false): TmpResult<null> {
    const full = normalise(path);
    if (full === null) return fail("EROFS", -30, "open", path, "read-only file system");
    if (full === "/tmp") return fail("EISDIR", -21, "open", full, "illegal operation on a directory");
    const old = this.files.get(full);
    const bytes = utf8Length(text);
    const next = append && old ? old.bytes + bytes : bytes;
    const grow = next - (old?.bytes ?? 0);
    if (this.used + grow > this.sizeBytes) {
      this.budget.onFull?.();
      return fail("ENOSPC", -28, "write", full, "no space left on device");
    }
    if (this.budget.usedBytes + grow > TMP_HOST_BYTES) {
      return {
        ok: false,
        error: { code: "EWORKBOOK", errno: 0, syscall: "write", path: full, message: `the workbook keeps at most ${TMP_HOST_BYTES / MiB} MiB of /tmp files in memory (a workbook limit, not Lambda's)` },
      };
    }
    this.files.set(full, { text: append && old ? old.text + text : text, bytes: next });
    this.used += grow;
    this.budget.usedBytes += grow;
    return { ok: true, value: null };
  }

  read(path: string): TmpResult<string> {
    const full = normalise(path);
    const file = full === null ? undefined : this.files.get(full);
    if (!file) return fail("ENOENT", -2, "open", full ?? path, "no such file or directory");
    return { ok: true, value: file.text };
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
    this.budget.usedBytes -= file.bytes;
    return { ok: true, value: null };
  }

  /** The environment is gone: its files are freed. */
  clear(): void {
    this.budget.usedBytes -= this.used;
    this.used = 0;
    this.files.clear();
  }
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
