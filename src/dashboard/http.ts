// The dashboard's routes, served beside Pinot's API on the same port: the page and its modules
// (src/dashboard/static, read from the source folder, so no build step touches them), ECharts from
// the installed npm package, the figures as JSON, and the figures pushed as Server-Sent Events.
import { readFileSync, readdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve } from 'node:path';
import type { DashboardFeed } from './feed.js';

/** The page's own files: dist/dashboard/ → src/dashboard/static (both in the installed package). */
const STATIC_DIR = resolve(import.meta.dirname, '../../src/dashboard/static');
/** ECharts' ES module build, from the installed package (its "exports" name no dist/ path: resolve the main file's folder). */
const ECHARTS = join(dirname(createRequire(import.meta.url).resolve('echarts')), 'echarts.esm.min.mjs');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Tells the page's EventSource to come back this soon after the connection is lost. */
const RETRY_MS = 1000;

interface Asset {
  path: string;
  type: string;
  /** Long-lived: ECharts changes only with the package. */
  immutable: boolean;
}

/** Only the files named here are ever read: a request names an asset, never a path. */
function assets(): Map<string, Asset> {
  const map = new Map<string, Asset>();
  for (const name of readdirSync(STATIC_DIR)) {
    const type = TYPES[extname(name)];
    if (type) map.set(`/static/${name}`, { path: join(STATIC_DIR, name), type, immutable: false });
  }
  map.set('/', { path: join(STATIC_DIR, 'index.html'), type: TYPES['.html'], immutable: false });
  map.set('/vendor/echarts.js', { path: ECHARTS, type: TYPES['.mjs'], immutable: true });
  return map;
}

/** A day given as ?date=, checked by the caller's rule; undefined = the default day. */
export type DayCheck = (text: string) => string;

/**
 * The dashboard's request handler for servePinot's `extra` hook: true when it answered.
 * @param checkDay returns the day, or throws an Error whose message says what is accepted
 */
export function dashboardRoutes(feed: DashboardFeed, checkDay: DayCheck) {
  const files = assets();
  const sendText = (res: ServerResponse, status: number, text: string) => {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`${text}\n`);
  };

  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const asset = files.get(url.pathname);
    if (asset) {
      res.writeHead(200, { 'Content-Type': asset.type, 'Cache-Control': asset.immutable ? 'public, max-age=86400' : 'no-cache' });
      res.end(req.method === 'HEAD' ? undefined : readFileSync(asset.path));
      return true;
    }
    if (url.pathname !== '/api/dashboard' && url.pathname !== '/events') return false;
    const text = url.searchParams.get('date');
    let date: string | undefined;
    try {
      date = text ? checkDay(text) : undefined;
    } catch (err) {
      sendText(res, 400, (err as Error).message);
      return true;
    }
    if (url.pathname === '/api/dashboard') {
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(JSON.stringify(await feed.figures(date)));
      return true;
    }
    // Server-Sent Events: the figures now and on every change, the freshness every second
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    res.write(`retry: ${RETRY_MS}\n\n`);
    const stop = feed.watch(date, {
      figures: (json) => res.write(`event: figures\ndata: ${json}\n\n`),
      freshness: (f) => res.write(`event: freshness\ndata: ${JSON.stringify(f)}\n\n`),
    });
    res.on('close', stop);
    return true;
  };
}
