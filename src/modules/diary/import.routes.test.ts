import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { inOrganisation } from '../../db/database.ts';
import type { TestBrowser } from '../../../test/support/app.ts';
import {
  buildTestApp,
  givenOrganisation,
  givenStaff,
  type StaffCredentials,
  type TestApp,
  signedInAs,
} from '../../../test/support/app.ts';
import { errorSummary, submissionIdIn } from '../../../test/support/forms.ts';
import { givenCase } from '../../../test/support/referrals.ts';
import { formatDateTime } from '../../platform/http/views.ts';
import { openEntryDetails } from './diary-entry.ts';

type Part = { name: string; value: string | Buffer; filename?: string };

/** Sends the upload form as a browser does: multipart, with the CSRF token from the last page seen. */
async function postMultipart(
  test: TestApp,
  browser: TestBrowser,
  url: string,
  parts: Part[],
): Promise<LightMyRequestResponse> {
  const boundary = `----vigil-test-${crypto.randomUUID()}`;
  const chunks: Buffer[] = [];
  for (const part of [{ name: '_csrf', value: browser.csrfToken ?? '' }, ...parts]) {
    const disposition =
      part.filename === undefined
        ? `form-data; name="${part.name}"`
        : `form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: text/csv`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n\r\n`));
    chunks.push(Buffer.isBuffer(part.value) ? part.value : Buffer.from(part.value));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  const cookie = [...browser.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  return test.app.inject({
    method: 'POST',
    url,
    headers: {
      cookie,
      accept: 'text/html',
      'content-type': `multipart/form-data; boundary=${boundary}`,
    },
    payload: Buffer.concat(chunks),
  });
}

const DIARY = [
  'Date,Time,Where,What happened,Behaviour,Reported to police,Police reference',
  '02/11/2026,7:30pm,Outside the flat,"He waited outside, then followed me\nto the shop",followed,yes,CR/1111/26',
  '31/02/2026,,,Texts all evening,texts,,',
  '05/11/2026,,,,calls,,',
  '2026-11-06,08:15,,Twelve missed calls before work,calls,no,',
].join('\r\n');

describe('Importing a diary from CSV', () => {
  let test: TestApp;
  let manager: StaffCredentials;
  let casey: StaffCredentials;
  let robin: StaffCredentials;

  before(async () => {
    test = await buildTestApp();
    test.clock.set('2026-11-23T12:00:00Z');
    const admin = await givenOrganisation(test);
    manager = await givenStaff(test, admin.organisationId, 'manager');
    casey = await givenStaff(test, admin.organisationId, 'caseworker', { displayName: 'Casey Worker' });
    robin = await givenStaff(test, admin.organisationId, 'caseworker', { displayName: 'Robin Worker' });
  });
  after(async () => test.close());

  const signedIn = (user: StaffCredentials) => signedInAs(test, user);

  const entriesOf = (caseId: string) =>
    inOrganisation(test.database.db, manager.organisationId, (trx) =>
      trx
        .selectFrom('diary_entries as e')
        .innerJoin('diary_entry_versions as v', (join) =>
          join.onRef('v.entry_id', '=', 'e.entry_id').on('v.version', '=', 1),
        )
        .innerJoin('diary_imports as i', 'i.import_id', 'e.import_id')
        .select([
          'e.entry_id',
          'e.entry_number',
          'e.origin',
          'e.recorded_by',
          'e.recorded_at',
          'e.import_id',
          'i.imported_at',
          'v.occurred_from',
          'v.occurred_to',
          'v.behaviours',
          'v.reported_to_police',
          'v.details_sealed',
        ])
        .where('e.case_id', '=', caseId)
        .orderBy('e.entry_number')
        .execute(),
    );

  it('previews every row with its problems, imports nothing until confirmed, then imports the good rows once', async () => {
    const { caseId } = await givenCase(test, manager, { holder: casey });
    const browser = await signedIn(casey);

    const form = await browser.get(`/cases/${caseId}/diary/import`);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /enctype="multipart\/form-data"/);
    assert.match(form.body, /Download a template/);

    const checked = await postMultipart(test, browser, `/cases/${caseId}/diary/import`, [
      { name: 'submissionId', value: submissionIdIn(form.body, 'import-form') },
      { name: 'csvFile', value: Buffer.from(`\uFEFF${DIARY}`), filename: 'my diary.csv' },
      { name: 'csvText', value: '' },
    ]);
    assert.equal(checked.statusCode, 303);
    const previewUrl = String(checked.headers.location);
    assert.match(previewUrl, new RegExp(`^/cases/${caseId}/diary/import/[0-9a-f-]{36}$`));
    assert.doesNotMatch(previewUrl, /diary\.csv|CR|followed/, 'nothing personal in the address');

    const preview = await browser.get(previewUrl);
    assert.equal(preview.statusCode, 200);
    assert.deepEqual(errorSummary(preview.body), [
      'Row 3: the date 31/02/2026 does not exist',
      'Row 4: what happened is missing',
    ]);
    assert.match(preview.body, /The file has 4 rows\. 2 entries can be imported; 2 rows have a problem\./);
    assert.match(preview.body, /2 November 2026, 7:30pm/);
    assert.match(preview.body, /He waited outside, then followed me\nto the shop/);
    assert.match(preview.body, /Following/);
    assert.match(preview.body, /CR\/1111\/26/);
    assert.match(preview.body, /6 November 2026, 8:15am/);
    assert.equal(preview.body.match(/data-qa="row-problem"/g)?.length, 2);
    assert.match(preview.body, /2 rows with problems will be skipped/);
    assert.match(preview.body, /Import the 2 entries without problems/);
    assert.doesNotMatch(preview.body, /<title>[^<]*(CR|followed)/);
    assert.deepEqual(await entriesOf(caseId), [], 'nothing is imported before the user confirms');

    const confirmUrl = `${previewUrl}/confirm`;
    const confirmed = await browser.post(confirmUrl);
    assert.equal(confirmed.statusCode, 303);
    assert.equal(confirmed.headers.location, `/cases/${caseId}/diary`);

    const entries = await entriesOf(caseId);
    assert.equal(entries.length, 2);
    const importId = previewUrl.split('/').at(-1);
    for (const entry of entries) {
      assert.equal(entry.origin, 'import');
      assert.equal(entry.import_id, importId);
      assert.equal(entry.recorded_by, casey.userId);
      assert.deepEqual(entry.imported_at, test.clock.now(), 'the import time is recorded');
    }
    const [first, second] = entries;
    assert.deepEqual(first!.occurred_from, new Date('2026-11-02T19:30:00Z'));
    assert.deepEqual(first!.behaviours, ['following']);
    assert.equal(first!.reported_to_police, true);
    assert.deepEqual(second!.behaviours, ['calls']);
    const key = await inOrganisation(test.database.db, manager.organisationId, async (trx) => {
      const organisationKey = await test.services.keys.organisationKey(trx, manager.organisationId);
      const row = await trx
        .selectFrom('cases')
        .select('data_key_wrapped')
        .where('case_id', '=', caseId)
        .executeTakeFirstOrThrow();
      return test.services.keys.unwrapDataKey(organisationKey, row.data_key_wrapped, `case:${caseId}`);
    });
    const details = openEntryDetails(key, caseId, first!.entry_id, 1, first!.details_sealed);
    assert.equal(details.location, 'Outside the flat');
    assert.equal(details.crimeReference, 'CR/1111/26');

    const again = await browser.post(confirmUrl);
    assert.equal(again.statusCode, 303);
    assert.equal(again.headers.location, `/cases/${caseId}/diary`);
    assert.equal((await entriesOf(caseId)).length, 2, 'confirming again imports nothing more');

    const afterwards = await browser.get(previewUrl);
    assert.match(
      afterwards.body,
      new RegExp(`This diary was imported on ${formatDateTime(first!.imported_at!)}`),
      'the preview says when it was imported',
    );
    assert.doesNotMatch(afterwards.body, /data-qa="confirm-import"/);

    const audit = await test.database.ownerDb
      .selectFrom('audit_events')
      .select(['action', 'details'])
      .where('organisation_id', '=', manager.organisationId)
      .where('action', '=', 'diary.imported')
      .execute();
    assert.equal(audit.length, 1);
    assert.deepEqual(audit[0]!.details, { importId, entries: 2, skipped: 2 });
  });

  it('takes a diary pasted as text, keeping it when there is a problem with the file as a whole', async () => {
    const { caseId } = await givenCase(test, manager, { holder: casey });
    const browser = await signedIn(casey);
    const form = await browser.get(`/cases/${caseId}/diary/import`);

    const noHeadings = await postMultipart(test, browser, `/cases/${caseId}/diary/import`, [
      { name: 'submissionId', value: submissionIdIn(form.body, 'import-form') },
      { name: 'csvFile', value: '', filename: '' },
      { name: 'csvText', value: '1/11/2026 he called twice' },
    ]);
    assert.equal(noHeadings.statusCode, 400);
    assert.deepEqual(errorSummary(noHeadings.body), [
      'The first row must name the columns: there is no ‘Date’ and ‘What happened’ column',
    ]);
    assert.match(noHeadings.body, /href="#csvText"/);
    assert.match(noHeadings.body, />1\/11\/2026 he called twice<\/textarea>/);

    const pastedForm = [
      { name: 'submissionId', value: submissionIdIn(noHeadings.body, 'import-form') },
      { name: 'csvText', value: 'Date,What happened\n1/11/2026,He called twice' },
    ];
    const pasted = await postMultipart(test, browser, `/cases/${caseId}/diary/import`, pastedForm);
    assert.equal(pasted.statusCode, 303);
    const resent = await postMultipart(test, browser, `/cases/${caseId}/diary/import`, pastedForm);
    assert.equal(resent.headers.location, pasted.headers.location, 'the same form sent twice is one check');
    const checks = await inOrganisation(test.database.db, manager.organisationId, (trx) =>
      trx.selectFrom('diary_imports').select('import_id').where('case_id', '=', caseId).execute(),
    );
    assert.equal(checks.length, 1);
    const preview = await browser.get(String(pasted.headers.location));
    assert.match(preview.body, /1 November 2026 \(time not known\)/);
    assert.match(preview.body, /Phone calls \(found in what happened: check it is right\)/);
    assert.match(preview.body, /data-qa="confirm-import">\s*Import 1 entry\s*</);
  });

  it('refuses a file over 2 MB with a message, and nothing is kept', async () => {
    const { caseId } = await givenCase(test, manager, { holder: casey });
    const browser = await signedIn(casey);
    const form = await browser.get(`/cases/${caseId}/diary/import`);
    const row = '01/11/2026,He called again and again,calls\n';
    const large = `Date,What happened,Behaviour\n${row.repeat(Math.ceil((2 * 1024 * 1024) / row.length) + 10)}`;
    const response = await postMultipart(test, browser, `/cases/${caseId}/diary/import`, [
      { name: 'submissionId', value: submissionIdIn(form.body, 'import-form') },
      { name: 'csvFile', value: Buffer.from(large), filename: 'diary.csv' },
    ]);
    assert.equal(response.statusCode, 413);
    assert.deepEqual(errorSummary(response.body), ['The file must be smaller than 2 MB']);
    const kept = await inOrganisation(test.database.db, manager.organisationId, (trx) =>
      trx.selectFrom('diary_imports').select('import_id').where('case_id', '=', caseId).execute(),
    );
    assert.deepEqual(kept, []);
  });

  it('refuses a spreadsheet that is not CSV, and a form with neither file nor text', async () => {
    const { caseId } = await givenCase(test, manager, { holder: casey });
    const browser = await signedIn(casey);
    const form = await browser.get(`/cases/${caseId}/diary/import`);
    const submissionId = submissionIdIn(form.body, 'import-form');
    const xlsx = await postMultipart(test, browser, `/cases/${caseId}/diary/import`, [
      { name: 'submissionId', value: submissionId },
      { name: 'csvFile', value: Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]), filename: 'diary.xlsx' },
    ]);
    assert.equal(xlsx.statusCode, 400);
    assert.deepEqual(errorSummary(xlsx.body), [
      'The file must be a CSV file: in your spreadsheet, choose Save as, then CSV UTF-8',
    ]);
    const nothing = await postMultipart(test, browser, `/cases/${caseId}/diary/import`, [
      { name: 'submissionId', value: submissionId },
      { name: 'csvText', value: '   ' },
    ]);
    assert.equal(nothing.statusCode, 400);
    assert.deepEqual(errorSummary(nothing.body), ['Choose a CSV file or paste the diary']);

    browser.csrfToken = 'not-the-token';
    const forged = await postMultipart(test, browser, `/cases/${caseId}/diary/import`, [
      { name: 'submissionId', value: crypto.randomUUID() },
      { name: 'csvText', value: 'Date,What happened,Behaviour\n1/11/2026,Texts,texts' },
    ]);
    assert.equal(forged.statusCode, 403, 'a multipart form without the page’s CSRF token is refused');
    const kept = await inOrganisation(test.database.db, manager.organisationId, (trx) =>
      trx.selectFrom('diary_imports').select('import_id').where('case_id', '=', caseId).execute(),
    );
    assert.deepEqual(kept, []);
  });

  it('offers the template as a CSV download with the headings only', async () => {
    const { caseId } = await givenCase(test, manager, { holder: casey });
    const browser = await signedIn(casey);
    const response = await browser.get(`/cases/${caseId}/diary/import/template.csv`);
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/csv/);
    assert.match(
      String(response.headers['content-disposition']),
      /^attachment; filename="diary-template.csv"/,
    );
    assert.equal(
      response.body
        .replace(/^\uFEFF/, '')
        .split('\r\n')[0]
        ?.split(',')[0],
      'Date',
    );
  });

  it('keeps a caseworker out of an import on a case they do not hold', async () => {
    const { caseId } = await givenCase(test, manager, { holder: casey });
    const casesBrowser = await signedIn(casey);
    const form = await casesBrowser.get(`/cases/${caseId}/diary/import`);
    const checked = await postMultipart(test, casesBrowser, `/cases/${caseId}/diary/import`, [
      { name: 'submissionId', value: submissionIdIn(form.body, 'import-form') },
      { name: 'csvText', value: 'Date,What happened,Behaviour\n1/11/2026,Texts,texts' },
    ]);
    const previewUrl = String(checked.headers.location);

    const outsider = await signedIn(robin);
    assert.equal((await outsider.get(`/cases/${caseId}/diary/import`)).statusCode, 403);
    assert.equal((await outsider.get(previewUrl)).statusCode, 403);
    const outsiderForm = await outsider.get('/');
    assert.equal(outsiderForm.statusCode, 200);
    const refused = await postMultipart(test, outsider, `/cases/${caseId}/diary/import`, [
      { name: 'submissionId', value: crypto.randomUUID() },
      { name: 'csvText', value: 'Date,What happened,Behaviour\n1/11/2026,Texts,texts' },
    ]);
    assert.equal(refused.statusCode, 403);
    assert.equal((await outsider.post(`${previewUrl}/confirm`)).statusCode, 403);
    assert.deepEqual(await entriesOf(caseId), []);
  });
});
