// Keyword scoring for backends without a search engine (markdown): BM25-style term weights over word counts.
import { MAX_TERM_LENGTH } from './query-terms.js';

const WORD = /[\p{L}\p{N}\p{M}\p{Co}]+/gu;
/** BM25's term-frequency saturation and length normalisation, at their usual values. */
const K1 = 1.2;
const B = 0.75;
/** A word in the key counts half as much as one in the content (keys are mostly generated ids). */
const KEY_WEIGHT = 0.5;

/** What scoring needs from one entry, computed once when the entry is stored or loaded. */
export interface KeywordDocument {
  /** Lower-cased word → occurrences, content words weighing 1, key words KEY_WEIGHT. */
  words: Map<string, number>;
  /** Weighted number of words. */
  length: number;
  /** Lower-cased key and content, for the substring fallback. */
  text: string;
}

export function buildKeywordDocument(key: string, content: string): KeywordDocument {
  const words = new Map<string, number>();
  let length = 0;
  const add = (text: string, weight: number) => {
    for (const match of text.toLowerCase().matchAll(WORD)) {
      const word = Array.from(match[0]).slice(0, MAX_TERM_LENGTH).join('');
      words.set(word, (words.get(word) ?? 0) + weight);
      length += weight;
    }
  };
  add(key, KEY_WEIGHT);
  add(content, 1);
  return { words, length, text: `${key}\n${content}`.toLowerCase() };
}

/** BM25 score of each document for `terms` (lower-cased words), 0 when none occurs. */
export function scoreKeywords(documents: readonly KeywordDocument[], terms: readonly string[]): number[] {
  const total = documents.length;
  if (total === 0 || terms.length === 0) return documents.map(() => 0);
  const averageLength = documents.reduce((sum, d) => sum + d.length, 0) / total || 1;
  const idf = terms.map((term) => {
    const containing = documents.reduce((n, d) => n + (d.words.has(term) ? 1 : 0), 0);
    return Math.log(1 + (total - containing + 0.5) / (containing + 0.5));
  });
  return documents.map((doc) => {
    let score = 0;
    terms.forEach((term, i) => {
      const tf = doc.words.get(term) ?? 0;
      if (tf === 0) return;
      score += (idf[i] ?? 0) * ((tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * doc.length) / averageLength)));
    });
    return score;
  });
}

/** Share of `needles` (lower-cased) found anywhere in each document's text: the fallback score. */
export function scoreSubstrings(documents: readonly KeywordDocument[], needles: readonly string[]): number[] {
  if (needles.length === 0) return documents.map(() => 0);
  const lowered = needles.map((n) => n.toLowerCase());
  return documents.map((doc) => lowered.filter((n) => doc.text.includes(n)).length / lowered.length);
}
