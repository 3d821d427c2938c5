import { describe, expect, it } from 'vitest';
import { validateConfig } from './config.js';

const none = { ini: {}, env: {}, flags: {} };

describe('validateConfig', () => {
  it('gives the original defaults and the embedded log when nothing is set', () => {
    const { config, errors } = validateConfig(none);
    expect(errors).toEqual([]);
    expect(config.brokers).toEqual([]);
    expect(config.topics).toEqual({ products: 'demo.products', purchases: 'demo.purchases', inventories: 'demo.inventories' });
    expect(config.rules).toMatchObject({ minSaleFreq: 2, maxSaleFreq: 5, memberFreq: 3, clubMemberDiscount: 0.1, supplementsCost: 1.99, minInventory: 10, restockAmount: 15 });
    expect(config.numberOfSales).toBe(1000);
    expect(config.dataDir).toBe('./.salesstream');
  });

  it('takes flags over environment over ini', () => {
    const ini = { KAFKA: { bootstrap_servers: 'ini:1' } };
    expect(validateConfig({ ini, env: {}, flags: {} }).config.brokers).toEqual(['ini:1']);
    expect(validateConfig({ ini, env: { SALESSTREAM_BROKERS: 'env:2,env:3' }, flags: {} }).config.brokers).toEqual(['env:2', 'env:3']);
    expect(validateConfig({ ini, env: { SALESSTREAM_BROKERS: 'env:2' }, flags: { brokers: 'flag:4' } }).config.brokers).toEqual(['flag:4']);
    expect(validateConfig({ ini, env: { SALESSTREAM_DATA_DIR: '/env' }, flags: {} }).config.dataDir).toBe('/env');
    expect(validateConfig({ ini, env: { SALESSTREAM_DATA_DIR: '/env' }, flags: { dataDir: '/flag' } }).config.dataDir).toBe('/flag');
  });

  it('reads the ini\'s SALES and INVENTORY keys', () => {
    const { config } = validateConfig({ ...none, ini: { SALES: { min_sale_freq: '1', max_sale_freq: '2', club_member_discount: '.25', number_of_sales: '0' }, INVENTORY: { restock_amount: '40' } } });
    expect(config.rules).toMatchObject({ minSaleFreq: 1, maxSaleFreq: 2, clubMemberDiscount: 0.25, restockAmount: 40 });
    expect(config.numberOfSales).toBe(0);
  });

  it('names every bad key at once, with what is accepted', () => {
    const { errors } = validateConfig({
      ini: { KAFKA: { auth_method: 'kerberos', topic_purchases: 'bad topic' }, SALES: { member_freq: '11', min_sale_freq: 'x', supplements_cost: '-1' } },
      env: { SALESSTREAM_BROKERS: 'nohost' },
      flags: {},
    });
    expect(errors).toEqual(expect.arrayContaining([
      expect.stringContaining('"nohost" is not host:port'),
      expect.stringContaining('auth_method "kerberos"'),
      expect.stringContaining('topic_purchases "bad topic"'),
      expect.stringContaining('member_freq = "11" is not accepted: use a whole number from 0 to 10'),
      expect.stringContaining('min_sale_freq = "x"'),
      expect.stringContaining('supplements_cost = "-1"'),
    ]));
    expect(errors).toHaveLength(6);
  });

  it('needs credentials for sasl_scram, and rejects max below min', () => {
    expect(validateConfig({ ...none, ini: { KAFKA: { auth_method: 'sasl_scram' } } }).errors[0]).toMatch(/sasl_username and sasl_password/);
    const ok = validateConfig({ ...none, ini: { KAFKA: { auth_method: 'sasl_scram', sasl_username: 'u', sasl_password: 'secret' } } });
    expect(ok.errors).toEqual([]);
    expect(ok.config.auth).toEqual({ method: 'sasl_scram', username: 'u', password: 'secret' });
    expect(validateConfig({ ...none, ini: { SALES: { min_sale_freq: '6' } } }).errors[0]).toMatch(/max_sale_freq must be ≥ min_sale_freq/);
  });

  it('reads the generator keys (issue 12) with the same parsers as their flags, and names each bad one', () => {
    const { config, errors } = validateConfig({ ...none, ini: {
      GENERATOR: { profile: 'realistic' },
      STORE: { hours: 'Mon-Fri 08:00-20:00, Sat 09:00-12:00', time_zone: 'Europe/Paris', daily_curve: '08:2, 12:1' },
      DISORDER: { late_fraction: '0.1', max_delay: '15m', skew: '' },
    } });
    expect(errors).toEqual([]);
    expect(config.generator.profile).toBe('realistic');
    expect(config.generator.values).toMatchObject({ timeZone: 'Europe/Paris', lateFraction: 0.1, maxDelay: 15 * 60_000_000 });
    expect(config.generator.values.hours?.[5]).toEqual([[540, 720]]);
    expect(config.generator.values.dailyCurve?.slice(7, 13)).toEqual([1, 2, 2, 2, 2, 1]);
    expect('skew' in config.generator.values).toBe(false); // empty: the profile's

    const bad = validateConfig({ ...none, ini: {
      GENERATOR: { profile: 'wild' },
      STORE: { hours: 'Mon-Fri 20:00-08:00', time_zone: 'Mars/Olympus', weekly_curve: 'Fri:x' },
      ANOMALIES: { schedule: 'tomorrow 2h storm' },
      DISORDER: { late_fraction: '1.5', max_delay: '10 parsecs' },
    } }).errors;
    expect(bad).toEqual([
      expect.stringMatching(/^\[STORE\] hours: "Mon-Fri 20:00-08:00" has "20:00-08:00": closing must come after opening/),
      expect.stringMatching(/^\[STORE\] time_zone: "Mars\/Olympus" is not a time zone/),
      expect.stringMatching(/^\[STORE\] weekly_curve: "Fri:x" is not DAY:WEIGHT/),
      expect.stringMatching(/^\[ANOMALIES\] schedule: "tomorrow 2h storm" does not start with an ISO time/),
      expect.stringMatching(/^\[DISORDER\] late_fraction: "1.5" is not accepted: use a number from 0 to 1/),
      expect.stringMatching(/^\[DISORDER\] max_delay: "10 parsecs" is not a duration/),
      expect.stringMatching(/^\[GENERATOR\] profile = "wild" is not accepted: use classic, realistic, chaos/),
    ]);
    expect(validateConfig({ ...none, ini: { STORE: { hourz: '08:00' } } }).errors).toEqual([expect.stringMatching(/^\[STORE\] hourz is not a key salesstream reads: use hours, time_zone, daily_curve, weekly_curve$/)]);
  });
});
