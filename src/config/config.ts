import type { SalesRules } from '../generator/rules.js';
import { DEFAULT_RULES } from '../generator/rules.js';
import { PROFILE_NAMES, SETTINGS, type GeneratorSettings, type ProfileName } from '../generator/settings.js';
import { nameProblem } from '../model/names.js';

export type Auth =
  | { method: 'plaintext' }
  | { method: 'sasl_scram'; username: string; password: string };

export interface Topics {
  products: string;
  purchases: string;
  inventories: string;
}

/** Everything a command needs to know about where and how to run, validated once. */
export interface Config {
  /** Empty = the embedded log. */
  brokers: string[];
  auth: Auth;
  topics: Topics;
  rules: SalesRules;
  numberOfSales: number;
  dataDir: string;
  /** [GENERATOR] profile and the generator keys the ini sets (issue 12); the rest come from the profile. */
  generator: { profile?: ProfileName; values: Partial<GeneratorSettings> };
}

/** The raw inputs, each layer as text, before validation. */
export interface ConfigSources {
  ini: Record<string, Record<string, string | undefined> | undefined>;
  env: Record<string, string | undefined>;
  flags: { brokers?: string; dataDir?: string };
}

export interface ConfigResult {
  config: Config;
  errors: string[];
}

type NumberRule = { section: string; key: string; field: keyof SalesRules | 'numberOfSales'; min: number; max?: number; integer: boolean };

const NUMBER_RULES: NumberRule[] = [
  { section: 'SALES', key: 'min_sale_freq', field: 'minSaleFreq', min: 0, integer: true },
  { section: 'SALES', key: 'max_sale_freq', field: 'maxSaleFreq', min: 0, integer: true },
  { section: 'SALES', key: 'number_of_sales', field: 'numberOfSales', min: 0, integer: true },
  { section: 'SALES', key: 'transaction_quantity_one_item_freq', field: 'transactionQuantityOneItemFreq', min: 0, max: 20, integer: true },
  { section: 'SALES', key: 'item_quantity_one_freq', field: 'itemQuantityOneFreq', min: 0, max: 30, integer: true },
  { section: 'SALES', key: 'member_freq', field: 'memberFreq', min: 0, max: 10, integer: true },
  { section: 'SALES', key: 'club_member_discount', field: 'clubMemberDiscount', min: 0, max: 1, integer: false },
  { section: 'SALES', key: 'add_supp_freq_group1', field: 'addSuppFreqGroup1', min: 0, max: 10, integer: true },
  { section: 'SALES', key: 'add_supp_freq_group2', field: 'addSuppFreqGroup2', min: 0, max: 10, integer: true },
  { section: 'SALES', key: 'supplements_cost', field: 'supplementsCost', min: 0, integer: false },
  { section: 'INVENTORY', key: 'min_inventory', field: 'minInventory', min: 0, integer: true },
  { section: 'INVENTORY', key: 'restock_amount', field: 'restockAmount', min: 1, integer: true },
];

const BROKER = /^[^\s:,]+:\d{1,5}$/;

/** Every section and key the ini may hold: anything else is a typo to report, not to ignore. */
const INI_KEYS: Record<string, string[]> = {
  KAFKA: ['bootstrap_servers', 'auth_method', 'sasl_username', 'sasl_password', 'topic_products', 'topic_purchases', 'topic_inventories'],
  SALES: NUMBER_RULES.filter((r) => r.section === 'SALES').map((r) => r.key),
  INVENTORY: NUMBER_RULES.filter((r) => r.section === 'INVENTORY').map((r) => r.key),
  GENERATOR: ['profile'],
};
// the generator's sections (issue 12): [STORE], [SUPPLY], [ANOMALIES], [DISORDER]
for (const spec of SETTINGS) (INI_KEYS[spec.section] ??= []).push(spec.key);

function unknownIniKeys(ini: ConfigSources['ini']): string[] {
  const errors: string[] = [];
  for (const [section, keys] of Object.entries(ini)) {
    const known = INI_KEYS[section];
    if (typeof keys !== 'object' || keys === null) errors.push(`${section} is outside any section: put it under ${Object.keys(INI_KEYS).map((k) => `[${k}]`).join(', ')}`);
    else if (!known) errors.push(`[${section}] is not a section salesstream reads: use ${Object.keys(INI_KEYS).map((k) => `[${k}]`).join(', ')}`);
    else for (const key of Object.keys(keys)) if (!known.includes(key)) errors.push(`[${section}] ${key} is not a key salesstream reads: use ${known.join(', ')}`);
  }
  return errors;
}

/**
 * Pure: merges flags > environment > ini > defaults and reports every problem at once, each
 * naming the key and what is accepted.
 */
export function validateConfig({ ini, env, flags }: ConfigSources): ConfigResult {
  const errors: string[] = unknownIniKeys(ini);
  const kafka = ini.KAFKA ?? {};
  const text = (v: string | undefined) => (v ?? '').trim();

  const brokersText = flags.brokers ?? env.SALESSTREAM_BROKERS ?? text(kafka.bootstrap_servers);
  const brokers = brokersText.split(',').map((b) => b.trim()).filter(Boolean);
  for (const b of brokers) {
    if (!BROKER.test(b)) errors.push(`brokers: "${b}" is not host:port`);
  }

  const method = text(kafka.auth_method) || 'plaintext';
  let auth: Auth = { method: 'plaintext' };
  if (method === 'sasl_scram') {
    const username = text(kafka.sasl_username), password = text(kafka.sasl_password);
    if (!username || !password) errors.push('[KAFKA] auth_method sasl_scram needs sasl_username and sasl_password');
    auth = { method, username, password };
  } else if (method !== 'plaintext') {
    errors.push(`[KAFKA] auth_method "${method}" is not accepted: use plaintext or sasl_scram`);
  }

  const topics: Topics = {
    products: text(kafka.topic_products) || 'demo.products',
    purchases: text(kafka.topic_purchases) || 'demo.purchases',
    inventories: text(kafka.topic_inventories) || 'demo.inventories',
  };
  for (const [key, name] of Object.entries(topics)) {
    const problem = nameProblem(name);
    if (problem !== undefined) errors.push(`[KAFKA] topic_${key} ${problem}`);
  }

  const numbers: Record<string, number> = { ...DEFAULT_RULES, numberOfSales: 1000 };
  for (const rule of NUMBER_RULES) {
    const raw = text(ini[rule.section]?.[rule.key]);
    if (raw === '') continue;
    const value = Number(raw);
    const range = rule.max === undefined ? `≥ ${rule.min}` : `from ${rule.min} to ${rule.max}`;
    if (!Number.isFinite(value) || (rule.integer && !Number.isInteger(value)) || value < rule.min || (rule.max !== undefined && value > rule.max)) {
      errors.push(`[${rule.section}] ${rule.key} = "${raw}" is not accepted: use ${rule.integer ? 'a whole number' : 'a number'} ${range}`);
      continue;
    }
    numbers[rule.field] = value;
  }
  if (numbers.maxSaleFreq < numbers.minSaleFreq) errors.push('[SALES] max_sale_freq must be ≥ min_sale_freq');
  const { numberOfSales, ...rules } = numbers;

  const generator = generatorSettings(ini, errors);

  const dataDir = flags.dataDir ?? env.SALESSTREAM_DATA_DIR ?? './.salesstream';
  if (dataDir.trim() === '') errors.push('data dir: must not be empty');

  return { config: { brokers, auth, topics, rules: rules as unknown as SalesRules, numberOfSales, dataDir, generator }, errors };
}

/** The generator keys the ini sets, each read by the same parser as its flag. */
function generatorSettings(ini: ConfigSources['ini'], errors: string[]): Config['generator'] {
  const values: Partial<GeneratorSettings> = {};
  for (const spec of SETTINGS) {
    const raw = ini[spec.section]?.[spec.key];
    if (raw === undefined || String(raw).trim() === '') continue;
    const parsed = spec.parse(String(raw));
    if (parsed.ok) (values as Record<string, unknown>)[spec.field] = parsed.value;
    else errors.push(`[${spec.section}] ${spec.key}: ${parsed.error}`);
  }
  const profileText = String(ini.GENERATOR?.profile ?? '').trim();
  let profile: ProfileName | undefined;
  if (profileText !== '') {
    if ((PROFILE_NAMES as readonly string[]).includes(profileText)) profile = profileText as ProfileName;
    else errors.push(`[GENERATOR] profile = "${profileText}" is not accepted: use ${PROFILE_NAMES.join(', ')}`);
  }
  return { profile, values };
}
