// The dashboard's figures, kept current for the pages that watch them: the store tells the feed
// when a table the figures read has changed (pushed on ingest, no polling), the figures are then
// computed again with one query, and each watcher is sent them only when they differ from what it
// has. One computation per shown day, however many pages show it.
import type { QueryAnswer, QueryLimits } from '../serve/query.js';
import type { ChangeListener } from '../serve/store.js';
import type { TableStatus } from '../serve/live-table.js';
import { dashboardData, emptyDashboard, type Answers, type DashboardData, type Row } from './figures.js';
import { DASHBOARD_TABLES, DAYS_SQL, dashboardSql, type AnswerName } from './queries.js';

/** What the feed needs of serve's LiveStore. */
export interface FeedStore {
  query(sql: string, limits: QueryLimits): Promise<QueryAnswer>;
  status(): TableStatus[];
  onChange(listener: ChangeListener): () => void;
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
  private unsubscribe: (() => void) | undefined;
  /** The latest day with purchases as last seen: the default day's figures ask for it up front. */
  private latest: string | undefined;
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
    let shown = date ?? this.latest;
    if (shown === undefined) {
      const days = rowsOf(await this.store.query(DAYS_SQL, this.limits));
      if (days.length === 0) return emptyDashboard();
      shown = String(days[days.length - 1].day);
    }
    const answers = await this.answers(shown);
    const latest = answers.days.length ? String(answers.days[answers.days.length - 1].day) : undefined;
    if (date === undefined && latest !== shown) {
      // a new day began (or the one assumed is gone): the default day is the latest one
      this.latest = latest;
      return latest === undefined ? emptyDashboard() : this.figures();
    }
    if (date === undefined) this.latest = latest;
    return dashboardData(shown, answers);
  }

  /** Every answer of a day, from the one query that holds them all (queries.ts dashboardSql). */
  private async answers(date: string): Promise<Answers> {
    const answer = await this.store.query(dashboardSql(date), this.limits);
    const [row] = rowsOf(answer);
    return Object.fromEntries(Object.entries(row).map(([name, json]) => [name as AnswerName, JSON.parse(String(json)) as Row[]])) as unknown as Answers;
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
    // only the tables the figures read: enrich's or totals' output arriving changes nothing shown
    this.unsubscribe = this.store.onChange((table) => {
      if (!DASHBOARD_TABLES.includes(table)) return;
      for (const group of this.groups.values()) void this.refresh(group);
    });
    this.timers.push(setInterval(() => {
      const freshness = this.freshness();
      for (const group of this.groups.values()) for (const w of group.watchers) w.freshness(freshness);
    }, FRESHNESS_MS));
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
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
