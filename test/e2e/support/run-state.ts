// State shared by the browser tests of one run: the server the global setup started, and the people the
// tests created (their passphrases, authenticator secrets and the last code step each has used).
// The global setup empties the folder first, so every run starts from nothing.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const STATE_DIR = path.resolve(import.meta.dirname, '../../../test-results/vigil-e2e');
const serverFile = path.join(STATE_DIR, 'server.json');
const peopleFile = path.join(STATE_DIR, 'people.json');

export type ServerState = {
  baseUrl: string;
  setupLink: string;
  pid: number;
  dataDir: string;
  logFile: string;
};

export type Person = {
  name: string;
  email: string;
  passphrase: string;
  /** The base32 authenticator secret, once the person has enrolled. */
  secret?: string;
  /** The last 30-second TOTP step used: the server accepts each step once per person. */
  lastStep?: number;
};

function readJson<T>(file: string, fallback: T): T {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : fallback;
}

function writeJson(file: string, value: unknown): void {
  mkdirSync(STATE_DIR, { recursive: true });
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Forgets everything from an earlier run. */
export function clearRunState(): void {
  rmSync(STATE_DIR, { recursive: true, force: true });
  mkdirSync(STATE_DIR, { recursive: true });
}

export function saveServerState(state: ServerState): void {
  writeJson(serverFile, state);
}

/** The running server: from the environment the global setup set, or the file it wrote. */
export function serverState(): ServerState {
  const saved = readJson<ServerState | undefined>(serverFile, undefined);
  const baseUrl = process.env.VIGIL_E2E_BASE_URL ?? saved?.baseUrl;
  const setupLink = process.env.VIGIL_E2E_SETUP_LINK ?? saved?.setupLink;
  if (!saved || !baseUrl || !setupLink) {
    throw new Error(
      'No Vigil server for the browser tests: run them with `npx playwright test`, which starts one.',
    );
  }
  return { ...saved, baseUrl, setupLink };
}

export function savedServerState(): ServerState | undefined {
  return readJson<ServerState | undefined>(serverFile, undefined);
}

export function rememberPerson(key: string, person: Person): void {
  writeJson(peopleFile, { ...readJson<Record<string, Person>>(peopleFile, {}), [key]: person });
}

export function updatePerson(key: string, change: Partial<Person>): Person {
  const updated = { ...person(key), ...change };
  rememberPerson(key, updated);
  return updated;
}

export function person(key: string): Person {
  const found = readJson<Record<string, Person>>(peopleFile, {})[key];
  if (!found)
    throw new Error(`No one called "${key}" has been set up yet: an earlier test must have failed.`);
  return found;
}

/** Where a person's signed-in browser state (the session cookie) is kept between tests. */
export function storageStateFile(key: string): string {
  return path.join(STATE_DIR, `${key}.storage-state.json`);
}
