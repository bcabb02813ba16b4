import type { Command } from 'commander';

/** The `fenyong plan …` group; each plan subcommand file adds itself to it. */
export function planGroup(program: Command): Command {
  return program.commands.find((command) => command.name() === 'plan') ?? program.command('plan').description('work with plans');
}
