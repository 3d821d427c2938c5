// Pinot answers the demo's aggregate queries from a star-tree: records pre-aggregated on ingest.
// serve keeps one such rollup (rollup.ts: purchases summed per hour, product and price) and this
// module decides, on DuckDB's own parse of a query (json_serialize_sql), whether the query can be
// answered from it exactly, and rewrites it if so. The rule is conservative: every part of the
// query that reads purchases must be one of the shapes below, or the query runs as written.
//   - FROM purchases, or purchases [LEFT] JOIN products on product_id; an aggregating SELECT;
//   - product_id and price (the rollup's dimensions) and any products column anywhere;
//   - transaction_time only truncated to an hour or coarser (date_trunc, DATETRUNC, CAST AS DATE),
//     or compared with >= or < to a value without columns, which must fall on a whole hour
//     (checked when the query runs: HOUR_ALIGNED fails the rewritten query, and it runs as written);
//   - quantity and total_purchase only inside count(*), count, sum, SUMPRECISION and avg, summed
//     alone or times an expression of dimensions (sum(quantity * (price - cogs))).
// Pure: no DuckDB here, only its syntax tree.
import { PRODUCTS, PURCHASES } from '../batch/schema.js';

export const ROLLUP_TABLE = '__rollup_purchases';
/** The rollup's count of purchases per group. */
export const ROLLUP_COUNT = '__n';
/**
 * A macro: its argument as a TIMESTAMP when that falls on a whole hour, else an error, so a
 * rewritten query whose time bound splits an hour fails and runs as written.
 */
export const HOUR_ALIGNED = '__hour_aligned';

/* eslint-disable @typescript-eslint/no-explicit-any -- DuckDB's serialized syntax tree is untyped JSON */
type Node = any;

const PURCHASE_COLUMNS = new Set(PURCHASES.fields.map((f) => f.name));
const PRODUCT_COLUMNS = new Set(PRODUCTS.fields.map((f) => f.name));
const DIMENSIONS = new Set(['product_id', 'price']);
const TIME = 'transaction_time';
/** Measures, and whether they are whole numbers or money (two decimals): their avg templates differ. */
const MEASURES = new Map<string, 'whole' | 'money'>([['quantity', 'whole'], ['total_purchase', 'money']]);
const COARSE_UNITS = new Set(['hour', 'day', 'week', 'month', 'quarter', 'year']);
/** Functions that give the same value for every row of a rollup group as for the group's rows. */
const SCALAR = new Set(['+', '-', '*', '/', '//', '%', 'round', 'abs', 'coalesce', 'nullif', 'lower', 'upper', 'concat', '||',
  'floor', 'ceil', 'trunc', 'greatest', 'least', 'strftime', 'epoch_ms', 'date_trunc', 'datetrunc', 'to_days', 'to_hours', 'to_minutes', 'to_weeks', 'to_months', 'to_years']);

class NotRollable extends Error {}
const refuse = (why: string): never => {
  throw new NotRollable(why);
};

/** What one SELECT over purchases reads from: the names its columns are qualified with. */
interface Scope {
  purchases: string;
  products?: string;
  /** product_id unqualified is purchases' (USING, or no products). */
  usingProductId: boolean;
  /** The select list's aliases, which ORDER BY, HAVING and GROUP BY may name. */
  aliases: Set<string>;
}

type Column = { table: 'purchases' | 'products'; name: string } | { table: 'alias'; name: string };

const lower = (s: unknown) => String(s ?? '').toLowerCase();
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

/** The plain table `name`: no schema, sample, time travel or renamed columns. */
function isTable(ref: Node, name: 'purchases' | 'products'): boolean {
  return ref?.type === 'BASE_TABLE' && lower(ref.table_name) === name && !ref.schema_name && !ref.catalog_name && !ref.sample && !ref.at_clause && !ref.column_name_alias?.length;
}
const tableName = (ref: Node) => lower(ref.alias || ref.table_name);

/** Whether a FROM reads purchases directly (the SELECTs this module looks at). */
function readsPurchases(from: Node): boolean {
  if (!from) return false;
  if (from.type === 'BASE_TABLE') return lower(from.table_name) === 'purchases';
  if (from.type === 'JOIN') return readsPurchases(from.left) || readsPurchases(from.right);
  return false;
}

function scopeOf(node: Node): Scope {
  const from = node.from_table;
  const aliases = new Set<string>((node.select_list ?? []).map((e: Node) => lower(e.alias)).filter(Boolean));
  if (isTable(from, 'purchases')) return { purchases: tableName(from), usingProductId: true, aliases };
  if (from?.type === 'JOIN' && isTable(from.left, 'purchases') && isTable(from.right, 'products') && ['INNER', 'LEFT'].includes(from.join_type) && from.ref_type === 'REGULAR') {
    const scope: Scope = { purchases: tableName(from.left), products: tableName(from.right), usingProductId: false, aliases };
    if (scope.purchases === scope.products) refuse('one name for both tables');
    const using = (from.using_columns ?? []).map(lower);
    if (using.length === 1 && using[0] === 'product_id' && !from.condition) return { ...scope, usingProductId: true };
    const c = from.condition;
    if (!using.length && c?.class === 'COMPARISON' && c.type === 'COMPARE_EQUAL') {
      const sides = [c.left, c.right].map((e: Node) => (e?.class === 'COLUMN_REF' && e.column_names.length === 2 ? e.column_names.map(lower).join('.') : ''));
      if (sides.sort().join(' ') === [`${scope.products}.product_id`, `${scope.purchases}.product_id`].sort().join(' ')) return scope;
    }
  }
  return refuse('not purchases alone or joined to products on product_id');
}

function resolve(ref: Node, scope: Scope, aliasesAllowed: boolean): Column {
  const names: string[] = ref.column_names.map(lower);
  if (names.length === 2) {
    const [table, name] = names;
    if (table === scope.purchases && PURCHASE_COLUMNS.has(name)) return { table: 'purchases', name };
    if (scope.products && table === scope.products && PRODUCT_COLUMNS.has(name)) return { table: 'products', name };
    return refuse(`column ${names.join('.')}`);
  }
  if (names.length !== 1) return refuse('qualified beyond table.column');
  const [name] = names;
  if (aliasesAllowed && scope.aliases.has(name)) return { table: 'alias', name };
  const inPurchases = PURCHASE_COLUMNS.has(name);
  const inProducts = !!scope.products && PRODUCT_COLUMNS.has(name);
  if (inPurchases && inProducts) {
    if (name === 'product_id' && scope.usingProductId) return { table: 'purchases', name };
    return refuse(`ambiguous column ${name}`);
  }
  if (inPurchases) return { table: 'purchases', name };
  if (inProducts) return { table: 'products', name };
  return refuse(`unknown column ${name}`);
}

const isConstant = (e: Node) => e?.class === 'CONSTANT';
const plainAggregate = (e: Node) => !e.distinct && !e.filter && !(e.order_bys?.orders?.length) && !e.export_state;

/** A COLUMN_REF naming transaction_time. */
function isTime(e: Node, scope: Scope): boolean {
  if (e?.class !== 'COLUMN_REF') return false;
  const c = resolve(e, scope, false);
  return c.table === 'purchases' && c.name === TIME;
}

/** transaction_time truncated to an hour or coarser: the same for every row of an hour. */
function isCoarseTime(e: Node, scope: Scope): boolean {
  if (e?.class === 'CAST' && e.cast_type?.id === 'DATE' && !e.try_cast) return isTime(e.child, scope);
  if (e?.class !== 'FUNCTION' || !['date_trunc', 'datetrunc'].includes(lower(e.function_name)) || e.children.length !== 2) return false;
  const [unit, time] = e.children;
  return isConstant(unit) && !unit.value.is_null && COARSE_UNITS.has(lower(unit.value.value)) && isTime(time, scope);
}

interface Templates {
  /** CAST(coalesce(sum(t.__n), 0) AS BIGINT): count(*) over the rollup. */
  count: Node;
  /** avg(m) of a whole-number measure and of money: the exact sum over the count, correctly rounded. */
  avg: Record<'whole' | 'money', Node>;
  /** HOUR_ALIGNED(x). */
  aligned: Node;
}

/** Replaces the placeholders of a template: column __t.__m by purchases.measure, __t.x by purchases.x, __x by `arg`. */
function fill(template: Node, purchases: string, measure: string, arg?: Node): Node {
  const walk = (n: Node): Node => {
    if (Array.isArray(n)) return n.map(walk);
    if (!n || typeof n !== 'object') return n;
    if (n.class === 'COLUMN_REF' && n.column_names.length === 2 && n.column_names[0] === '__t') {
      return { ...n, column_names: [purchases, n.column_names[1] === '__m' ? measure : n.column_names[1]] };
    }
    if (n.class === 'COLUMN_REF' && n.column_names.length === 1 && n.column_names[0] === '__x' && arg) return clone(arg);
    return Object.fromEntries(Object.entries(n).map(([k, v]) => [k, walk(v)]));
  };
  return walk(clone(template));
}

class Rewriter {
  constructor(private readonly templates: Templates) {}

  /** Rewrites every SELECT that reads purchases (in place); refuses if any cannot be. */
  statement(stmt: Node): void {
    this.visit(stmt);
  }

  /** Finds the SELECT nodes that read purchases, at any depth (CTEs, subqueries, set operations). */
  private visit(n: Node): void {
    if (Array.isArray(n)) return n.forEach((x) => this.visit(x));
    if (!n || typeof n !== 'object') return;
    if (n.type === 'SELECT_NODE' && readsPurchases(n.from_table)) this.select(n);
    for (const v of Object.values(n)) this.visit(v);
  }

  private select(node: Node): void {
    const scope = scopeOf(node);
    if (node.qualify || node.sample || node.group_sets?.length > 1) refuse('QUALIFY, SAMPLE or grouping sets');
    if (node.cte_map?.map?.length) refuse('WITH inside a SELECT over purchases');
    let aggregates = 0;
    const count = () => aggregates++;
    node.select_list = node.select_list.map((e: Node) => this.expression(e, scope, false, count));
    node.group_expressions = (node.group_expressions ?? []).map((e: Node) => this.expression(e, scope, true, count));
    if (node.having) node.having = this.expression(node.having, scope, true, count);
    for (const m of node.modifiers ?? []) {
      if (m.type === 'ORDER_MODIFIER') for (const o of m.orders) o.expression = this.expression(o.expression, scope, true, count);
      else if (m.type === 'LIMIT_MODIFIER' || m.type === 'LIMIT_PERCENT_MODIFIER') {
        if ((m.limit && !isConstant(m.limit)) || (m.offset && !isConstant(m.offset))) refuse('LIMIT of an expression');
      } else if (m.type !== 'DISTINCT_MODIFIER' || m.distinct_on_targets?.length) refuse(`modifier ${m.type}`);
    }
    // rows, not aggregates: a rollup row is not a purchase
    if (!aggregates && !(node.group_expressions.length || node.aggregate_handling === 'FORCE_AGGREGATES')) refuse('not an aggregate query');
    if (node.where_clause) node.where_clause = this.where(node.where_clause, scope);
    this.renameTable(node, scope);
  }

  /** WHERE: AND of predicates on dimensions, and of transaction_time >= / < a whole hour. */
  private where(e: Node, scope: Scope): Node {
    if (e.class === 'CONJUNCTION' && e.type === 'CONJUNCTION_AND') return { ...e, children: e.children.map((c: Node) => this.where(c, scope)) };
    if (e.class === 'COMPARISON' && (isTime(e.left, scope) || isTime(e.right, scope))) {
      const timeLeft = isTime(e.left, scope);
      const op = timeLeft ? e.type : ({ COMPARE_LESSTHANOREQUALTO: 'COMPARE_GREATERTHANOREQUALTO', COMPARE_GREATERTHAN: 'COMPARE_LESSTHAN' } as Record<string, string>)[e.type];
      if (op !== 'COMPARE_GREATERTHANOREQUALTO' && op !== 'COMPARE_LESSTHAN') refuse('transaction_time compared other than >= or <');
      const bound = timeLeft ? e.right : e.left;
      this.constantBound(bound);
      const aligned = fill(this.templates.aligned, scope.purchases, '', bound);
      return timeLeft ? { ...e, right: aligned } : { ...e, left: aligned };
    }
    return this.dimensional(e, scope);
  }

  /** A bound without columns, subqueries or functions that could differ between rows. */
  private constantBound(e: Node): void {
    if (Array.isArray(e)) return e.forEach((x) => this.constantBound(x));
    if (!e || typeof e !== 'object') return;
    if (e.class === 'COLUMN_REF' || e.class === 'SUBQUERY' || e.class === 'STAR' || e.class === 'WINDOW') refuse('bound is not constant');
    if (e.class === 'FUNCTION' && !SCALAR.has(lower(e.function_name))) refuse(`function ${e.function_name} in a time bound`);
    for (const v of Object.values(e)) this.constantBound(v);
  }

  /**
   * Checks (and rewrites) an expression outside aggregates: only dimensions, products columns,
   * coarse time, constants and the allowed aggregates; `names` lets select aliases through.
   */
  private expression(e: Node, scope: Scope, names: boolean, aggregate: () => void): Node {
    if (!e || typeof e !== 'object') return e;
    switch (e.class) {
      case 'CONSTANT':
        return e;
      case 'COLUMN_REF': {
        const c = resolve(e, scope, names);
        if (c.table !== 'purchases' || DIMENSIONS.has(c.name)) return e;
        return refuse(`${c.name} outside an aggregate`);
      }
      case 'CAST':
        if (isCoarseTime(e, scope)) return e;
        return { ...e, child: this.expression(e.child, scope, names, aggregate) };
      case 'FUNCTION': {
        if (isCoarseTime(e, scope)) return e;
        const name = lower(e.function_name);
        const rolled = this.aggregate(e, name, scope);
        if (rolled) {
          aggregate();
          return rolled;
        }
        if (!SCALAR.has(name)) refuse(`function ${name}`);
        return { ...e, children: e.children.map((c: Node) => this.expression(c, scope, names, aggregate)) };
      }
      case 'COMPARISON':
        return { ...e, left: this.expression(e.left, scope, names, aggregate), right: this.expression(e.right, scope, names, aggregate) };
      case 'CONJUNCTION':
      case 'OPERATOR':
        return { ...e, children: e.children.map((c: Node) => this.expression(c, scope, names, aggregate)) };
      case 'CASE':
        return {
          ...e,
          case_checks: e.case_checks.map((k: Node) => ({ when_expr: this.expression(k.when_expr, scope, names, aggregate), then_expr: this.expression(k.then_expr, scope, names, aggregate) })),
          else_expr: this.expression(e.else_expr, scope, names, aggregate),
        };
      case 'SUBQUERY':
        this.selfContained(e.subquery?.node);
        return e;
      default:
        return refuse(`expression ${e.class}`);
    }
  }

  /** The rollup's form of an aggregate over purchases, or undefined when `e` is no aggregate. */
  private aggregate(e: Node, name: string, scope: Scope): Node | undefined {
    if (!['count_star', 'count', 'sum', 'sumprecision', 'avg', 'min', 'max'].includes(name)) return undefined;
    if (!plainAggregate(e)) refuse(`${name} with DISTINCT, FILTER or ORDER BY`);
    if (name === 'count_star' || (name === 'count' && e.children.length === 1 && this.measureOrDimension(e.children[0], scope))) {
      return { ...fill(this.templates.count, scope.purchases, ''), alias: e.alias };
    }
    if (name === 'min' || name === 'max') {
      // the same extremes over groups as over their rows, for what is the same in a group
      return { ...e, children: e.children.map((c: Node) => this.dimensional(c, scope)) };
    }
    if (name === 'avg') {
      const m = e.children.length === 1 ? this.measureName(e.children[0], scope) : undefined;
      if (!m) refuse('avg of other than a measure');
      return { ...fill(this.templates.avg[MEASURES.get(m!)!], scope.purchases, m!), alias: e.alias };
    }
    // sum(m), sum(m * dims), sum(dims * m), SUMPRECISION(m[, p[, s]]): the rollup holds sum(m) per group
    const [arg, ...rest] = e.children;
    if (rest.some((r: Node) => !isConstant(r)) || (name === 'sum' && rest.length)) refuse(`${name} arguments`);
    if (this.measureName(arg, scope)) return e;
    if (arg?.class === 'FUNCTION' && arg.function_name === '*' && arg.children.length === 2) {
      const [a, b] = arg.children;
      if (this.measureName(a, scope)) return { ...e, children: [{ ...arg, children: [a, this.dimensional(b, scope)] }, ...rest] };
      if (this.measureName(b, scope)) return { ...e, children: [{ ...arg, children: [this.dimensional(a, scope), b] }, ...rest] };
    }
    return refuse(`${name} of other than a measure (times dimensions)`);
  }

  private measureName(e: Node, scope: Scope): string | undefined {
    if (e?.class !== 'COLUMN_REF') return undefined;
    const c = resolve(e, scope, false);
    return c.table === 'purchases' && MEASURES.has(c.name) ? c.name : undefined;
  }

  /** count(x) counts rows where x is not NULL: purchases' measures and dimensions are never NULL. */
  private measureOrDimension(e: Node, scope: Scope): boolean {
    if (e?.class !== 'COLUMN_REF') return false;
    const c = resolve(e, scope, false);
    return c.table === 'purchases' && (MEASURES.has(c.name) || DIMENSIONS.has(c.name) || c.name === TIME);
  }

  /** An expression the same for every row of a rollup group: dimensions, products, coarse time, constants. */
  private dimensional(e: Node, scope: Scope): Node {
    const aggregates = { n: 0 };
    const checked = this.expression(e, scope, false, () => aggregates.n++);
    if (aggregates.n) refuse('aggregate inside an aggregate');
    return checked;
  }

  /** A subquery inside a SELECT over purchases may not see that SELECT's rows (no correlation). */
  private selfContained(node: Node): void {
    if (node?.type !== 'SELECT_NODE') refuse('subquery other than a SELECT');
    const from = node.from_table;
    const own = new Set<string>();
    const columns = new Set<string>();
    const add = (ref: Node) => {
      if (isTable(ref, 'purchases')) PURCHASE_COLUMNS.forEach((c) => columns.add(c));
      else if (isTable(ref, 'products')) PRODUCT_COLUMNS.forEach((c) => columns.add(c));
      else refuse('subquery reading other than purchases or products');
      own.add(tableName(ref));
    };
    if (from?.type === 'JOIN') {
      add(from.left);
      add(from.right);
    } else add(from);
    const aliases = new Set<string>((node.select_list ?? []).map((e: Node) => lower(e.alias)).filter(Boolean));
    const check = (n: Node): void => {
      if (Array.isArray(n)) return n.forEach(check);
      if (!n || typeof n !== 'object') return;
      if (n.class === 'SUBQUERY') refuse('nested subquery');
      if (n.class === 'COLUMN_REF') {
        const names: string[] = n.column_names.map(lower);
        const ok = names.length === 1 ? columns.has(names[0]) || aliases.has(names[0]) : names.length === 2 && own.has(names[0]);
        if (!ok) refuse('correlated subquery');
      }
      for (const [k, v] of Object.entries(n)) if (k !== 'from_table') check(v);
    };
    check(node);
  }

  private renameTable(node: Node, scope: Scope): void {
    const table = node.from_table.type === 'JOIN' ? node.from_table.left : node.from_table;
    // the rollup answers to the name purchases had, so every qualified column still finds it
    table.table_name = ROLLUP_TABLE;
    table.alias = scope.purchases;
  }
}

/**
 * The statement rewritten to read the rollup, or undefined when it cannot be answered from it
 * exactly. `parsed` is json_serialize_sql's output for the query; `templates` the same for
 * TEMPLATE_SQL (built once by the caller, so the tree's format is the running DuckDB's).
 */
export function rewriteForRollup(parsed: Node, templates: Templates): Node | undefined {
  if (parsed?.error || parsed?.statements?.length !== 1) return undefined;
  const copy = clone(parsed);
  try {
    new Rewriter(templates).statement(copy.statements[0]);
  } catch (err) {
    if (err instanceof NotRollable) return undefined;
    throw err;
  }
  return JSON.stringify(copy) === JSON.stringify(parsed) ? undefined : copy;
}

/** The templates' source: parsed once by DuckDB, then picked apart by templatesOf. */
export const TEMPLATE_SQL = `SELECT CAST(coalesce(sum(__t.${ROLLUP_COUNT}), 0) AS BIGINT),
  CAST(sum(__t.__m) AS DOUBLE) / CAST(sum(__t.${ROLLUP_COUNT}) AS DOUBLE),
  CAST(sum(__t.__m) * 100 AS DOUBLE) / (CAST(sum(__t.${ROLLUP_COUNT}) AS DOUBLE) * 100),
  ${HOUR_ALIGNED}(__x)`;

export function templatesOf(parsed: Node): Templates {
  const [count, whole, money, aligned] = parsed.statements[0].node.select_list;
  return { count, avg: { whole, money }, aligned };
}
