import type { Command } from 'commander';
import type { FolderAccess } from '../config/folders.js';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { openTransport } from '../transport/open.js';
import type { Transport } from '../transport/transport.js';

/** The options every command shares. */
export interface GlobalOptions {
  brokers?: string;
  dataDir?: string;
  config?: string;
}

export function globalOptions(command: Command): GlobalOptions {
  return command.optsWithGlobals() as GlobalOptions;
}

export function configFor(command: Command): LoadedConfig {
  return loadConfig(globalOptions(command));
}

/**
 * Runs work with the configured transport and always closes it. `access`: what the command does
 * in the embedded log's data dir, checked before anything else happens there.
 */
export async function withTransport<T>(config: LoadedConfig, work: (transport: Transport) => Promise<T>, access: FolderAccess = 'write'): Promise<T> {
  const transport = await openTransport(config, access);
  try {
    return await work(transport);
  } finally {
    await transport.close();
  }
}

/**
 * Ctrl-C (or SIGTERM) aborts the returned signal so the job can flush and commit; a second
 * Ctrl-C exits at once.
 */
export function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return controller.signal;
}
