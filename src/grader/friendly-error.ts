/**
 * The one place that turns a validation failure into a message: which file, which field (dotted path), what was
 * expected, what was found, and what to do.
 */
import { z } from "zod/mini";

// Schemas built with zod/mini (the runtime's, kept small for the browser) load no messages of their own: use the
// English ones wherever a file is validated.
z.config(z.locales.en());

export class InvalidFileError extends Error {
  readonly file: string;
  readonly field: string;
  constructor(file: string, field: string, message: string) {
    super(message);
    this.name = "InvalidFileError";
    this.file = file;
    this.field = field;
  }
}

export function dottedPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out === "" ? "(top level)" : out;
}

function describeReceived(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "object") return "an object";
  if (typeof value === "function") return "a function";
  return `${typeof value} ${String(value)}`;
}

/** Validates `data` with `schema`; on failure throws one InvalidFileError naming the file and the first bad field. */
export function parseFile<S extends z.core.$ZodType>(schema: S, data: unknown, file: string, what: string): z.infer<S> {
  const result = z.safeParse(schema, data, { reportInput: true });
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = dottedPath(issue.path);
  const received = "input" in issue ? `; found ${describeReceived(issue.input)}` : "";
  throw new InvalidFileError(file, field, `${file}: ${what} field "${field}" is invalid: ${issue.message}${received}. Fix that field and try again.`);
}
