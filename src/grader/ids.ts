/**
 * Exercise identity and order come from folder names: `exercises/<nn>-<chapter>/<nn>-<slug>/` has the id
 * `<chapter>/<slug>` and sorts by the numbers. Shared by the CLI (file system) and the site (bundled globs).
 */
export const FOLDER_NAME = /^(?:(\d+)-)?([a-z0-9]+(?:-[a-z0-9]+)*)$/;

export function orderOf(name: string): number {
  const m = FOLDER_NAME.exec(name);
  return m?.[1] ? Number(m[1]) : Number.MAX_SAFE_INTEGER;
}

export function slugOf(name: string): string {
  return FOLDER_NAME.exec(name)?.[2] ?? name;
}

export function compareFolders(a: string, b: string): number {
  return orderOf(a) - orderOf(b) || a.localeCompare(b);
}

/** The id of the exercise whose exercise.ts is at `path` (any prefix before `exercises/`), or null. */
export function exerciseIdFromPath(path: string): string | null {
  const m = /(?:^|\/)exercises\/([^/]+)\/([^/]+)\/exercise\.ts$/.exec(path.replace(/\\/g, "/"));
  if (!m || !FOLDER_NAME.test(m[1]!) || !FOLDER_NAME.test(m[2]!)) return null;
  return `${slugOf(m[1]!)}/${slugOf(m[2]!)}`;
}
