import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import type { TestBrowser } from '../../../test/support/app.ts';
import {
  buildTestApp,
  givenOrganisation,
  givenStaff,
  type StaffCredentials,
  type TestApp,
  signedInAs,
} from '../../../test/support/app.ts';
import { givenDiaryEntry, incidentFacts } from '../../../test/support/diary.ts';
import { errorSummary, submissionIdIn } from '../../../test/support/forms.ts';
import { givenPerpetrator } from '../../../test/support/perpetrators.ts';
import { givenCase, sessionFor } from '../../../test/support/referrals.ts';
import { sealDocument } from '../clients/sealed-document.ts';
import { withCaseInScope } from '../cases/case-scope.ts';
import { detailsAad } from './diary-entry.ts';
import { DiaryService } from './diary.service.ts';
import { searchKey, searchTerms } from './search-words.ts';

describe('the stalking diary', () => {
  let test: TestApp;
  let manager: StaffCredentials;
  let casey: StaffCredentials;
  let robin: StaffCredentials;

  before(async () => {
    test = await buildTestApp();
    const admin = await givenOrganisation(test);
    manager = await givenStaff(test, admin.organisationId, 'manager', { displayName: 'Morgan Manager' });
    casey = await givenStaff(test, admin.organisationId, 'caseworker', { displayName: 'Casey Worker' });
    robin = await givenStaff(test, admin.organisationId, 'caseworker', { displayName: 'Robin Worker' });
  });
  after(async () => test.close());

  const signedIn = (user: StaffCredentials) => signedInAs(test, user);

  /** A full form's answers for an incident at a fixed moment in the past (UK time). */
  function fullForm(overrides: Record<string, string | string[]> = {}): Record<string, string | string[]> {
    return {
      whenKind: 'exact',
      'occurredOn-day': '5',
      'occurredOn-month': '10',
      'occurredOn-year': '2026',
      occurredTime: '19:30',
      behaviours: ['messages', 'threats'],
      description: 'Twelve texts in an hour asking where she was.\nThe last one said he would find her.',
      location: 'At home',
      latitude: '',
      longitude: '',
      channel: 'text_message',
      accountKind: 'phone',
      accountUsed: '07700 900456',
      accountPlatform: '',
      impacts: ['fear_of_violence'],
      impactInWords: 'She did not sleep that night',
      witnesses: 'Her sister saw the messages',
      evidenceSaved: 'Screenshots on her phone',
      reportedToPolice: 'no',
      policeOfficer: '',
      crimeReference: '',
      perpetratorId: '',
      ...overrides,
    };
  }

  async function record(
    browser: TestBrowser,
    caseId: string,
    form: Record<string, string | string[]>,
    path = `/cases/${caseId}/diary/new`,
  ): Promise<LightMyRequestResponse> {
    const page = await browser.get(path);
    assert.equal(page.statusCode, 200);
    return browser.post(`/cases/${caseId}/diary`, {
      ...form,
      submissionId: submissionIdIn(page.body, 'entry-form'),
    });
  }

  const entriesOn = (body: string) =>
    [...body.matchAll(/data-qa="diary-entry" data-entry="(\d+)"/g)].map((match) => Number(match[1]));
  const location = (response: LightMyRequestResponse) => String(response.headers.location);

  async function auditDetails(reference: string, action: string) {
    return test.database.ownerDb
      .selectFrom('audit_events')
      .select(['details'])
      .where('record_id', '=', reference)
      .where('action', '=', action)
      .execute();
  }

  it('records a quick entry and a full one, and shows both on the timeline in either order', async () => {
    const { caseId, reference } = await givenCase(test, manager, { holder: casey });
    const browser = await signedIn(casey);

    const casePage = await browser.get(`/cases/${caseId}`);
    assert.match(casePage.body, /data-qa="diary-summary">Nothing recorded in the diary yet\./);
    assert.match(casePage.body, new RegExp(`href="/cases/${caseId}/diary/new-quick"`));

    const quick = await browser.get(`/cases/${caseId}/diary/new-quick`);
    assert.equal(quick.statusCode, 200);
    assert.match(quick.body, /<title>Record an incident quickly &ndash; /);
    assert.doesNotMatch(quick.body, /name="witnesses"/, 'the quick form asks only the essentials');
    const now = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/London',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(test.clock.now());
    assert.match(
      quick.body,
      new RegExp(`name="occurredTime" type="text" value="${now}"`),
      'now is filled in',
    );
    const day = /name="occurredOn-day" type="text" value="(\d+)"/.exec(quick.body)?.[1];
    const month = /name="occurredOn-month" type="text" value="(\d+)"/.exec(quick.body)?.[1];
    const year = /name="occurredOn-year" type="text" value="(\d+)"/.exec(quick.body)?.[1];
    assert.ok(day && month && year, 'today is filled in');

    const quickSaved = await browser.post(`/cases/${caseId}/diary`, {
      submissionId: submissionIdIn(quick.body, 'entry-form'),
      whenKind: 'exact',
      form: 'quick',
      'occurredOn-day': day,
      'occurredOn-month': month,
      'occurredOn-year': year,
      occurredTime: now,
      behaviours: 'turning_up_home',
      description: 'He was outside the house again when she got back',
    });
    assert.equal(quickSaved.statusCode, 303);
    const quickEntry = await browser.get(location(quickSaved));
    assert.match(quickEntry.body, /Incident recorded/);
    assert.match(quickEntry.body, /<title>Diary entry 1 &ndash; /);

    const fullSaved = await record(browser, caseId, fullForm());
    assert.equal(fullSaved.statusCode, 303);
    const full = await browser.get(location(fullSaved));
    assert.match(full.body, /data-qa="when">5 October 2026, 7:30pm</);
    assert.match(full.body, /data-qa="witnesses">Her sister saw the messages</);
    assert.match(full.body, /data-qa="account">07700 900456 \(phone number\)</);
    assert.match(full.body, /data-qa="recorded">Recorded by Casey Worker on the client’s behalf, /);

    const newest = await browser.get(`/cases/${caseId}/diary`);
    assert.equal(newest.statusCode, 200);
    assert.deepEqual(entriesOn(newest.body), [1, 2], 'the incident that happened today comes first');
    assert.match(newest.body, /data-qa="when">5 October 2026, 7:30pm</);
    assert.match(newest.body, /govuk-tag--grey">Threats</);
    assert.match(newest.body, /Recorded by Casey Worker on the client’s behalf, /);
    assert.match(newest.body, /No evidence files/);
    const oldest = await browser.get(`/cases/${caseId}/diary?order=oldest`);
    assert.deepEqual(entriesOn(oldest.body), [2, 1]);

    const again = await browser.get(`/cases/${caseId}`);
    assert.match(again.body, /data-qa="diary-summary">2 entries\. The latest incident happened on /);
    assert.deepEqual(
      (await auditDetails(reference, 'diary.entry_recorded')).map((row) => row.details),
      [{ entry: 1 }, { entry: 2 }],
    );
  });

  it('records a range when the client is not sure of the time, and refuses impossible answers, keeping them', async () => {
    const { caseId } = await givenCase(test, manager, { holder: casey });
    const browser = await signedIn(casey);
    const page = await browser.get(`/cases/${caseId}/diary/new`);
    const submissionId = submissionIdIn(page.body, 'entry-form');

    const future = new Date(test.clock.now().getTime() + 2 * 24 * 3600_000);
    const wrong = await browser.post(`/cases/${caseId}/diary`, {
      ...fullForm({
        'occurredOn-year': String(future.getUTCFullYear() + 1),
        behaviours: [],
        latitude: '95',
        longitude: '1',
        accountKind: 'email',
        accountUsed: 'not an email',
        description: 'He left flowers on the car',
      }),
      submissionId,
    });
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /<title>Error: Record an incident &ndash; /);
    assert.deepEqual(errorSummary(wrong.body), [
      'The date and time it happened must be now or in the past',
      'Select at least one thing that happened',
      'Latitude must be a number between -90 and 90',
      'Enter an email address in the right format, like name@example.com',
    ]);
    assert.match(wrong.body, /He left flowers on the car/, 'the description is kept');
    assert.match(wrong.body, /value="not an email"/, 'the account is kept');
    assert.equal(submissionIdIn(wrong.body, 'entry-form'), submissionId, 'the same form goes again');

    const backwards = await browser.post(`/cases/${caseId}/diary`, {
      ...fullForm({
        whenKind: 'range',
        'occurredUntil-day': '4',
        'occurredUntil-month': '10',
        'occurredUntil-year': '2026',
        occurredUntilTime: '08:00',
      }),
      submissionId,
    });
    assert.deepEqual(errorSummary(backwards.body), [
      'The latest it could have been must be after the earliest',
    ]);
    const unreal = await browser.post(`/cases/${caseId}/diary`, {
      ...fullForm({ 'occurredOn-day': '31', 'occurredOn-month': '9', occurredTime: '25:00' }),
      submissionId,
    });
    assert.deepEqual(errorSummary(unreal.body), [
      'The date it happened must be a real date',
      'Enter the time as hours and minutes, like 14:30',
    ]);

    const range = await browser.post(`/cases/${caseId}/diary`, {
      ...fullForm({
        whenKind: 'range',
        'occurredOn-day': '3',
        occurredTime: '22:00',
        'occurredUntil-day': '4',
        'occurredUntil-month': '10',
        'occurredUntil-year': '2026',
        occurredUntilTime: '07:00',
        behaviours: 'property',
        description: 'Tyres let down overnight',
      }),
      submissionId,
    });
    assert.equal(range.statusCode, 303);
    const entry = await browser.get(location(range));
    assert.match(entry.body, /Between 3 October 2026, 10:00pm and 4 October 2026, 7:00am/);
  });

  it('makes one entry however often the same form is sent', async () => {
    const { caseId } = await givenCase(test, manager, { holder: casey });
    const browser = await signedIn(casey);
    const page = await browser.get(`/cases/${caseId}/diary/new`);
    const form = { ...fullForm(), submissionId: submissionIdIn(page.body, 'entry-form') };
    const first = await browser.post(`/cases/${caseId}/diary`, form);
    const second = await browser.post(`/cases/${caseId}/diary`, form);
    assert.equal(first.statusCode, 303);
    assert.equal(location(second), location(first));
    const timeline = await browser.get(`/cases/${caseId}/diary`);
    assert.deepEqual(entriesOn(timeline.body), [1]);
  });

  it('filters by behaviour, perpetrator, police and dates', async () => {
    const { caseId } = await givenCase(test, manager, { holder: casey });
    const perpetratorId = await givenPerpetrator(test, manager, caseId, { name: 'Casey Marlowe' });
    const session = await sessionFor(test, casey);
    await givenDiaryEntry(test, session, caseId, {
      occurredFrom: new Date('2026-09-01T10:00:00Z'),
      behaviours: ['following'],
    });
    await givenDiaryEntry(test, session, caseId, {
      occurredFrom: new Date('2026-09-15T10:00:00Z'),
      behaviours: ['messages'],
      reportedToPolice: true,
      perpetratorId,
    });
    await givenDiaryEntry(test, session, caseId, {
      occurredFrom: new Date('2026-10-01T10:00:00Z'),
      behaviours: ['messages', 'threats'],
    });
    const browser = await signedIn(casey);
    const shown = async (query: string) =>
      entriesOn((await browser.get(`/cases/${caseId}/diary?${query}`)).body);
    assert.deepEqual(await shown('behaviour=messages'), [3, 2]);
    assert.deepEqual(await shown('behaviour=following'), [1]);
    assert.deepEqual(await shown('reported=yes'), [2]);
    assert.deepEqual(await shown('reported=no&order=oldest'), [1, 3]);
    assert.deepEqual(await shown(`perpetratorId=${perpetratorId}`), [2]);
    assert.deepEqual(await shown('from=2026-09-10&to=2026-09-30'), [2]);
    assert.deepEqual(await shown('behaviour=violence'), []);
    const page = await browser.get(`/cases/${caseId}/diary?perpetratorId=${perpetratorId}`);
    assert.match(page.body, /data-qa="perpetrator">Casey Marlowe</);
    assert.match(page.body, /data-qa="reported">Reported to the police</);
  });

  it('searches the words of the case’s entries without putting them in an address or the audit trail', async () => {
    const { caseId, reference } = await givenCase(test, manager, { holder: casey });
    const session = await sessionFor(test, casey);
    await givenDiaryEntry(test, session, caseId, {
      details: { ...incidentFacts().details, description: 'Left a BOUQUET of lilies on the doorstep' },
    });
    await givenDiaryEntry(test, session, caseId, {
      details: { ...incidentFacts().details, description: 'Rang nine times', witnesses: 'Neighbour Priya' },
    });
    const browser = await signedIn(casey);
    await browser.get(`/cases/${caseId}/diary`);

    const found = await browser.post(`/cases/${caseId}/diary/search`, { words: 'bouquet' });
    assert.equal(found.statusCode, 200);
    assert.deepEqual(entriesOn(found.body), [1]);
    assert.match(found.body, /1 entry matches your search/);
    assert.deepEqual(
      entriesOn((await browser.post(`/cases/${caseId}/diary/search`, { words: 'priya' })).body),
      [2],
    );
    const missing = await browser.post(`/cases/${caseId}/diary/search`, { words: 'tulips' });
    assert.deepEqual(entriesOn(missing.body), []);
    assert.match(missing.body, /No entries match/);

    for (const href of [...found.body.matchAll(/(?:href|action)="([^"]+)"/g)].map((match) => match[1]!))
      assert.doesNotMatch(href.toLowerCase(), /bouquet/, `${href} carries no search words`);
    const searched = await auditDetails(reference, 'diary.searched');
    assert.equal(searched.length, 3);
    assert.doesNotMatch(JSON.stringify(searched), /bouquet|priya|tulips/i);
    assert.deepEqual(searched[0]!.details, { found: 1, page: 1 });
  });

  describe('search by the keyed word index', () => {
    const searchFor = async (browser: TestBrowser, caseId: string, words: string) =>
      entriesOn((await browser.post(`/cases/${caseId}/diary/search`, { words })).body);
    const saying = (
      description: string,
      more: Partial<ReturnType<typeof incidentFacts>['details']> = {},
    ) => ({
      details: { ...incidentFacts().details, description, ...more },
    });

    it('finds what the current version of an entry says, and not what only an earlier version said', async () => {
      const { caseId } = await givenCase(test, manager, { holder: casey });
      const session = await sessionFor(test, casey);
      const { entryId } = await givenDiaryEntry(
        test,
        session,
        caseId,
        saying('Left a bouquet on the doorstep'),
      );
      const corrected = await test.services.diary.correct(
        session,
        caseId,
        entryId,
        1,
        incidentFacts(saying('Left a wreath by the garden gate')),
        'She remembered it better',
      );
      assert.ok(corrected.kind === 'ok' && corrected.value.kind === 'corrected');
      const indexed = await test.database.ownerDb
        .selectFrom('diary_entry_words')
        .select('version')
        .where('entry_id', '=', entryId)
        .orderBy('version')
        .execute();
      assert.deepEqual(
        indexed.map((row) => row.version),
        [1, 2],
        'each version is indexed as it is written',
      );
      const browser = await signedIn(casey);
      await browser.get(`/cases/${caseId}/diary`);

      assert.deepEqual(await searchFor(browser, caseId, 'wreath'), [1]);
      assert.deepEqual(await searchFor(browser, caseId, 'garden wreath'), [1], 'every word, in any order');
      assert.deepEqual(
        await searchFor(browser, caseId, 'bouquet'),
        [],
        'the earlier version is not searched',
      );
      assert.deepEqual(await searchFor(browser, caseId, 'wreath bouquet'), [], 'every word must be there');
    });

    it('never finds a redacted entry', async () => {
      const { caseId } = await givenCase(test, manager, { holder: casey });
      const session = await sessionFor(test, casey);
      const first = await givenDiaryEntry(test, session, caseId, saying('A parcel left at the door'));
      await givenDiaryEntry(test, session, caseId, saying('Another parcel, addressed to her sister'));
      const browser = await signedIn(casey);
      await browser.get(`/cases/${caseId}/diary`);
      assert.deepEqual(await searchFor(browser, caseId, 'parcel'), [2, 1]);

      assert.equal(
        (await test.services.diary.redact(session, caseId, first.entryId, 'Belongs to another case')).kind,
        'ok',
      );
      assert.deepEqual(await searchFor(browser, caseId, 'parcel'), [2]);
      assert.deepEqual(await searchFor(browser, caseId, 'door'), []);
    });

    it('matches the start of any word, ignoring capitals and accents, in every field it searched before', async () => {
      const { caseId } = await givenCase(test, manager, { holder: casey });
      const session = await sessionFor(test, casey);
      await givenDiaryEntry(
        test,
        session,
        caseId,
        saying('Constant HARASSMENT outside the café, Supercalifragilisticexpialidocious', {
          witnesses: 'Zoë O’Brien from next door',
          crimeReference: 'AB/12345/26',
        }),
      );
      const browser = await signedIn(casey);
      await browser.get(`/cases/${caseId}/diary`);

      for (const words of ['harass', 'Harassment', 'cafe', 'CAFÉ', 'zoe', 'Zoë', "o'brien", 'brien', '12345'])
        assert.deepEqual(await searchFor(browser, caseId, words), [1], `"${words}" finds the entry`);
      assert.match(
        (await browser.get(`/cases/${caseId}/diary`)).body,
        /every word you type, or a longer word starting with it/,
        'the form says how words are matched',
      );
      assert.deepEqual(await searchFor(browser, caseId, 'ment'), [], 'a word is matched from its start');
      assert.deepEqual(await searchFor(browser, caseId, 'harassments'), [], 'and not beyond its end');
      assert.deepEqual(await searchFor(browser, caseId, 'ab 1'), [1], 'however short');
      assert.deepEqual(await searchFor(browser, caseId, 'q'), []);
      assert.deepEqual(await searchFor(browser, caseId, 'ab cd'), []);
      assert.deepEqual(await searchFor(browser, caseId, 'supercalifragilisticexpialidocious'), [1]);
      assert.deepEqual(
        await searchFor(browser, caseId, 'supercalifragilisticexpialidociouz'),
        [],
        'a word longer than its indexed start is checked in full',
      );
    });

    it('finds entries written before the index existed', async () => {
      const { caseId } = await givenCase(test, manager, { holder: casey });
      const session = await sessionFor(test, casey);
      await givenDiaryEntry(test, session, caseId, saying('Rang the landline at midnight'));
      const entryId = crypto.randomUUID();
      // Written as the diary wrote entries before words were indexed: the entry and its version only.
      await withCaseInScope(
        { db: test.database.db, clock: test.clock, keys: test.services.keys },
        session,
        caseId,
        async (trx, kase) => {
          const values = { organisation_id: session.organisationId, entry_id: entryId, case_id: caseId };
          await trx
            .insertInto('diary_entries')
            .values({
              ...values,
              entry_number: 2,
              origin: 'staff',
              recorded_by: session.user.userId,
              recorded_at: test.clock.now(),
              import_id: null,
              submission_id: crypto.randomUUID(),
            })
            .execute();
          const facts = incidentFacts(saying('Rang the landline again at dawn'));
          await trx
            .insertInto('diary_entry_versions')
            .values({
              ...values,
              version: 1,
              occurred_from: new Date('2026-10-06T05:30:00Z'),
              behaviours: facts.behaviours,
              impacts: facts.impacts,
              channel: facts.channel,
              reported_to_police: false,
              details_sealed: sealDocument(kase.key, facts.details, detailsAad(caseId, entryId, 1), 512),
              recorded_by: session.user.userId,
              recorded_at: test.clock.now(),
            })
            .execute();
        },
      );
      const browser = await signedIn(casey);
      await browser.get(`/cases/${caseId}/diary`);

      assert.deepEqual(await searchFor(browser, caseId, 'landline'), [2, 1]);
      assert.deepEqual(await searchFor(browser, caseId, 'dawn'), [2]);
      assert.deepEqual(await searchFor(browser, caseId, 'midnight'), [1]);
    });

    it('never shows an entry whose hashes match but whose words do not', async () => {
      const { caseId } = await givenCase(test, manager, { holder: casey });
      const session = await sessionFor(test, casey);
      await givenDiaryEntry(test, session, caseId, saying('A wreath on the car bonnet'));
      const entryId = crypto.randomUUID();
      // An entry indexed with a hash its words do not have: what a collision of two words' hashes would do.
      await withCaseInScope(
        { db: test.database.db, clock: test.clock, keys: test.services.keys },
        session,
        caseId,
        async (trx, kase) => {
          const values = { organisation_id: session.organisationId, entry_id: entryId, case_id: caseId };
          await trx
            .insertInto('diary_entries')
            .values({
              ...values,
              entry_number: 2,
              origin: 'staff',
              recorded_by: session.user.userId,
              recorded_at: test.clock.now(),
              import_id: null,
              submission_id: crypto.randomUUID(),
            })
            .execute();
          const facts = incidentFacts(saying('Waited across the road'));
          await trx
            .insertInto('diary_entry_versions')
            .values({
              ...values,
              version: 1,
              occurred_from: new Date('2026-10-06T05:30:00Z'),
              behaviours: facts.behaviours,
              impacts: facts.impacts,
              channel: facts.channel,
              reported_to_police: false,
              details_sealed: sealDocument(kase.key, facts.details, detailsAad(caseId, entryId, 1), 512),
              recorded_by: session.user.userId,
              recorded_at: test.clock.now(),
            })
            .execute();
          await trx
            .insertInto('diary_entry_words')
            .values({ ...values, version: 1, words: searchTerms(searchKey(kase.key), 'wreath').hashes })
            .execute();
        },
      );
      const browser = await signedIn(casey);
      await browser.get(`/cases/${caseId}/diary`);

      const found = await browser.post(`/cases/${caseId}/diary/search`, { words: 'wreath' });
      assert.deepEqual(entriesOn(found.body), [1]);
      assert.match(found.body, /1 entry matches your search/);
      assert.deepEqual(await searchFor(browser, caseId, 'road'), [], 'its own words were never indexed');
    });

    it('counts every match and pages through them, a page past the end showing the last', async () => {
      const { caseId } = await givenCase(test, manager, { holder: casey });
      const session = await sessionFor(test, casey);
      for (let n = 1; n <= 53; n += 1)
        await givenDiaryEntry(
          test,
          session,
          caseId,
          saying(n === 7 ? 'Silent calls all evening' : `Lantern left lit in the porch, night ${n}`),
        );
      const browser = await signedIn(casey);
      await browser.get(`/cases/${caseId}/diary`);

      const first = await browser.post(`/cases/${caseId}/diary/search`, { words: 'lantern porch' });
      assert.match(first.body, /52 entries match your search/);
      const firstPage = entriesOn(first.body);
      assert.equal(firstPage.length, 50);
      assert.ok(!firstPage.includes(7));
      const second = entriesOn(
        (await browser.post(`/cases/${caseId}/diary/search`, { words: 'lantern porch', page: '2' })).body,
      );
      assert.equal(second.length, 2);
      assert.deepEqual(
        [...firstPage, ...second].sort((a, b) => a - b),
        Array.from({ length: 53 }, (_, n) => n + 1).filter((n) => n !== 7),
      );
      assert.deepEqual(
        entriesOn(
          (await browser.post(`/cases/${caseId}/diary/search`, { words: 'lantern porch', page: '9' })).body,
        ),
        second,
      );
    });

    it('finds nothing from another case, and the same word is hashed differently in each case', async () => {
      const mine = await givenCase(test, manager, { holder: casey });
      const theirs = await givenCase(test, manager, { holder: casey });
      const session = await sessionFor(test, casey);
      await givenDiaryEntry(test, session, mine.caseId, saying('Balloons tied to the fence'));
      await givenDiaryEntry(test, session, theirs.caseId, saying('Lilies on the step'));
      await givenDiaryEntry(test, session, theirs.caseId, saying('Balloons tied to the fence'));
      const browser = await signedIn(casey);
      await browser.get(`/cases/${mine.caseId}/diary`);

      const found = await browser.post(`/cases/${mine.caseId}/diary/search`, { words: 'balloons' });
      assert.deepEqual(entriesOn(found.body), [1]);
      assert.match(found.body, /1 entry matches your search/);
      assert.deepEqual(await searchFor(browser, mine.caseId, 'lilies'), []);

      const hashes = async (caseId: string) =>
        (
          await test.database.ownerDb
            .selectFrom('diary_entry_words')
            .select('words')
            .where('case_id', '=', caseId)
            .execute()
        ).flatMap((row) => row.words.map(String));
      const inMine = await hashes(mine.caseId);
      const inTheirs = new Set(await hashes(theirs.caseId));
      assert.ok(inMine.length > 0, 'the words are indexed');
      assert.deepEqual(
        inMine.filter((hash) => inTheirs.has(hash)),
        [],
        'the same words have nothing in common across cases',
      );
    });
  });

  it('corrects an entry as a new version with its reason, and shows what changed', async () => {
    const { caseId, reference } = await givenCase(test, manager, { holder: casey });
    const browser = await signedIn(casey);
    const saved = await record(browser, caseId, fullForm());
    const entryPath = location(saved).split('?')[0]!;

    const form = await browser.get(`${entryPath}/correct`);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /Her sister saw the messages/, 'the form starts from what the entry says');
    assert.match(form.body, /name="version" value="1"/);

    const answers = {
      ...fullForm({ occurredTime: '20:15', witnesses: 'Her sister and a neighbour' }),
      version: '1',
    };
    const noReason = await browser.post(`${entryPath}/correct`, answers);
    assert.equal(noReason.statusCode, 400);
    assert.deepEqual(errorSummary(noReason.body), ['Enter why the entry is being corrected']);
    assert.match(noReason.body, /Her sister and a neighbour/);

    const corrected = await browser.post(`${entryPath}/correct`, {
      ...answers,
      reason: 'She checked her phone for the time',
    });
    assert.equal(corrected.statusCode, 303);
    const twice = await browser.post(`${entryPath}/correct`, {
      ...answers,
      reason: 'She checked her phone for the time',
    });
    assert.match(location(twice), /done=changed_since/, 'a second click adds no third version');

    const entry = await browser.get(entryPath);
    assert.match(entry.body, /data-qa="when">5 October 2026, 8:15pm</);
    assert.match(entry.body, /Corrected: 2 versions/);
    const latest = entry.body.split('data-version="2"')[1]!.split('data-version="1"')[0]!;
    assert.match(latest, /Casey Worker, /);
    assert.match(latest, /She checked her phone for the time/);
    const changes = [
      ...latest.matchAll(
        /data-qa="change">\s*<th[^>]*>([^<]+)<\/th>\s*<td[^>]*><del>([^<]*)<\/del><\/td>\s*<td[^>]*><ins>([^<]*)<\/ins>/g,
      ),
    ].map((match) => [match[1], match[2], match[3]]);
    assert.deepEqual(changes, [
      ['When it happened', '5 October 2026, 7:30pm', '5 October 2026, 8:15pm'],
      ['Witnesses', 'Her sister saw the messages', 'Her sister and a neighbour'],
    ]);

    const timeline = await browser.get(`/cases/${caseId}/diary`);
    assert.match(timeline.body, /Corrected \(2 versions\)/);
    assert.deepEqual(
      (await auditDetails(reference, 'diary.entry_corrected')).map((row) => row.details),
      [{ entry: 1, version: 2 }],
    );
  });

  it('redacts an entry with a reason: the timeline shows who, when and why, and none of what it said', async () => {
    const { caseId, reference } = await givenCase(test, manager, { holder: casey });
    const session = await sessionFor(test, casey);
    const { entryId } = await givenDiaryEntry(test, session, caseId, {
      details: { ...incidentFacts().details, description: 'Recorded on the wrong client by mistake' },
    });
    await givenDiaryEntry(test, session, caseId);
    const browser = await signedIn(casey);

    const form = await browser.get(`/cases/${caseId}/diary/${entryId}/redact`);
    assert.equal(form.statusCode, 200);
    const empty = await browser.post(`/cases/${caseId}/diary/${entryId}/redact`, { reason: ' ' });
    assert.equal(empty.statusCode, 400);
    assert.deepEqual(errorSummary(empty.body), ['Enter why the entry is being redacted']);
    const done = await browser.post(`/cases/${caseId}/diary/${entryId}/redact`, {
      reason: 'Belongs to another case',
    });
    assert.equal(done.statusCode, 303);

    const timeline = await browser.get(`/cases/${caseId}/diary`);
    assert.match(timeline.body, /Entry 1 was redacted on [^<]+ by Casey Worker: Belongs to another case/);
    assert.doesNotMatch(timeline.body, /wrong client/);
    assert.deepEqual(entriesOn(timeline.body), [2, 1]);
    const entry = await browser.get(`/cases/${caseId}/diary/${entryId}`);
    assert.doesNotMatch(entry.body, /wrong client/);
    assert.doesNotMatch(entry.body, /Correct this entry/);
    assert.equal((await browser.get(`/cases/${caseId}/diary/${entryId}/correct`)).statusCode, 303);
    const casePage = await browser.get(`/cases/${caseId}`);
    assert.match(casePage.body, /data-qa="diary-summary">1 entry\./);
    assert.deepEqual(
      (await auditDetails(reference, 'diary.entry_redacted')).map((row) => row.details),
      [{ entry: 1 }],
    );
  });

  it('shows when a phone number in an entry matches one recorded for the case’s perpetrator', async () => {
    const { caseId } = await givenCase(test, manager, { holder: casey });
    await givenPerpetrator(test, manager, caseId, { name: 'Casey Marlowe', phones: ['07700 900123'] });
    const browser = await signedIn(casey);
    const matching = await record(browser, caseId, fullForm({ accountUsed: '+44 7700 900123' }));
    const entry = await browser.get(location(matching));
    assert.match(entry.body, /Matches a phone number recorded for Casey Marlowe/);

    const other = await record(browser, caseId, fullForm({ accountUsed: '07700 900999' }));
    assert.doesNotMatch((await browser.get(location(other))).body, /Matches a phone number/);
    const unmarked = await record(
      browser,
      caseId,
      fullForm({ accountKind: 'other', accountUsed: '07700 900123' }),
    );
    assert.doesNotMatch(
      (await browser.get(location(unmarked))).body,
      /Matches a phone number/,
      'only what the recorder marks is matched',
    );
    const elsewhere = await givenCase(test, manager, { holder: robin });
    await givenPerpetrator(test, manager, elsewhere.caseId, { name: 'Jo Other', phones: ['07700 900777'] });
    const notLinked = await record(browser, caseId, fullForm({ accountUsed: '07700 900777' }));
    assert.doesNotMatch(
      (await browser.get(location(notLinked))).body,
      /Jo Other/,
      'a perpetrator on another case is not named here',
    );
  });

  it('refuses a caseworker whose caseload the case is not on', async () => {
    const { caseId } = await givenCase(test, manager, { holder: casey });
    const { entryId } = await givenDiaryEntry(test, await sessionFor(test, casey), caseId);
    const browser = await signedIn(robin);
    for (const path of [
      `/cases/${caseId}/diary`,
      `/cases/${caseId}/diary/new`,
      `/cases/${caseId}/diary/new-quick`,
      `/cases/${caseId}/diary/${entryId}`,
      `/cases/${caseId}/diary/${entryId}/correct`,
      `/cases/${caseId}/diary/${entryId}/redact`,
    ])
      assert.equal((await browser.get(path)).statusCode, 403, path);
    await browser.get('/');
    const post = await browser.post(`/cases/${caseId}/diary`, {
      ...fullForm(),
      submissionId: crypto.randomUUID(),
    });
    assert.equal(post.statusCode, 403);
    assert.equal((await browser.post(`/cases/${caseId}/diary/search`, { words: 'texts' })).statusCode, 403);
  });

  it('calls the after-change hook once per entry, in the recording transaction', async () => {
    const { caseId } = await givenCase(test, manager, { holder: casey });
    const seen: { caseId: string; entries: number }[] = [];
    const diary = new DiaryService({
      db: test.database.db,
      clock: test.clock,
      keys: test.services.keys,
      afterChange: async (trx, kase) => {
        const { count } = await trx
          .selectFrom('diary_entries')
          .select((eb) => eb.fn.countAll<string>().as('count'))
          .where('case_id', '=', kase.caseId)
          .executeTakeFirstOrThrow();
        seen.push({ caseId: kase.caseId, entries: Number(count) });
      },
    });
    const session = await sessionFor(test, casey);
    const submissionId = crypto.randomUUID();
    const first = await diary.recordIncident(session, caseId, submissionId, incidentFacts());
    const again = await diary.recordIncident(session, caseId, submissionId, incidentFacts());
    assert.ok(first.kind === 'ok' && first.value.kind === 'recorded');
    assert.ok(again.kind === 'ok' && again.value.kind === 'recorded' && again.value.repeat);
    assert.deepEqual(seen, [{ caseId, entries: 1 }], 'called once, after the entry was written');
  });
});
