/**
 * How deeply source text nests brackets — `(`, `[`, `{` and template `${` — skipping strings, comments, template text
 * and regular-expression literals. QuickJS's parser recurses once per level without a stack check that would stop it
 * in time (limits.ts), so text nested deeper than `SANDBOX_LIMITS.maxNesting` is refused before it is compiled.
 *
 * This is a scanner, not a parser: a `/` it misreads only changes the count, and QuickJS still reports real syntax
 * errors itself.
 */

/** Words after which a `/` starts a regular expression rather than a division. */
const KEYWORDS_BEFORE_EXPRESSION = new Set([
  "return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield", "await",
]);

/** The deepest bracket nesting in `source`; stops counting once `stopAbove` is exceeded. */
export function nestingDepth(source: string, stopAbove = Infinity): number {
  // Open brackets; "t" marks a template `${` whose `}` returns to template text.
  const open: string[] = [];
  let max = 0;
  let i = 0;
  const n = source.length;
  // What came before: "value" (an identifier, number, string or closing bracket: `/` divides) or "operator".
  let before: "value" | "operator" = "operator";
  let word = "";

  const skipTemplateText = (): void => {
    // From just after a backtick or a template `}`: to the closing backtick, or into a `${`.
    while (i < n) {
      const c = source[i]!;
      if (c === "\\") i += 2;
      else if (c === "`") {
        i++;
        before = "value";
        return;
      } else if (c === "$" && source[i + 1] === "{") {
        i += 2;
        open.push("t");
        if (open.length > max) max = open.length;
        before = "operator";
        return;
      } else i++;
    }
  };

  while (i < n && max <= stopAbove) {
    const c = source[i]!;
    if (c === "/" && source[i + 1] === "/") {
      while (i < n && source[i] !== "\n" && source[i] !== "\r") i++;
      continue;
    }
    if (c === "/" && source[i + 1] === "*") {
      const end = source.indexOf("*/", i + 2);
      i = end < 0 ? n : end + 2;
      continue;
    }
    if (c === "'" || c === '"') {
      i++;
      while (i < n && source[i] !== c && source[i] !== "\n") i += source[i] === "\\" ? 2 : 1;
      i++;
      before = "value";
      word = "";
      continue;
    }
    if (c === "`") {
      i++;
      word = "";
      skipTemplateText();
      continue;
    }
    if (c === "/") {
      const regex = before === "operator" || KEYWORDS_BEFORE_EXPRESSION.has(word);
      word = "";
      i++;
      if (!regex) {
        before = "operator";
        continue;
      }
      let inClass = false;
      while (i < n && source[i] !== "\n") {
        const r = source[i]!;
        if (r === "\\") i += 2;
        else {
          i++;
          if (r === "[") inClass = true;
          else if (r === "]") inClass = false;
          else if (r === "/" && !inClass) break;
        }
      }
      before = "value";
      continue;
    }
    if (c === "(" || c === "[" || c === "{") {
      open.push(c);
      if (open.length > max) max = open.length;
      before = "operator";
      word = "";
      i++;
      continue;
    }
    if (c === ")" || c === "]" || c === "}") {
      const top = open.pop();
      i++;
      word = "";
      if (top === "t") skipTemplateText();
      else before = "value";
      continue;
    }
    if (/[A-Za-z0-9_$\u0080-\uffff]/.test(c)) {
      let j = i;
      while (j < n && /[A-Za-z0-9_$\u0080-\uffff]/.test(source[j]!)) j++;
      word = source.slice(i, j);
      before = KEYWORDS_BEFORE_EXPRESSION.has(word) ? "operator" : "value";
      i = j;
      continue;
    }
    if (c !== " " && c !== "\t" && c !== "\n" && c !== "\r") {
      before = "operator";
      word = "";
    }
    i++;
  }
  return max;
}

/** A learner-facing sentence when `source` nests deeper than the sandbox accepts, else null. */
export function nestingProblem(source: string, limit: number, what: string): string | null {
  const depth = nestingDepth(source, limit);
  if (depth <= limit) return null;
  return `${what} nests brackets more than ${limit} levels deep, which the workbook's sandbox cannot compile safely (a workbook limit, not a Lambda one). Flatten the deepest expression.`;
}
