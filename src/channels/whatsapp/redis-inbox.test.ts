import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canStartRedisServer, useRedisServer } from '../../../test/helpers/redis-server.js';
import { createSilentLogger } from '../../observability/logger.js';
import { connectRedis, type RedisConnection } from '../../state/redis-connection.js';
import { createRedisKeys, type RedisKeys } from '../../state/redis-keys.js';
import { StateUnavailableError } from '../../state/state-unavailable-error.js';
import { DEDUPE_RETENTION_MS, type InboxJob } from './inbox.js';
import { RedisInbox, type RedisInboxOptions } from './redis-inbox.js';
import { describeWhatsAppInboxContract, inboundMessage } from './whatsapp-inbox.contract.js';

const logger = createSilentLogger();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const LEASE_MS = 60_000;

/** Claims every 50 ms until `inbox` hands something out (at most 5 s). */
async function claimWhenDue(inbox: RedisInbox): Promise<InboxJob[]> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const jobs = await inbox.claim(10, LEASE_MS);
    if (jobs.length > 0 || Date.now() > deadline) return jobs;
    await sleep(50);
  }
}

describe.skipIf(!canStartRedisServer())('RedisInbox', () => {
  const server = useRedisServer();
  const connections: RedisConnection[] = [];
  /** One client per simulated instance, like two gateway processes. */
  let a: RedisConnection['client'];
  let b: RedisConnection['client'];
  const connect = async (): Promise<RedisConnection> => {
    const connection = await connectRedis({ url: server().url, logger });
    connections.push(connection);
    return connection;
  };
  beforeAll(async () => {
    a = (await connect()).client;
    b = (await connect()).client;
  });
  afterAll(async () => {
    await Promise.all(connections.map((connection) => connection.close()));
  });

  const freshKeys = (): RedisKeys & { prefix: string } => {
    const prefix = `test:${randomUUID()}:`;
    return { ...createRedisKeys(prefix), prefix };
  };
  const open = (redis: RedisConnection['client'], keys: RedisKeys, extra: Partial<RedisInboxOptions> = {}): RedisInbox =>
    new RedisInbox({ redis, keys, logger, ...extra });

  // The inbox runs on Redis's clock: the suite's "advance" waits for real.
  describeWhatsAppInboxContract('RedisInbox', async () => {
    const keys = freshKeys();
    let inbox = open(a, keys);
    return {
      get inbox() {
        return inbox;
      },
      advance: (ms) => sleep(ms),
      async reopen() {
        await inbox.close();
        inbox = open(a, keys);
        return inbox;
      },
      async cleanup() {
        await inbox.close();
      },
    };
  });

  it('hands each job to exactly one of two instances claiming at once', async () => {
    const keys = freshKeys();
    const [one, two] = [open(a, keys), open(b, keys)];
    const wamids = Array.from({ length: 40 }, (_, i) => `wamid.${i}`);
    await one.enqueue(wamids.map((wamid) => inboundMessage(wamid)));
    const rounds = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? one : two).claim(3, LEASE_MS)));
    const handedOut = rounds.flat().map((job) => job.message.wamid);
    expect(handedOut.sort()).toEqual([...wamids].sort());
  });

  it('queues a wamid delivered to two instances at once only once', async () => {
    const keys = freshKeys();
    const [one, two] = [open(a, keys), open(b, keys)];
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? one : two).enqueue([inboundMessage('wamid.same')])),
    );
    expect(results.flatMap((r) => r.queued)).toEqual(['wamid.same']);
    expect(await two.depth()).toBe(1);
  });

  it('a job held by an instance that died is taken over by another after its lease, then answered once', async () => {
    const keys = freshKeys();
    const doomed = await connect();
    const dying = open(doomed.client, keys);
    const survivor = open(b, keys);
    await dying.enqueue([inboundMessage('wamid.A')]);
    const [taken] = await dying.claim(1, 1_000);
    await dying.checkpoint(taken?.id ?? '', { reply: 'the answer', chunksSent: 0 }, 1_000);
    doomed.client.disconnect(); // killed: no ack, no retry
    expect(await survivor.claim(10, LEASE_MS)).toEqual([]);
    const [again] = await claimWhenDue(survivor);
    expect(again).toMatchObject({ id: taken?.id, attempts: 1, progress: { reply: 'the answer', chunksSent: 0 } });
    await survivor.ack(again?.id ?? '');
    expect(await open(a, keys).claim(10, LEASE_MS)).toEqual([]);
    expect(await survivor.depth()).toBe(0);
  });

  it('keeps no key without a TTL once every job is acknowledged; remembers wamids for 7 days', async () => {
    const keys = freshKeys();
    const inbox = open(a, keys);
    await inbox.enqueue([inboundMessage('wamid.A'), inboundMessage('wamid.B')]);
    for (const job of await inbox.claim(10, LEASE_MS)) {
      await inbox.checkpoint(job.id, { reply: 'r', chunksSent: 0 }, LEASE_MS);
      await inbox.ack(job.id);
    }
    expect(await a.xlen(keys.whatsappQueue())).toBe(0);
    expect(await a.zcard(keys.whatsappDue())).toBe(0);
    expect(await a.hlen(keys.whatsappProgress())).toBe(0);
    const ttl = await a.pttl(keys.whatsappSeen('wamid.A'));
    expect(ttl).toBeGreaterThan(DEDUPE_RETENTION_MS - 60_000);
    expect(ttl).toBeLessThanOrEqual(DEDUPE_RETENTION_MS);
    // Beside the (empty) queue, only the expiring wamid keys are left.
    const names = await a.keys(`${keys.prefix}*`);
    for (const name of names.filter((key) => key !== keys.whatsappQueue())) expect(await a.pttl(name)).toBeGreaterThan(0);
  });

  it('hands out again a pending job whose due time was lost (recovery through XAUTOCLAIM)', async () => {
    const keys = freshKeys();
    const inbox = open(a, keys, { orphanIdleMs: 300 });
    await inbox.enqueue([inboundMessage('wamid.A')]);
    const [job] = await inbox.claim(1, LEASE_MS);
    await a.del(keys.whatsappDue());
    expect(await inbox.claim(10, LEASE_MS)).toEqual([]);
    // Once idle for orphanIdleMs, a claim finds the orphan and hands it out.
    const recovered = await claimWhenDue(inbox);
    expect(recovered.map((j) => [j.id, j.attempts])).toEqual([[job?.id, 1]]);
  });

  it('drops an entry that does not read back instead of failing every claim', async () => {
    const keys = freshKeys();
    const inbox = open(a, keys);
    await inbox.enqueue([inboundMessage('wamid.A')]);
    await a.xadd(keys.whatsappQueue(), '*', 'message', '{"nope":1}');
    await inbox.enqueue([inboundMessage('wamid.B')]);
    expect((await inbox.claim(10, LEASE_MS)).map((job) => job.message.wamid)).toEqual(['wamid.A', 'wamid.B']);
    expect(await inbox.depth()).toBe(2);
  });

  it('refuses a message that would not read back and stores nothing of that call', async () => {
    const inbox = open(a, freshKeys());
    await expect(inbox.enqueue([inboundMessage('wamid.A'), inboundMessage('wamid.B', { text: '' })])).rejects.toThrow();
    expect(await inbox.depth()).toBe(0);
    expect((await inbox.enqueue([inboundMessage('wamid.A')])).queued).toEqual(['wamid.A']);
  });

  it('rejects with StateUnavailableError, and reports unhealthy, when Redis is gone', async () => {
    const connection = await connect();
    const inbox = open(connection.client, freshKeys());
    connection.client.disconnect();
    expect(await inbox.health()).toBe(false);
    await expect(inbox.enqueue([inboundMessage('wamid.A')])).rejects.toBeInstanceOf(StateUnavailableError);
    await expect(inbox.claim(1, LEASE_MS)).rejects.toBeInstanceOf(StateUnavailableError);
    await expect(inbox.ack('1-0')).rejects.toBeInstanceOf(StateUnavailableError);
  });
});
