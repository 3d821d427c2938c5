import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'ini';
import { UsageError } from '../errors.js';
import { parseCatalog, type CatalogProduct } from '../generator/catalog.js';
import { fsReason } from './folders.js';
import { validateConfig, type Config } from './config.js';

/** The configuration folder shipped with the package. */
export const PACKAGED_CONFIG_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../configuration');

export interface LoadedConfig extends Config {
  /** The ini file read, and the products.csv beside it. */
  configPath: string;
  catalogPath: string;
}

/**
 * Reads the ini (--config, else SALESSTREAM_CONFIG, else ./configuration/configuration.ini when
 * present, else the packaged one), then validates every layer at once.
 */
export function loadConfig(flags: { config?: string; brokers?: string; dataDir?: string }, env = process.env): LoadedConfig {
  const local = resolve('configuration/configuration.ini');
  const configPath = resolve(flags.config ?? env.SALESSTREAM_CONFIG ?? (existsSync(local) ? local : resolve(PACKAGED_CONFIG_DIR, 'configuration.ini')));
  let text: string;
  try {
    text = readFileSync(configPath, 'utf8');
  } catch (err) {
    throw new UsageError(`configuration file ${configPath} cannot be read: ${fsReason(err)}`);
  }
  const syntax = iniSyntaxProblem(text);
  if (syntax) throw new UsageError(`configuration file ${configPath} is not an ini file: ${syntax}`);
  const { config, errors } = validateConfig({ ini: parse(text), env, flags });
  if (errors.length) throw new UsageError(`${configPath}: ${errors.join('; ')}`);
  const besideIni = resolve(dirname(configPath), 'products.csv');
  const catalogPath = existsSync(besideIni) ? besideIni : resolve(PACKAGED_CONFIG_DIR, 'products.csv');
  return { ...config, configPath, catalogPath };
}

/**
 * The first line that is neither blank, a comment, a [SECTION] nor key = value: the ini parser
 * would guess at it (a bare word becomes a key set to true), so garbage would pass unnoticed.
 */
function iniSyntaxProblem(text: string): string | undefined {
  if (text.includes('\0') || text.includes('\uFFFD')) return 'it is not UTF-8 text';
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || /^[;#]/.test(line) || /^\[[^\]]+\]$/.test(line) || /^[^=[\]]+=/.test(line)) continue;
    return `line ${i + 1} is neither [SECTION] nor key = value: ${JSON.stringify(line.slice(0, 40))}`;
  }
  return undefined;
}

export function loadCatalog(path: string): CatalogProduct[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`catalog ${path} cannot be read`);
  }
  return parseCatalog(text, path);
}
