/**
 * The site's table of contents, derived and never typed: chapters in file-name order (lessons/<nn>-<slug>.mdx), each
 * with the exercises whose folder sits under exercises/<nn>-<slug>/, in folder order, and its neighbours.
 */
import { chapterOfFile, type Lesson } from "../lessons/schema.ts";
import { compareFolders, exerciseIdFromPath } from "../grader/ids.ts";

export interface ExerciseEntry {
  /** `<chapter>/<slug>`, the id `npm run grade` takes. */
  id: string;
  chapter: string;
  title: string;
  summary: string;
  /** The exercise page, `/<chapter>/<slug>/`. */
  href: string;
}

export interface ChapterLink {
  title: string;
  href: string;
}

export interface Chapter extends ChapterLink {
  slug: string;
  order: number;
  summary: string;
  exercises: ExerciseEntry[];
  previous: ChapterLink | null;
  next: ChapterLink | null;
}

export interface LessonFile {
  /** Where the lesson came from, e.g. "lessons/04-idempotence.mdx" (its name gives slug and order). */
  file: string;
  data: Lesson;
}

export interface ExerciseFile {
  /** Path of the exercise's exercise.ts, any prefix before `exercises/`. */
  path: string;
  title: string;
  summary: string;
}

/** Compares two exercise.ts paths by chapter folder, then exercise folder (numbers first, then names). */
export function compareExercisePaths(a: string, b: string): number {
  const [ca = "", ea = ""] = a.replace(/\\/g, "/").split("/").slice(-3, -1);
  const [cb = "", eb = ""] = b.replace(/\\/g, "/").split("/").slice(-3, -1);
  return compareFolders(ca, cb) || compareFolders(ea, eb);
}

/** Exercises in order, with ids and page links; files outside the `exercises/<chapter>/<slug>/` pattern are skipped. */
export function exerciseEntries(files: ExerciseFile[]): ExerciseEntry[] {
  return [...files]
    .sort((a, b) => compareExercisePaths(a.path, b.path))
    .flatMap((f) => {
      const id = exerciseIdFromPath(f.path);
      if (!id) return [];
      const chapter = id.slice(0, id.indexOf("/"));
      return [{ id, chapter, title: f.title, summary: f.summary, href: `/${id}/` }];
    });
}

/** Chapters in order with their exercises and previous/next links; throws naming a lesson file with a bad name or a duplicate slug. */
export function buildChapters(lessons: LessonFile[], exercises: ExerciseEntry[]): Chapter[] {
  const named = lessons.map((l) => ({ ...l, ...chapterOfFile(l.file) }));
  named.sort((a, b) => a.order - b.order || a.slug.localeCompare(b.slug));
  const seen = new Map<string, string>();
  for (const l of named) {
    const other = seen.get(l.slug);
    if (other) throw new Error(`${l.file}: chapter slug "${l.slug}" is already used by ${other}; each chapter needs its own slug.`);
    seen.set(l.slug, l.file);
  }
  const links = named.map((l) => ({ title: l.data.title, href: `/${l.slug}/` }));
  return named.map((l, i) => ({
    ...links[i]!,
    slug: l.slug,
    order: l.order,
    summary: l.data.summary,
    exercises: exercises.filter((e) => e.chapter === l.slug),
    previous: links[i - 1] ?? null,
    next: links[i + 1] ?? null,
  }));
}
