/**
 * The lesson format: a chapter is one MDX file `lessons/<nn>-<slug>.mdx` whose frontmatter this schema checks. The
 * chapter's slug (its URL, `/<slug>/`, and the first half of its exercise ids) and its position come from the file
 * name, like exercise folders (src/grader/ids.ts). Astro (src/content.config.ts) and vitest import this module.
 */
import { z } from "zod";
import { InvalidFileError, parseFile } from "../grader/friendly-error.ts";
import { FOLDER_NAME } from "../grader/ids.ts";

export const LessonSchema = z
  .object({
    /** The chapter's title, shown as the page's only <h1> and in the chapter list. */
    title: z.string().trim().min(1),
    /** One sentence saying what wall the chapter teaches, shown under the title in the chapter list. */
    summary: z.string().trim().min(1),
  })
  .strict();
export type Lesson = z.infer<typeof LessonSchema>;

export interface ChapterName {
  /** The number prefix: chapters are listed in this order. */
  order: number;
  /** The URL segment and chapter half of exercise ids, e.g. "lifecycle". */
  slug: string;
}

/** Order and slug of the lesson at `file` (a path or a bare name `<nn>-<slug>.mdx`); throws naming the file otherwise. */
export function chapterOfFile(file: string): ChapterName {
  const name = file.replace(/\\/g, "/").split("/").pop() ?? file;
  const stem = name.replace(/\.mdx$/, "");
  const m = FOLDER_NAME.exec(stem);
  if (stem === name || !m?.[1]) {
    throw new InvalidFileError(
      file,
      "(file name)",
      `${file}: a lesson file is named <nn>-<chapter-slug>.mdx (for example 00-lifecycle.mdx): a number, a dash, then lowercase words joined by dashes.`,
    );
  }
  return { order: Number(m[1]), slug: m[2]! };
}

/** Validates a lesson's frontmatter; throws one InvalidFileError naming the file and the field. */
export function parseLesson(data: unknown, file: string): Lesson {
  return parseFile(LessonSchema, data, file, "lesson frontmatter");
}
