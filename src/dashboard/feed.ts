// The dashboard's figures, kept current for the pages that watch them: the queries run again when
// the live tables they read change (their status is looked at every CHANGE_POLL_MS), and each watcher is sent
// the figures only when they differ from what it has. One computation per shown day, however many
// pages show it.
import type { QueryAnswer, QueryLimits } from '../serve/query.js';
import type { TableStatus } from '../serve/live-table.js';
import { dashboardData, emptyDashboard, type Answers, type DashboardData, type Row } from './figures.js';
import { DASHBOARD_TABLES, DAYS_SQL, dashboardQueries } from './queries.js';

/** What the feed needs of serve's LiveStore. */
export interface FeedStore {
  query(sql: string, limits: QueryLimits): Promise<QueryAnswer>;
  status(): TableStatus[];
}

/** The age of the data: broker time of the newest purchase made visible, and the server's clock. */
export interface Freshness {
  newest: number | null;
  now: number;
}

export interface Watcher {
  /** The figures as JSON text (sent as they are). */
  figures(json: string): void;
  freshness(f: Freshness): void;
}

/** How often the tables' status is compared with the last one seen (a change triggers the queries). */
const CHANGE_POLL_MS = 100;
/** How often watchers hear the freshness (also a heartbeat that shows the connection is alive). */
const FRESHNESS_MS = 1000;

interface Group {
  date: string | undefined;
  watchers: Set<Watcher>;
  last?: string;
  running: boolean;
  dirty: boolean;
}

export function rowsOf(answer: QueryAnswer): Row[] {
  return answer.rows.map((row) => Object.fromEntries(answer.columns.map((c, i) => [c.name, row[i]])));
}

export class DashboardFeed {
  private readonly groups = new Map<string, Group>();
  private readonly timers: NodeJS.Timeout[] = [];
  private seen = '';
  private stopped = false;

  /**
   * @param defaultDate the day shown when a page names none; none = the latest day with purchases
   * @param onError a failed computation (the pages keep what they have; the next change retries)
   */
  constructor(
    private readonly store: FeedStore,
    private readonly limits: QueryLimits,
    private readonly defaultDate: string | undefined,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** The figures of a day (default: the --date day, else the latest day with purchases). */
  async figures(date = this.defaultDate): Promise<DashboardData> {
    const ask = async (sql: string) => rowsOf(await this.store.query(sql, this.limits));
    const days = await ask(DAYS_SQL);
    const shown = date ?? (days.length ? String(days[days.length - 1].day) : undefined);
    if (shown === undefined) return emptyDashboard();
    const queries = dashboardQueries(shown);
    const names = Object.keys(queries) as (keyof typeof queries)[];
    const rows = await Promise.all(names.map((name) => ask(queries[name])));
    const answers = Object.fromEntries([['days', days], ...names.map((name, i) => [name, rows[i]])]) as Answers;
    return dashboardData(shown, answers);
  }

  freshness(): Freshness {
    const purchases = this.store.status().find((s) => s.table === 'purchases');
    return { newest: purchases?.newest ?? null, now: Date.now() };
  }

  /** Sends a watcher the figures of a day now and whenever they change; returns how to stop. */
  watch(date: string | undefined, watcher: Watcher): () => void {
    const key = date ?? '';
    let group = this.groups.get(key);
    if (!group) {
      group = { date, watchers: new Set(), running: false, dirty: false };
      this.groups.set(key, group);
    }
    group.watchers.add(watcher);
    watcher.freshness(this.freshness());
    if (group.last !== undefined) watcher.figures(group.last);
    else void this.refresh(group);
    const joined = group;
    return () => {
      joined.watchers.delete(watcher);
      if (joined.watchers.size === 0 && this.groups.get(key) === joined) this.groups.delete(key);
    };
  }

  start(): void {
    this.timers.push(setInterval(() => {
      // only the tables the figures read: enrich's or totals' output arriving changes nothing shown
      const read = this.store.status().filter((s) => DASHBOARD_TABLES.includes(s.table));
      const now = JSON.stringify(read.map((s) => [s.listed, s.records, s.read, s.dropped]));
      if (now === this.seen) return;
      this.seen = now;
      for (const group of this.groups.values()) void this.refresh(group);
    }, CHANGE_POLL_MS));
    this.timers.push(setInterval(() => {
      const freshness = this.freshness();
      for (const group of this.groups.values()) for (const w of group.watchers) w.freshness(freshness);
    }, FRESHNESS_MS));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.splice(0)) clearInterval(t);
    this.groups.clear();
  }

  /** Computes a group's figures again (once more if the tables changed meanwhile) and sends what changed. */
  private async refresh(group: Group): Promise<void> {
    if (group.running) {
      group.dirty = true;
      return;
    }
    group.running = true;
    try {
      do {
        group.dirty = false;
        const text = JSON.stringify(await this.figures(group.date));
        if (text !== group.last) {
          group.last = text;
          for (const w of group.watchers) w.figures(text);
        }
      } while (group.dirty && group.watchers.size > 0);
    } catch (err) {
      // queries stopped by the shutdown are no problem
      if (!this.stopped) this.onError(err);
    } finally {
      group.running = false;
    }
  }
}
