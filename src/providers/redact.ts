// Sanitises vendor error text before it is logged or put in an error message: secrets out, length capped (spec §7).

/** Vendor error bodies can be long HTML pages; a log line needs the gist. */
export const MAX_ERROR_TEXT_CHARS = 500;
const REDACTED = '[REDACTED]';
/** Shorter "secrets" are too likely to be ordinary words (and would blank out normal text). */
const MIN_KNOWN_SECRET_CHARS = 6;

/**
 * Secret shapes redacted wherever they appear, whether or not we know the value:
 * bearer tokens, OpenAI/OpenRouter/Anthropic `sk-…`, GitHub `ghp_…`/`github_pat_…`, Groq `gsk_…`, xAI `xai-…`,
 * Google `AIza…`, clawgate's own `zc_…` tokens, and `key=`/`api_key=`/`token=` query parameters.
 */
const SECRET_PATTERNS: readonly [RegExp, string][] = [
  [/\b(bearer)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
  [/\b(x-api-key|x-goog-api-key|api[_-]?key|access[_-]?token|token|key|secret)(["']?\s*[:=]\s*["']?)[A-Za-z0-9._~+/-]{6,}/gi, `$1$2${REDACTED}`],
  [/\bsk-[A-Za-z0-9_-]{6,}/g, REDACTED],
  [/\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{10,}/g, REDACTED],
  [/\bgithub_pat_[A-Za-z0-9_]{10,}/g, REDACTED],
  [/\bgsk_[A-Za-z0-9]{10,}/g, REDACTED],
  [/\bxai-[A-Za-z0-9]{10,}/g, REDACTED],
  [/\bAIza[0-9A-Za-z_-]{20,}/g, REDACTED],
  [/\bzc_[0-9a-f]{16,}/g, REDACTED],
];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Returns `text` with every known secret (exact values, e.g. the configured API key) and every secret-shaped
 * string redacted, control characters flattened to spaces, and the result capped at `maxChars`.
 */
export function redactSecrets(
  text: string,
  knownSecrets: readonly (string | undefined)[] = [],
  maxChars = MAX_ERROR_TEXT_CHARS,
): string {
  let out = text;
  for (const secret of knownSecrets) {
    if (secret !== undefined && secret.length >= MIN_KNOWN_SECRET_CHARS) {
      out = out.replace(new RegExp(escapeRegExp(secret), 'g'), REDACTED);
    }
  }
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  // eslint-disable-next-line no-control-regex
  out = out.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  // Cap after redacting, so a secret cut in half by the cap cannot leak its first part.
  return out.length > maxChars ? `${out.slice(0, maxChars)}…[truncated]` : out;
}
