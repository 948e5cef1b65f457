import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../observability/logger.js';
import { DEDUPE_RETENTION_MS } from './inbox.js';
import { INBOX_FILE_NAME, SqliteInbox } from './sqlite-inbox.js';
import { describeWhatsAppInboxContract, inboundMessage, type InboxHarness } from './whatsapp-inbox.contract.js';

const logger = createSilentLogger();

function openHarness(): InboxHarness & { path: string; clock: { now: number } } {
  const dir = mkdtempSync(join(tmpdir(), 'clawgate-inbox-'));
  const path = join(dir, INBOX_FILE_NAME);
  const clock = { now: 1_700_000_000_000 };
  const make = () => new SqliteInbox({ path, logger, now: () => clock.now });
  let inbox = make();
  return {
    path,
    clock,
    get inbox() {
      return inbox;
    },
    async advance(ms) {
      clock.now += ms;
    },
    async reopen() {
      await inbox.close();
      inbox = make();
      return inbox;
    },
    async cleanup() {
      await inbox.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describeWhatsAppInboxContract('SqliteInbox', async () => openHarness());

describe('SqliteInbox', () => {
  let harness: ReturnType<typeof openHarness> | undefined;
  afterEach(async () => {
    await harness?.cleanup();
    harness = undefined;
  });

  it('writes a WAL database and hands out jobs a killed process had claimed at once after reopening', async () => {
    harness = openHarness();
    await harness.inbox.enqueue([inboundMessage('wamid.A'), inboundMessage('wamid.B')]);
    expect(await harness.inbox.claim(10, 600_000)).toHaveLength(2);
    // The first handle is abandoned without close() (a SIGKILL releases nothing); a new process opens the file.
    const restarted = new SqliteInbox({ path: harness.path, logger, now: () => harness?.clock.now ?? 0 });
    expect((await restarted.claim(10, 600_000)).map((job) => [job.message.wamid, job.attempts])).toEqual([
      ['wamid.A', 1],
      ['wamid.B', 1],
    ]);
    await restarted.close();
    const db = new Database(harness.path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('remembers a wamid for at least seven days, then forgets it', async () => {
    harness = openHarness();
    await harness.inbox.enqueue([inboundMessage('wamid.A')]);
    const [job] = await harness.inbox.claim(1, 1_000);
    await harness.inbox.ack(job?.id ?? '');
    await harness.advance(DEDUPE_RETENTION_MS - 60_000);
    expect((await harness.inbox.enqueue([inboundMessage('wamid.A')])).duplicates).toEqual(['wamid.A']);
    // Sweeping happens at most hourly: a restart sweeps at once.
    await harness.advance(2 * 60 * 60 * 1000);
    const inbox = await harness.reopen();
    expect((await inbox.enqueue([inboundMessage('wamid.A')])).queued).toEqual(['wamid.A']);
  });

  it('drops a damaged row instead of failing every claim', async () => {
    harness = openHarness();
    await harness.inbox.enqueue([inboundMessage('wamid.A'), inboundMessage('wamid.B')]);
    const db = new Database(harness.path);
    db.prepare("UPDATE whatsapp_jobs SET message = '{\"nope\":1}' WHERE wamid = 'wamid.A'").run();
    db.close();
    const jobs = await harness.inbox.claim(10, 1_000);
    expect(jobs.map((job) => job.message.wamid)).toEqual(['wamid.B']);
    expect(await harness.inbox.depth()).toBe(1);
  });

  it('refuses to store a message that would not read back, and stores nothing of that call', async () => {
    harness = openHarness();
    await expect(harness.inbox.enqueue([inboundMessage('wamid.A'), inboundMessage('wamid.B', { text: '' })])).rejects.toThrow();
    expect(await harness.inbox.depth()).toBe(0);
    expect((await harness.inbox.enqueue([inboundMessage('wamid.A')])).queued).toEqual(['wamid.A']);
  });
});
