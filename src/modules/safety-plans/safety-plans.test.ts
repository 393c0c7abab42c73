import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { inOrganisation } from '../../db/database.ts';
import { DAY, ukDate } from '../../platform/clock.ts';
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
import { givenPerpetrator } from '../../../test/support/perpetrators.ts';
import { givenCase } from '../../../test/support/referrals.ts';

type ActionInput = {
  id?: string;
  what: string;
  who?: string;
  whoName?: string;
  status?: string;
  reviewOn?: string;
  shared?: boolean;
  remove?: boolean;
};
type ContactInput = { id?: string; name: string; relationship: string; phone: string; notes?: string };

/** The fields of a section form's action rows and contact rows, as a browser sends them. */
function rowFields(actions: ActionInput[], contacts: ContactInput[] = []): Record<string, string> {
  const fields: Record<string, string> = {};
  actions.forEach((action, index) => {
    const prefix = `action-${index}`;
    fields[`${prefix}-id`] = action.id ?? randomUUID();
    fields[`${prefix}-what`] = action.what;
    fields[`${prefix}-who`] = action.who ?? 'client';
    fields[`${prefix}-whoName`] = action.whoName ?? '';
    fields[`${prefix}-status`] = action.status ?? 'to_do';
    const [year = '', month = '', day = ''] = action.reviewOn?.split('-') ?? [];
    fields[`${prefix}-reviewOn-day`] = day;
    fields[`${prefix}-reviewOn-month`] = month;
    fields[`${prefix}-reviewOn-year`] = year;
    if (action.shared) fields[`${prefix}-shared`] = 'yes';
    if (action.remove) fields[`${prefix}-remove`] = 'yes';
  });
  contacts.forEach((contact, index) => {
    const prefix = `contact-${index}`;
    fields[`${prefix}-id`] = contact.id ?? randomUUID();
    fields[`${prefix}-name`] = contact.name;
    fields[`${prefix}-relationship`] = contact.relationship;
    fields[`${prefix}-phone`] = contact.phone;
    fields[`${prefix}-notes`] = contact.notes ?? '';
  });
  return fields;
}

/** A page's hidden form state: the one-time submission id and the version the form was opened on. */
function formState(body: string) {
  const basedOn = /name="basedOn" value="(\d+)"/.exec(body)?.[1];
  assert.ok(basedOn, 'the form says which version it was opened on');
  return { submissionId: submissionIdIn(body), basedOn };
}

/** The words a page shows (its text, without tags or attributes). */
const visibleText = (html: string) =>
  html
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/\s+/g, ' ');

describe('Safety plans through the app', () => {
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

  const signedIn = (user: StaffCredentials) => signedInAs(test, user);

  const caseOfCasey = () =>
    givenCase(test, manager, { holder: casey, answers: { personName: 'Tamsin Pellow' } });

  const sectionUrl = (caseId: string, section: string) => `/cases/${caseId}/safety-plan/sections/${section}`;

  /** Opens a section's page and saves it with these rows (and anything else given). */
  async function saveSection(
    browser: TestBrowser,
    caseId: string,
    section: string,
    actions: ActionInput[],
    extra: Record<string, string> = {},
    contacts: ContactInput[] = [],
  ) {
    const form = await browser.get(sectionUrl(caseId, section));
    assert.equal(form.statusCode, 200);
    const state = formState(form.body);
    const response = await browser.post(sectionUrl(caseId, section), {
      ...state,
      intent: 'save',
      ...rowFields(actions, contacts),
      ...extra,
    });
    return { form, state, response };
  }

  const versionsOf = (caseId: string) =>
    inOrganisation(test.database.db, admin.organisationId, (trx) =>
      trx
        .selectFrom('safety_plan_versions')
        .selectAll()
        .where('case_id', '=', caseId)
        .orderBy('version_number')
        .execute(),
    );

  const reviewTasksOf = (caseId: string) =>
    inOrganisation(test.database.db, admin.organisationId, (trx) =>
      trx
        .selectFrom('tasks')
        .select(['task_id', 'due_on', 'owner_id', 'completed_at'])
        .where('case_id', '=', caseId)
        .where('title', '=', 'Review the safety plan')
        .orderBy('created_at')
        .execute(),
    );

  const auditOf = (reference: string) =>
    inOrganisation(test.database.db, admin.organisationId, (trx) =>
      trx
        .selectFrom('audit_events')
        .select(['action', 'details'])
        .where('record_id', '=', reference)
        .execute(),
    );

  it('creates a plan from a section page and shows it on the plan page and the case page', async () => {
    const { caseId, reference } = await caseOfCasey();
    const browser = await signedIn(casey);
    let casePage = await browser.get(`/cases/${caseId}`);
    const before = casePage.body.split('data-qa="case-safety-plan"')[1]?.split('</section>')[0] ?? '';
    assert.match(before, /No safety plan yet/);
    assert.match(
      before,
      /href="\/cases\/[^"]+\/safety-plan"[^>]*data-qa="safety-plan-link"[^>]*>\s*Create a safety plan/,
    );

    const { form, response } = await saveSection(browser, caseId, 'home-security', [
      { what: 'Fit a video doorbell', who: 'caseworker', shared: true },
      { what: 'Keep the back gate padlocked', who: 'client', status: 'in_progress' },
    ]);
    assert.match(form.body, /data-qa="action-row"/, 'an empty section opens with a blank action');
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, `/cases/${caseId}/safety-plan?done=saved`);

    const plan = await browser.get(response.headers.location);
    assert.equal(plan.statusCode, 200);
    assert.match(plan.body, /Safety plan saved/);
    assert.match(plan.body, /Version 1, saved .* by Casey Worker/);
    const homeCard =
      plan.body.split('data-qa="plan-section-home-security"')[1]?.split('data-qa="plan-section-')[0] ?? '';
    assert.match(
      homeCard,
      /Fit a video doorbell[\s\S]*The caseworker[\s\S]*To do[\s\S]*Shared with the client/,
    );
    assert.match(homeCard, /Keep the back gate padlocked[\s\S]*In progress[\s\S]*Not shared/);

    casePage = await browser.get(`/cases/${caseId}`);
    const section = casePage.body.split('data-qa="case-safety-plan"')[1]?.split('</section>')[0] ?? '';
    assert.match(section, /Version 1 saved \d+ \w+ \d{4} by Casey Worker/);
    assert.match(section, /2 open actions/);
    assert.match(section, /No review date set/);
    assert.match(section, />\s*View the safety plan/);

    const [saved] = await versionsOf(caseId);
    assert.equal(saved?.change_summary, 'Created the plan. Added 2 actions to Home security.');
    assert.equal(saved?.plan_sealed.includes(Buffer.from('doorbell')), false, 'the plan is sealed');
    const audit = await auditOf(reference);
    for (const action of ['safety_plan.change_opened', 'safety_plan.saved', 'safety_plan.viewed'])
      assert.ok(
        audit.some((event) => event.action === action),
        `${action} is audited`,
      );
    assert.ok(
      !JSON.stringify(audit.map((event) => event.details)).includes('doorbell'),
      'the audit trail never holds what the plan says',
    );
  });

  it('keeps each save as a version, lists them with what changed, and shows an earlier one as it was', async () => {
    const { caseId, reference } = await caseOfCasey();
    const browser = await signedIn(casey);
    await saveSection(browser, caseId, 'home-security', [{ what: 'Fit a video doorbell', shared: true }]);
    test.clock.advance(60_000);
    const { response } = await saveSection(browser, caseId, 'phone-and-online', [
      { what: 'Turn off location sharing on every app', shared: true },
    ]);
    assert.equal(response.statusCode, 303);

    const history = await browser.get(`/cases/${caseId}/safety-plan/versions`);
    assert.equal(history.statusCode, 200);
    const rows = history.body.match(/data-qa="plan-version-row"[\s\S]*?<\/tr>/g) ?? [];
    assert.equal(rows.length, 2);
    assert.match(
      rows[0] ?? '',
      /Version 2[\s\S]*Casey Worker[\s\S]*Added an action to Phone and online safety\./,
    );
    assert.match(
      rows[1] ?? '',
      /Version 1[\s\S]*Casey Worker[\s\S]*Created the plan\. Added an action to Home security\./,
    );

    const first = await browser.get(`/cases/${caseId}/safety-plan/versions/1`);
    assert.equal(first.statusCode, 200);
    assert.match(first.body, /data-qa="plan-earlier-version"/);
    assert.match(first.body, /Fit a video doorbell/);
    assert.doesNotMatch(first.body, /Turn off location sharing/);
    const second = await browser.get(`/cases/${caseId}/safety-plan/versions/2`);
    assert.match(second.body, /Turn off location sharing/);
    assert.doesNotMatch(second.body, /data-qa="plan-earlier-version"/);
    assert.equal((await browser.get(`/cases/${caseId}/safety-plan/versions/3`)).statusCode, 404);
    assert.equal((await browser.get(`/cases/${caseId}/safety-plan/versions/one`)).statusCode, 404);

    const actions = (await auditOf(reference)).map((event) => event.action);
    assert.ok(actions.includes('safety_plan.history_viewed'));
    assert.equal(actions.filter((action) => action === 'safety_plan.version_viewed').length, 2);
  });

  it('refuses a form opened before someone else saved, showing who and when, and keeps what was typed', async () => {
    const { caseId } = await caseOfCasey();
    const caseyBrowser = await signedIn(casey);
    await saveSection(caseyBrowser, caseId, 'home-security', [{ what: 'Fit a video doorbell' }]);

    // Casey opens the children section on version 1 ...
    const opened = await caseyBrowser.get(sectionUrl(caseId, 'children'));
    const state = formState(opened.body);
    assert.equal(state.basedOn, '1');
    // ... the manager saves version 2 meanwhile ...
    test.clock.advance(5 * 60_000);
    const managerBrowser = await signedIn(manager);
    const savedAt = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/London',
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    }).format(test.clock.now());
    const managerSave = await saveSection(managerBrowser, caseId, 'children', [
      { what: 'Tell the school who may collect', who: 'caseworker' },
    ]);
    assert.equal(managerSave.response.statusCode, 303);
    // ... and Casey's save from version 1 is refused, with what she typed kept.
    const typed = 'The children walk to school with their aunt';
    const refused = await caseyBrowser.post(sectionUrl(caseId, 'children'), {
      ...state,
      intent: 'save',
      ...rowFields([{ what: typed, who: 'other', whoName: 'Their aunt' }]),
    });
    assert.equal(refused.statusCode, 409);
    assert.deepEqual(errorSummary(refused.body), [
      `This plan was changed by Morgan Manager at ${savedAt} since you opened it: your changes are shown below, check and save again`,
    ]);
    assert.match(refused.body, new RegExp(typed));
    assert.match(refused.body, /value="Their aunt"/);
    assert.match(refused.body, /data-qa="plan-changes"[\s\S]*Tell the school who may collect/);
    assert.equal((await versionsOf(caseId)).length, 2, 'nothing was saved');

    // Saving again from the page shown (now on version 2) keeps both changes.
    const again = formState(refused.body);
    assert.equal(again.basedOn, '2');
    const saved = await caseyBrowser.post(sectionUrl(caseId, 'children'), {
      ...again,
      intent: 'save',
      ...rowFields([
        { what: 'Tell the school who may collect', who: 'caseworker' },
        { what: typed, who: 'other', whoName: 'Their aunt' },
      ]),
    });
    assert.equal(saved.statusCode, 303);
    const versions = await versionsOf(caseId);
    assert.equal(versions.length, 3);
    const page = await caseyBrowser.get(`/cases/${caseId}/safety-plan`);
    assert.match(
      page.body,
      /Tell the school who may collect[\s\S]*The children walk to school with their aunt/,
    );
    assert.match(page.body, /Fit a video doorbell/);
  });

  it('makes one version when the same form is sent twice', async () => {
    const { caseId } = await caseOfCasey();
    const browser = await signedIn(casey);
    const { state, response } = await saveSection(browser, caseId, 'evidence', [
      { what: 'Screenshot every message with the date showing' },
    ]);
    const fields = rowFields([{ what: 'Screenshot every message with the date showing' }]);
    const second = await browser.post(sectionUrl(caseId, 'evidence'), {
      ...state,
      intent: 'save',
      ...fields,
    });
    assert.equal(second.statusCode, 303);
    assert.equal(second.headers.location, response.headers.location);
    assert.equal((await versionsOf(caseId)).length, 1);
  });

  it('refuses to share an action that looks like an address or a postcode, saying why, and keeps what was typed', async () => {
    const { caseId } = await caseOfCasey();
    await givenPerpetrator(test, casey, caseId, { name: 'Gareth Trevithick' });
    const browser = await signedIn(casey);
    const { response } = await saveSection(browser, caseId, 'home-security', [
      { what: 'Lock the back gate every night', shared: true },
      { what: 'The spare key is with her mum at 14 Acacia Avenue', shared: true },
      { what: 'Post anything for her to SG1 2AB', shared: true },
      { what: 'If Trevithick turns up, call 999', shared: true },
    ]);
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(response.body), [
      'Action 2 looks like it has a street address in it. Take it out, or untick ‘Share with the client’: shared actions are printed and shown to the client, where someone else may see them',
      'Action 3 looks like it has a postcode in it. Take it out, or untick ‘Share with the client’: shared actions are printed and shown to the client, where someone else may see them',
      'Action 4 names the person responsible. Take it out, or untick ‘Share with the client’: shared actions are printed and shown to the client, where someone else may see them',
    ]);
    assert.match(response.body, /href="#action-1-shared"/);
    assert.match(response.body, /<title>Error: /);
    assert.match(response.body, /The spare key is with her mum at 14 Acacia Avenue/);
    assert.equal((await versionsOf(caseId)).length, 0);

    // Kept for the caseworker, not shared: that is allowed.
    const fixed = await saveSection(browser, caseId, 'home-security', [
      { what: 'Lock the back gate every night', shared: true },
      { what: 'The spare key is with her mum at 14 Acacia Avenue', shared: false },
    ]);
    assert.equal(fixed.response.statusCode, 303);
  });

  it('checks each action, keeping what was typed, and adds or removes rows without JavaScript', async () => {
    const { caseId } = await caseOfCasey();
    const browser = await signedIn(casey);
    const form = await browser.get(sectionUrl(caseId, 'travel-and-routines'));
    const state = formState(form.body);
    const first = rowFields([{ what: 'Vary the route to work', who: 'client' }]);

    const added = await browser.post(sectionUrl(caseId, 'travel-and-routines'), {
      ...state,
      intent: 'add-action',
      ...first,
    });
    assert.equal(added.statusCode, 200);
    assert.equal(added.body.match(/data-qa="action-row"/g)?.length, 2);
    assert.match(added.body, /Vary the route to work/);
    assert.equal((await versionsOf(caseId)).length, 0, 'adding a row saves nothing');

    const missing = await browser.post(sectionUrl(caseId, 'travel-and-routines'), {
      ...state,
      intent: 'save',
      ...rowFields([
        { what: 'Vary the route to work', who: 'client' },
        { what: '', who: 'other', whoName: '' },
        { what: 'Park under the lights', who: '', reviewOn: '2027-02-31' },
      ]),
    });
    assert.equal(missing.statusCode, 400);
    assert.deepEqual(errorSummary(missing.body), [
      'Enter what will be done for action 2',
      'Enter who does action 2',
      'Select who does action 3',
      'Review date for action 3 must be a real date',
    ]);
    assert.match(missing.body, /Park under the lights/);

    const rows = [
      { id: randomUUID(), what: 'Vary the route to work', who: 'client' },
      { id: randomUUID(), what: 'Park under the lights', who: 'client' },
    ];
    await browser.post(sectionUrl(caseId, 'travel-and-routines'), {
      ...state,
      intent: 'save',
      ...rowFields(rows),
    });
    const second = await saveSection(browser, caseId, 'travel-and-routines', [
      rows[0]!,
      { ...rows[1]!, remove: true },
    ]);
    assert.equal(second.response.statusCode, 303);
    const versions = await versionsOf(caseId);
    assert.equal(versions.at(-1)?.change_summary, 'Removed an action from Travel and routines.');
    const page = await browser.get(`/cases/${caseId}/safety-plan`);
    assert.doesNotMatch(page.body, /Park under the lights/);

    // Nothing changed: no new version.
    const unchanged = await saveSection(browser, caseId, 'travel-and-routines', [rows[0]!]);
    assert.equal(unchanged.response.headers.location, `/cases/${caseId}/safety-plan?done=unchanged`);
    assert.equal((await versionsOf(caseId)).length, 2);
  });

  it('puts one review task on the case for the review date, moving it when the date changes', async () => {
    const { caseId } = await caseOfCasey();
    const browser = await signedIn(casey);
    const reviewUrl = `/cases/${caseId}/safety-plan/review-date`;
    const today = ukDate(test.clock.now());
    const inDays = (days: number) => ukDate(new Date(test.clock.now().getTime() + days * DAY));
    const setReview = async (date: string) => {
      const page = await browser.get(reviewUrl);
      const [year, month, day] = date.split('-');
      return browser.post(reviewUrl, {
        ...formState(page.body),
        'reviewOn-day': day!,
        'reviewOn-month': month!,
        'reviewOn-year': year!,
      });
    };

    const past = await setReview(inDays(-3));
    assert.equal(past.statusCode, 400);
    assert.deepEqual(errorSummary(past.body), ['The review date must be today or in the future']);

    assert.equal((await setReview(inDays(28))).statusCode, 303);
    let tasks = await reviewTasksOf(caseId);
    assert.equal(tasks.length, 1);
    assert.equal(tasks[0]?.due_on, inDays(28));
    assert.equal(tasks[0]?.owner_id, casey.userId, 'the task is for whoever holds the case');

    assert.equal((await setReview(inDays(14))).statusCode, 303);
    tasks = await reviewTasksOf(caseId);
    assert.equal(tasks.length, 1, 'the task is moved, not duplicated');
    assert.equal(tasks[0]?.due_on, inDays(14));
    const versions = await versionsOf(caseId);
    assert.deepEqual(
      versions.map((version) => [version.review_on, version.change_summary]),
      [
        [inDays(28), 'Created the plan. Set the plan’s review date.'],
        [inDays(14), 'Changed the plan’s review date.'],
      ],
    );

    // Saving another section leaves the task alone.
    await saveSection(browser, caseId, 'children', [{ what: 'Tell the school who may collect' }]);
    assert.equal((await reviewTasksOf(caseId)).length, 1);

    const casePage = await browser.get(`/cases/${caseId}`);
    assert.match(casePage.body, /Review the safety plan/);
    assert.match(
      casePage.body.split('data-qa="case-safety-plan"')[1]?.split('</section>')[0] ?? '',
      /Review due[\s\S]*\d+ \w+ \d{4}/,
    );

    // Once the review is done, a new date makes a new task.
    const done = await browser.post(`/cases/${caseId}/tasks/${tasks[0].task_id}/done`, {});
    assert.equal(done.statusCode, 303);
    assert.equal((await setReview(today)).statusCode, 303);
    tasks = await reviewTasksOf(caseId);
    assert.equal(tasks.length, 2);
    assert.equal(tasks.filter((task) => task.completed_at === null).length, 1);
    assert.equal(tasks.find((task) => task.completed_at === null)?.due_on, today);
  });

  it('prints only shared actions, with no address, postcode, code word, contact, name or case reference', async () => {
    const { caseId, reference } = await caseOfCasey();
    await givenPerpetrator(test, casey, caseId, { name: 'Gareth Trevithick' });
    const browser = await signedIn(casey);
    assert.equal((await browser.get(`/cases/${caseId}/safety-plan/print`)).statusCode, 404, 'no plan yet');
    await saveSection(browser, caseId, 'home-security', [
      { what: 'Fit a video doorbell', who: 'caseworker', shared: true },
      { what: 'Spare key with the neighbour at 12 Orchard Close, SG4 9QT', shared: false },
      { what: 'Trevithick has a key: change the locks', shared: false },
    ]);
    await saveSection(
      browser,
      caseId,
      'emergency-contacts',
      [{ what: 'Practise saying the code word to my sister', shared: true }],
      { codeWord: 'Kingfisher' },
      [{ name: 'Bronwen Tallis', relationship: 'Sister', phone: '07700 900461', notes: 'Lives nearby' }],
    );
    await saveSection(browser, caseId, 'emergency', [
      { what: 'Go to the 24 hour garage and ask them to call 999', shared: true },
    ]);

    const plan = await browser.get(`/cases/${caseId}/safety-plan`);
    assert.match(plan.body, /Kingfisher/, 'staff see the code word on the plan');
    assert.match(plan.body, /07700 900461/);

    const printed = await browser.get(`/cases/${caseId}/safety-plan/print`);
    assert.equal(printed.statusCode, 200);
    assert.match(printed.body, /<title>My plan<\/title>/);
    assert.equal(printed.headers['cache-control'], 'no-store');
    const text = visibleText(printed.body);
    for (const expected of [
      'My plan',
      'At home',
      'Fit a video doorbell',
      'My support worker',
      'People I can call',
      'Practise saying the code word to my sister',
      'Go to the 24 hour garage and ask them to call 999',
      'call 999',
    ])
      assert.ok(text.includes(expected), `the printed plan says "${expected}"`);
    for (const absent of [
      reference,
      'Kingfisher',
      '07700 900461',
      'Bronwen',
      'Tallis',
      'SG4 9QT',
      'Orchard Close',
      'Trevithick',
      'Gareth',
      'Tamsin',
      'Vigil',
      'Northshire Stalking Service',
      'Stalking',
      'Safety plan',
      'Case ',
      'Casey Worker',
    ])
      assert.ok(
        !text.toLowerCase().includes(absent.toLowerCase()),
        `the printed plan does not say "${absent}"`,
      );
    assert.doesNotMatch(printed.body, /class="govuk-header|govuk-footer|govuk-service-navigation/);

    const actions = (await auditOf(reference)).map((event) => event.action);
    assert.ok(actions.includes('safety_plan.printed'));
  });

  it('keeps the plan from anyone without the case', async () => {
    const { caseId } = await caseOfCasey();
    const owner = await signedIn(casey);
    await saveSection(owner, caseId, 'home-security', [{ what: 'Fit a video doorbell' }]);
    const pages = [
      `/cases/${caseId}/safety-plan`,
      sectionUrl(caseId, 'home-security'),
      `/cases/${caseId}/safety-plan/review-date`,
      `/cases/${caseId}/safety-plan/versions`,
      `/cases/${caseId}/safety-plan/versions/1`,
      `/cases/${caseId}/safety-plan/print`,
    ];

    const otherCaseworker = await signedIn(robin);
    for (const page of pages) assert.equal((await otherCaseworker.get(page)).statusCode, 403, page);
    const post = await otherCaseworker.post(sectionUrl(caseId, 'home-security'), {
      submissionId: randomUUID(),
      basedOn: '1',
      intent: 'save',
      ...rowFields([{ what: 'Something else' }]),
    });
    assert.equal(post.statusCode, 403);
    const casePage = await otherCaseworker.get(`/cases/${caseId}`);
    assert.doesNotMatch(casePage.body, /data-qa="case-safety-plan"/);

    const liaison = await signedIn(police);
    for (const page of pages) assert.equal((await liaison.get(page)).statusCode, 403, page);

    const elsewhere = await givenOrganisation(test, 'Southshire Stalking Service');
    const stranger = await signedIn(await givenStaff(test, elsewhere.organisationId, 'manager'));
    for (const page of pages) assert.equal((await stranger.get(page)).statusCode, 404, page);

    // The manager oversees every case in the organisation.
    const overseer = await signedIn(manager);
    assert.equal((await overseer.get(`/cases/${caseId}/safety-plan`)).statusCode, 200);
    assert.equal((await overseer.get(`/cases/${caseId}/safety-plan/print`)).statusCode, 200);
    assert.equal((await versionsOf(caseId)).length, 1);
  });

  it('refuses altered forms', async () => {
    const { caseId } = await caseOfCasey();
    const browser = await signedIn(casey);
    const form = await browser.get(sectionUrl(caseId, 'home-security'));
    const state = formState(form.body);
    const post = (fields: Record<string, string>) =>
      browser.post(sectionUrl(caseId, 'home-security'), { ...state, intent: 'save', ...fields });
    assert.equal((await post({ ...rowFields([{ what: 'x' }]), isAdmin: 'yes' })).statusCode, 400);
    assert.equal((await post({ ...rowFields([{ what: 'x' }]), codeWord: 'heron' })).statusCode, 400);
    assert.equal((await post({ ...rowFields([{ what: 'x', id: 'not-an-id' }]) })).statusCode, 400);
    assert.equal((await post({ ...rowFields([{ what: 'x' }]), basedOn: '7' })).statusCode, 400);
    assert.equal((await browser.get(sectionUrl(caseId, 'no-such-section'))).statusCode, 404);
    assert.equal((await versionsOf(caseId)).length, 0);
  });

  it('has the database refuse to change or remove a version, even for the table’s owner', async () => {
    const { caseId } = await caseOfCasey();
    const browser = await signedIn(casey);
    await saveSection(browser, caseId, 'home-security', [{ what: 'Fit a video doorbell' }]);
    const [saved] = await versionsOf(caseId);
    assert.ok(saved);
    await assert.rejects(
      inOrganisation(test.database.db, admin.organisationId, (trx) =>
        trx
          .updateTable('safety_plan_versions')
          .set({ change_summary: 'Nothing to see' })
          .where('case_id', '=', caseId)
          .execute(),
      ),
      /permission denied|append-only/,
    );
    await assert.rejects(
      inOrganisation(test.database.db, admin.organisationId, (trx) =>
        trx.deleteFrom('safety_plan_versions').where('case_id', '=', caseId).execute(),
      ),
      /permission denied|append-only/,
    );
    await assert.rejects(
      test.database.ownerDb
        .updateTable('safety_plan_versions')
        .set({ change_summary: 'Nothing to see' })
        .where('case_id', '=', caseId)
        .execute(),
      /safety_plan_versions is append-only: UPDATE refused/,
    );
    await assert.rejects(
      test.database.ownerDb.deleteFrom('safety_plan_versions').where('case_id', '=', caseId).execute(),
      /safety_plan_versions is append-only: DELETE refused/,
    );
    assert.equal((await versionsOf(caseId)).length, 1);
  });
});
