// Provider name → wire protocol, default base URL and key variables (spec §7); parses `custom:`/`anthropic-custom:`.
import { ProviderConfigError } from './provider.js';

/** The four wire protocols clawgate speaks. */
export type ApiStyle = 'openai-compatible' | 'anthropic' | 'ollama' | 'gemini';

export interface CatalogEntry {
  /** Canonical catalogue name (aliases resolve to it), used in metrics and logs. */
  name: string;
  style: ApiStyle;
  /** Base URL the protocol's paths are appended to; `api_url` (primary) or the `custom:` URL replaces it. */
  baseUrl: string;
  /** The provider's own key variables, most specific first; empty for `custom:` URLs. */
  keyEnvVars: readonly string[];
  /** False for local servers that accept requests without a key. */
  keyRequired: boolean;
  /** Key sent when none is configured (LM Studio accepts any string but some clients insist on one). */
  defaultKey?: string;
  /** Extra headers sent on every request. */
  headers?: Readonly<Record<string, string>>;
}

/** Generic key variables tried after the provider's own (spec §0). */
export const GENERIC_KEY_ENV_VARS = ['ZEROCLAW_API_KEY', 'API_KEY'] as const;

export const CUSTOM_PREFIX = 'custom:';
export const ANTHROPIC_CUSTOM_PREFIX = 'anthropic-custom:';

/** OpenRouter ranks apps by these (https://openrouter.ai/docs/api-reference/overview, "app attribution"). */
const OPENROUTER_HEADERS = {
  'HTTP-Referer': 'https://github.com/clawgate/clawgate',
  'X-Title': 'clawgate',
} as const;

function openAi(name: string, baseUrl: string, keyEnvVar: string, extra: Partial<CatalogEntry> = {}): CatalogEntry {
  return { name, style: 'openai-compatible', baseUrl, keyEnvVars: [keyEnvVar], keyRequired: true, ...extra };
}

const ENTRIES: readonly CatalogEntry[] = [
  openAi('openrouter', 'https://openrouter.ai/api/v1', 'OPENROUTER_API_KEY', { headers: OPENROUTER_HEADERS }),
  openAi('openai', 'https://api.openai.com/v1', 'OPENAI_API_KEY'),
  openAi('groq', 'https://api.groq.com/openai/v1', 'GROQ_API_KEY'),
  openAi('mistral', 'https://api.mistral.ai/v1', 'MISTRAL_API_KEY'),
  openAi('deepseek', 'https://api.deepseek.com/v1', 'DEEPSEEK_API_KEY'),
  openAi('xai', 'https://api.x.ai/v1', 'XAI_API_KEY'),
  openAi('together', 'https://api.together.xyz/v1', 'TOGETHER_API_KEY'),
  openAi('fireworks', 'https://api.fireworks.ai/inference/v1', 'FIREWORKS_API_KEY'),
  openAi('perplexity', 'https://api.perplexity.ai', 'PERPLEXITY_API_KEY'),
  openAi('lmstudio', 'http://localhost:1234/v1', 'LMSTUDIO_API_KEY', { keyRequired: false, defaultKey: 'lm-studio' }),
  {
    name: 'anthropic',
    style: 'anthropic',
    baseUrl: 'https://api.anthropic.com',
    keyEnvVars: ['ANTHROPIC_API_KEY'],
    keyRequired: true,
  },
  // Local Ollama needs no key; OLLAMA_API_KEY is for hosted Ollama (sent as a bearer token).
  { name: 'ollama', style: 'ollama', baseUrl: 'http://localhost:11434', keyEnvVars: ['OLLAMA_API_KEY'], keyRequired: false },
  {
    name: 'gemini',
    style: 'gemini',
    baseUrl: 'https://generativelanguage.googleapis.com/v1beta',
    keyEnvVars: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'],
    keyRequired: true,
  },
];

const ALIASES: Readonly<Record<string, string>> = {
  grok: 'xai',
  google: 'gemini',
  'google-gemini': 'gemini',
  'lm-studio': 'lmstudio',
};

const BY_NAME = new Map(ENTRIES.map((entry) => [entry.name, entry]));

/** Every name `default_provider` / `fallback_providers` accept, aliases and URL forms included, for error messages. */
export function validProviderNames(): string[] {
  return [...ENTRIES.map((e) => e.name), ...Object.keys(ALIASES), `${CUSTOM_PREFIX}<http(s) URL>`, `${ANTHROPIC_CUSTOM_PREFIX}<http(s) URL>`];
}


function invalid(name: string, problem: string): ProviderConfigError {
  return new ProviderConfigError(
    `provider "${name}": ${problem}; valid providers: ${validProviderNames().join(', ')}`,
    name,
  );
}

function parseHttpUrl(raw: string, name: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(name, `"${raw}" is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalid(name, 'the URL must start with http:// or https://');
  }
  if (url.username || url.password) {
    // Credentials in a URL end up in logs; keys belong in api_key or an env variable.
    throw invalid(name, 'put the credentials in api_key, not in the URL');
  }
  return raw.replace(/\/+$/, '');
}

/**
 * Resolves a configured provider name (case-insensitive; aliases, `custom:<URL>`, `anthropic-custom:<URL>`)
 * to its catalogue entry, or throws ProviderConfigError listing the valid names.
 */
export function resolveProvider(rawName: string): CatalogEntry {
  const name = rawName.trim();
  const lower = name.toLowerCase();
  if (lower.startsWith(CUSTOM_PREFIX)) {
    const baseUrl = parseHttpUrl(name.slice(CUSTOM_PREFIX.length).trim(), name);
    return { name: 'custom', style: 'openai-compatible', baseUrl, keyEnvVars: [], keyRequired: false };
  }
  if (lower.startsWith(ANTHROPIC_CUSTOM_PREFIX)) {
    const baseUrl = parseHttpUrl(name.slice(ANTHROPIC_CUSTOM_PREFIX.length).trim(), name);
    return { name: 'anthropic-custom', style: 'anthropic', baseUrl, keyEnvVars: ['ANTHROPIC_API_KEY'], keyRequired: true };
  }
  const entry = BY_NAME.get(ALIASES[lower] ?? lower);
  if (!entry) {
    throw invalid(name, 'unknown provider');
  }
  return entry;
}
