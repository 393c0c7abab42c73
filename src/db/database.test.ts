import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import {
  buildTestApp,
  givenOrganisation,
  type StaffCredentials,
  type TestApp,
} from '../../test/support/app.ts';
import { appendAuditEvent } from '../platform/audit/audit-chain.ts';
import { inOrganisation, type Trx } from './database.ts';

// BEGIN and audit events travel with the statement after them (one round trip fewer each): transactions must
// behave exactly as if every statement had been sent on its own.
describe('transactions sent with fewer round trips', () => {
  let test: TestApp;
  let north: StaffCredentials;
  let south: StaffCredentials;

  before(async () => {
    test = await buildTestApp();
    north = await givenOrganisation(test, 'Northshire Stalking Service');
    south = await givenOrganisation(test, 'Southshire Stalking Service');
  });
  after(async () => test.close());

  const xid = async (trx: Trx) =>
    (await sql<{ xid: string }>`SELECT pg_current_xact_id()::text AS xid`.execute(trx)).rows[0]!.xid;
  const eventsFor = async (recordId: string) =>
    test.database.ownerDb
      .selectFrom('audit_events')
      .select('action')
      .where('record_id', '=', recordId)
      .execute();
  const event = (organisationId: string, recordId: string) => ({
    organisationId,
    actorUserId: null,
    action: 'test.held',
    recordId,
  });

  it('runs every statement of inOrganisation in one transaction, with the organisation set', async () => {
    const seen = await inOrganisation(test.database.db, north.organisationId, async (trx) => {
      const first = await xid(trx);
      const setting = await sql<{
        value: string;
      }>`SELECT current_setting('vigil.organisation_id') AS value`.execute(trx);
      return { first, second: await xid(trx), organisation: setting.rows[0]!.value };
    });
    assert.equal(seen.first, seen.second);
    assert.equal(seen.organisation, north.organisationId);
  });

  it('still opens a transaction when the first statement has parameters', async () => {
    const seen = await test.database.db.transaction().execute(async (trx) => {
      await trx
        .selectFrom('organisations')
        .select('organisation_id')
        .where('service_name', '=', 'x')
        .execute();
      return [await xid(trx), await xid(trx)];
    });
    assert.equal(seen[0], seen[1]);
  });

  it('writes an audit event before the next statement, which sees it', async () => {
    const count = await inOrganisation(test.database.db, north.organisationId, async (trx) => {
      await appendAuditEvent(trx, event(north.organisationId, 'seen-next'), test.clock.now());
      return (
        await trx.selectFrom('audit_events').select('event_id').where('record_id', '=', 'seen-next').execute()
      ).length;
    });
    assert.equal(count, 1);
    assert.equal((await eventsFor('seen-next')).length, 1);
  });

  it('commits an audit event recorded last, with the transaction', async () => {
    await inOrganisation(test.database.db, north.organisationId, async (trx) => {
      await trx.selectFrom('users').select('user_id').execute();
      await appendAuditEvent(trx, event(north.organisationId, 'recorded-last'), test.clock.now());
    });
    assert.deepEqual(await eventsFor('recorded-last'), [{ action: 'test.held' }]);
  });

  it('keeps nothing when the work fails after an event was recorded', async () => {
    await assert.rejects(
      inOrganisation(test.database.db, north.organisationId, async (trx) => {
        await appendAuditEvent(trx, event(north.organisationId, 'then-failed'), test.clock.now());
        throw new Error('the work failed');
      }),
      /the work failed/,
    );
    assert.deepEqual(await eventsFor('then-failed'), []);
  });

  it('fails the transaction when a held audit event is refused, keeping nothing of it', async () => {
    // Row-level security refuses an event for another organisation; the refusal comes with the COMMIT.
    await assert.rejects(
      inOrganisation(test.database.db, north.organisationId, async (trx) => {
        await appendAuditEvent(trx, event(north.organisationId, 'beside-refused'), test.clock.now());
        await appendAuditEvent(trx, event(south.organisationId, 'refused'), test.clock.now());
      }),
      /row-level security/,
    );
    assert.deepEqual(await eventsFor('beside-refused'), []);
    assert.deepEqual(await eventsFor('refused'), []);
    // The connection is usable afterwards, outside any transaction.
    const after = await inOrganisation(test.database.db, north.organisationId, (trx) => xid(trx));
    assert.ok(after);
  });

  it('writes values with quotes and backslashes exactly', async () => {
    const reason = `O'Brien's "case" \\ back\\slash; DROP TABLE cases; --`;
    await inOrganisation(test.database.db, north.organisationId, (trx) =>
      appendAuditEvent(
        trx,
        { ...event(north.organisationId, 'quoted'), reason, details: { note: reason } },
        test.clock.now(),
      ),
    );
    const row = await test.database.ownerDb
      .selectFrom('audit_events')
      .select(['reason', 'details', 'occurred_at'])
      .where('record_id', '=', 'quoted')
      .executeTakeFirstOrThrow();
    assert.equal(row.reason, reason);
    assert.deepEqual(row.details, { note: reason });
    assert.equal(row.occurred_at.getTime(), test.clock.now().getTime());
  });
});
