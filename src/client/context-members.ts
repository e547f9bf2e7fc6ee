/**
 * The members of the handler's `context`, read from the same declaration file the editor's TypeScript service loads
 * (src/sandbox/workbook-aws.d.ts, `interface LambdaContext`). A handler's parameters are untyped JavaScript, so
 * TypeScript alone cannot complete `context.`: the editor offers these members after the handler's second parameter.
 */
export interface ContextMember {
  name: string;
  /** "property" or "method". */
  kind: "property" | "method";
  /** The declaration as written, e.g. "getRemainingTimeInMillis(): number". */
  signature: string;
  documentation: string;
}

export function contextMembers(declarations: string): ContextMember[] {
  const block = /interface LambdaContext\s*\{([\s\S]*?)\n\}/.exec(declarations)?.[1] ?? "";
  const members: ContextMember[] = [];
  const pattern = /(?:\/\*\*([\s\S]*?)\*\/\s*)?(?:readonly\s+)?([A-Za-z_$][\w$]*)(\(\))?(\?)?\s*:\s*([^;]+);/g;
  for (const m of block.matchAll(pattern)) {
    const doc = (m[1] ?? "").replace(/^\s*\*\s?/gm, "").replace(/\s+/g, " ").trim();
    const name = m[2]!;
    members.push({ name, kind: m[3] ? "method" : "property", signature: `${name}${m[3] ?? ""}${m[4] ?? ""}: ${m[5]!.trim()}`, documentation: doc });
  }
  return members;
}

/** The name of the handler's second parameter in `source` ("context" when none is found). */
export function contextParameterName(source: string): string {
  const m =
    /export\s+(?:async\s+)?function\s+handler\s*\(\s*[\w$]+\s*,\s*([\w$]+)/.exec(source) ??
    /export\s+const\s+handler\s*=\s*(?:async\s*)?(?:function\s*)?\(\s*[\w$]+\s*,\s*([\w$]+)/.exec(source);
  return m?.[1] ?? "context";
}
