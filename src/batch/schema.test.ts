import { describe, expect, it } from 'vitest';
import { KPI_COLUMNS, TOP_COLUMNS } from './queries.js';
import { PURCHASES, schemaForColumns, valueStruct } from './schema.js';

describe('schemaForColumns', () => {
  it('reads every checked field, and a loose field only when the command reads it', () => {
    const top = schemaForColumns(PURCHASES, TOP_COLUMNS).fields.map((f) => f.name);
    expect(top).toEqual(['transaction_time', 'transaction_id', 'product_id', 'price', 'quantity', 'total_purchase']);
    const withLoose = schemaForColumns(PURCHASES, [...KPI_COLUMNS, 'is_member']);
    expect(valueStruct(withLoose)).toContain('"is_member" BOOLEAN');
    expect(valueStruct(withLoose)).not.toContain('add_supplements');
  });
});
