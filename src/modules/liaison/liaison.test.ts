import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import ICAL from 'ical.js';
import { sql } from 'kysely';
import { inOrganisation } from '../../db/database.ts';
import { DAY, ukDate } from '../../platform/clock.ts';
import { paths } from '../../paths.ts';
import {
  buildTestApp,
  givenOrganisation,
  givenStaff,
  TestBrowser,
  type StaffCredentials,
  type TestApp,
} from '../../../test/support/app.ts';
import { givenDiaryEntry, incidentFacts } from '../../../test/support/diary.ts';
import { errorSummary, submissionIdIn } from '../../../test/support/forms.ts';
import { pdfInfo, pdfText, qpdfCheck } from '../../../test/support/pdf.ts';
import { givenPerpetrator } from '../../../test/support/perpetrators.ts';
import { givenCase, sessionFor } from '../../../test/support/referrals.ts';
import { givenCompletedAssessment } from '../../../test/support/risk.ts';

const CLIENT = 'Zoë Ó Briain';
const PERPETRATOR = 'Дмитрий Волков';

/** A multipart body as a browser sends the evidence upload form: token, submission id, then one file. */
function multipartBody(fields: [string, string][], file: { name: string; content: Buffer }) {
  const boundary = `----vigil${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = fields.map(([name, value]) =>
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
  );
  chunks.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${file.name}"\r\n` +
        'Content-Type: text/plain\r\n\r\n',
    ),
    file.content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { boundary, body: Buffer.concat(chunks) };
}

describe('police liaison and court support through the app', () => {
  let test: TestApp;
  let admin: StaffCredentials;
  let manager: StaffCredentials;
  let casey: StaffCredentials;
  let robin: StaffCredentials;
  let police: StaffCredentials;

  before(async () => {
    test = await buildTestApp();
    admin = await givenOrganisation(test);
    manager = await givenStaff(test, admin.organisationId, 'manager', { displayName: 'Morgan Manager' });
    casey = await givenStaff(test, admin.organisationId, 'caseworker', { displayName: 'Casey Worker' });
    robin = await givenStaff(test, admin.organisationId, 'caseworker', { displayName: 'Robin Worker' });
    police = await givenStaff(test, admin.organisationId, 'police_liaison');
  });
  after(async () => test.close());

  async function signedIn(user: StaffCredentials): Promise<TestBrowser> {
    const browser = new TestBrowser(test);
    await browser.signIn(user);
    return browser;
  }

  const givenCaseyCase = () =>
    givenCase(test, manager, {
      holder: casey,
      answers: { personName: CLIENT, perpetratorName: PERPETRATOR },
    });

  const owner = () => test.database.ownerDb;

  const auditOf = async (reference: string) =>
    owner()
      .selectFrom('audit_events')
      .select(['action', 'details'])
      .where('record_id', '=', reference)
      .orderBy('occurred_at')
      .execute();

  /** Opens a form page and posts it with its submission id. */
  async function submit(
    browser: TestBrowser,
    formUrl: string,
    postUrl: string,
    formQa: string,
    form: Record<string, string | string[]>,
  ) {
    const page = await browser.get(formUrl);
    assert.equal(page.statusCode, 200, `${formUrl} opens`);
    return browser.post(postUrl, { submissionId: submissionIdIn(page.body, formQa), ...form });
  }

  const contactForm = (overrides: Record<string, string> = {}) => ({
    force: 'Northshire Police',
    officerName: 'DC Priya Shah',
    collarNumber: 'NS4417',
    role: 'officer_in_case',
    phone: '01632 960 417',
    email: 'priya.shah@police.example',
    notes: 'Works late shifts',
    ...overrides,
  });

  /** A date-and-time form's fields for a UK day and time. */
  const when = (day: string, time: string) => {
    const [year, month, date] = day.split('-');
    return {
      'startsOn-day': String(Number(date)),
      'startsOn-month': String(Number(month)),
      'startsOn-year': year!,
      startsTime: time,
    };
  };

  const hearingForm = (day: string, overrides: Record<string, string | string[]> = {}) => ({
    courtType: 'criminal',
    venue: 'Northtown Magistrates’ Court',
    ...when(day, '10:00'),
    hearingType: 'trial',
    hearingTypeOther: '',
    crimeReferenceId: '',
    support: ['accompany', 'separate_waiting_room'],
    measuresRequested: ['screens'],
    notes: 'Client wants to arrive by the side entrance',
    ...overrides,
  });

  const daysFromNow = (days: number) => ukDate(new Date(test.clock.now().getTime() + days * DAY));

  describe('police contacts', () => {
    it('keeps every version of a contact, seals its phone and email, and marks it no longer involved', async () => {
      const { caseId, reference } = await givenCaseyCase();
      const browser = await signedIn(casey);
      const added = await submit(
        browser,
        paths.casePoliceContactNew(caseId),
        paths.casePoliceContacts(caseId),
        'police-contact-form',
        contactForm(),
      );
      assert.equal(added.statusCode, 303);
      const [first] = await owner()
        .selectFrom('police_contact_versions')
        .selectAll()
        .where('case_id', '=', caseId)
        .execute();
      assert.ok(first);
      assert.equal(first.officer_name, 'DC Priya Shah');
      const sealed = first.details_sealed.toString('latin1');
      assert.ok(!sealed.includes('01632') && !sealed.includes('priya.shah'), 'phone and email are sealed');

      const changeUrl = paths.policeContactChange(caseId, first.contact_id);
      const changed = await submit(
        browser,
        changeUrl,
        paths.policeContact(caseId, first.contact_id),
        'police-contact-form',
        contactForm({ role: 'single_point_of_contact', phone: '01632 960 999' }),
      );
      assert.equal(changed.statusCode, 303);
      const notInvolved = await browser.post(paths.policeContactNotInvolved(caseId, first.contact_id));
      assert.equal(notInvolved.statusCode, 303);

      const versions = await owner()
        .selectFrom('police_contact_versions')
        .select(['version', 'role', 'involved'])
        .where('contact_id', '=', first.contact_id)
        .orderBy('version')
        .execute();
      assert.deepEqual(versions, [
        { version: 1, role: 'officer_in_case', involved: true },
        { version: 2, role: 'single_point_of_contact', involved: true },
        { version: 3, role: 'single_point_of_contact', involved: false },
      ]);

      const history = await browser.get(changeUrl);
      assert.equal(history.statusCode, 200);
      assert.equal(history.body.match(/data-qa="police-contact-version"/g)?.length, 2);
      assert.match(history.body, /01632 960 417/, 'the first phone number is still on record');
      assert.match(history.body, /This officer is no longer involved/);

      const casePage = await browser.get(paths.case(caseId));
      const section = casePage.body.split('data-qa="case-police"')[1]?.split('</section>')[0] ?? '';
      assert.match(section, /DC Priya Shah \(NS4417\)/);
      assert.match(section, /01632 960 999/);
      assert.match(section, /No longer involved/);
      assert.match(section, /2 earlier versions kept/);

      const events = await auditOf(reference);
      const actions = events.map((event) => event.action);
      for (const action of ['police.contact_added', 'police.contact_changed', 'police.contact_not_involved'])
        assert.ok(actions.includes(action), `${action} is audited`);
      const details = JSON.stringify(events.map((event) => event.details));
      assert.doesNotMatch(
        details,
        /Priya|01632|police\.example|late shifts/,
        'audit details carry no content',
      );
    });

    it('the database refuses to change or delete a contact’s versions', async () => {
      const { caseId } = await givenCaseyCase();
      const browser = await signedIn(casey);
      await submit(
        browser,
        paths.casePoliceContactNew(caseId),
        paths.casePoliceContacts(caseId),
        'police-contact-form',
        contactForm(),
      );
      await assert.rejects(
        owner()
          .updateTable('police_contact_versions')
          .set({ officer_name: 'Someone else' })
          .where('case_id', '=', caseId)
          .execute(),
        /append-only/,
      );
      await assert.rejects(
        owner().deleteFrom('police_contact_versions').where('case_id', '=', caseId).execute(),
        /append-only/,
      );
    });

    it('explains what is missing and keeps what was typed', async () => {
      const { caseId } = await givenCaseyCase();
      const browser = await signedIn(casey);
      const response = await submit(
        browser,
        paths.casePoliceContactNew(caseId),
        paths.casePoliceContacts(caseId),
        'police-contact-form',
        contactForm({ officerName: '', role: '', email: 'not an email' }),
      );
      assert.equal(response.statusCode, 400);
      assert.deepEqual(errorSummary(response.body), [
        'Enter the officer’s name',
        'Select the officer’s role on the case',
        'Enter an email address, like name@police.example',
      ]);
      assert.match(response.body, /value="Northshire Police"/);
      assert.match(response.body, /<title>Error: /);
    });
  });

  describe('crime references', () => {
    it('keeps a history of status updates that the database will not let anyone rewrite', async () => {
      const { caseId, reference } = await givenCaseyCase();
      const browser = await signedIn(casey);
      const added = await submit(
        browser,
        paths.caseCrimeReferenceNew(caseId),
        paths.caseCrimeReferences(caseId),
        'crime-reference-form',
        {
          reference: '41/12345/26',
          force: 'Northshire Police',
          offence: 'stalking_fear_s4a',
          offenceDetail: '',
          status: 'reported',
          'statusOn-day': '2',
          'statusOn-month': '11',
          'statusOn-year': '2026',
          note: 'Reported at the front desk',
        },
      );
      assert.equal(added.statusCode, 303);
      const crime = await owner()
        .selectFrom('crime_references')
        .selectAll()
        .where('case_id', '=', caseId)
        .executeTakeFirstOrThrow();
      const url = paths.crimeReference(caseId, crime.crime_reference_id);
      test.clock.advance(60_000);
      const updated = await submit(
        browser,
        url,
        paths.crimeReferenceUpdates(caseId, crime.crime_reference_id),
        'crime-update-form',
        {
          status: 'charged',
          'statusOn-day': '20',
          'statusOn-month': '11',
          'statusOn-year': '2026',
          note: 'Charged with s.4A',
        },
      );
      assert.equal(updated.statusCode, 303);

      const page = await browser.get(url);
      assert.equal(page.statusCode, 200);
      const rows = page.body.split('data-qa="crime-history-row"').slice(1);
      assert.equal(rows.length, 2);
      assert.match(rows[0]!, /Charged[\s\S]*20 November 2026[\s\S]*Charged with s\.4A/);
      assert.match(rows[1]!, /Reported[\s\S]*2 November 2026[\s\S]*Reported at the front desk/);
      assert.match(page.body, /Stalking involving fear of violence/);

      const updates = await owner()
        .selectFrom('crime_reference_updates')
        .selectAll()
        .where('crime_reference_id', '=', crime.crime_reference_id)
        .execute();
      assert.equal(updates.length, 2);
      assert.ok(!updates.some((row) => row.note_sealed?.toString('latin1').includes('front desk')));
      for (const table of ['crime_reference_updates', 'crime_references'] as const) {
        await assert.rejects(
          sql`UPDATE ${sql.table(table)} SET recorded_at = now() WHERE crime_reference_id = ${crime.crime_reference_id}`.execute(
            owner(),
          ),
          /append-only: UPDATE refused/,
        );
        await assert.rejects(
          sql`DELETE FROM ${sql.table(table)} WHERE crime_reference_id = ${crime.crime_reference_id}`.execute(
            owner(),
          ),
          /append-only: DELETE refused/,
        );
      }
      // The application's own role cannot either (it is granted no UPDATE or DELETE at all).
      await assert.rejects(
        inOrganisation(test.database.db, admin.organisationId, (trx) =>
          trx
            .updateTable('crime_reference_updates')
            .set({ status: 'convicted' })
            .where('case_id', '=', caseId)
            .execute(),
        ),
        /permission denied|append-only/,
      );

      const actions = (await auditOf(reference)).map((event) => event.action);
      assert.ok(actions.includes('police.crime_reference_added'));
      assert.ok(actions.includes('police.crime_reference_updated'));
      assert.ok(actions.includes('police.crime_reference_viewed'));
    });
  });

  describe('court hearings', () => {
    const remindersOf = (caseId: string) =>
      owner()
        .selectFrom('tasks')
        .select(['task_id', 'title', 'due_on', 'owner_id', 'completed_at'])
        .where('case_id', '=', caseId)
        .orderBy('created_at')
        .execute();

    it('raises one reminder a week before, moves it when the hearing moves, and never doubles it', async () => {
      const { caseId } = await givenCaseyCase();
      // Recorded by the manager: the reminder is still the caseworker's.
      const browser = await signedIn(manager);
      const first = daysFromNow(30);
      const form = hearingForm(first);
      const page = await browser.get(paths.caseHearingNew(caseId));
      assert.match(page.body, /7 days before the hearing/);
      const submissionId = submissionIdIn(page.body, 'hearing-form');
      const added = await browser.post(paths.caseHearings(caseId), { submissionId, ...form });
      assert.equal(added.statusCode, 303);
      const again = await browser.post(paths.caseHearings(caseId), { submissionId, ...form });
      assert.equal(again.statusCode, 303, 'a double submit is accepted');

      const hearings = await owner()
        .selectFrom('court_hearings')
        .selectAll()
        .where('case_id', '=', caseId)
        .execute();
      assert.equal(hearings.length, 1, 'a double submit adds one hearing');
      const hearing = hearings[0]!;
      let tasks = await remindersOf(caseId);
      assert.equal(tasks.length, 1);
      assert.equal(tasks[0]!.due_on, daysFromNow(23));
      assert.equal(tasks[0]!.owner_id, casey.userId);
      assert.doesNotMatch(tasks[0]!.title, /Zoë|Волков/);
      assert.equal(hearing.reminder_task_id, tasks[0]!.task_id);

      // The hearing moves: the same reminder moves with it.
      const moved = daysFromNow(45);
      const change = await browser.post(paths.hearing(caseId, hearing.hearing_id), hearingForm(moved));
      assert.equal(change.statusCode, 303);
      tasks = await remindersOf(caseId);
      assert.equal(tasks.length, 1, 'still one reminder');
      assert.equal(tasks[0]!.due_on, daysFromNow(38));

      // A change that does not move it leaves the reminder alone.
      await browser.post(
        paths.hearing(caseId, hearing.hearing_id),
        hearingForm(moved, { venue: 'Southtown Crown Court' }),
      );
      tasks = await remindersOf(caseId);
      assert.equal(tasks.length, 1);
      assert.equal(tasks[0]!.due_on, daysFromNow(38));

      // Done, then adjourned to another day: one new reminder for the new day.
      await test.services.casework.completeTask(await sessionFor(test, casey), caseId, tasks[0]!.task_id);
      await browser.post(paths.hearing(caseId, hearing.hearing_id), hearingForm(daysFromNow(60)));
      tasks = await remindersOf(caseId);
      assert.equal(tasks.length, 2);
      assert.equal(tasks.filter((task) => !task.completed_at).length, 1);
      assert.equal(tasks.find((task) => !task.completed_at)!.due_on, daysFromNow(53));

      // The outcome closes the open reminder.
      const outcome = await browser.post(paths.hearingOutcome(caseId, hearing.hearing_id), {
        outcome: 'adjourned',
        outcomeNote: 'Adjourned for the defence',
      });
      assert.equal(outcome.statusCode, 303);
      tasks = await remindersOf(caseId);
      assert.equal(tasks.filter((task) => !task.completed_at).length, 0);

      const casePage = await browser.get(paths.case(caseId));
      const section = casePage.body.split('data-qa="case-court"')[1]?.split('</section>')[0] ?? '';
      assert.match(section, /Trial/);
      assert.match(section, /Southtown Crown Court|Northtown Magistrates/);
      assert.match(section, /Going to court with the client, A separate waiting room/);
      assert.match(section, /Adjourned: Adjourned for the defence/);
    });

    it('raises no reminder for a hearing already over, and refuses a crime reference from another case', async () => {
      const { caseId } = await givenCaseyCase();
      const other = await givenCaseyCase();
      const browser = await signedIn(casey);
      const added = await submit(
        browser,
        paths.caseHearingNew(caseId),
        paths.caseHearings(caseId),
        'hearing-form',
        hearingForm(daysFromNow(-3)),
      );
      assert.equal(added.statusCode, 303);
      assert.equal((await remindersOf(caseId)).length, 0);

      await submit(
        browser,
        paths.caseCrimeReferenceNew(other.caseId),
        paths.caseCrimeReferences(other.caseId),
        'crime-reference-form',
        {
          reference: '41/999/26',
          force: 'Northshire Police',
          offence: 'harassment',
          status: 'reported',
          'statusOn-day': '1',
          'statusOn-month': '11',
          'statusOn-year': '2026',
        },
      );
      const foreign = await owner()
        .selectFrom('crime_references')
        .select('crime_reference_id')
        .where('case_id', '=', other.caseId)
        .executeTakeFirstOrThrow();
      const refused = await submit(
        browser,
        paths.caseHearingNew(caseId),
        paths.caseHearings(caseId),
        'hearing-form',
        hearingForm(daysFromNow(10), { crimeReferenceId: foreign.crime_reference_id }),
      );
      assert.equal(refused.statusCode, 400);
    });
  });

  describe('the hearings calendar', () => {
    it('lists hearings by week and exports an iCalendar file that names only the case reference', async () => {
      // A summer hearing (British Summer Time) and a winter one (GMT), both at the same wall-clock time.
      test.clock.set('2027-05-01T09:00:00Z');
      const { caseId, reference } = await givenCaseyCase();
      const mine = await signedIn(casey);
      await givenPerpetrator(test, casey, caseId, { name: PERPETRATOR });
      for (const day of ['2027-06-15', '2027-12-14'])
        await submit(
          mine,
          paths.caseHearingNew(caseId),
          paths.caseHearings(caseId),
          'hearing-form',
          hearingForm(day),
        );
      await submit(mine, paths.caseHearingNew(caseId), paths.caseHearings(caseId), 'hearing-form', {
        ...hearingForm('2027-06-20'),
        ...when('2027-06-20', '14:30'),
      });
      const vacated = await owner()
        .selectFrom('court_hearings')
        .select('hearing_id')
        .where('case_id', '=', caseId)
        .where('starts_at', '=', new Date('2027-06-20T13:30:00Z'))
        .executeTakeFirstOrThrow();
      await mine.post(paths.hearingOutcome(caseId, vacated.hearing_id), {
        outcome: 'vacated',
        outcomeNote: '',
      });
      // Someone else's hearing is on the team's calendar, not Casey's.
      const elsewhere = await givenCase(test, manager, { holder: robin });
      const robinBrowser = await signedIn(robin);
      await submit(
        robinBrowser,
        paths.caseHearingNew(elsewhere.caseId),
        paths.caseHearings(elsewhere.caseId),
        'hearing-form',
        hearingForm('2027-06-16'),
      );

      const page = await mine.get(paths.hearings);
      assert.equal(page.statusCode, 200);
      assert.equal(page.headers['cache-control'], 'no-store');
      assert.equal(page.body.match(/data-qa="calendar-hearing"/g)?.length, 3);
      assert.match(
        page.body,
        /Week beginning 14 June 2027[\s\S]*15 June 2027, 10:00am[\s\S]*Week beginning 13 December 2027/,
      );
      assert.doesNotMatch(page.body, new RegExp(elsewhere.reference));
      assert.equal(
        (await mine.get(`${paths.hearings}?view=team`)).statusCode,
        403,
        'the team view is for managers',
      );

      const file = await mine.get(paths.hearingsCalendarFile);
      assert.equal(file.statusCode, 200);
      assert.match(String(file.headers['content-type']), /^text\/calendar/);
      assert.equal(file.headers['content-disposition'], 'attachment; filename="court-hearings.ics"');
      assert.equal(file.headers['cache-control'], 'no-store');
      for (const secret of [CLIENT, PERPETRATOR, 'Northtown', 'Magistrates', 'Zo', 'side entrance', 'Trial'])
        assert.ok(!file.body.includes(secret), `the calendar file does not contain ${secret}`);

      const calendar = new ICAL.Component(ICAL.parse(file.body) as unknown[]);
      for (const zone of calendar.getAllSubcomponents('vtimezone'))
        ICAL.TimezoneService.register(new ICAL.Timezone(zone));
      const events = calendar.getAllSubcomponents('vevent').map((component) => new ICAL.Event(component));
      assert.equal(events.length, 3);
      for (const event of events) assert.equal(event.summary, `Court hearing – case ${reference}`);
      const starts = events
        .map((event) => ({
          utc: event.startDate.toJSDate().toISOString(),
          zone: event.startDate.zone?.tzid,
          status: event.component.getFirstPropertyValue('status'),
        }))
        .sort((a, b) => a.utc.localeCompare(b.utc));
      assert.deepEqual(starts, [
        { utc: '2027-06-15T09:00:00.000Z', zone: 'Europe/London', status: 'CONFIRMED' },
        { utc: '2027-06-20T13:30:00.000Z', zone: 'Europe/London', status: 'CANCELLED' },
        { utc: '2027-12-14T10:00:00.000Z', zone: 'Europe/London', status: 'CONFIRMED' },
      ]);

      // The manager's team view holds both caseworkers' hearings.
      const team = await (await signedIn(manager)).get(`${paths.hearingsCalendarFile}?view=team`);
      const teamEvents = new ICAL.Component(ICAL.parse(team.body) as unknown[]).getAllSubcomponents('vevent');
      assert.equal(teamEvents.length, 4);
      const audit = await owner()
        .selectFrom('audit_events')
        .select('details')
        .where('action', '=', 'court.calendar_exported')
        .where('actor_user_id', '=', casey.userId)
        .executeTakeFirstOrThrow();
      assert.deepEqual(audit.details, { view: 'mine', hearings: 3 });
    });
  });

  describe('the request to police for an SPO', () => {
    async function givenEvidencedCase() {
      const kase = await givenCaseyCase();
      const session = await sessionFor(test, casey);
      await givenCompletedAssessment(test, session, kase.caseId, {
        yes: 15,
        completedAt: new Date(test.clock.now().getTime() - 5 * DAY),
      });
      // The level the risk module keeps beside the case when an assessment is completed.
      await owner()
        .updateTable('cases')
        .set({ risk_level: 'high', risk_assessed_at: test.clock.now() })
        .where('case_id', '=', kase.caseId)
        .execute();
      await givenPerpetrator(test, casey, kase.caseId, { name: PERPETRATOR, aliases: ['Dima'] });
      const incidents = [
        { days: 40, behaviours: ['following'], description: 'Followed her from the station to the gym' },
        {
          days: 30,
          behaviours: ['messages', 'threats'],
          description: 'Sent forty messages saying she would regret leaving',
        },
        { days: 10, behaviours: ['messages'], description: 'Messaged her sister asking where she lives now' },
      ];
      let entryId = '';
      for (const incident of incidents) {
        const entry = await givenDiaryEntry(test, session, kase.caseId, {
          occurredFrom: new Date(test.clock.now().getTime() - incident.days * DAY),
          behaviours: incident.behaviours as never,
          details: { ...incidentFacts().details, description: incident.description },
        });
        entryId = entry.entryId;
      }
      const browser = await signedIn(casey);
      const uploadPage = await browser.get(paths.diaryEntryEvidence(kase.caseId, entryId));
      const content = Buffer.from('Screenshot notes: forty messages between 21:00 and 23:00\n');
      const { boundary, body } = multipartBody(
        [
          ['_csrf', browser.csrfToken!],
          ['submissionId', submissionIdIn(uploadPage.body, 'evidence-form')],
        ],
        { name: 'messages-log.txt', content },
      );
      const cookie = [...browser.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
      const uploaded = await test.app.inject({
        method: 'POST',
        url: paths.diaryEntryEvidence(kase.caseId, entryId),
        headers: { cookie, accept: 'text/html', 'content-type': `multipart/form-data; boundary=${boundary}` },
        payload: body,
      });
      assert.equal(uploaded.statusCode, 303, 'the evidence is uploaded');
      await submit(
        browser,
        paths.casePoliceContactNew(kase.caseId),
        paths.casePoliceContacts(kase.caseId),
        'police-contact-form',
        contactForm(),
      );
      return { ...kase, browser, sha256: createHash('sha256').update(content).digest('hex') };
    }

    const spoForm = (contactId: string) => ({
      contactId,
      prohibitions: ['no_contact', 'no_online_contact', 'no_entry'],
      otherProhibitions: 'Not to contact her sister, Ffion',
      requirements: ['surrender_devices'],
      otherRequirements: '',
      places: 'Her workplace: Northtown Library, High Street\nThe gym on Mill Lane',
      otherInformation: '',
      consent: 'without_consent',
      consentReason: 'She is too frightened to agree, and the risk is high',
    });

    it('is checked on a page, recorded sealed, and gives the same PDF every time', async () => {
      const { caseId, reference, browser, sha256 } = await givenEvidencedCase();
      const contact = await owner()
        .selectFrom('police_contact_versions')
        .select('contact_id')
        .where('case_id', '=', caseId)
        .executeTakeFirstOrThrow();
      const formPage = await browser.get(paths.caseSpoRequestNew(caseId));
      assert.equal(formPage.statusCode, 200);
      assert.match(formPage.body, /DC Priya Shah \(NS4417\), Northshire Police, Officer in the case/);

      const check = await browser.post(paths.caseSpoRequestCheck(caseId), spoForm(contact.contact_id));
      assert.equal(check.statusCode, 200);
      assert.match(check.body, /Followed her from the station to the gym/);
      assert.match(check.body, /Northtown Library, High Street/);
      assert.match(check.body, /messages-log\.txt/);
      assert.equal(
        await owner()
          .selectFrom('spo_requests')
          .select('request_id')
          .where('case_id', '=', caseId)
          .executeTakeFirst(),
        undefined,
        'checking records nothing',
      );

      const hidden = [
        ...check.body
          .split('data-qa="spo-request-confirm"')[1]!
          .matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g),
      ];
      const confirm: Record<string, string[]> = {};
      for (const [, name, value] of hidden)
        if (name !== '_csrf')
          (confirm[name!] ??= []).push(value!.replace(/&#39;/g, "'").replace(/&amp;/g, '&'));
      const made = await browser.post(paths.caseSpoRequests(caseId), confirm);
      assert.equal(made.statusCode, 303);
      const again = await browser.post(paths.caseSpoRequests(caseId), confirm);
      assert.equal(again.statusCode, 303);
      const rows = await owner()
        .selectFrom('spo_requests')
        .selectAll()
        .where('case_id', '=', caseId)
        .execute();
      assert.equal(rows.length, 1, 'the same form sent twice makes one request');
      const sealed = rows[0]!.content_sealed.toString('latin1');
      assert.ok(
        !sealed.includes('Northtown Library') && !sealed.includes('Followed her'),
        'the content is sealed',
      );

      const requestPage = await browser.get(made.headers.location as string);
      assert.equal(requestPage.statusCode, 200);
      const documentHref = /href="([^"]+)" download data-qa="spo-document"/.exec(requestPage.body)?.[1];
      assert.ok(documentHref);
      const first = await browser.get(documentHref);
      assert.equal(first.statusCode, 200);
      assert.equal(first.headers['content-type'], 'application/pdf');
      assert.equal(first.headers['cache-control'], 'no-store');
      assert.equal(
        first.headers['content-disposition'],
        `attachment; filename="SPO-REQUEST-${reference}-1.pdf"`,
      );
      test.clock.advance(10 * 60_000);
      const second = await browser.get(documentHref);
      assert.ok(first.rawPayload.equals(second.rawPayload), 'downloading twice gives identical bytes');
      assert.equal(
        createHash('sha256').update(first.rawPayload).digest('hex'),
        rows[0]!.document_sha256.toString('hex'),
      );

      await qpdfCheck(first.rawPayload);
      const info = await pdfInfo(first.rawPayload);
      assert.equal(
        info.Title,
        'Request for a Stalking Protection Order',
        'the title carries no personal data',
      );
      const text = (await pdfText(first.rawPayload)).replace(/\s+/g, ' ');
      for (const expected of [
        CLIENT,
        PERPETRATOR,
        'Dima',
        'DC Priya Shah (NS4417), Northshire Police',
        'The diary records 3 incidents',
        'Messages (texts, emails, letters)',
        'Followed her from the station to the gym',
        'Sent forty messages saying she would regret leaving',
        'Messaged her sister asking where she lives now',
        'Current risk level High',
        '15 of 24 answers were yes',
        'Not to contact the person to be protected, directly or indirectly',
        'Not to contact her sister, Ffion',
        'To surrender, or give the police access to, devices',
        'Her workplace: Northtown Library, High Street',
        'The gym on Mill Lane',
        'messages-log.txt',
        'has not agreed to this request going to the police. It is sent because: She is too frightened to agree, and the risk is high',
      ])
        assert.ok(text.includes(expected), `the document says “${expected}”`);
      assert.ok(text.replace(/ /g, '').includes(sha256), 'the exhibit’s SHA-256 is listed');
      assert.ok(
        text.indexOf('Followed her from the station') < text.indexOf('Sent forty messages') &&
          text.indexOf('Sent forty messages') < text.indexOf('Messaged her sister'),
        'incidents are in order',
      );

      const events = await auditOf(reference);
      const actions = events.map((event) => event.action);
      for (const action of [
        'spo_request.drafted',
        'spo_request.recorded',
        'spo_request.viewed',
        'spo_request.downloaded',
      ])
        assert.ok(actions.includes(action), `${action} is audited`);
      assert.doesNotMatch(
        JSON.stringify(events.map((event) => event.details)),
        /Library|Followed|Ffion|Priya|frightened/,
      );
      assert.ok(
        events.some(
          (event) =>
            event.action === 'spo_request.recorded' &&
            (event.details as { consent?: string }).consent === 'without_consent',
        ),
        'the consent position is audited',
      );
    });

    it('asks for places when a prohibition needs them, and for at least one condition', async () => {
      const { caseId } = await givenCaseyCase();
      const browser = await signedIn(casey);
      await browser.get(paths.caseSpoRequestNew(caseId));
      const noPlaces = await browser.post(paths.caseSpoRequestCheck(caseId), {
        prohibitions: 'no_entry',
        places: '',
      });
      assert.equal(noPlaces.statusCode, 400);
      assert.deepEqual(errorSummary(noPlaces.body), [
        'Name the places to exclude, one on each line',
        'Select whether the client agrees to the request going to the police',
      ]);
      const nothing = await browser.post(paths.caseSpoRequestCheck(caseId), {});
      assert.deepEqual(errorSummary(nothing.body), [
        'Select or write at least one prohibition or requirement to propose',
        'Select whether the client agrees to the request going to the police',
      ]);
      const noReason = await browser.post(paths.caseSpoRequestCheck(caseId), {
        prohibitions: 'no_contact',
        consent: 'without_consent',
      });
      assert.deepEqual(errorSummary(noReason.body), [
        'Give the reason the request goes to the police without the client’s agreement',
      ]);
    });
  });

  describe('record scope', () => {
    it('refuses another caseworker, and police liaison staff, on every page of a case', async () => {
      const { caseId } = await givenCaseyCase();
      const holder = await signedIn(casey);
      await submit(
        holder,
        paths.caseHearingNew(caseId),
        paths.caseHearings(caseId),
        'hearing-form',
        hearingForm(daysFromNow(20)),
      );
      const hearing = await owner()
        .selectFrom('court_hearings')
        .select('hearing_id')
        .where('case_id', '=', caseId)
        .executeTakeFirstOrThrow();
      const other = await signedIn(robin);
      const liaisonOfficer = await signedIn(police);
      for (const url of [
        paths.casePoliceContactNew(caseId),
        paths.caseCrimeReferenceNew(caseId),
        paths.caseHearingNew(caseId),
        paths.hearingChange(caseId, hearing.hearing_id),
        paths.caseSpoRequestNew(caseId),
      ]) {
        assert.equal((await other.get(url)).statusCode, 403, `another caseworker: ${url}`);
        assert.equal((await liaisonOfficer.get(url)).statusCode, 403, `police liaison: ${url}`);
      }
      for (const [url, form] of [
        [paths.casePoliceContacts(caseId), { submissionId: crypto.randomUUID(), ...contactForm() }],
        [paths.caseHearings(caseId), { submissionId: crypto.randomUUID(), ...hearingForm(daysFromNow(20)) }],
        [paths.hearing(caseId, hearing.hearing_id), hearingForm(daysFromNow(21))],
        [paths.caseSpoRequestCheck(caseId), { prohibitions: 'no_contact' }],
      ] as const) {
        await other.get(paths.hearings);
        assert.equal((await other.post(url, form)).statusCode, 403, `another caseworker posting to ${url}`);
      }
      assert.equal((await liaisonOfficer.get(paths.hearings)).statusCode, 403);
      assert.equal((await liaisonOfficer.get(paths.hearingsCalendarFile)).statusCode, 403);
      const rows = await owner()
        .selectFrom('court_hearings')
        .select('starts_at')
        .where('case_id', '=', caseId)
        .execute();
      assert.equal(rows.length, 1, 'nothing was added or changed');
    });
  });
});
