// Per-file setup of the WhatsApp end-to-end tests: one fake LLM and one fake Graph API per file, gateways closed after each test.
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startFakeGraphServer, type FakeGraphServer } from '../fakes/graph-server.js';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../fakes/openai-server.js';
import type { TestGateway } from '../helpers/start-gateway.js';
import { startWhatsAppGateway, type WhatsAppTestGateway } from './whatsapp-gateway.js';

/** What startWhatsAppGateway takes besides the fakes, which the suite supplies. */
export type WhatsAppSuiteGatewayOptions = Omit<Parameters<typeof startWhatsAppGateway>[0], 'llm' | 'graph'>;

export interface WhatsAppSuite {
  /** The fake LLM (OpenAI protocol) every gateway of the file talks to; reset after each test. */
  readonly llm: FakeOpenAiServer;
  /** The fake Graph API every gateway of the file sends to; reset after each test. */
  readonly graph: FakeGraphServer;
  /** A gateway with WhatsApp configured against the fakes; closed, folder removed, after the test. */
  start(options?: WhatsAppSuiteGatewayOptions): Promise<WhatsAppTestGateway>;
  /** Closes a gateway started another way (e.g. with no WhatsApp section) after the test, like start()'s. */
  closeAfterTest(gw: TestGateway): void;
  /** Closes `gw` now, folder removed, for tests that run several gateways in turn; the after-test close skips it. */
  closeNow(gw: TestGateway): Promise<void>;
}

/** Call at the top of a test file: registers the hooks that start, reset and close the fakes and the gateways. */
export function useWhatsAppSuite(): WhatsAppSuite {
  let llm: FakeOpenAiServer | undefined;
  let graph: FakeGraphServer | undefined;
  beforeAll(async () => {
    [llm, graph] = await Promise.all([startFakeOpenAiServer(), startFakeGraphServer()]);
  });
  afterAll(async () => {
    await Promise.all([llm?.close(), graph?.close()]);
  });

  const open: TestGateway[] = [];
  afterEach(async () => {
    while (open.length > 0) await open.pop()?.close({ removeDir: true });
    llm?.reset();
    graph?.reset();
  });

  function started<T>(fake: T | undefined): T {
    if (fake === undefined) throw new Error('useWhatsAppSuite: the fakes are not started (used outside a test?)');
    return fake;
  }

  return {
    get llm() {
      return started(llm);
    },
    get graph() {
      return started(graph);
    },
    async start(options = {}) {
      const gw = await startWhatsAppGateway({ llm: started(llm), graph: started(graph), ...options });
      open.push(gw);
      return gw;
    },
    closeAfterTest(gw) {
      open.push(gw);
    },
    async closeNow(gw) {
      const index = open.indexOf(gw);
      if (index !== -1) open.splice(index, 1);
      await gw.close({ removeDir: true });
    },
  };
}
