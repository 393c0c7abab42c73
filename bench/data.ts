// Synthetic data for benchmarks: organisations with staff, clients, cases and referrals at national scale.
// Usage: npm run bench:data -- --cases 100000 [--organisations 10] [--data-dir bench/.data]
// Everything is invented. Sealed columns hold random bytes of realistic size (benchmarks never decrypt them).
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql, type Kysely } from 'kysely';
import { loadConfig } from '../src/config.ts';
import { openDatabase, type DatabaseRuntime } from '../src/db/runtime.ts';
import { KeyRing } from '../src/platform/crypto/key-ring.ts';
import { loadMasterKey } from '../src/platform/master-key.ts';

const FIRST = [
  'Alex',
  'Sam',
  'Jordan',
  'Taylor',
  'Morgan',
  'Casey',
  'Riley',
  'Jamie',
  'Avery',
  'Charlie',
  'Robin',
  'Frankie',
  'Harper',
  'Rowan',
  'Quinn',
  'Sasha',
  'Drew',
  'Emerson',
  'Hayden',
  'Kai',
  'Priya',
  'Amira',
  'Chloe',
  'Olivia',
  'Amelia',
  'Isla',
  'Ava',
  'Mia',
  'Ivy',
  'Lily',
  'Noah',
  'Oliver',
  'George',
  'Arthur',
  'Leo',
  'Harry',
  'Oscar',
  'Archie',
  'Henry',
  'Theo',
];
const LAST = [
  'Smith',
  'Jones',
  'Taylor',
  'Brown',
  'Williams',
  'Wilson',
  'Johnson',
  'Davies',
  'Patel',
  'Robinson',
  'Wright',
  'Thompson',
  'Evans',
  'Walker',
  'White',
  'Roberts',
  'Green',
  'Hall',
  'Thomas',
  'Clarke',
  'Jackson',
  'Wood',
  'Harris',
  'Edwards',
  'Turner',
  'Martin',
  'Cooper',
  'Hill',
  'Ward',
  'Hughes',
  'Moore',
  'Clark',
  'King',
  'Harrison',
  'Lewis',
  'Baker',
  'Lee',
  'Allen',
  'Morris',
  'Khan',
];

export type GeneratedData = { organisationIds: string[]; casesPerOrganisation: number };

/** Fills the database with `cases` cases spread over `organisations` organisations, as the owner role. */
export async function generate(
  ownerDb: Kysely<unknown>,
  keys: KeyRing,
  cases: number,
  organisations: number,
): Promise<GeneratedData> {
  const perOrganisation = Math.ceil(cases / organisations);
  const caseworkers = Math.max(6, Math.round(perOrganisation / 250));
  const organisationIds: string[] = [];
  for (let o = 0; o < organisations; o += 1) {
    const organisationId = crypto.randomUUID();
    organisationIds.push(organisationId);
    await sql`INSERT INTO organisations (organisation_id, service_name, created_at, referral_code)
              VALUES (${organisationId}, ${`Synthetic Service ${o + 1}`}, now(), ${randomBytes(4).toString('hex')})`.execute(
      ownerDb,
    );
    await keys.createOrganisationKey(ownerDb, organisationId, new Date());
    await sql`
      INSERT INTO users (organisation_id, user_id, email, display_name, role, status, created_at)
      SELECT ${organisationId}, gen_random_uuid(), 'worker' || g || '.' || ${o} || '@example.org', 'Worker ' || g,
             CASE WHEN g = 1 THEN 'manager' ELSE 'caseworker' END, 'active', now()
      FROM generate_series(1, ${caseworkers}) AS g
    `.execute(ownerDb);
    await sql`
      WITH staff AS (SELECT array_agg(user_id) AS ids FROM users WHERE organisation_id = ${organisationId} AND role = 'caseworker'),
      made AS (
        INSERT INTO clients (organisation_id, client_id, data_key_wrapped, name, date_of_birth, phone_sealed, phone_index, phone_safe,
                             email_sealed, email_index, email_safe, voicemail_allowed, may_say_who_we_are, created_at)
        SELECT ${organisationId}, gen_random_uuid(), gen_random_bytes(61),
               (${FIRST}::text[])[1 + (g * 7919) % ${FIRST.length}] || ' ' || (${LAST}::text[])[1 + (g * 104729) % ${LAST.length}] || ' ' || g,
               date '1960-01-01' + (g % 15000), gen_random_bytes(41), gen_random_bytes(32), true,
               gen_random_bytes(45), gen_random_bytes(32), g % 3 <> 0, g % 2 = 0, g % 4 = 0, now() - (g % 900) * interval '1 day'
        FROM generate_series(1, ${perOrganisation}) AS g
        RETURNING client_id, created_at
      )
      INSERT INTO cases (organisation_id, case_id, reference, client_id, data_key_wrapped, status, urgent, allocated_to, opened_at, opened_by, closed_at)
      SELECT ${organisationId}, gen_random_uuid(),
             upper(substr(lpad(to_hex(row_number() OVER ()), 8, '0'), 1, 4) || '-' || substr(lpad(to_hex(row_number() OVER ()), 8, '0'), 5, 4)),
             made.client_id, gen_random_bytes(61),
             CASE WHEN row_number() OVER () % 4 = 0 THEN 'closed' ELSE 'active' END,
             row_number() OVER () % 17 = 0,
             staff.ids[1 + (row_number() OVER () % array_length(staff.ids, 1))],
             made.created_at, staff.ids[1],
             CASE WHEN row_number() OVER () % 4 = 0 THEN made.created_at + interval '90 days' END
      FROM made, staff
    `.execute(ownerDb);
    await sql`
      INSERT INTO referrals (organisation_id, referral_id, reference, status, route, data_key_wrapped, created_at, updated_at,
                             submitted_at, person_name, in_immediate_danger, behaviours, phone_index, email_index)
      SELECT ${organisationId}, gen_random_uuid(), 'R' || upper(substr(lpad(to_hex(g), 7, '0'), 1, 3)) || '-' || upper(substr(lpad(to_hex(g), 7, '0'), 4, 4)),
             CASE WHEN g <= 150 THEN 'submitted' ELSE 'accepted' END, CASE WHEN g % 3 = 0 THEN 'professional' ELSE 'self' END,
             gen_random_bytes(61), now() - g * interval '37 minutes', now(), now() - g * interval '37 minutes',
             (${FIRST}::text[])[1 + (g * 31) % ${FIRST.length}] || ' ' || (${LAST}::text[])[1 + (g * 17) % ${LAST.length}],
             g % 11 = 0, ARRAY['messages_calls', 'turning_up'], gen_random_bytes(32), gen_random_bytes(32)
      FROM generate_series(1, ${Math.round(perOrganisation / 3)}) AS g
    `.execute(ownerDb);
  }
  await sql`ANALYZE`.execute(ownerDb);
  return { organisationIds, casesPerOrganisation: perOrganisation };
}

/** Opens (or creates) the benchmark database in its own data folder. */
export async function openBenchDatabase(
  dataDir: string,
): Promise<{ database: DatabaseRuntime; masterKey: Buffer }> {
  mkdirSync(dataDir, { recursive: true });
  chmodSync(dataDir, 0o755);
  const config = {
    ...loadConfig({ VIGIL_DATA_DIR: dataDir, NODE_ENV: 'development' }),
    databaseUrl: process.env.DATABASE_URL || undefined,
  };
  const masterKey = loadMasterKey(config, () => undefined);
  return { database: await openDatabase(config, { log: () => undefined }), masterKey };
}

if (import.meta.filename === process.argv[1]) {
  const { values } = parseArgs({
    options: {
      cases: { type: 'string', default: '100000' },
      organisations: { type: 'string', default: '10' },
      'data-dir': { type: 'string', default: path.join('bench', '.data') },
    },
  });
  const cases = Number(values.cases);
  const organisations = Number(values.organisations);
  if (!Number.isInteger(cases) || cases < 1 || !Number.isInteger(organisations) || organisations < 1) {
    process.stderr.write('--cases and --organisations must be whole numbers above 0\n');
    process.exit(2);
  }
  const started = performance.now();
  const { database, masterKey } = await openBenchDatabase(path.resolve(values['data-dir']));
  try {
    await generate(database.ownerDb, new KeyRing(masterKey), cases, organisations);
    process.stdout.write(
      `Generated ${cases} cases in ${organisations} organisations in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
    );
  } finally {
    await database.close();
  }
}
