/**
 * The little markdown hints use (paragraphs, `code`, **bold**, *emphasis*), rendered at build time to escaped HTML.
 * Lessons go through MDX; hints are plain files read by the CLI too, so they stay this simple.
 */
function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function inline(text: string): string {
  return text
    .split(/(`[^`]+`)/)
    .map((part) =>
      part.startsWith("`") && part.endsWith("`") && part.length > 1
        ? `<code>${escapeHtml(part.slice(1, -1))}</code>`
        : escapeHtml(part)
            .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
            .replace(/\*([^*]+)\*/g, "<em>$1</em>"),
    )
    .join("");
}

/** Paragraphs separated by blank lines; lines inside a paragraph are joined. */
export function renderMarkdown(text: string): string {
  return text
    .trim()
    .split(/\n\s*\n/)
    .map((p) => `<p>${inline(p.replace(/\s*\n\s*/g, " "))}</p>`)
    .join("\n");
}

/** A hint's first line is its title, the rest its body. */
export function splitHint(hint: string): { title: string; body: string } {
  const newline = hint.indexOf("\n");
  return newline === -1 ? { title: hint.trim(), body: "" } : { title: hint.slice(0, newline).trim(), body: hint.slice(newline + 1).trim() };
}
