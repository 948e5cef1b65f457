// A private redis-server per suite on a free port (no persistence unless asked), with stop/restart for outage tests.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

const BINARY = 'redis-server';
const READY_LINE = 'Ready to accept connections';
const START_TIMEOUT_MS = 10_000;

export interface RedisServerOptions {
  /** `--appendonly yes` in the server's folder: the data survives stop() / start(), as with a production Redis. */
  appendOnly?: boolean;
}

export interface RedisServer {
  /** `redis://127.0.0.1:<port>`: stays the same across stop() / start(). */
  readonly url: string;
  readonly port: number;
  /** Stops the server (its data is gone, unless `appendOnly`); clients see an outage. */
  stop(): Promise<void>;
  /** Starts it again on the same port after stop(). */
  start(): Promise<void>;
  /** Stops it for good and removes its folder. */
  close(): Promise<void>;
}

let availability: boolean | undefined;

/**
 * True when redis-server can be run. When it cannot: under CI=true this throws (a missing service is a
 * failure there); otherwise it warns loudly once and answers false, so the caller skips its suite.
 */
export function canStartRedisServer(): boolean {
  if (availability === undefined) {
    const probe = spawnSync(BINARY, ['--version'], { encoding: 'utf8' });
    availability = probe.status === 0;
  }
  if (availability) return true;
  if (process.env.CI === 'true') throw new Error(`${BINARY} is not installed, and CI=true: Redis tests cannot be skipped`);
  console.warn(`\n*** SKIPPING Redis tests: ${BINARY} is not on PATH (install redis-server to run them) ***\n`);
  return false;
}

/** For one suite: a server started in beforeAll and closed in afterAll; call the getter inside tests. */
export function useRedisServer(options: RedisServerOptions = {}): () => RedisServer {
  let server: RedisServer | undefined;
  beforeAll(async () => {
    server = await startRedisServer(options);
  });
  afterAll(async () => {
    await server?.close();
  });
  return () => {
    if (server === undefined) throw new Error('useRedisServer: the server is not started (used outside a test?)');
    return server;
  };
}

/** Starts a private redis-server: `--port <free> --save "" --appendonly no` (or yes), in its own temp folder. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const appendOnly = options.appendOnly === true;
  const dir = mkdtempSync(join(tmpdir(), 'clawgate-redis-'));
  let port = await freePort();
  let child: ChildProcess | undefined;
  // The free port can be taken between the probe and the bind; try a few.
  for (let attempt = 1; ; attempt++) {
    try {
      child = await spawnServer(port, dir, appendOnly);
      break;
    } catch (err) {
      if (attempt === 3) {
        rmSync(dir, { recursive: true, force: true });
        throw err;
      }
      port = await freePort();
    }
  }
  const killOnExit = (): void => {
    child?.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (running !== undefined) await stopProcess(running);
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    start: async () => {
      if (child !== undefined) throw new Error('redis-server is already running');
      child = await spawnServer(port, dir, appendOnly);
    },
    close: async () => {
      await stop();
      process.off('exit', killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function spawnServer(port: number, dir: string, appendOnly: boolean): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      BINARY,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', appendOnly ? 'yes' : 'no', '--dir', dir],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const timer = setTimeout(() => fail(new Error(`redis-server did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${err.message}\n${output.slice(-2000)}`));
    };
    const onExit = (code: number | null): void => fail(new Error(`redis-server exited with code ${code ?? 'null'}`));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes(READY_LINE)) {
        clearTimeout(timer);
        child.off('exit', onExit);
        // Keep draining so a full pipe never blocks the server.
        child.stdout?.removeAllListeners('data');
        child.stdout?.resume();
        child.stderr?.removeAllListeners('data');
        child.stderr?.resume();
        resolve(child);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.on('error', fail);
    child.once('exit', onExit);
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
