/**
 * Where an exercise's progress lives in localStorage: one key per exercise. Kept apart from progress.ts so that pages
 * which only read the keys (the completion marks) do not load the progress schemas.
 */
export const KEY_PREFIX = "sgw:v1:exercise:";

export function keyOf(id: string): string {
  return KEY_PREFIX + id;
}
