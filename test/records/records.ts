// Random purchase records for the stream/batch agreement tests (issue 14 item 9): mostly valid,
// with the nasty edges of every rule mixed in (ranges, rounding, timestamps, Unicode). Each record
// is built as wire text, so number spellings JSON.stringify never writes (2.0, 1e2, -0, 1e-400)
// reach both sides as they are.
import { rng } from '../stream/reference.js';

type Rng = ReturnType<typeof rng>;

const pad = (n: number, width: number) => String(n).padStart(width, '0');

function time(r: Rng): string {
  const roll = r.next();
  if (roll < 0.12) {
    return r.pick([
      '2022-08-31 24:00:00.000000', '2022-08-31 23:60:00', '2022-08-31 23:59:60', '2023-02-29 00:00:00', '2024-02-29 12:00:00',
      '0001-01-01 00:00:00.000000', '0050-08-31 08:00:00.000000', '0099-12-31 23:59:59', '1899-12-31 23:59:59.999999',
      '1900-01-01 00:00:00.000000', '2199-12-31 23:59:59.999999', '2200-01-01 00:00:00', '9999-12-31 00:00:00.000000',
      '2022-08-31', '2022-08-31 08:00:34+02:00', '2022-08-31  08:00:34', ' 2022-08-31 08:00:34', '2022-08-31 08:00:34.', 'noon', '',
      '2022-08-31 08:00:34.9999999', '2022-08-31T08:00:34.123456789Z', '2022-08-31 08:00:34-0000', '2022-08-31 8:00:34',
    ]);
  }
  const year = roll < 0.2 ? r.int(1900, 2199) : r.int(2020, 2026);
  const stamp = `${pad(year, 4)}-${pad(r.int(1, 12), 2)}-${pad(r.int(1, 28), 2)}${r.next() < 0.8 ? ' ' : 'T'}${pad(r.int(0, 23), 2)}:${pad(r.int(0, 59), 2)}:${pad(r.int(0, 59), 2)}`;
  const digits = r.pick([6, 6, 6, 0, 1, 3, 9]);
  const fraction = digits ? '.' + Array.from({ length: digits }, () => r.int(0, 9)).join('') : '';
  return stamp + fraction + r.pick(['', '', '', 'Z', '+00:00']);
}

/** A JSON number text: cents, odd fractions, half cents of both signs, the range's edges and beyond. */
function money(r: Rng): string {
  const roll = r.next();
  if (roll < 0.6) return (r.int(-200, 5000) / 100).toString();
  if (roll < 0.75) return (r.int(-99999, 99999) / 1000).toString(); // half cents and odd thirds of a cent
  if (roll < 0.85) return String(r.next() * r.pick([1, 100, 1e6, 2e6]) * r.pick([1, -1]));
  return r.pick(['1000000', '-1000000', '1000000.01', '999999.995', '1e17', '1e20', '-0', '-0.0', '1e-400', '1E2', '-0.125', '0.125',
    '2.675', '-2.675', '1.005', '0.005', '-0.005', '12345678901234567890', '"5.99"', 'true', 'null', '[]', '{}']);
}

function quantity(r: Rng): string {
  const roll = r.next();
  if (roll < 0.75) return String(r.int(1, 3));
  return r.pick(['0', '-3', '2.0', '1e2', '-0', '1.5', '1000000', '-1000000', '1000001', '1e20', '"2"', 'null', 'false', '1e6', '1.0000000000000002']);
}

function productId(r: Rng): string {
  if (r.next() < 0.8) return JSON.stringify(r.pick(['SF07', 'SC01', 'IS02', 'CS08', 'SF03']));
  return r.pick(['""', '5', 'null', '"\\ud800"', '"ok\\udc00"', '"\\ud83d\\ude00"', '"caf\\u00e9"', '"\\u0000x"', '"with \\"quotes\\" \\\\"',
    '"\\\\ud800"', '["SF07"]']);
}

/** One record's wire text: a purchase, now and then with a field missing, extra, or not an object at all. */
export function randomRecord(r: Rng): string {
  if (r.next() < 0.03) return r.pick(['[1,2]', '"text"', '42', 'null', '{}', 'not json', '{"transaction_time":']);
  const fields: [string, string][] = [
    ['transaction_time', r.next() < 0.97 ? JSON.stringify(time(r)) : r.pick(['20220831', 'null'])],
    ['transaction_id', r.next() < 0.9 ? JSON.stringify(String(r.int(1, 1e6))) : r.pick(['7', 'null', '["7"]', '""'])],
    ['product_id', productId(r)],
    ['price', money(r)],
    ['quantity', quantity(r)],
    ['is_member', r.pick(['true', 'false', '"yes"'])],
    ['member_discount', r.pick(['0.0', '0.1', '"none"'])],
    ['add_supplements', r.pick(['true', 'false'])],
    ['supplement_price', r.pick(['0.0', '1.99', '"x"'])],
    ['total_purchase', money(r)],
  ];
  const kept = fields.filter(() => r.next() > 0.01);
  if (r.next() < 0.03) kept.push(['extra', r.pick(['{"deep":[1,{"a":null}]}', '"\\udfff"', '"\\ud83d\\ude00"', '[[[[[[[[[[1]]]]]]]]]]'])]);
  return `{${kept.map(([k, v]) => `"${k}":${v}`).join(',')}}`;
}
