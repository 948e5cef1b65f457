// `clawgate gateway [--config PATH] [--host HOST] [--port PORT]`: run until SIGINT/SIGTERM, then drain and exit 0.
import type { Command } from 'commander';
import { runGateway } from '../../main.js';
import { describeStartupError } from '../startup-error.js';
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
      let running;
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
      let stopping = false;
      const stop = (signal: NodeJS.Signals) => {
        if (stopping) return;
        stopping = true;
        running.deps.logger.info({ signal }, 'shutting down: draining in-flight requests');
        running
          .shutdown()
          .then(() => process.exit(0))
          .catch((err: unknown) => {
            process.stderr.write(`clawgate: shutdown failed: ${err instanceof Error ? err.message : String(err)}\n`);
            process.exit(1);
          });
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
