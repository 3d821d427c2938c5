// Pinot's HTTP API over the live store (node:http: a handful of routes needs no framework):
// the broker's POST /query/sql (and GET ?sql=), and the controller's GET /tables,
// GET /tables/{name}/schema and GET /health, all on one port.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ERROR_CODES, pinotAnswer, pinotError, pinotSchema } from './pinot-api.js';
import { pinotQuery } from './pinot-sql.js';
import { QueryFailure, type QueryLimits } from './query.js';
import type { LiveStore } from './store.js';

/** A request body larger than this is refused (a query is text, not data). */
const MAX_BODY = 1 << 20;

export interface PinotServer {
  url: string;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8' });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        resolve(undefined);
        req.destroy();
      } else {
        chunks.push(chunk);
      }
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The query text and options of a broker request, or why it has none. */
function brokerRequest(method: string, url: URL, body: string | undefined): { sql: string; options?: string } | string {
  if (method === 'GET') {
    const sql = url.searchParams.get('sql');
    return sql === null ? 'give the query as ?sql=…' : { sql, options: url.searchParams.get('queryOptions') ?? undefined };
  }
  if (body === undefined) return `the request body is over ${MAX_BODY} bytes`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return 'the request body is not JSON: send {"sql": "SELECT …"}';
  }
  const { sql, queryOptions } = (parsed ?? {}) as { sql?: unknown; queryOptions?: unknown };
  if (typeof sql !== 'string') return 'the request body has no "sql" text: send {"sql": "SELECT …"}';
  return { sql, options: typeof queryOptions === 'string' ? queryOptions : undefined };
}

async function answerQuery(store: LiveStore, limits: QueryLimits, sql: string, requestOptions: string | undefined): Promise<object> {
  const started = Date.now();
  const query = pinotQuery(sql, requestOptions);
  // Pinot's timeoutMs option may shorten the limit, never lengthen it
  const asked = Number(query.options.timeoutMs);
  const timeoutMs = Number.isFinite(asked) && asked > 0 ? Math.min(asked, limits.timeoutMs) : limits.timeoutMs;
  const figures = store.figures(query.sql);
  try {
    const answer = await store.query(query.sql, { ...limits, timeoutMs });
    return pinotAnswer(answer, figures, Date.now() - started);
  } catch (err) {
    if (!(err instanceof QueryFailure)) throw err;
    const missingTable = err.kind === 'invalid' && /^Catalog Error: Table with name/i.test(err.message);
    const code = missingTable ? ERROR_CODES.table : ERROR_CODES[err.kind];
    return pinotError({ errorCode: code, message: err.message }, Date.now() - started, figures);
  }
}

/** More routes on the same port (the dashboard's): answers and resolves true, or leaves the request to Pinot's. */
export type ExtraRoutes = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

async function route(store: LiveStore, limits: QueryLimits, req: IncomingMessage, res: ServerResponse, extra?: ExtraRoutes): Promise<void> {
  if (extra && (await extra(req, res))) return;
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = req.method ?? 'GET';
  const path = url.pathname.replace(/\/+$/, '') || '/';
  if ((path === '/query/sql' || path === '/sql') && (method === 'POST' || method === 'GET')) {
    const request = brokerRequest(method, url, method === 'POST' ? await readBody(req) : '');
    if (typeof request === 'string') return send(res, 400, pinotError({ errorCode: ERROR_CODES.json, message: request }, 0));
    return send(res, 200, await answerQuery(store, limits, request.sql, request.options));
  }
  if (method !== 'GET') return send(res, 405, { code: 405, error: `${method} ${path} is not served` });
  if (path === '/health') return send(res, 200, 'OK');
  if (path === '/tables') return send(res, 200, { tables: store.tables().map((t) => t.table) });
  const schema = /^\/(?:tables|schemas)\/([^/]+)(?:\/schema)?$/.exec(path);
  if (schema) {
    const table = store.table(decodeURIComponent(schema[1]));
    if (!table) return send(res, 404, { code: 404, error: `table ${decodeURIComponent(schema[1])} does not exist` });
    return send(res, 200, pinotSchema(table.table, table.schema, table.timeColumn));
  }
  return send(res, 404, { code: 404, error: `${path} is not served: POST /query/sql, GET /tables, /tables/{name}/schema, /health` });
}

/** Serves the store on host:port (port 0 = any free port); resolves once listening. */
export function servePinot(store: LiveStore, limits: QueryLimits, host: string, port: number, extra?: ExtraRoutes): Promise<PinotServer> {
  const server: Server = createServer((req, res) => {
    route(store, limits, req, res, extra).catch((err: unknown) => {
      // a failure of the server itself, not of the query: still one answer, and the server goes on
      if (!res.headersSent) send(res, 500, pinotError({ errorCode: 450, message: `internal error: ${(err as Error)?.message ?? err}` }, 0));
      else res.destroy();
    });
  });
  // longer than clients keep idle connections (undici: 4 s), so a reused one is never cut under
  // them; close() ends them all anyway
  server.keepAliveTimeout = 30_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve({
        url: `http://${shown}:${address.port}`,
        close: () => new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        }),
      });
    });
  });
}
