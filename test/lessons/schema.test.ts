import { describe, expect, it } from "vitest";
import { InvalidFileError } from "../../src/grader/friendly-error.ts";
import { chapterOfFile, parseLesson } from "../../src/lessons/schema.ts";

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidFileError);
    return (error as Error).message;
  }
  throw new Error("expected an InvalidFileError");
}

describe("a chapter's slug and order come from its lesson's file name", () => {
  it("reads the number and the slug from a path", () => {
    expect(chapterOfFile("lessons/04-idempotence.mdx")).toEqual({ order: 4, slug: "idempotence" });
    expect(chapterOfFile("/work/repo/lessons/05-memory-and-tenants.mdx")).toEqual({ order: 5, slug: "memory-and-tenants" });
    expect(chapterOfFile("lessons\\00-lifecycle.mdx")).toEqual({ order: 0, slug: "lifecycle" });
  });

  it("orders by the number's value, so 10 comes after 9", () => {
    expect(chapterOfFile("10-extra.mdx").order).toBeGreaterThan(chapterOfFile("09-other.mdx").order);
  });

  it.each(["lessons/EventSize.mdx", "lessons/idempotence.mdx", "lessons/04_idempotence.mdx", "lessons/04-idempotence.md"])(
    "rejects %s, naming the file and the expected form",
    (file) => {
      expect(messageOf(() => chapterOfFile(file))).toBe(
        `${file}: a lesson file is named <nn>-<chapter-slug>.mdx (for example 00-lifecycle.mdx): a number, a dash, then lowercase words joined by dashes.`,
      );
    },
  );
});

describe("a lesson's frontmatter is checked against the schema", () => {
  it("accepts a title and a one-sentence summary", () => {
    expect(parseLesson({ title: "Idempotence", summary: "Everything is retried." }, "lessons/04-idempotence.mdx")).toEqual({
      title: "Idempotence",
      summary: "Everything is retried.",
    });
  });

  it("names the file and the missing field", () => {
    expect(messageOf(() => parseLesson({ title: "Event size" }, "lessons/03-event-size.mdx"))).toMatchInlineSnapshot(
      `"lessons/03-event-size.mdx: lesson frontmatter field "summary" is invalid: Invalid input: expected string, received undefined; found nothing. Fix that field and try again."`,
    );
  });

  it("names the file and a field of the wrong type", () => {
    expect(messageOf(() => parseLesson({ title: 3, summary: "S." }, "lessons/01-throttling.mdx"))).toMatchInlineSnapshot(
      `"lessons/01-throttling.mdx: lesson frontmatter field "title" is invalid: Invalid input: expected string, received number; found number 3. Fix that field and try again."`,
    );
  });

  it("rejects a blank title", () => {
    expect(messageOf(() => parseLesson({ title: "   ", summary: "S." }, "lessons/01-throttling.mdx"))).toMatch(
      /^lessons\/01-throttling\.mdx: lesson frontmatter field "title" is invalid: /,
    );
  });

  it("names a misspelt key instead of ignoring it", () => {
    expect(messageOf(() => parseLesson({ title: "T", summary: "S.", summry: "typo" }, "lessons/02-timeouts.mdx"))).toMatchInlineSnapshot(`"lessons/02-timeouts.mdx: lesson frontmatter field "(top level)" is invalid: Unrecognized key: "summry"; found an object. Fix that field and try again."`);
  });
});
