// `clawgate pair new-code`: issue a new one-time pairing code on the running gateway, without a restart.
import type { Command } from 'commander';
import type { createAdminClient } from '../admin-client.js';

export function registerPairCommand(program: Command): void {
  const pair = program.command('pair').description('pairing codes for new clients');
  pair
    .command('new-code')
    .description('replace any outstanding code with a new one-time code and print it')
    .option('-c, --config <path>', 'config file of the running gateway')
    .action(async (flags: { config?: string }) => {
      await runAdminAction(async (connect) => {
        const client = await connect(flags.config);
        const { code } = await client.request('POST', '/admin/pairing-code');
        process.stdout.write(`One-time pairing code: ${String(code)}\nPair with: curl -X POST <gateway-url>/pair -H "X-Pairing-Code: ${String(code)}"\n`);
      });
    });
}

/**
 * Runs an operator action with the admin client's connect function; a known failure is one line on stderr and exit
 * code 1. The client's modules are imported here, when an operator command runs, so `clawgate gateway` never loads them.
 */
export async function runAdminAction(action: (connect: typeof createAdminClient) => Promise<void>): Promise<void> {
  const { AdminClientError, createAdminClient: connect } = await import('../admin-client.js');
  try {
    await action(connect);
  } catch (err) {
    if (!(err instanceof AdminClientError) && !(err instanceof Error && err.name === 'ConfigError')) throw err;
    process.stderr.write(`clawgate: ${err.message}\n`);
    process.exitCode = 1;
  }
}
