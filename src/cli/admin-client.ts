// Talks to the running gateway's operator API over loopback, with the key from <data_dir>/admin.key.
import { loadConfig } from '../config/load.js';
import { ADMIN_KEY_HEADER } from '../gateway/routes/admin.js';
import { readRuntimeFile } from '../gateway/runtime-file.js';
import { readAdminKey } from '../security/admin-key.js';

export class AdminClientError extends Error {
  override name = 'AdminClientError';
}

export interface AdminClient {
  request(method: 'GET' | 'POST' | 'DELETE', path: string): Promise<Record<string, unknown>>;
}

export async function createAdminClient(configPath: string | undefined): Promise<AdminClient> {
  const { config } = await loadConfig(configPath === undefined ? {} : { configPath });
  const runtime = readRuntimeFile(config.dataDir);
  if (runtime === null) {
    throw new AdminClientError(`no running gateway found for ${config.configPath} (start it with: clawgate gateway)`);
  }
  let key: string;
  try {
    key = readAdminKey(config.dataDir);
  } catch {
    throw new AdminClientError(`cannot read the admin key in ${config.dataDir}: run this command as the gateway's user`);
  }
  return {
    async request(method, path) {
      let response: Response;
      try {
        response = await fetch(`${runtime.url}${path}`, { method, headers: { [ADMIN_KEY_HEADER]: key } });
      } catch {
        throw new AdminClientError(`the gateway at ${runtime.url} does not answer (pid ${runtime.pid}): is it running?`);
      }
      const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
      if (!response.ok) throw new AdminClientError(String(body['error'] ?? `HTTP ${response.status}`));
      return body;
    },
  };
}
