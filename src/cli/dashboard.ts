import type { Command } from 'commander';
import { runServe, withServeFlags, type ServeFlags } from './serve.js';
import { utcDay } from './values.js';

interface DashboardFlags extends ServeFlags {
  date?: string;
  open?: boolean;
}

export function registerDashboard(program: Command): void {
  withServeFlags(program.command('dashboard'), '8088')
    .description("the original demo's Superset dashboard in a browser: the day's sales and a live top-10 table, pushed as the topics grow (serve's API on the same port)")
    .option('--date <day>', 'the day shown, YYYY-MM-DD (default: the latest day with purchases, followed as new days come)')
    .option('--open', 'open the page in a browser')
    .action(async (flags: DashboardFlags, command: Command) => {
      const date = flags.date === undefined ? undefined : utcDay('--date', flags.date);
      const [{ DashboardFeed }, { dashboardRoutes }] = await Promise.all([import('../dashboard/feed.js'), import('../dashboard/http.js')]);
      let lastError = '';
      await runServe(flags, command, {
        attach(store, limits) {
          const feed = new DashboardFeed(store, limits, date, (err) => {
            // one line per new problem, not one per change of the tables
            const message = (err as Error)?.message ?? String(err);
            if (message !== lastError) process.stderr.write(`salesstream: dashboard figures not computed: ${message}\n`);
            lastError = message;
          });
          feed.start();
          return { routes: dashboardRoutes(feed, (text) => utcDay('date', text)), stop: () => feed.stop() };
        },
        banner: (url) => `salesstream dashboard: ${url}/ (Pinot's API on the same port); Ctrl-C stops`,
        listening: (url) => {
          if (flags.open) void openBrowser(`${url}/${date ? `?date=${date}` : ''}`);
        },
      });
    });
}

/** --open: the system's browser, when there is one; without one, a note (the URL is printed anyway). */
async function openBrowser(url: string): Promise<void> {
  const { default: open } = await import('open');
  const note = () => process.stderr.write(`salesstream: --open: no browser could be started here; open ${url} yourself\n`);
  try {
    const child = await open(url);
    child.once('error', note);
    child.once('exit', (code) => code && note());
  } catch {
    note();
  }
}
