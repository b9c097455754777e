// The live report: node:http on 127.0.0.1 serving the same page as `report`, rebuilt when the
// run's journal changes (size or mtime), plus /status.json, which the page polls to update its
// header and to reload itself once the journal has grown.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { UserError } from '../../harness/errors.ts';
import { runStatus } from '../commands/status.ts';
import { collectReport, type PerEraCache } from './collect.ts';
import { escapeHtml } from './escape.ts';
import { renderReport } from './html.ts';
import { statusLine } from './status-line.ts';

export interface ServeOptions {
  repo: string;
  tag: string;
  /** 0 = any free port */
  port: number;
  /** how often the page polls /status.json */
  pollMs?: number;
}

export interface ReportServer {
  url: string;
  port: number;
  /** stops listening and drops open connections */
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

/** Listens on 127.0.0.1:port; a port in use is a UserError. */
export async function startReportServer(o: ServeOptions): Promise<ReportServer> {
  const journal = path.join(o.repo, 'runs', o.tag, 'journal.jsonl');
  const pollMs = o.pollMs ?? 3000;
  const cache: { perEra?: PerEraCache } = {};
  let page: { version: string; html: string } | null = null;
  let building: Promise<string> | null = null;

  const version = (): string => {
    const s = fs.statSync(journal);
    return `${s.size}-${s.mtimeMs}`;
  };
  // One build at a time; a request during a build waits for it, then rebuilds if the journal moved on.
  const currentPage = async (): Promise<string> => {
    while (building) await building.catch(() => undefined);
    const v = version();
    if (page?.version === v) return page.html;
    building = (async () => {
      const html = renderReport(await collectReport(o.repo, o.tag, cache), { statusUrl: '/status.json', version: v, pollMs });
      page = { version: v, html };
      return html;
    })();
    try {
      return await building;
    } finally {
      building = null;
    }
  };

  const server = http.createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`the report could not be built: ${(e as Error).message}\n`);
    });
  });
  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const port = (server.address() as AddressInfo).port;
    // a page on another site could otherwise reach this server through a DNS name that resolves to 127.0.0.1
    if (req.headers.host !== `${HOST}:${port}` && req.headers.host !== `localhost:${port}`) return send(res, 421, 'text/plain', 'wrong host\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'only GET\n');
    const url = new URL(req.url ?? '/', `http://${HOST}`);
    if (url.pathname === '/' || url.pathname === '/index.html') {
      let html: string;
      try {
        html = await currentPage();
      } catch (e) {
        return send(res, 500, 'text/html', errorPage(e as Error));
      }
      return send(res, 200, 'text/html', html);
    }
    if (url.pathname === '/status.json') {
      const status = runStatus(o.repo, o.tag).out;
      return send(res, 200, 'application/json', JSON.stringify({ version: version(), status, line: statusLine(status) }));
    }
    return send(res, 404, 'text/plain', 'not found\n');
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(listenError(e, o.port)));
    server.listen(o.port, HOST, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${HOST}:${port}/`,
    port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

function send(res: http.ServerResponse, code: number, type: string, body: string): void {
  res.writeHead(code, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(body);
}

function errorPage(e: Error): string {
  return `<!DOCTYPE html><meta charset="utf-8"><title>report error</title><p>The report could not be built: ${escapeHtml(e.message)}</p>`;
}

function listenError(e: NodeJS.ErrnoException, port: number): Error {
  if (e.code === 'EADDRINUSE') {
    return new UserError(`port ${port} is in use`, `another process is already listening on ${HOST}:${port}`,
      `pass a free port with --port (e.g. --port ${port < 65535 ? port + 1 : 8750}), or --port 0 to let the system choose one`);
  }
  if (e.code === 'EACCES') {
    return new UserError(`port ${port} is not allowed`, 'ports below 1024 need administrator rights',
      'pass a port of 1024 or more with --port, or --port 0 to let the system choose one');
  }
  return e;
}
