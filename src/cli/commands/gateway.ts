// `clawgate gateway [--config PATH] [--host HOST] [--port PORT]`: run until SIGINT/SIGTERM, then drain and exit 0.
import type { Command } from 'commander';
import type { RunningGateway } from '../../main.js';
import { parsePort } from '../options.js';

interface GatewayFlags {
  config?: string;
  host?: string;
  port?: number;
}

export function registerGatewayCommand(program: Command): void {
  program
    .command('gateway')
    .description('start the HTTP gateway')
    .option('-c, --config <path>', 'config file (default: $CLAWGATE_CONFIG or ~/.clawgate/config.toml)')
    .option('--host <host>', 'bind address (beats ZEROCLAW_GATEWAY_HOST and the file)')
    .option('-p, --port <port>', 'port, 0 for any free port (beats ZEROCLAW_GATEWAY_PORT and the file)', parsePort)
    .action(async (flags: GatewayFlags) => {
      // Signals are trapped before startup, so one that arrives while starting still drains and exits 0.
      let running: RunningGateway | undefined;
      let stopRequested = false;
      const stop = (signal: NodeJS.Signals) => {
        if (stopRequested) return;
        stopRequested = true;
        if (running !== undefined) void shutdown(running, signal);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);

      // The gateway's modules load only when this command runs: other commands never pay for fastify and the rest.
      const [{ runGateway }, { describeStartupError }] = await Promise.all([
        import('../../main.js'),
        import('../startup-error.js'),
      ]);
      try {
        running = await runGateway({
          ...(flags.config !== undefined ? { configPath: flags.config } : {}),
          flags: {
            ...(flags.host !== undefined ? { host: flags.host } : {}),
            ...(flags.port !== undefined ? { port: flags.port } : {}),
          },
        });
      } catch (err) {
        process.stderr.write(`clawgate: ${describeStartupError(err)}\n`);
        process.exit(1);
      }
      if (stopRequested) await shutdown(running, 'SIGTERM');
    });
}

async function shutdown(running: RunningGateway, signal: NodeJS.Signals): Promise<void> {
  running.deps.logger.info({ signal }, 'shutting down: draining in-flight requests');
  try {
    await running.shutdown();
    process.exit(0);
  } catch (err) {
    process.stderr.write(`clawgate: shutdown failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
