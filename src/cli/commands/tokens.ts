// `clawgate tokens list | revoke FINGERPRINT`: paired tokens by fingerprint, on the running gateway.
import type { Command } from 'commander';
import { runAdminAction } from './pair.js';

interface TokenRow {
  fingerprint: string;
  created_at: string | null;
  last_used_at: string | null;
}

export function registerTokensCommand(program: Command): void {
  const tokens = program.command('tokens').description('paired bearer tokens');
  tokens
    .command('list')
    .description('list paired tokens by fingerprint (the first 12 hex digits of the hash)')
    .option('-c, --config <path>', 'config file of the running gateway')
    .option('--json', 'print JSON')
    .action(async (flags: { config?: string; json?: boolean }) => {
      await runAdminAction(async (connect) => {
        const client = await connect(flags.config);
        const rows = (await client.request('GET', '/admin/tokens'))['tokens'] as TokenRow[];
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
          return;
        }
        const lines = [['FINGERPRINT', 'CREATED', 'LAST USED'], ...rows.map((r) => [r.fingerprint, r.created_at ?? '-', r.last_used_at ?? '-'])];
        const width = (i: number) => Math.max(...lines.map((l) => (l[i] as string).length));
        for (const line of lines) process.stdout.write(`${line.map((cell, i) => cell.padEnd(width(i))).join('  ').trimEnd()}\n`);
        if (rows.length === 0) process.stdout.write('(no paired tokens)\n');
      });
    });
  tokens
    .command('revoke <fingerprint>')
    .description('revoke the token with this fingerprint; it gets 401 from its next request on')
    .option('-c, --config <path>', 'config file of the running gateway')
    .action(async (fingerprint: string, flags: { config?: string }) => {
      await runAdminAction(async (connect) => {
        const client = await connect(flags.config);
        await client.request('DELETE', `/admin/tokens/${encodeURIComponent(fingerprint)}`);
        process.stdout.write(`revoked ${fingerprint}\n`);
      });
    });
}
