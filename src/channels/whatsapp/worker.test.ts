import type { CancelSignal } from '../../providers/cancel-signal.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { Agent, AgentTurn } from '../../agent/agent.js';
import { createSilentLogger } from '../../observability/logger.js';
import { createPrometheusMetrics } from '../../observability/prometheus-metrics.js';
import type { GraphClient } from './graph-client.js';
import { GraphHttpError } from './graph-errors.js';
import type { ReplyAddress } from './inbox.js';
import { createSenderAllowlist } from './sender-allowlist.js';
import { SqliteInbox } from './sqlite-inbox.js';
import { inboundMessage } from './whatsapp-inbox.contract.js';
import { createWhatsAppWorker, WHATSAPP_APOLOGY, type WhatsAppWorker } from './worker.js';

const logger = createSilentLogger();

/** A promise the test resolves by hand. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Waits for `gate`, or rejects as soon as `signal` aborts (as a real provider call does). */
function waitOrAbort(gate: Promise<void> | undefined, signal: CancelSignal | undefined): Promise<void> {
  if (gate === undefined) return Promise.resolve();
  return new Promise((resolve, reject) => {
    signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
    gate.then(resolve, reject);
  });
}

async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}

interface Harness {
  inbox: SqliteInbox;
  worker: WhatsAppWorker;
  turns: AgentTurn[];
  sends: Array<{ to: ReplyAddress; body: string }>;
  /** Per message text: a gate the agent waits for before answering. */
  gates: Map<string, Promise<void>>;
}

let current: Harness | undefined;
afterEach(async () => {
  await current?.worker.stop(0);
  await current?.inbox.close();
  current = undefined;
});

function start(options: {
  agent?: (turn: AgentTurn) => Promise<string>;
  send?: (to: ReplyAddress, body: string) => Promise<string>;
  allowed?: string[];
  maxAttempts?: number;
} = {}): Harness {
  const inbox = new SqliteInbox({ path: ':memory:', logger });
  const turns: AgentTurn[] = [];
  const sends: Harness['sends'] = [];
  const gates = new Map<string, Promise<void>>();
  const agent: Agent = {
    async respond(turn) {
      turns.push(turn);
      await waitOrAbort(gates.get(turn.message), turn.signal);
      const text = options.agent ? await options.agent(turn) : `echo: ${turn.message}`;
      return { text, model: 'm', provider: 'p' };
    },
  };
  const graph: GraphClient = {
    async sendText(to, body) {
      sends.push({ to, body });
      return options.send ? options.send(to, body) : 'wamid.OUT';
    },
    async close() {},
  };
  const worker = createWhatsAppWorker({
    inbox,
    agent,
    graph,
    isAllowed: createSenderAllowlist(options.allowed ?? ['*']),
    metrics: createPrometheusMetrics({ defaultMetrics: false }),
    logger,
    llmTimeoutMs: 10_000,
    pollIntervalMs: 10,
    retryBaseMs: 1,
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
  });
  current = { inbox, worker, turns, sends, gates };
  return current;
}

const from = (digits: string) => ({ sender: `+${digits}`, replyTo: { kind: 'phone', digits } as const });

describe('WhatsAppWorker', () => {
  it('answers one sender in order while another sender is answered meanwhile', async () => {
    const h = start();
    const slow = deferred();
    h.gates.set('a1', slow.promise);
    await h.inbox.enqueue([
      inboundMessage('w1', { ...from('111'), text: 'a1' }),
      inboundMessage('w2', { ...from('111'), text: 'a2' }),
      inboundMessage('w3', { ...from('222'), text: 'b1' }),
    ]);
    h.worker.start();
    // b1 is answered while a1 is stuck; a2 waits for a1.
    await until(() => h.sends.some((s) => s.body === 'echo: b1'));
    expect(h.turns.map((t) => t.message)).toEqual(['a1', 'b1']);
    slow.resolve();
    await until(() => h.sends.length === 3);
    expect(h.sends.map((s) => s.body)).toEqual(['echo: b1', 'echo: a1', 'echo: a2']);
    expect(h.turns.map((t) => t.memoryKey())).toEqual(['whatsapp_+111_w1', 'whatsapp_+222_w3', 'whatsapp_+111_w2']);
    await until(async () => (await h.inbox.depth()) === 0);
  });

  it('acknowledges a refused sender without asking the LLM or sending anything', async () => {
    const h = start({ allowed: ['+111'] });
    await h.inbox.enqueue([inboundMessage('w1', { ...from('999'), text: 'hi' })]);
    h.worker.start();
    await until(async () => (await h.inbox.depth()) === 0);
    expect(h.turns).toEqual([]);
    expect(h.sends).toEqual([]);
  });

  it('sends the apology when the agent fails or answers nothing', async () => {
    const h = start({
      agent: async (turn) => {
        if (turn.message === 'fail') throw new Error('LLM down');
        return '  ';
      },
    });
    await h.inbox.enqueue([inboundMessage('w1', { text: 'fail' }), inboundMessage('w2', { text: 'empty' })]);
    h.worker.start();
    await until(() => h.sends.length === 2);
    expect(h.sends.map((s) => s.body)).toEqual([WHATSAPP_APOLOGY, WHATSAPP_APOLOGY]);
  });

  it('resumes a job from its saved progress: the next chunk, without the LLM', async () => {
    const h = start();
    const reply = `${'a'.repeat(4000)}\n\n${'b'.repeat(4000)}\n\n${'c'.repeat(100)}`;
    await h.inbox.enqueue([inboundMessage('w1')]);
    const [job] = await h.inbox.claim(1, 1);
    await h.inbox.checkpoint(job?.id ?? '', { reply, chunksSent: 1 }, 1);
    await h.inbox.retry(job?.id ?? '', 0);
    h.worker.start();
    await until(async () => (await h.inbox.depth()) === 0);
    expect(h.turns).toEqual([]);
    expect(h.sends.map((s) => s.body)).toEqual(['b'.repeat(4000), 'c'.repeat(100)]);
  });

  it('drops a reply on a permanent Graph error, and retries others until maxAttempts', async () => {
    let calls = 0;
    const h = start({
      maxAttempts: 3,
      send: async (_to, body) => {
        calls += 1;
        if (body === 'echo: permanent') throw new GraphHttpError('window closed', false, 400, 131047, undefined, 'tr', undefined);
        throw new GraphHttpError('busy', true, 429, 130429, undefined, 'tr', undefined);
      },
    });
    await h.inbox.enqueue([inboundMessage('w1', { text: 'permanent' })]);
    h.worker.start();
    await until(async () => (await h.inbox.depth()) === 0);
    expect(calls).toBe(1);

    await h.inbox.enqueue([inboundMessage('w2', { ...from('222'), text: 'busy' })]);
    h.worker.wake();
    await until(async () => (await h.inbox.depth()) === 0);
    // Three runs of the job; the LLM was asked once, the saved reply was resent.
    expect(calls).toBe(4);
    expect(h.turns.map((t) => t.message)).toEqual(['permanent', 'busy']);
  });

  it('on stop past the grace period, aborts the LLM call and leaves the job for the next start', async () => {
    const h = start();
    h.gates.set('stuck', new Promise<void>(() => undefined));
    h.gates.set('queued', Promise.resolve());
    await h.inbox.enqueue([inboundMessage('w1', { text: 'stuck' }), inboundMessage('w2', { text: 'queued' })]);
    const agentSeen = h.turns;
    h.worker.start();
    await until(() => agentSeen.length === 1);
    // The gate never opens: only the shutdown abort ends the turn.
    await h.worker.stop(20);
    expect(h.sends).toEqual([]);
    expect(await h.inbox.depth()).toBe(2);
    const jobs = await h.inbox.claim(10, 1_000);
    expect(jobs.map((j) => [j.message.wamid, j.progress])).toEqual([
      ['w1', null],
      ['w2', null],
    ]);
  });
});
