import type { Command } from 'commander';

/** "salesstream topics create", for pointing at a command's --help. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** A command's subcommands, for saying what there is when an unknown one is asked for. */
export function subcommandList(command: Command): string {
  return command.commands.map((c) => c.name()).filter((n) => n !== 'help').join(', ');
}

/** The one line a usage error ends with. */
export function usageLine(text: string, command: Command): string {
  return `${text.replace(/\.$/, '')}; see ${commandPath(command)} --help`;
}
