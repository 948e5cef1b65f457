// Splits a long reply into WhatsApp-sized messages on paragraph, then line, then sentence, then word boundaries.

/** Graph API limit of a text message body, in characters (wire-formats §4.4). */
export const MAX_TEXT_CHARS = 4_096;

/** Boundaries tried in order: the first that leaves a non-empty head within the limit wins. */
const BOUNDARIES: readonly RegExp[] = [/\n\s*\n/g, /\n/g, /[.!?…](?=\s)/g, /\s/g];

/**
 * Cuts `text` into pieces of at most `maxChars` characters (UTF-16 code units, which is how Meta counts),
 * preferring the last paragraph break, then line break, then sentence end, then space before the limit; a
 * single word longer than the limit is cut hard (never inside a surrogate pair). Pieces are trimmed;
 * a text within the limit comes back as it is.
 */
export function splitReply(text: string, maxChars: number = MAX_TEXT_CHARS): string[] {
  if (maxChars < 2) throw new RangeError('maxChars must be at least 2');
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > maxChars) {
    const cut = cutPoint(rest, maxChars);
    const head = rest.slice(0, cut).trimEnd();
    if (head !== '') pieces.push(head);
    rest = rest.slice(cut).trimStart();
  }
  const tail = pieces.length === 0 ? rest : rest.trimEnd();
  if (tail.trim() !== '' || pieces.length === 0) pieces.push(tail);
  return pieces;
}

/** Index at which to end the next piece: just after the last boundary before the limit. */
function cutPoint(text: string, maxChars: number): number {
  const window = text.slice(0, maxChars + 1);
  for (const boundary of BOUNDARIES) {
    let best = -1;
    for (const match of window.matchAll(boundary)) {
      const end = match.index + match[0].length;
      // A sentence end is kept with its sentence; whitespace breaks are dropped by the trim.
      const pieceEnd = boundary === BOUNDARIES[2] ? end : match.index;
      if (pieceEnd <= maxChars && pieceEnd > 0 && text.slice(0, pieceEnd).trim() !== '') best = pieceEnd;
    }
    if (best > 0) return best;
  }
  const code = text.charCodeAt(maxChars - 1);
  // Do not leave half of a surrogate pair at the end of a piece.
  return code >= 0xd800 && code <= 0xdbff ? maxChars - 1 : maxChars;
}
