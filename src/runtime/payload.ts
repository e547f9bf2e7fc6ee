/** Payload sizes as Lambda counts them: the UTF-8 bytes of the serialized body (lambda-model.md § Units, §5). */

/**
 * The UTF-8 size of `text` if it exceeds `limit`, else 0. A UTF-16 unit is at most 3 UTF-8 bytes, so text shorter
 * than a third of the limit needs no counting (every invocation passes here).
 */
export function sizeOver(text: string, limit: number): number {
  if (text.length * 3 <= limit) return 0;
  const bytes = utf8Length(text);
  return bytes > limit ? bytes : 0;
}

/** Text whose UTF-16 units are all ASCII: as many UTF-8 bytes as units. */
const ASCII = /^[\x00-\x7f]*$/;

export function utf8Length(text: string): number {
  // The regular expression scans in native code, several times faster than the loop below; most payloads are ASCII.
  if (ASCII.test(text)) return text.length;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
