// The commander program behind the `clawgate` bin: one file per command in src/cli/commands/.
import { Command } from 'commander';
import { registerGatewayCommand } from './commands/gateway.js';
import { registerMemoryCommand } from './commands/memory.js';
import { registerPairCommand } from './commands/pair.js';
import { registerTokensCommand } from './commands/tokens.js';

export function createProgram(): Command {
  const program = new Command();
  program.name('clawgate').description('HTTP gateway of a personal AI agent').showHelpAfterError();
  registerGatewayCommand(program);
  registerMemoryCommand(program);
  registerPairCommand(program);
  registerTokensCommand(program);
  return program;
}
