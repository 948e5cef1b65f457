// parseQueryTerms: the words of a recall query, the same for every backend, so hostile text never reaches a parser.

/** Most words a query contributes: a 10 KB query must stay a cheap lookup. */
export const MAX_QUERY_TERMS = 32;
/** Longest word kept; longer runs are cut (no real word is this long). */
export const MAX_TERM_LENGTH = 64;
/**
 * Most recently created entries the substring fallback scans. It runs only when full-text search found nothing,
 * and a scan is linear: the bound keeps a miss at a few tens of milliseconds however large memory grows.
 */
export const FALLBACK_SCAN_ENTRIES = 20_000;
/** Longest raw text used for the substring fallback. */
export const MAX_FALLBACK_LENGTH = 256;

// Letters, digits, marks and private-use characters: what SQLite's unicode61 tokenizer and
// PostgreSQL's default parser treat as word characters. Quotes, operators and emoji are separators.
const WORD = /[\p{L}\p{N}\p{M}\p{Co}]+/gu;

/** Lower-cased, de-duplicated words of `query`, at most MAX_QUERY_TERMS, in order of appearance. */
export function parseQueryTerms(query: string): string[] {
  const terms: string[] = [];
  const seen = new Set<string>();
  for (const match of query.matchAll(WORD)) {
    const term = Array.from(match[0].toLowerCase()).slice(0, MAX_TERM_LENGTH).join('');
    if (seen.has(term)) continue;
    seen.add(term);
    terms.push(term);
    if (terms.length >= MAX_QUERY_TERMS) break;
  }
  return terms;
}

/**
 * The text a substring fallback searches for when the query has no words (emoji, punctuation):
 * trimmed and capped; empty when there is nothing to look for.
 */
export function parseFallbackText(query: string): string {
  // Control characters (NUL above all, which PostgreSQL text cannot hold) never match anything useful.
  return Array.from(query.replace(/\p{Cc}/gu, ' ').trim())
    .slice(0, MAX_FALLBACK_LENGTH)
    .join('');
}

/** `text` for a LIKE pattern with `\` as the escape character: `%`, `_` and `\` match literally. */
export function escapeLikePattern(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
