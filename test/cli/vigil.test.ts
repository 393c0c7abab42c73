import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const cli = path.join(import.meta.dirname, '..', '..', 'bin', 'vigil.ts');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'vigil-cli-test-'));
const masterKey = randomBytes(32).toString('base64');
const passphrase = 'amber kettle lantern quietly';

type Result = { code: number | null; stdout: string; stderr: string };

/** Runs the command line as an operator would, in a child process with only the settings given here. */
function vigil(
  args: string[],
  options: { database?: TestDatabase; input?: string; env?: Record<string, string> } = {},
): Promise<Result> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? os.tmpdir(),
    NODE_ENV: 'test',
    VIGIL_DATA_DIR: dataDir,
    VIGIL_MASTER_KEY: masterKey,
    ...(options.database
      ? { DATABASE_URL: options.database.ownerUrl, DATABASE_APP_URL: options.database.appUrl }
      : {}),
    ...options.env,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { env, timeout: 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

const unique = () => randomBytes(4).toString('hex');

async function createOrganisationWithCli(
  database: TestDatabase,
  serviceName = 'Northshire Stalking Service',
) {
  const email = `admin.${unique()}@example.org`;
  const result = await vigil(
    ['organisation', 'create', '--name', serviceName, '--admin-name', 'Sam Jones', '--admin-email', email],
    { database, input: `${passphrase}\n` },
  );
  assert.equal(result.code, 0, result.stderr);
  const organisationId = /Organisation id:\s+([0-9a-f-]{36})/.exec(result.stdout)?.[1];
  assert.ok(organisationId, result.stdout);
  return { organisationId, email, result };
}

const databases: TestDatabase[] = [];
async function freshDatabase(): Promise<TestDatabase> {
  const database = await createTestDatabase();
  databases.push(database);
  return database;
}

after(async () => {
  await Promise.all(databases.map((database) => database.drop()));
  rmSync(dataDir, { recursive: true, force: true });
});

describe('vigil command line', () => {
  describe('help', () => {
    const commandNames = [
      'migrate',
      'organisation create',
      'audit verify',
      'audit head',
      'status',
      'setup-link',
    ];

    it('lists every command for --help, help and -h, and exits 0', async () => {
      const runs = [['--help'], ['help'], ['-h']];
      const results = await Promise.all(runs.map((args) => vigil(args)));
      results.forEach(({ code, stdout }, index) => {
        assert.equal(code, 0);
        for (const command of commandNames) {
          assert.ok(stdout.includes(command), `${runs[index]!.join(' ')} mentions ${command}`);
        }
      });
    });

    it('explains each command for <command> --help and help <command>', async () => {
      const runs = commandNames.flatMap((name) => {
        const words = name.split(' ');
        return [
          { name, args: [...words, '--help'] },
          { name, args: ['help', ...words] },
        ];
      });
      const results = await Promise.all(runs.map(({ args }) => vigil(args)));
      results.forEach(({ code, stdout }, index) => {
        const { name, args } = runs[index]!;
        assert.equal(code, 0, args.join(' '));
        assert.ok(stdout.startsWith(`Usage: vigil ${name}`), args.join(' '));
      });
      const create = results[runs.findIndex(({ name }) => name === 'organisation create')]!;
      for (const flag of ['--name', '--admin-name', '--admin-email', '--passphrase-file']) {
        assert.ok(create.stdout.includes(flag), flag);
      }
    });

    it('lists the commands of a group for vigil audit --help', async () => {
      const { code, stdout } = await vigil(['audit', '--help']);
      assert.equal(code, 0);
      assert.match(stdout, /audit verify/);
      assert.match(stdout, /audit head/);
    });
  });

  describe('wrong usage', () => {
    const usageError = (result: Result) => {
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /--help/);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    };

    it('refuses an unknown command', async () => {
      const result = await vigil(['frobnicate']);
      usageError(result);
      assert.match(result.stderr, /Unknown command 'frobnicate'/);
      assert.match((await vigil(['audit', 'frobnicate'])).stderr, /Unknown command 'audit frobnicate'/);
    });

    it('refuses a missing command or subcommand', async () => {
      const none = await vigil([]);
      assert.equal(none.code, 2);
      assert.match(none.stderr, /no command given/);
      const group = await vigil(['audit']);
      usageError(group);
      assert.match(group.stderr, /verify or head/);
    });

    it('refuses an unknown option', async () => {
      const result = await vigil(['audit', 'verify', '--everything']);
      usageError(result);
      assert.match(result.stderr, /Unknown option --everything for 'vigil audit verify'/);
    });

    it('refuses an unexpected argument', async () => {
      const result = await vigil(['status', 'now']);
      usageError(result);
      assert.match(result.stderr, /Unexpected argument 'now'/);
    });

    it('names a missing required option', async () => {
      const result = await vigil(['organisation', 'create', '--name', 'Northshire Stalking Service']);
      usageError(result);
      assert.match(result.stderr, /Missing required option --admin-name/);
    });

    it('names an option given without its value', async () => {
      const result = await vigil(['audit', 'verify', '--organisation']);
      usageError(result);
      assert.match(result.stderr, /Option --organisation needs a value/);
    });

    it('refuses an organisation id that is not a UUID', async () => {
      const result = await vigil(['audit', 'head', '--organisation', 'northshire']);
      usageError(result);
      assert.match(result.stderr, /--organisation must be an organisation id/);
    });

    it('refuses settings it cannot use, naming them', async () => {
      const result = await vigil(['status'], { env: { VIGIL_MASTER_KEY: 'too-short' } });
      assert.equal(result.code, 2);
      assert.match(result.stderr, /VIGIL_MASTER_KEY must be 32 bytes/);
    });
  });

  describe('organisation create', () => {
    let database: TestDatabase;
    before(async () => {
      database = await freshDatabase();
    });

    it('creates an organisation and an administrator with an enrolled authenticator', async () => {
      const { organisationId, email, result } = await createOrganisationWithCli(
        database,
        'Westshire Advocacy',
      );
      const organisation = await database.ownerDb
        .selectFrom('organisations')
        .selectAll()
        .where('organisation_id', '=', organisationId)
        .executeTakeFirstOrThrow();
      assert.equal(organisation.service_name, 'Westshire Advocacy');
      const admin = await database.ownerDb
        .selectFrom('users')
        .selectAll()
        .where('organisation_id', '=', organisationId)
        .executeTakeFirstOrThrow();
      assert.equal(admin.email, email);
      assert.equal(admin.display_name, 'Sam Jones');
      assert.equal(admin.role, 'administrator');
      assert.equal(admin.status, 'active');
      assert.ok(admin.totp_enrolled_at, 'the authenticator is enrolled');
      assert.ok(admin.totp_secret_sealed);
      assert.ok(admin.passphrase_hash?.startsWith('$argon2id$'));
      const installation = await database.ownerDb
        .selectFrom('installation')
        .selectAll()
        .executeTakeFirstOrThrow();
      assert.ok(installation.setup_completed_at, 'first-run setup counts as done');

      const uri = /otpauth:\/\/totp\/\S+/.exec(result.stdout)?.[0];
      assert.ok(uri, result.stdout);
      const secret = new URL(uri).searchParams.get('secret');
      assert.match(secret ?? '', /^[A-Z2-7]{32}$/);
      assert.equal(new URL(uri).searchParams.get('issuer'), 'Westshire Advocacy');
      assert.ok(
        result.stdout.includes(secret!.replace(/(.{4})/g, '$1 ').trim()),
        'the secret is shown grouped',
      );
      assert.doesNotMatch(result.stdout, new RegExp(passphrase));
    });

    it('reads the passphrase from --passphrase-file', async () => {
      const file = path.join(dataDir, 'passphrase.txt');
      writeFileSync(file, `${passphrase}\n`, { mode: 0o600 });
      const email = `file.${unique()}@example.org`;
      const result = await vigil(
        [
          'organisation',
          'create',
          '--name',
          'Eastshire',
          '--admin-name',
          'Alex Smith',
          '--admin-email',
          email,
          '--passphrase-file',
          file,
        ],
        { database },
      );
      assert.equal(result.code, 0, result.stderr);
      const user = await database.ownerDb
        .selectFrom('users')
        .select('email')
        .where('email', '=', email)
        .execute();
      assert.equal(user.length, 1);
    });

    it('refuses a weak passphrase and creates nothing', async () => {
      const before = await database.ownerDb.selectFrom('organisations').select('organisation_id').execute();
      const result = await vigil(
        [
          'organisation',
          'create',
          '--name',
          'Southshire',
          '--admin-name',
          'Jo Bloggs',
          '--admin-email',
          'jo@example.org',
        ],
        { database, input: 'password123\n' },
      );
      assert.equal(result.code, 2);
      assert.match(result.stderr, /passphrase was refused/);
      const afterwards = await database.ownerDb
        .selectFrom('organisations')
        .select('organisation_id')
        .execute();
      assert.equal(afterwards.length, before.length);
    });

    it('refuses a passphrase based on the names given', async () => {
      const result = await vigil(
        [
          'organisation',
          'create',
          '--name',
          'Southshire',
          '--admin-name',
          'Jo Bloggs',
          '--admin-email',
          'jo@example.org',
        ],
        { database, input: 'southshire jo bloggs 2026\n' },
      );
      assert.equal(result.code, 2);
      assert.match(result.stderr, /must not be based on your name/);
    });

    it('refuses when no passphrase is given', async () => {
      const result = await vigil(
        [
          'organisation',
          'create',
          '--name',
          'Southshire',
          '--admin-name',
          'Jo Bloggs',
          '--admin-email',
          'jo@example.org',
        ],
        { database, input: '' },
      );
      assert.equal(result.code, 2);
      assert.match(result.stderr, /No passphrase given/);
    });

    it('refuses an invalid email address', async () => {
      const result = await vigil(
        [
          'organisation',
          'create',
          '--name',
          'Southshire',
          '--admin-name',
          'Jo Bloggs',
          '--admin-email',
          'jo.example.org',
        ],
        { database, input: `${passphrase}\n` },
      );
      assert.equal(result.code, 2);
      assert.match(result.stderr, /--admin-email: Enter an email address in the correct format/);
    });
  });

  describe('audit verify', () => {
    let database: TestDatabase;
    let organisationId: string;
    let otherOrganisationId: string;
    before(async () => {
      database = await freshDatabase();
      ({ organisationId } = await createOrganisationWithCli(database, 'Northshire Stalking Service'));
      ({ organisationId: otherOrganisationId } = await createOrganisationWithCli(
        database,
        'Eastshire Service',
      ));
    });

    it('passes when every chain is intact', async () => {
      const result = await vigil(['audit', 'verify'], { database });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`${organisationId}.*intact, 2 events`));
      assert.match(result.stdout, new RegExp(`${otherOrganisationId}.*intact, 2 events`));
      assert.match(result.stdout, /All 2 audit trails are intact/);
    });

    it('checks one organisation with --organisation', async () => {
      const result = await vigil(['audit', 'verify', '--organisation', organisationId.toUpperCase()], {
        database,
      });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, new RegExp(organisationId));
      assert.doesNotMatch(result.stdout, new RegExp(otherOrganisationId));
    });

    it('fails plainly for an organisation that does not exist', async () => {
      const result = await vigil(
        ['audit', 'verify', '--organisation', '00000000-0000-4000-8000-000000000000'],
        {
          database,
        },
      );
      assert.equal(result.code, 1);
      assert.match(result.stderr, /no organisation with the id 00000000-0000-4000-8000-000000000000/);
    });

    it('exits 1 and names the first altered row', async () => {
      const eventId = (
        await database.ownerDb
          .selectFrom('audit_chain')
          .select('event_id')
          .where('organisation_id', '=', organisationId)
          .where('seq', '=', 1)
          .executeTakeFirstOrThrow()
      ).event_id;
      await sql`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_or_delete`.execute(
        database.ownerDb,
      );
      await sql`UPDATE audit_events SET action = 'tampered' WHERE event_id = ${eventId} AND organisation_id = ${organisationId}`.execute(
        database.ownerDb,
      );
      await sql`ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_or_delete`.execute(
        database.ownerDb,
      );

      const result = await vigil(['audit', 'verify'], { database });
      assert.equal(result.code, 1);
      assert.match(
        result.stdout,
        new RegExp(`${organisationId}.*BROKEN at seq 1 \\(event ${eventId}\\).*altered`),
      );
      assert.match(result.stdout, new RegExp(`${otherOrganisationId}.*intact`));
      assert.match(result.stderr, /1 of 2 organisations is broken/);
    });

    it('refuses to export the head of a broken chain', async () => {
      const result = await vigil(['audit', 'head', '--organisation', organisationId], { database });
      assert.equal(result.code, 1);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /broken at seq 1/);
    });
  });

  describe('audit verify with a chain held back', () => {
    it('exits 1 when an event has been left out of the chain for longer than the grace period', async () => {
      const database = await freshDatabase();
      const { organisationId } = await createOrganisationWithCli(database);
      // A transaction that has written something and not ended holds the chain back, as a stuck job would.
      let release = () => undefined as void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let begin = () => undefined as void;
      const begun = new Promise<void>((resolve) => (begin = resolve));
      const holding = database.ownerDb.transaction().execute(async (trx) => {
        await sql`SELECT pg_current_xact_id()`.execute(trx);
        begin();
        await released;
      });
      try {
        await begun;
        await sql`INSERT INTO audit_events (organisation_id, event_id, occurred_at, action)
                  VALUES (${organisationId}, gen_random_uuid(), now() - interval '10 minutes', 'test.event')`.execute(
          database.ownerDb,
        );
        const result = await vigil(['audit', 'verify'], { database });
        assert.equal(result.code, 1, result.stdout);
        assert.match(
          result.stdout,
          new RegExp(
            `${organisationId}.*INCOMPLETE: 1 event is not in the chain 5 minutes after being recorded`,
          ),
        );
        assert.match(result.stderr, /events waiting for a database transaction still running/);
      } finally {
        release();
        await holding;
      }
      const afterwards = await vigil(['audit', 'verify'], { database });
      assert.equal(afterwards.code, 0, afterwards.stdout + afterwards.stderr);
      assert.match(afterwards.stdout, new RegExp(`${organisationId}.*intact, 3 events`));
    });
  });

  describe('audit head', () => {
    it("prints one JSON line per organisation with its chain's last hash", async () => {
      const database = await freshDatabase();
      const { organisationId } = await createOrganisationWithCli(database);
      const started = Date.now();
      const result = await vigil(['audit', 'head'], { database });
      assert.equal(result.code, 0, result.stderr);
      const lines = result.stdout.trim().split('\n');
      assert.equal(lines.length, 1);
      const head = JSON.parse(lines[0]!) as Record<string, unknown>;
      const last = await database.ownerDb
        .selectFrom('audit_chain')
        .select(['seq', 'hash'])
        .where('organisation_id', '=', organisationId)
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirstOrThrow();
      assert.deepEqual(Object.keys(head), ['organisationId', 'seq', 'hash', 'exportedAt']);
      assert.equal(head.organisationId, organisationId);
      assert.equal(head.seq, Number(last.seq));
      assert.equal(head.hash, last.hash);
      assert.ok(new Date(head.exportedAt as string).getTime() >= started - 1000);
    });
  });

  describe('status', () => {
    it('reports a reachable database, no pending migrations and the setup state', async () => {
      const database = await freshDatabase();
      const before = await vigil(['status'], { database });
      assert.equal(before.code, 0, before.stderr);
      assert.match(before.stdout, /Database:\s+reachable, PostgreSQL from DATABASE_URL/);
      assert.match(before.stdout, /Pending migrations:\s+0/);
      assert.match(before.stdout, /Organisations:\s+0/);
      assert.match(before.stdout, /First-run setup:\s+not done/);
      assert.ok(before.stdout.includes(`Data folder:         ${dataDir}`));

      await createOrganisationWithCli(database);
      const afterwards = await vigil(['status'], { database });
      assert.match(afterwards.stdout, /Organisations:\s+1/);
      assert.match(afterwards.stdout, /First-run setup:\s+done/);
    });

    it('exits 1 with a plain message when the database is unreachable', async () => {
      const nowhere = 'postgres://vigil:nothing@127.0.0.1:1/vigil';
      const result = await vigil(['status'], { env: { DATABASE_URL: nowhere, DATABASE_APP_URL: nowhere } });
      assert.equal(result.code, 1);
      assert.match(result.stdout, /Database:\s+NOT reachable/);
      assert.doesNotMatch(result.stdout + result.stderr, /\n\s+at /, 'no stack trace');
    });
  });

  describe('runtime failures', () => {
    const nowhere = 'postgres://vigil:nothing@127.0.0.1:1/vigil';

    it('prints a plain message and exits 1 when the database is unreachable', async () => {
      const result = await vigil(['audit', 'verify'], {
        env: { DATABASE_URL: nowhere, DATABASE_APP_URL: nowhere },
      });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^vigil: Could not connect to the database: .*ECONNREFUSED/);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    });

    it('shows the stack trace with --debug', async () => {
      const result = await vigil(['audit', 'verify', '--debug'], {
        env: { DATABASE_URL: nowhere, DATABASE_APP_URL: nowhere },
      });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /\n\s+at /);
    });
  });

  describe('migrate', () => {
    it('says the database is already up to date', async () => {
      const database = await freshDatabase();
      const result = await vigil(['migrate'], { database });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /already up to date/);
    });
  });

  describe('setup-link', () => {
    it('issues a one-time setup link while setup is not done, and refuses once it is', async () => {
      const database = await freshDatabase();
      const result = await vigil(['setup-link'], {
        database,
        env: { VIGIL_PUBLIC_URL: 'https://vigil.example.org' },
      });
      assert.equal(result.code, 0, result.stderr);
      const link = /https:\/\/vigil\.example\.org\/setup\/([\w-]{43})/.exec(result.stdout);
      assert.ok(link, result.stdout);
      const installation = await database.ownerDb
        .selectFrom('installation')
        .selectAll()
        .executeTakeFirstOrThrow();
      assert.ok(installation.setup_token_hash, 'the link is stored as a hash');

      await createOrganisationWithCli(database);
      const done = await vigil(['setup-link'], { database });
      assert.equal(done.code, 1);
      assert.equal(done.stdout, '');
      assert.match(done.stderr, /already done/);
    });
  });
});
