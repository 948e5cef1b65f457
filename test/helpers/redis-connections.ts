// For one Redis test suite: its private redis-server and the clawgate connections opened to it, all closed after the suite.
import { afterAll } from 'vitest';
import { createSilentLogger } from '../../src/observability/logger.js';
import { connectRedis, type RedisConnection } from '../../src/state/redis-connection.js';
import { useRedisServer, type RedisServer } from './redis-server.js';

export interface RedisConnections {
  /** The suite's redis-server; call inside tests or hooks. */
  server: () => RedisServer;
  /** Opens one more connection (scripts defined, as the stores need); closed in afterAll, before the server stops. */
  connect: () => Promise<RedisConnection['client']>;
}

/** Call in a describe block: starts the server in beforeAll, like useRedisServer, and tracks the connections made. */
export function useRedisConnections(): RedisConnections {
  const server = useRedisServer();
  const connections: RedisConnection[] = [];
  // Registered after the server's own afterAll, so (hooks run as a stack) it runs first: clients quit, then the server stops.
  afterAll(async () => {
    await Promise.all(connections.map((connection) => connection.close()));
  });
  return {
    server,
    connect: async () => {
      const connection = await connectRedis({ url: server().url, logger: createSilentLogger() });
      connections.push(connection);
      return connection.client;
    },
  };
}
