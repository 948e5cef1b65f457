// config → the provider the gateway calls: catalogue lookup, credentials, one adapter per provider, reliability wrapper.
import type { Config } from '../config/schema.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { CancelSignal } from './cancel-signal.js';
import { GENERIC_KEY_ENV_VARS, resolveProvider, type CatalogEntry } from './catalog.js';
import { createAnthropicProvider } from './anthropic.js';
import { createGeminiProvider } from './gemini.js';
import { createOllamaProvider } from './ollama.js';
import { createOpenAiCompatibleProvider } from './openai-compatible.js';
import { ProviderConfigError, type ChatRequest, type ChatResult, type Provider, type ProtocolProviderOptions } from './provider.js';
import { createReliableProvider } from './reliable-provider.js';

/** A vendor that accepts no connection within this is down for our purposes; the attempt is retried. */
const CONNECT_TIMEOUT_MS = 10_000;

export interface CreateProviderDeps {
  logger: Logger;
  metrics: Metrics;
  /** Where key variables are read; default process.env (tests pass their own). */
  env?: NodeJS.ProcessEnv;
  /** Passed to the reliability wrapper (tests observe backoff delays through it). */
  sleep?: (ms: number, signal?: CancelSignal) => Promise<void>;
  random?: () => number;
}

/** Where a provider's key came from, for the startup log (never the key itself). */
export interface ResolvedKey {
  key?: string;
  /** `api_key`, an env variable name, or `default` (LM Studio's placeholder). */
  source?: string;
}

function nonBlank(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/**
 * Finds the key for `entry`. Primary provider (spec §7): `api_key`, then its own variables, then ZEROCLAW_API_KEY,
 * then API_KEY. A fallback provider looks at its own variables first: `api_key` belongs to the primary, and sending
 * one vendor's key to another both fails and leaks it.
 */
export function resolveApiKey(
  entry: CatalogEntry,
  configKey: string | undefined,
  env: NodeJS.ProcessEnv,
  isPrimary: boolean,
): ResolvedKey {
  const own = entry.keyEnvVars.map((name) => ({ name, value: nonBlank(env[name]) }));
  const configured = { name: 'api_key', value: nonBlank(configKey) };
  const generic = GENERIC_KEY_ENV_VARS.map((name) => ({ name, value: nonBlank(env[name]) }));
  const order = isPrimary ? [configured, ...own, ...generic] : [...own, configured, ...generic];
  const found = order.find((candidate) => candidate.value !== undefined);
  if (found) return { key: found.value, source: found.name };
  if (entry.defaultKey !== undefined) return { key: entry.defaultKey, source: 'default' };
  return {};
}

/** A provider that cannot work as configured: every chat() rejects with the reason (the gateway answers 500). */
export function createUnconfiguredProvider(name: string, reason: string): Provider {
  return {
    name,
    chat: (_request: ChatRequest): Promise<ChatResult> => Promise.reject(new ProviderConfigError(reason, name)),
    close: () => Promise.resolve(),
  };
}

function parseBaseUrl(raw: string, what: string, providerName: string): string {
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new ProviderConfigError(`${what} must be an http(s) URL, got "${raw}"`, providerName);
  }
  return raw.replace(/\/+$/, '');
}

function buildAdapter(entry: CatalogEntry, options: ProtocolProviderOptions): Provider {
  switch (entry.style) {
    case 'openai-compatible':
      return createOpenAiCompatibleProvider(options);
    case 'anthropic':
      return createAnthropicProvider(options);
    case 'ollama':
      return createOllamaProvider(options);
    case 'gemini':
      return createGeminiProvider(options);
  }
}

/**
 * Builds the gateway's provider from config: `default_provider` (with `api_url`), then `fallback_providers`, wrapped
 * in retries and fallbacks per `[reliability]`. Throws ProviderConfigError (listing the valid names) for an unknown
 * provider or a bad URL. A missing key is logged as a warning now and fails each request later.
 */
export function createProvider(config: Config, deps: CreateProviderDeps): Provider {
  const env = deps.env ?? process.env;
  const timeoutMs = config.gateway.request_timeout_secs * 1000;
  const primaryEntry = resolveProvider(config.default_provider);
  const fallbackEntries = config.reliability.fallback_providers.map((name) => resolveProvider(name));
  const apiUrl = nonBlank(config.api_url);
  const primaryBaseUrl = apiUrl !== undefined ? parseBaseUrl(apiUrl, 'api_url', primaryEntry.name) : primaryEntry.baseUrl;

  const seen = new Set<string>();
  const providers: Provider[] = [];
  const candidates = [
    { entry: primaryEntry, baseUrl: primaryBaseUrl, isPrimary: true },
    ...fallbackEntries.map((entry) => ({ entry, baseUrl: entry.baseUrl, isPrimary: false })),
  ];
  for (const { entry, baseUrl, isPrimary } of candidates) {
    const identity = `${entry.style} ${baseUrl}`;
    if (seen.has(identity)) continue;
    seen.add(identity);
    const { key, source } = resolveApiKey(entry, config.api_key, env, isPrimary);
    if (key === undefined && entry.keyRequired) {
      const variables = [...entry.keyEnvVars, ...GENERIC_KEY_ENV_VARS].join(' or ');
      const reason = `no API key for provider "${entry.name}": set ${variables} (or api_key in the config file)`;
      deps.logger.warn({ provider: entry.name, fallback: !isPrimary }, reason);
      providers.push(createUnconfiguredProvider(entry.name, reason));
      continue;
    }
    deps.logger.info({ provider: entry.name, style: entry.style, baseUrl, keySource: source ?? 'none', fallback: !isPrimary }, 'LLM provider configured');
    providers.push(
      buildAdapter(entry, {
        name: entry.name,
        baseUrl,
        ...(key !== undefined ? { apiKey: key } : {}),
        ...(entry.headers ? { headers: entry.headers } : {}),
        connectTimeoutMs: CONNECT_TIMEOUT_MS,
        timeoutMs,
      }),
    );
  }

  return createReliableProvider({
    providers,
    maxRetries: config.reliability.provider_retries,
    baseBackoffMs: config.reliability.provider_backoff_ms,
    modelFallbacks: config.reliability.model_fallbacks,
    defaultTimeoutMs: timeoutMs,
    logger: deps.logger,
    metrics: deps.metrics,
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    ...(deps.random ? { random: deps.random } : {}),
  });
}
