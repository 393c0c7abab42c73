import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { freePort } from '../src/db/embedded.ts';

/**
 * The newcomer's path, for real: `node src/server.ts` on an empty data folder starts an embedded PostgreSQL,
 * prints a setup link, refuses a second copy on the same folder, stops cleanly on SIGTERM and keeps its data.
 */
const root = path.resolve(import.meta.dirname, '..');

type Running = { child: ChildProcess; output: () => string; readyMs: number };

const children: ChildProcess[] = [];

/** Runs `node src/server.ts` as `npm start` would, collecting everything it prints. */
function spawnServer(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ['src/server.ts'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: '', LOG_LEVEL: 'warn', NODE_ENV: 'development', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

function start(dataDir: string, port: number): Promise<Running> {
  const began = performance.now();
  const { child, output } = spawnServer({ VIGIL_DATA_DIR: dataDir, PORT: String(port) });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready in 60 s:\n${output()}`)), 60_000);
    const check = setInterval(() => {
      if (output().includes('Vigil is ready')) {
        clearInterval(check);
        clearTimeout(timer);
        resolve({ child, output, readyMs: Math.round(performance.now() - began) });
      }
    }, 50);
    child.once('exit', (code) => {
      clearInterval(check);
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${output()}`));
    });
  });
}

function run(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const { child, output } = spawnServer(env);
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output: output() })));
}

function stop(running: Running): Promise<number | null> {
  return new Promise((resolve) => {
    running.child.once('exit', (code) => resolve(code));
    running.child.kill('SIGTERM');
  });
}

/** Fetches with the cookies a browser would keep (all on localhost over http, as in development). */
class Client {
  private readonly cookies = new Map<string, string>();
  private readonly base: string;
  constructor(base: string) {
    this.base = base;
  }
  async request(
    url: string,
    form?: Record<string, string>,
  ): Promise<{ status: number; location: string | null; body: string }> {
    let body: string | undefined;
    if (form) {
      const page = await this.request(url);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
      body = new URLSearchParams({ ...form, _csrf: csrf }).toString();
    }
    const response = await fetch(`${this.base}${url}`, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body,
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const [name, ...value] = (pair ?? '').split('=');
      if (name) this.cookies.set(name, value.join('='));
    }
    return {
      status: response.status,
      location: response.headers.get('location'),
      body: await response.text(),
    };
  }
}

describe('npm start', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'vigil-start-'));
  chmodSync(dataDir, 0o755);
  after(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts on an empty folder, refuses a second copy, stops cleanly and keeps every record', async (t) => {
    const port = await freePort();
    const first = await start(dataDir, port);
    t.diagnostic(`ready with a new data folder in ${first.readyMs} ms`);
    const link = /http:\/\/localhost:\d+(\/setup\/[\w-]+)/.exec(first.output())?.[1];
    assert.ok(link, 'a setup link is printed');
    assert.match(first.output(), /generated|development master key/i);

    const ready = await fetch(`http://localhost:${port}/ready`);
    assert.equal(ready.status, 200);

    const second = await run({ VIGIL_DATA_DIR: dataDir, PORT: String(await freePort()) });
    assert.equal(second.code, 2);
    assert.match(second.output, /already in use by another Vigil process/);

    const client = new Client(`http://localhost:${port}`);
    const created = await client.request(link, {
      serviceName: 'Eastshire Stalking Service',
      displayName: 'Morgan Admin',
      email: 'morgan@example.org',
      passphrase: 'harbour quartz meadow 5',
      confirmPassphrase: 'harbour quartz meadow 5',
    });
    assert.equal(created.status, 303);

    assert.equal(await stop(first), 0);
    assert.match(first.output(), /Vigil stopped cleanly/);

    const again = await start(dataDir, port);
    t.diagnostic(`ready with an existing data folder in ${again.readyMs} ms`);
    assert.doesNotMatch(again.output(), /\/setup\//, 'setup is not offered again');
    const signIn = await new Client(`http://localhost:${port}`).request('/sign-in', {
      email: 'morgan@example.org',
      passphrase: 'harbour quartz meadow 5',
    });
    assert.equal(signIn.status, 303);
    assert.equal(
      signIn.location,
      '/account/authenticator',
      'the administrator created before the restart is still there',
    );
    assert.equal(await stop(again), 0);
  });

  it('refuses to start in production without a master key, saying which settings are missing', async () => {
    const result = await run({ NODE_ENV: 'production', VIGIL_MASTER_KEY: '' });
    assert.equal(result.code, 2);
    assert.match(result.output, /VIGIL_MASTER_KEY is required in production/);
  });
});
