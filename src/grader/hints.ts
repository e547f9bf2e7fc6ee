/** hints.md holds one hint per `## ` section, revealed in order; shared by the CLI and the site. */
export function splitHints(markdown: string): string[] {
  return markdown
    .split(/^## /m)
    .slice(1)
    .map((h) => h.trim())
    .filter(Boolean);
}
