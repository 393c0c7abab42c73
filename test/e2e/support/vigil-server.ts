// Starts and stops a real Vigil server for the browser tests: `node src/server.ts` on a free port, with
// embedded PostgreSQL in a fresh temporary data folder. Its output goes to a log file, which is read for the
// ready line, the one-time setup link and, at the end, the clean-stop line.
import { spawn } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { STATE_DIR, type ServerState } from './run-state.ts';

const projectRoot = path.resolve(import.meta.dirname, '../../..');
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, 'localhost', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const readLog = (logFile: string) => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');

/** Kills the server's whole process group (the server and its PostgreSQL), for when it will not stop. */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

export async function startVigil(): Promise<ServerState> {
  const port = await freePort();
  const baseUrl = `http://localhost:${port}`;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'vigil-e2e-'));
  // When the tests run as root, PostgreSQL runs as its own user and must be able to enter the folder.
  chmodSync(dataDir, 0o755);
  mkdirSync(STATE_DIR, { recursive: true });
  const logFile = path.join(STATE_DIR, 'server.log');
  const log = openSync(logFile, 'w');

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    VIGIL_DATA_DIR: dataDir,
    VIGIL_PUBLIC_URL: baseUrl,
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
  };
  // Always the embedded PostgreSQL and the data folder's own key, whatever the shell running the tests has set.
  for (const name of ['DATABASE_URL', 'DATABASE_APP_URL', 'VIGIL_MASTER_KEY', 'HOST', 'VIGIL_TRUST_PROXY']) {
    delete env[name];
  }

  const child = spawn(process.execPath, ['src/server.ts'], {
    cwd: projectRoot,
    env,
    // Its own process group, so a server that will not stop can be killed with its PostgreSQL.
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  child.unref();
  const pid = child.pid;
  if (!pid) throw new Error('Could not start the Vigil server');

  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `exited with ${signal ?? `code ${code}`}`;
  });

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const output = readLog(logFile);
    const setupLink = /^\s+(http:\/\/\S+\/setup\/\S+)\s*$/m.exec(output)?.[1];
    if (/^Vigil is ready at /m.test(output) && setupLink) {
      return { baseUrl, setupLink, pid, dataDir, logFile };
    }
    if (exited) break;
    await sleep(100);
  }
  killGroup(pid);
  rmSync(dataDir, { recursive: true, force: true });
  throw new Error(
    `The Vigil server did not become ready (${exited ?? `no setup link within ${START_TIMEOUT_MS} ms`}). Its output:\n${readLog(logFile)}`,
  );
}

/**
 * Asks the server to stop (SIGTERM), waits for it to exit, then removes its data folder. Throws if it had to
 * be killed; warns if it exited without saying it stopped cleanly.
 */
export async function stopVigil(state: ServerState): Promise<void> {
  let killed = false;
  if (isAlive(state.pid)) {
    process.kill(state.pid, 'SIGTERM');
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (isAlive(state.pid) && Date.now() < deadline) await sleep(100);
    killed = isAlive(state.pid);
  }
  // Whatever happened, leave no server or PostgreSQL behind.
  killGroup(state.pid);
  await sleep(200);
  rmSync(state.dataDir, { recursive: true, force: true });

  const output = readLog(state.logFile);
  const afterStop = output
    .slice(Math.max(0, output.indexOf('SIGTERM received')))
    .split('\n')
    .slice(0, 12)
    .join('\n');
  if (killed) {
    throw new Error(
      `The Vigil server did not stop within ${STOP_TIMEOUT_MS} ms of SIGTERM and was killed. It said:\n${afterStop}`,
    );
  }
  if (!/^Vigil stopped cleanly\.$/m.test(output)) {
    process.stderr.write(
      `\nThe Vigil server exited without saying it stopped cleanly (full output in ${state.logFile}):\n${afterStop}\n\n`,
    );
  }
}
