import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { inOrganisation } from '../../db/database.ts';
import { buildTestApp, givenOrganisation, givenStaff, type TestApp } from '../../../test/support/app.ts';
import { givenDiaryEntry } from '../../../test/support/diary.ts';
import { givenCase, sessionFor } from '../../../test/support/referrals.ts';

describe('the diary entry writer', () => {
  let test: TestApp;
  before(async () => {
    test = await buildTestApp();
  });
  after(() => test.close());

  it('numbers entries in recording order within each case', async () => {
    const { organisationId } = await givenOrganisation(test);
    const manager = await givenStaff(test, organisationId, 'manager');
    const session = await sessionFor(test, manager);
    const first = await givenCase(test, manager);
    const second = await givenCase(test, manager);
    const numbers = [
      (await givenDiaryEntry(test, session, first.caseId)).entryNumber,
      (await givenDiaryEntry(test, session, first.caseId)).entryNumber,
      (await givenDiaryEntry(test, session, second.caseId)).entryNumber,
    ];
    assert.deepEqual(numbers, [1, 2, 1]);
  });

  it('is refused by the database when anyone, even the table owner, tries to change or delete an entry', async () => {
    const { organisationId } = await givenOrganisation(test);
    const manager = await givenStaff(test, organisationId, 'manager');
    const { caseId } = await givenCase(test, manager);
    const { entryId } = await givenDiaryEntry(test, await sessionFor(test, manager), caseId);
    const owner = test.database.ownerDb;
    for (const statement of [
      sql`UPDATE diary_entry_versions SET reported_to_police = true WHERE entry_id = ${entryId}`,
      sql`DELETE FROM diary_entry_versions WHERE entry_id = ${entryId}`,
      sql`UPDATE diary_entries SET entry_number = 99 WHERE entry_id = ${entryId}`,
      sql`TRUNCATE diary_entries CASCADE`,
      sql`UPDATE diary_entry_words SET words = '{}' WHERE entry_id = ${entryId}`,
      sql`DELETE FROM diary_entry_words WHERE entry_id = ${entryId}`,
      sql`TRUNCATE diary_entry_words`,
    ]) {
      await assert.rejects(statement.execute(owner), /append-only/);
    }
  });

  it('finds an entry version by its word hashes only within the organisation the transaction is for', async () => {
    const mine = await givenOrganisation(test);
    const theirs = await givenOrganisation(test);
    const manager = await givenStaff(test, mine.organisationId, 'manager');
    const { caseId } = await givenCase(test, manager);
    const { entryId } = await givenDiaryEntry(test, await sessionFor(test, manager), caseId);
    const { words } = await test.database.ownerDb
      .selectFrom('diary_entry_words')
      .select('words')
      .where('entry_id', '=', entryId)
      .executeTakeFirstOrThrow();
    const lookUp = (organisationId: string) =>
      inOrganisation(test.database.db, organisationId, async (trx) => {
        const found = await sql<{ entry_id: string; version: number }>`
          SELECT entry_id, version FROM vigil_diary_versions_with_words(${caseId}, ${words.slice(0, 3)}::bigint[])
        `.execute(trx);
        const rows = await trx.selectFrom('diary_entry_words').select('entry_id').execute();
        return { found: found.rows, rows: rows.length };
      });
    assert.deepEqual((await lookUp(mine.organisationId)).found, [{ entry_id: entryId, version: 1 }]);
    assert.deepEqual(await lookUp(theirs.organisationId), { found: [], rows: 0 });
  });
});
