/// <reference types="astro/client" />
/**
 * The lessons collection: every `lessons/<nn>-<slug>.mdx`, its id the chapter slug. The frontmatter is checked first by
 * the workbook's own schema and friendly-error helper, so a malformed lesson stops the build with one message naming
 * the file and the field (Astro's own check then runs on data already known to be valid).
 */
import { defineCollection } from "astro:content";
import { glob, type Loader } from "astro/loaders";
import { relative } from "node:path";
import { chapterOfFile, LessonSchema, parseLesson } from "./lessons/schema.ts";

const lessonFiles = glob({
  pattern: "*.mdx",
  base: "./lessons",
  generateId: ({ entry }) => chapterOfFile(`lessons/${entry}`).slug,
});

const lessons: Loader = {
  name: "workbook-lessons",
  load: (context) =>
    lessonFiles.load({
      ...context,
      parseData: async (props) => {
        const file = props.filePath ? relative(process.cwd(), props.filePath) : `lessons/${props.id}.mdx`;
        parseLesson(props.data, file);
        return context.parseData(props);
      },
    }),
};

export const collections = {
  lessons: defineCollection({ loader: lessons, schema: LessonSchema }),
};
