import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import {
  buildTestApp,
  givenOrganisation,
  givenStaff,
  type StaffCredentials,
  type TestApp,
} from '../../test/support/app.ts';
import { givenCase } from '../../test/support/referrals.ts';
import { inOrganisation } from './database.ts';

describe('row-level security', () => {
  let test: TestApp;
  let north: StaffCredentials;
  let south: StaffCredentials;

  before(async () => {
    test = await buildTestApp();
    north = await givenOrganisation(test, 'Northshire Stalking Service');
    south = await givenOrganisation(test, 'Southshire Stalking Service');
    await givenStaff(test, north.organisationId, 'caseworker');
    await givenStaff(test, south.organisationId, 'caseworker');
  });
  after(async () => test.close());

  it('shows a query that forgets its organisation filter only its own organisation’s rows', async () => {
    const rows = await inOrganisation(test.database.db, north.organisationId, (trx) =>
      trx.selectFrom('users').select(['organisation_id', 'email']).execute(),
    );
    assert.equal(rows.length, 2);
    assert.ok(rows.every((row) => row.organisation_id === north.organisationId));
    const events = await inOrganisation(test.database.db, south.organisationId, (trx) =>
      trx.selectFrom('audit_events').select('organisation_id').execute(),
    );
    assert.ok(events.length > 0);
    assert.ok(events.every((row) => row.organisation_id === south.organisationId));
  });

  it('shows nothing at all when no organisation is set', async () => {
    assert.equal((await test.database.db.selectFrom('users').selectAll().execute()).length, 0);
    assert.equal((await test.database.db.selectFrom('organisations').selectAll().execute()).length, 0);
    assert.equal((await test.database.db.selectFrom('sessions').selectAll().execute()).length, 0);
  });

  it('refuses to write a row into another organisation', async () => {
    await assert.rejects(
      inOrganisation(test.database.db, north.organisationId, (trx) =>
        trx
          .updateTable('users')
          .set({ organisation_id: south.organisationId })
          .where('user_id', '=', north.userId)
          .execute(),
      ),
      /row-level security/,
    );
    await assert.rejects(
      inOrganisation(test.database.db, north.organisationId, (trx) =>
        trx
          .insertInto('organisations')
          .values({
            organisation_id: crypto.randomUUID(),
            service_name: 'Smuggled',
            created_at: new Date(),
            referral_code: 'smuggled',
          })
          .execute(),
      ),
      /row-level security/,
    );
  });

  it('cannot change or delete another organisation’s rows even by naming them', async () => {
    const result = await inOrganisation(test.database.db, north.organisationId, (trx) =>
      trx
        .updateTable('users')
        .set({ display_name: 'Renamed' })
        .where('user_id', '=', south.userId)
        .executeTakeFirst(),
    );
    assert.equal(Number(result.numUpdatedRows), 0);
  });

  it('connects the application as a role that cannot bypass row-level security or alter tables', async () => {
    const role = await sql<{ rolname: string; rolbypassrls: boolean; rolsuper: boolean }>`
      SELECT rolname, rolbypassrls, rolsuper FROM pg_roles WHERE rolname = current_user
    `.execute(test.database.db);
    assert.deepEqual(role.rows[0], { rolname: 'vigil_app', rolbypassrls: false, rolsuper: false });
    await assert.rejects(
      sql`ALTER TABLE users DISABLE ROW LEVEL SECURITY`.execute(test.database.db),
      /must be owner/,
    );
    await assert.rejects(sql`SET ROLE postgres`.execute(test.database.db), /permission denied/);
  });

  it('finds names by similarity only inside the organisation the transaction is set to', async () => {
    const cases = [];
    for (const organisationId of [north.organisationId, south.organisationId]) {
      const manager = await givenStaff(test, organisationId, 'manager');
      cases.push(
        await givenCase(test, manager, { holder: await givenStaff(test, organisationId, 'caseworker') }),
      );
    }
    const clients = await test.database.ownerDb
      .selectFrom('cases')
      .innerJoin('clients', 'clients.client_id', 'cases.client_id')
      .select(['clients.client_id', 'clients.name', 'cases.organisation_id'])
      .where(
        'cases.case_id',
        'in',
        cases.map((c) => c.caseId),
      )
      .execute();
    const northClient = clients.find((c) => c.organisation_id === north.organisationId)!;
    assert.ok(clients.some((c) => c.organisation_id === south.organisationId && c.name === northClient.name));
    const named = async (organisationId: string | null) => {
      const query = sql<{ id: string }>`SELECT vigil_clients_named(${northClient.name}) AS id`;
      const { rows } = organisationId
        ? await inOrganisation(test.database.db, organisationId, (trx) => query.execute(trx))
        : await query.execute(test.database.db);
      return rows.map((row) => row.id);
    };
    assert.deepEqual(await named(north.organisationId), [northClient.client_id]);
    assert.ok(!(await named(south.organisationId)).includes(northClient.client_id));
    assert.deepEqual(await named(null), []);
  });

  it('keeps the per-transaction organisation from leaking into the next transaction on the same connection', async () => {
    await inOrganisation(test.database.db, north.organisationId, async () => undefined);
    const setting = await sql<{
      value: string | null;
    }>`SELECT current_setting('vigil.organisation_id', true) AS value`.execute(test.database.db);
    assert.ok(!setting.rows[0]?.value);
  });
});
