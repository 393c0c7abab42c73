import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import {
  buildTestApp,
  givenOrganisation,
  type StaffCredentials,
  type TestApp,
} from '../../../test/support/app.ts';
import { inOrganisation } from '../../db/database.ts';
import { appendAuditEvent, verifyAuditChains } from './audit-chain.ts';

describe('audit trail', () => {
  let test: TestApp;
  let admin: StaffCredentials;

  before(async () => {
    test = await buildTestApp();
    admin = await givenOrganisation(test);
    await givenOrganisation(test, 'Other Service');
    for (let index = 0; index < 5; index += 1) {
      await inOrganisation(test.database.db, admin.organisationId, (trx) =>
        appendAuditEvent(
          trx,
          {
            organisationId: admin.organisationId,
            actorUserId: admin.userId,
            action: 'test.event',
            recordType: 'user',
            recordId: String(index),
            details: { index },
          },
          test.clock.now(),
        ),
      );
    }
  });
  after(async () => test.close());

  it('verifies an intact chain for every organisation', async () => {
    const reports = await verifyAuditChains(test.database.ownerDb);
    assert.equal(reports.length, 2);
    for (const report of reports) assert.equal(report.firstBroken, null);
    const ours = reports.find((r) => r.organisationId === admin.organisationId)!;
    assert.equal(ours.events, 7);
  });

  it('numbers concurrent events without gaps or forks', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        inOrganisation(test.database.db, admin.organisationId, (trx) =>
          appendAuditEvent(
            trx,
            {
              organisationId: admin.organisationId,
              actorUserId: null,
              action: 'test.concurrent',
              details: { index },
            },
            test.clock.now(),
          ),
        ),
      ),
    );
    const [report] = await verifyAuditChains(test.database.ownerDb, admin.organisationId);
    assert.equal(report?.firstBroken, null);
    assert.equal(report?.events, 27);
  });

  it('refuses UPDATE, DELETE and TRUNCATE, from the application and even from the owner', async () => {
    await assert.rejects(
      inOrganisation(test.database.db, admin.organisationId, (trx) =>
        trx.updateTable('audit_events').set({ action: 'x' }).where('seq', '=', 1).execute(),
      ),
      /permission denied/,
    );
    await assert.rejects(
      inOrganisation(test.database.db, admin.organisationId, (trx) =>
        trx.deleteFrom('audit_events').where('seq', '=', 1).execute(),
      ),
      /permission denied/,
    );
    await assert.rejects(
      test.database.ownerDb.updateTable('audit_events').set({ action: 'x' }).where('seq', '=', 1).execute(),
      /append-only/,
    );
    await assert.rejects(
      test.database.ownerDb.deleteFrom('audit_events').where('seq', '=', 1).execute(),
      /append-only/,
    );
    await assert.rejects(sql`TRUNCATE audit_events`.execute(test.database.ownerDb), /append-only/);
  });

  it('names the first altered row when someone with the owner’s powers tampers with it', async () => {
    await sql`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_or_delete`.execute(
      test.database.ownerDb,
    );
    try {
      await sql`UPDATE audit_events SET record_id = 'someone-else' WHERE organisation_id = ${admin.organisationId} AND seq = 4`.execute(
        test.database.ownerDb,
      );
    } finally {
      await sql`ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_or_delete`.execute(
        test.database.ownerDb,
      );
    }
    const [report] = await verifyAuditChains(test.database.ownerDb, admin.organisationId);
    assert.equal(report?.firstBroken?.seq, 4);
    assert.match(report?.firstBroken?.problem ?? '', /altered/);
    assert.equal(report?.events, 3, 'the events before the tampered one still verify');
  });

  it('names the gap when a row is deleted', async () => {
    const other = await givenOrganisation(test, 'Deletion Service');
    for (let index = 0; index < 3; index += 1) {
      await inOrganisation(test.database.db, other.organisationId, (trx) =>
        appendAuditEvent(
          trx,
          { organisationId: other.organisationId, actorUserId: null, action: 'test.event' },
          test.clock.now(),
        ),
      );
    }
    await sql`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_or_delete`.execute(
      test.database.ownerDb,
    );
    try {
      await sql`DELETE FROM audit_events WHERE organisation_id = ${other.organisationId} AND seq = 3`.execute(
        test.database.ownerDb,
      );
    } finally {
      await sql`ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_or_delete`.execute(
        test.database.ownerDb,
      );
    }
    const [report] = await verifyAuditChains(test.database.ownerDb, other.organisationId);
    assert.equal(report?.firstBroken?.seq, 4);
    assert.match(report?.firstBroken?.problem ?? '', /events 3 to 3 are missing/);
  });
});
