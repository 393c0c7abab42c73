import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { EvidenceLimits } from '../../src/config.ts';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { createServices, type Services } from '../../src/composition.ts';
import { inOrganisation } from '../../src/db/database.ts';
import type { Role } from '../../src/db/schema.ts';
import { createOrganisation } from '../../src/modules/setup/organisations.ts';
import { hashPassphrase } from '../../src/platform/auth/passphrase.ts';
import { newTotpSecret, totpCodeAt } from '../../src/platform/auth/totp.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import { seal } from '../../src/platform/crypto/envelope.ts';
import type { Mailer } from '../../src/platform/mail/mailer.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

export type TestApp = {
  app: FastifyInstance;
  services: Services;
  clock: ManualClock;
  database: TestDatabase;
  close(): Promise<void>;
};

export const TEST_MASTER_KEY = Buffer.alloc(32, 7);

/** The real application on a database of the test's own, with a clock the test moves. */
export async function buildTestApp(
  options: {
    logStream?: NodeJS.WritableStream;
    mailer?: Mailer | null;
    /** A data folder of the test's own (evidence files go in its `evidence` folder); a temporary one if not. */
    dataDir?: string;
    evidenceLimits?: EvidenceLimits;
  } = {},
): Promise<TestApp> {
  const database = await createTestDatabase();
  const clock = new ManualClock(new Date());
  const dataDir = options.dataDir ?? path.join(os.tmpdir(), `vigil-test-${randomBytes(6).toString('hex')}`);
  const services = createServices({
    db: database.db,
    clock,
    masterKey: TEST_MASTER_KEY,
    publicUrl: 'http://localhost:3000',
    mailer: options.mailer ?? null,
    dataDir,
    evidenceLimits: options.evidenceLimits,
  });
  const app = await buildApp({
    db: database.db,
    services,
    logLevel: options.logStream ? 'info' : 'silent',
    logStream: options.logStream,
  });
  return {
    app,
    services,
    clock,
    database,
    async close() {
      await app.close();
      await database.drop();
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export type StaffCredentials = {
  organisationId: string;
  userId: string;
  email: string;
  passphrase: string;
  totpSecret: string;
  role: Role;
  displayName: string;
};

const unique = () => randomBytes(4).toString('hex');

/** An organisation with an enrolled administrator. */
export async function givenOrganisation(
  test: TestApp,
  serviceName = 'Northshire Stalking Service',
): Promise<StaffCredentials> {
  const passphrase = `amber kettle lantern ${unique()}`;
  const email = `admin.${unique()}@example.org`;
  const totpSecret = newTotpSecret();
  const { organisationId, userId } = await test.database.db
    .transaction()
    .execute((trx) =>
      createOrganisation(
        trx,
        test.services.keys,
        { serviceName, administrator: { displayName: 'Alex Admin', email, passphrase } },
        test.clock.now(),
        { totpSecret },
      ),
    );
  return {
    organisationId,
    userId,
    email,
    passphrase,
    totpSecret,
    role: 'administrator',
    displayName: 'Alex Admin',
  };
}

/** An active, enrolled member of staff with the given role in the organisation. */
export async function givenStaff(
  test: TestApp,
  organisationId: string,
  role: Role,
  options: { status?: 'active' | 'invited' | 'disabled'; displayName?: string } = {},
): Promise<StaffCredentials> {
  const passphrase = `willow harbour copper ${unique()}`;
  const email = `${role}.${unique()}@example.org`;
  const totpSecret = newTotpSecret();
  const userId = crypto.randomUUID();
  const displayName = options.displayName ?? `Sam ${role}`;
  await inOrganisation(test.database.db, organisationId, async (trx) => {
    const key = await test.services.keys.organisationKey(trx, organisationId);
    await trx
      .insertInto('users')
      .values({
        organisation_id: organisationId,
        user_id: userId,
        email,
        display_name: displayName,
        role,
        status: options.status ?? 'active',
        passphrase_hash: await hashPassphrase(passphrase),
        totp_secret_sealed: seal(key, totpSecret, `user.totp_secret:${organisationId}:${userId}`),
        totp_enrolled_at: test.clock.now(),
        created_at: test.clock.now(),
      })
      .execute();
  });
  return { organisationId, userId, email, passphrase, totpSecret, role, displayName };
}

/**
 * A browser for app.inject: keeps cookies, and takes the CSRF token from the last page it saw, as a person's
 * browser would. CSRF protection stays on.
 */
export class TestBrowser {
  readonly cookies = new Map<string, string>();
  csrfToken: string | undefined;
  private readonly test: TestApp;

  constructor(test: TestApp) {
    this.test = test;
  }

  private absorb(response: LightMyRequestResponse): LightMyRequestResponse {
    for (const cookie of response.cookies) {
      if (cookie.value === '' || (cookie.expires && cookie.expires.getTime() < Date.now()))
        this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    const match = /name="_csrf" value="([^"]+)"/.exec(response.body);
    if (match) this.csrfToken = match[1];
    return response;
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    return this.absorb(
      await this.test.app.inject({
        method: 'GET',
        url,
        headers: { cookie: this.cookieHeader(), accept: 'text/html' },
      }),
    );
  }

  /** Posts a form with the CSRF token from the last page (fetching the sign-in page first if there was none). */
  async post(
    url: string,
    form: Record<string, string | string[]> = {},
    options: { csrf?: boolean } = {},
  ): Promise<LightMyRequestResponse> {
    if (options.csrf !== false && !this.csrfToken) await this.get('/sign-in');
    const body = new URLSearchParams();
    for (const [key, value] of Object.entries(form)) {
      for (const item of Array.isArray(value) ? value : [value]) body.append(key, item);
    }
    if (options.csrf !== false && this.csrfToken) body.set('_csrf', this.csrfToken);
    return this.absorb(
      await this.test.app.inject({
        method: 'POST',
        url,
        headers: {
          cookie: this.cookieHeader(),
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'text/html',
        },
        payload: body.toString(),
      }),
    );
  }

  get sessionToken(): string | undefined {
    return this.cookies.get('__Host-vigil-session');
  }

  /** Signs in with passphrase and code; moves the clock on a step so every sign-in has a fresh code. */
  async signIn(user: StaffCredentials): Promise<void> {
    const first = await this.post('/sign-in', { email: user.email, passphrase: user.passphrase });
    if (first.statusCode !== 303 || first.headers.location !== '/sign-in/code') {
      throw new Error(`Passphrase step failed: ${first.statusCode} ${String(first.headers.location)}`);
    }
    this.test.clock.advance(30_000);
    const second = await this.post('/sign-in/code', {
      code: totpCodeAt(user.totpSecret, this.test.clock.now()),
    });
    if (second.statusCode !== 303 || second.headers.location !== '/') {
      throw new Error(`Code step failed: ${second.statusCode} ${String(second.headers.location)}`);
    }
  }
}

/** A browser signed in as `user`, with a fresh code. */
export async function signedInAs(test: TestApp, user: StaffCredentials): Promise<TestBrowser> {
  const browser = new TestBrowser(test);
  await browser.signIn(user);
  return browser;
}
