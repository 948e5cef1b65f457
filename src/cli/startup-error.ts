// One clear sentence for each way startup can fail (spec §10): bad config, port in use, public bind, dependencies.
import { ConfigError } from '../config/config-error.js';
import { MemoryConfigError } from '../memory/memory-backend.js';
import { PublicBindError } from '../main.js';
import { ProviderConfigError } from '../providers/provider.js';
import { StateUnavailableError } from '../state/state-unavailable-error.js';

export function describeStartupError(err: unknown): string {
  if (err instanceof ConfigError || err instanceof PublicBindError) return err.message;
  if (err instanceof MemoryConfigError) return `memory: ${err.message}`;
  if (err instanceof ProviderConfigError) return `provider: ${err.message}`;
  if (err instanceof StateUnavailableError) return `state store: ${err.message}`;
  const errno = err as NodeJS.ErrnoException & { address?: string; port?: number };
  if (errno?.code === 'EADDRINUSE') {
    return `port ${errno.port ?? ''} on ${errno.address ?? 'that host'} is already in use: stop the other process or choose another with --port`;
  }
  if (errno?.code === 'EADDRNOTAVAIL') return `cannot bind to ${errno.address ?? 'that address'}: it is not an address of this machine`;
  if (errno?.code === 'EACCES') return `permission denied binding port ${errno.port ?? ''}: use a port above 1023`;
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
