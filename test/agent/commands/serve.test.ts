// `serve` on a hand-written run: its routes, 127.0.0.1 only, the bad inputs (port in use, invalid
// port, unknown run) and a clean stop on SIGTERM. The page in a browser is in report-browser.test.ts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { execa } from 'execa';
import { portNumber, serveCommand } from '../../../agent/commands/serve.ts';
import { startReportServer, type ReportServer } from '../../../agent/report/server.ts';
import { UserError } from '../../../harness/errors.ts';
import { PROJECT } from '../../helpers/temp-repo.ts';
import { handRun, type HandRun } from '../report/fixture.ts';

let run: HandRun;
let server: ReportServer;

before(async () => {
  run = await handRun();
  server = await startReportServer({ repo: run.dir, tag: 't', port: 0 });
});
after(async () => {
  await server.close();
  run.cleanup();
});

/** GET (or another method) with an explicit Host header; resolves with status, type and body. */
function request(url: string, o: { method?: string; host?: string } = {}): Promise<{ status: number; type: string; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: o.method ?? 'GET', headers: { host: o.host ?? u.host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('serve listens on 127.0.0.1 and serves the report, /status.json and nothing else', async () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const page = await request(server.url);
  assert.equal(page.status, 200);
  assert.equal(page.type, 'text/html; charset=utf-8');
  const data = JSON.parse(/<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(page.body)![1]);
  assert.deepEqual(data.progress.labels, ['baseline', '1', '2']);
  assert.equal(data.live.statusUrl, '/status.json');
  const status = await request(`${server.url}status.json`);
  assert.equal(status.status, 200);
  const s = JSON.parse(status.body);
  assert.equal(s.version, data.live.version);
  assert.equal(s.status.tag, 't');
  assert.equal(s.status.live, false);
  assert.equal(s.line, 'not running · iteration 2 · phase explore · best payout 0.03000 (exp 2) · kept 1, discarded 1, errors 0 · spend $0.0025');
  assert.equal((await request(`${server.url}nope`)).status, 404);
  assert.equal((await request(server.url, { method: 'POST' })).status, 405);
  // another site's DNS name pointing at 127.0.0.1 must not read the page
  assert.equal((await request(server.url, { host: 'attacker.example' })).status, 421);
});

test('serve refuses a port in use with the port named', async () => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    await assert.rejects(() => serveCommand(run.dir, { tag: 't', port }, () => assert.fail('printed a URL')), (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.equal(e.what, `port ${port} is in use`);
      assert.equal(e.why, `another process is already listening on 127.0.0.1:${port}`);
      assert.match(e.fix, /--port/);
      return true;
    });
  } finally {
    blocker.close();
  }
});

test('serve refuses an invalid --port with the exact message', () => {
  for (const bad of ['-1', '65536', 'abc', '1.5', '']) {
    assert.throws(() => portNumber(bad), { message: `expected a port number from 0 to 65535 for --port, got ${bad}` });
  }
  assert.equal(portNumber('0'), 0);
  assert.equal(portNumber('8080'), 8080);
});

test('serve refuses an unknown tag before listening and names the runs', async () => {
  await assert.rejects(() => serveCommand(run.dir, { tag: 'nope', port: 0 }, () => assert.fail('printed a URL')),
    (e: unknown) => e instanceof UserError && e.what === 'unknown run "nope"' && e.why === 'runs/ has journals for: t');
});

test('serve prints its URL and stops cleanly on SIGTERM', async () => {
  // cwd is the project so tsx and commander resolve; the command then runs in the hand-written repository
  const script = `import { Command } from 'commander';
import { register } from ${JSON.stringify(path.join(PROJECT, 'agent/commands/serve.ts'))};
process.chdir(${JSON.stringify(run.dir)});
const p = new Command(); p.exitOverride(); register(p);
await p.parseAsync(['node', 'autoresearch', 'serve', '--tag', 't', '--port', '0']);`;
  const child = execa(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: PROJECT, reject: false });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /^serving run t at (http:\/\/127\.0\.0\.1:\d+\/) \(Ctrl-C to stop\)$/m.exec(out);
      if (m) resolve(m[1]);
    });
    void child.then((r) => reject(new Error(`serve exited ${r.exitCode} before listening: ${r.stderr}`)));
  });
  assert.equal(JSON.parse((await request(`${url}status.json`)).body).status.tag, 't');
  child.kill('SIGTERM');
  const r = await child;
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /\(Ctrl-C to stop\)\nstopped$/);
  await assert.rejects(() => request(`${url}status.json`), /ECONNREFUSED/);
});
