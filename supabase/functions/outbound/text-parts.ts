/** WhatsApp's limit for a text message's body (Meta's Cloud API refuses more; Z-API and Evolution follow it). */
export const maxPartLength = 4096;

/**
 * A body cut into parts of at most `limit` characters (code points, as WhatsApp counts them), each
 * cut at the last whitespace before the limit, so words stay whole; a single word longer than the
 * limit is cut where it must be. The cut whitespace is dropped; nothing else is. The same body
 * always gives the same parts, so a delivery resumed after its first parts were sent (parts_sent)
 * sends exactly the rest.
 */
export function splitIntoParts(body: string, limit = maxPartLength): string[] {
  const characters = Array.from(body);
  if (characters.length <= limit) return [body];
  const parts: string[] = [];
  let start = 0;
  while (characters.length - start > limit) {
    let cut = start + limit;
    let breakAt = -1;
    for (let index = cut; index > start; index--) {
      if (/\s/.test(characters[index])) {
        breakAt = index;
        break;
      }
    }
    if (breakAt > start) cut = breakAt;
    const part = characters.slice(start, cut).join("").trimEnd();
    if (part.length > 0) parts.push(part);
    start = cut;
    while (start < characters.length && /\s/.test(characters[start])) start++;
  }
  const rest = characters.slice(start).join("");
  if (rest.trim().length > 0) parts.push(rest);
  return parts;
}
