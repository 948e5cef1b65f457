// The suite every WhatsAppInbox implementation's test runs (style §2.3): SqliteInbox now, the Redis inbox later.
import { afterEach, describe, expect, it } from 'vitest';
import type { InboundMessage, WhatsAppInbox } from './inbox.js';

export interface InboxHarness {
  inbox: WhatsAppInbox;
  /** Moves the inbox's clock forward (a fake clock), or waits that long (a store with its own clock). */
  advance(ms: number): Promise<void>;
  /** Closes `inbox` and opens the same store again, as a restarted process would; answers the new inbox. */
  reopen(): Promise<WhatsAppInbox>;
  /** Closes whatever is open and removes the store. */
  cleanup(): Promise<void>;
}

export function inboundMessage(wamid: string, overrides: Partial<InboundMessage> = {}): InboundMessage {
  return {
    wamid,
    sender: '+16505551234',
    replyTo: { kind: 'phone', digits: '16505551234' },
    type: 'text',
    text: `text of ${wamid}`,
    phoneNumberId: '106540352242922',
    timestamp: '1749416383',
    receivedAtMs: 1_700_000_000_000,
    ...overrides,
  };
}

/** Lease used by the suite: long enough never to expire by itself during a test. */
const LEASE_MS = 60_000;

export function describeWhatsAppInboxContract(name: string, open: () => Promise<InboxHarness>): void {
  describe(`WhatsAppInbox contract: ${name}`, () => {
    let harness: InboxHarness | undefined;
    const start = async (): Promise<InboxHarness> => {
      harness = await open();
      return harness;
    };
    afterEach(async () => {
      await harness?.cleanup();
      harness = undefined;
    });

    it('queues new wamids in order and skips ones seen before, within a call and across calls', async () => {
      const { inbox } = await start();
      const first = await inbox.enqueue([inboundMessage('wamid.A'), inboundMessage('wamid.B'), inboundMessage('wamid.A')]);
      expect(first).toEqual({ queued: ['wamid.A', 'wamid.B'], duplicates: ['wamid.A'] });
      const second = await inbox.enqueue([inboundMessage('wamid.B'), inboundMessage('wamid.C')]);
      expect(second).toEqual({ queued: ['wamid.C'], duplicates: ['wamid.B'] });
      expect(await inbox.depth()).toBe(3);
      const jobs = await inbox.claim(10, LEASE_MS);
      expect(jobs.map((job) => job.message.wamid)).toEqual(['wamid.A', 'wamid.B', 'wamid.C']);
      expect(jobs[0]).toMatchObject({ attempts: 0, progress: null, message: inboundMessage('wamid.A') });
    });

    it('hands a claimed job to nobody else until its lease expires, then again with one more attempt', async () => {
      const h = await start();
      await h.inbox.enqueue([inboundMessage('wamid.A'), inboundMessage('wamid.B')]);
      const [a] = await h.inbox.claim(1, 1_000);
      expect(a?.message.wamid).toBe('wamid.A');
      expect((await h.inbox.claim(10, 1_000)).map((job) => job.message.wamid)).toEqual(['wamid.B']);
      expect(await h.inbox.claim(10, 1_000)).toEqual([]);
      await h.advance(1_500);
      const again = await h.inbox.claim(10, LEASE_MS);
      expect(again.map((job) => [job.message.wamid, job.attempts])).toEqual([
        ['wamid.A', 1],
        ['wamid.B', 1],
      ]);
    });

    it('removes acknowledged jobs for good but keeps their wamids as seen', async () => {
      const { inbox } = await start();
      await inbox.enqueue([inboundMessage('wamid.A')]);
      const [job] = await inbox.claim(1, LEASE_MS);
      await inbox.ack(job?.id ?? '');
      expect(await inbox.depth()).toBe(0);
      expect(await inbox.enqueue([inboundMessage('wamid.A')])).toEqual({ queued: [], duplicates: ['wamid.A'] });
      expect(await inbox.claim(10, LEASE_MS)).toEqual([]);
    });

    it('gives a retried job back after its delay, with its progress and attempt count', async () => {
      const h = await start();
      await h.inbox.enqueue([inboundMessage('wamid.A')]);
      const [job] = await h.inbox.claim(1, LEASE_MS);
      const id = job?.id ?? '';
      await h.inbox.checkpoint(id, { reply: 'the answer', chunksSent: 1 }, LEASE_MS);
      await h.inbox.retry(id, 2_000);
      expect(await h.inbox.claim(10, LEASE_MS)).toEqual([]);
      expect(await h.inbox.depth()).toBe(1);
      await h.advance(2_500);
      const [again] = await h.inbox.claim(10, LEASE_MS);
      expect(again).toMatchObject({ id, attempts: 1, progress: { reply: 'the answer', chunksSent: 1 } });
    });

    it('renews the lease on checkpoint', async () => {
      const h = await start();
      await h.inbox.enqueue([inboundMessage('wamid.A')]);
      const [job] = await h.inbox.claim(1, 1_000);
      await h.advance(600);
      await h.inbox.checkpoint(job?.id ?? '', { reply: 'r', chunksSent: 0 }, 1_000);
      await h.advance(600);
      expect(await h.inbox.claim(10, 1_000)).toEqual([]);
      await h.advance(600);
      expect(await h.inbox.claim(10, 1_000)).toHaveLength(1);
    });

    it('keeps queued jobs, progress and the dedupe record across a restart, and runs unfinished jobs again', async () => {
      const h = await start();
      await h.inbox.enqueue([inboundMessage('wamid.A'), inboundMessage('wamid.B')]);
      const [a] = await h.inbox.claim(1, 1_000);
      await h.inbox.checkpoint(a?.id ?? '', { reply: 'half done', chunksSent: 1 }, 1_000);
      const inbox = await h.reopen();
      await h.advance(1_500);
      const jobs = await inbox.claim(10, LEASE_MS);
      expect(jobs.map((job) => job.message.wamid)).toEqual(['wamid.A', 'wamid.B']);
      expect(jobs[0]?.progress).toEqual({ reply: 'half done', chunksSent: 1 });
      expect(await inbox.enqueue([inboundMessage('wamid.A'), inboundMessage('wamid.B')])).toEqual({
        queued: [],
        duplicates: ['wamid.A', 'wamid.B'],
      });
    });

    it('stores a BSUID reply address and non-ASCII text as given', async () => {
      const { inbox } = await start();
      const message = inboundMessage('wamid.U', {
        sender: 'US.13491208655302741918',
        replyTo: { kind: 'bsuid', userId: 'US.13491208655302741918' },
        text: 'Olá, ¿qué tal? 👋 日本語',
      });
      await inbox.enqueue([message]);
      const [job] = await inbox.claim(1, LEASE_MS);
      expect(job?.message).toEqual(message);
    });

    it('reports healthy while open', async () => {
      const { inbox } = await start();
      expect(await inbox.health()).toBe(true);
    });
  });
}
