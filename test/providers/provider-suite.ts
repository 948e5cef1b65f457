// Per-file setup of the protocol tests: one vendor fake for the file, and providers built on it, closed after each test.
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { PrometheusMetrics } from '../../src/observability/prometheus-metrics.js';
import { createProvider } from '../../src/providers/create-provider.js';
import type { Provider } from '../../src/providers/provider.js';
import type { FakeVendorServer } from '../fakes/fake-vendor-server.js';
import { captureLog, makeConfig, testMetrics, type CapturedLog } from './provider-test-kit.js';

/** A provider built from a config file, with the log and metrics it writes to. */
export interface BuiltProvider {
  provider: Provider;
  log: CapturedLog;
  metrics: PrometheusMetrics;
}

export interface ProviderSuite<Fake extends FakeVendorServer> {
  /** The file's vendor fake; reset after each test. */
  readonly fake: Fake;
  /** The backoff delays built providers asked for in this test, in order: sleeps are recorded, never waited. */
  readonly delays: readonly number[];
  /** createProvider over a config file holding `file` and the environment `env`; closed after the test. */
  build(file: Record<string, unknown>, env?: NodeJS.ProcessEnv): BuiltProvider;
}

/** Call at the top of a test file: registers the hooks that start, reset and close the fake and the providers. */
export function useProviderSuite<Fake extends FakeVendorServer>(startFake: () => Promise<Fake>): ProviderSuite<Fake> {
  let fake: Fake | undefined;
  const open: Provider[] = [];
  const delays: number[] = [];

  beforeAll(async () => {
    fake = await startFake();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((p) => p.close()));
    fake?.reset();
    delays.length = 0;
  });
  afterAll(async () => {
    await fake?.close();
  });

  return {
    get fake() {
      if (fake === undefined) throw new Error('useProviderSuite: the fake is not started (used outside a test?)');
      return fake;
    },
    delays,
    build(file, env = {}) {
      const log = captureLog();
      const metrics = testMetrics();
      const provider = createProvider(makeConfig(file), {
        logger: log.logger,
        metrics,
        env,
        sleep: (ms) => {
          delays.push(ms);
          return Promise.resolve();
        },
      });
      open.push(provider);
      return { provider, log, metrics };
    },
  };
}
