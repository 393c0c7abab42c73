import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { inOrganisation } from '../../db/database.ts';
import { DAY } from '../../platform/clock.ts';
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
import { pdfInfo, pdfText, qpdfCheck } from '../../../test/support/pdf.ts';
import { givenPerpetrator } from '../../../test/support/perpetrators.ts';
import { givenCase, sessionFor } from '../../../test/support/referrals.ts';
import { givenCompletedAssessment } from '../../../test/support/risk.ts';

describe('MARAC referrals through the app', () => {
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

  const daysAgo = (days: number) => new Date(test.clock.now().getTime() - days * DAY);

  /** A case held by Casey with a completed high-risk checklist, a screening, a child, a perpetrator and incidents. */
  async function givenHighRiskCase(options: { yes?: number; incidents?: number } = {}) {
    const kase = await givenCase(test, manager, {
      holder: casey,
      answers: { personName: 'Zoë Ó Briain', personDateOfBirth: '1991-02-14' },
    });
    const session = await sessionFor(test, casey);
    await givenCompletedAssessment(test, session, kase.caseId, {
      yes: options.yes ?? 14,
      words: {
        frightened: 'I check the windows every night because he said he would come back',
        injury: 'Bruises on my arm from when he grabbed me at the school gate',
      },
      completedAt: daysAgo(10),
    });
    await givenCompletedAssessment(test, session, kase.caseId, {
      templateKey: 'stalking-screening',
      yes: 6,
      words: { threats: 'He texted that I would not see Christmas' },
      completedAt: daysAgo(10),
    });
    await test.services.clients.addDependant(session, kase.caseId, {
      name: 'Mila Kowalczyk',
      yearOfBirth: 2019,
      yearEstimated: false,
      livesWithClient: true,
      notes: 'Attends Northtown Primary',
      submissionId: randomUUID(),
    });
    await givenPerpetrator(test, casey, kase.caseId, { name: 'Дмитрий Волков', aliases: ['Dima'] });
    const descriptions = [
      'Waited outside the flat in a grey van for two hours',
      'Forty missed calls from a withheld number overnight',
      'Left a dead bird on the doorstep with a note',
      'Followed her car from the school to the supermarket',
    ];
    for (let i = 0; i < (options.incidents ?? 3); i += 1) {
      await givenDiaryEntry(test, session, kase.caseId, {
        occurredFrom: daysAgo(60 - i * 10),
        behaviours: ['loitering'],
        details: { ...incidentFacts().details, description: descriptions[i % descriptions.length]! },
      });
    }
    return kase;
  }

  const referralForm = (overrides: Record<string, string | string[]> = {}) => ({
    criteria: ['visible_high_risk', 'escalation'],
    concern: '',
    consent: 'consents',
    consentReason: '',
    area: 'North Hertfordshire MARAC',
    otherInformation: '',
    ...overrides,
  });

  async function refer(
    browser: TestBrowser,
    caseId: string,
    overrides: Record<string, string | string[]> = {},
  ) {
    const form = await browser.get(`/cases/${caseId}/marac/new`);
    assert.equal(form.statusCode, 200);
    const submissionId = submissionIdIn(form.body, 'marac-referral-form');
    const response = await browser.post(`/cases/${caseId}/marac`, {
      submissionId,
      ...referralForm(overrides),
    });
    return { form, submissionId, response };
  }

  const referralsOf = (caseId: string) =>
    inOrganisation(test.database.db, admin.organisationId, (trx) =>
      trx.selectFrom('marac_referrals').selectAll().where('case_id', '=', caseId).execute(),
    );

  const auditActions = async (reference: string) =>
    (
      await inOrganisation(test.database.db, admin.organisationId, (trx) =>
        trx
          .selectFrom('audit_events')
          .select(['action', 'details'])
          .where('record_id', '=', reference)
          .execute(),
      )
    ).map((row) => row.action);

  it('shows the criteria met and why on the case page, with a prompt to refer', async () => {
    const { caseId } = await givenHighRiskCase();
    const browser = await signedIn(casey);
    const page = await browser.get(`/cases/${caseId}`);
    assert.equal(page.statusCode, 200);
    const section = page.body.split('data-qa="case-marac"')[1]?.split('</section>')[0] ?? '';
    assert.match(section, /data-qa="marac-prompt"/);
    assert.match(section, /meets the MARAC criteria for visible high risk, potential escalation/);
    assert.match(section, /href="\/cases\/[^"]+\/marac\/new"[^>]*data-qa="marac-refer"/);
    assert.match(
      section,
      /data-qa="marac-criterion-visible_high_risk"[\s\S]*?Met[\s\S]*?14 of 24 answers were yes on the checklist of/,
    );
    assert.match(section, /data-qa="marac-criterion-escalation"[\s\S]*?3 incidents in the 12 months to/);
    assert.match(section, /data-qa="marac-criterion-professional_judgement"[\s\S]*?Not met/);
  });

  it('makes the referral document from the case: answers, the client’s words, children and incidents, none typed again', async () => {
    const { caseId, reference } = await givenHighRiskCase();
    const browser = await signedIn(casey);
    const { form, response } = await refer(browser, caseId);

    // The page shows what will go in, from the case, before anything is typed.
    assert.match(form.body, /I check the windows every night because he said he would come back/);
    assert.match(form.body, /Mila Kowalczyk/);
    assert.match(form.body, /Left a dead bird on the doorstep with a note/);
    assert.match(form.body, /Дмитрий Волков/);
    assert.match(form.body, /value="visible_high_risk" checked/);
    assert.match(form.body, /value="escalation" checked/);
    assert.doesNotMatch(form.body, /value="repeat" checked/);

    assert.equal(response.statusCode, 303);
    const referralUrl = response.headers.location as string;
    assert.match(referralUrl, /^\/cases\/[^/]+\/marac\/[0-9a-f-]+\?done=referred$/);
    const page = await browser.get(referralUrl);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /MARAC referral recorded/);
    const documentHref = /href="([^"]+)" download data-qa="marac-document"/.exec(page.body)?.[1];
    assert.ok(documentHref);

    const download = await browser.get(documentHref);
    assert.equal(download.statusCode, 200);
    assert.equal(download.headers['content-type'], 'application/pdf');
    assert.match(String(download.headers['content-disposition']), /^attachment; filename="MARAC-.+-1\.pdf"$/);
    assert.equal(download.headers['cache-control'], 'no-store');
    assert.equal(download.headers['x-content-type-options'], 'nosniff');
    const pdf = download.rawPayload;
    await qpdfCheck(pdf);
    const info = await pdfInfo(pdf);
    assert.equal(info.Title, 'MARAC referral', 'the title carries no personal data');
    assert.equal(info.Tagged, 'yes');
    const text = (await pdfText(pdf)).replace(/\s+/g, ' ');
    for (const expected of [
      'Zoë Ó Briain',
      'Has what happened most recently left the client injured?',
      'Bruises on my arm from when he grabbed me at the school gate',
      'I check the windows every night because he said he would come back',
      'He texted that I would not see Christmas',
      '14 of 24 answers were yes',
      'Mila Kowalczyk',
      'Attends Northtown Primary',
      'Дмитрий Волков',
      'Waited outside the flat in a grey van for two hours',
      'Forty missed calls from a withheld number overnight',
      'Left a dead bird on the doorstep with a note',
      'North Hertfordshire MARAC',
      'The client consents to the referral',
      `MARAC-${reference}-1`,
    ])
      assert.ok(text.includes(expected), `the document says "${expected}"`);
    const pages = Number(info.Pages);
    assert.ok(pages >= 2);
    assert.ok(text.includes(`Page 1 of ${pages}`) && text.includes(`Page ${pages} of ${pages}`));

    // Downloading again gives the same document, byte for byte.
    const again = await browser.get(documentHref);
    assert.ok(again.rawPayload.equals(pdf));

    const actions = await auditActions(reference);
    for (const action of ['marac.referral_drafted', 'marac.referral_created', 'marac.referral_viewed'])
      assert.ok(actions.includes(action), `${action} is audited`);
    assert.equal(actions.filter((action) => action === 'marac.referral_downloaded').length, 2);
  });

  it('makes one referral when the form is sent twice', async () => {
    const { caseId } = await givenHighRiskCase();
    const browser = await signedIn(casey);
    const { submissionId, response } = await refer(browser, caseId);
    const second = await browser.post(`/cases/${caseId}/marac`, { submissionId, ...referralForm() });
    assert.equal(second.statusCode, 303);
    assert.equal(second.headers.location, response.headers.location);
    const [saved] = await referralsOf(caseId);
    assert.ok(saved);
    assert.equal(
      saved.content_sealed.includes(Buffer.from('Mila Kowalczyk')),
      false,
      'the content is sealed',
    );
    await assert.rejects(
      inOrganisation(test.database.db, admin.organisationId, (trx) =>
        trx
          .updateTable('marac_referrals')
          .set({ criteria: ['professional_judgement'] })
          .where('referral_id', '=', saved.referral_id)
          .execute(),
      ),
      /cannot be changed that way/,
      'what was referred cannot be rewritten',
    );
  });

  it('refuses "does not consent" without a reason, keeping everything typed', async () => {
    const { caseId } = await givenHighRiskCase();
    const browser = await signedIn(casey);
    const { response } = await refer(browser, caseId, {
      consent: 'proceeds_without_consent',
      area: 'Stevenage MARAC',
      otherInformation: 'Client moving to a refuge next week',
    });
    assert.equal(response.statusCode, 400);
    assert.deepEqual(errorSummary(response.body), [
      'Give the reason the referral goes ahead without the client’s consent',
    ]);
    assert.match(response.body, /<title>Error: /);
    assert.match(response.body, /value="Stevenage MARAC"/);
    assert.match(response.body, /Client moving to a refuge next week/);
    assert.match(response.body, /value="proceeds_without_consent" checked/);
    assert.equal((await referralsOf(caseId)).length, 0);

    const submissionId = submissionIdIn(response.body, 'marac-referral-form');
    const fixed = await browser.post(`/cases/${caseId}/marac`, {
      submissionId,
      ...referralForm({
        consent: 'proceeds_without_consent',
        consentReason: 'Risk to the children is too high to wait',
        area: 'Stevenage MARAC',
      }),
    });
    assert.equal(fixed.statusCode, 303);
    const [saved] = await referralsOf(caseId);
    assert.equal(saved?.consent, 'proceeds_without_consent');
  });

  it('lets a caseworker refer on professional judgement below the threshold, and only with the concern written', async () => {
    const { caseId } = await givenHighRiskCase({ yes: 3, incidents: 1 });
    const browser = await signedIn(casey);
    const page = await browser.get(`/cases/${caseId}`);
    assert.doesNotMatch(page.body, /data-qa="marac-prompt"/, 'no criterion is met by the record alone');
    assert.match(page.body, /data-qa="marac-refer-judgement"/);

    const withoutConcern = await refer(browser, caseId, { criteria: 'professional_judgement' });
    assert.equal(withoutConcern.response.statusCode, 400);
    assert.deepEqual(errorSummary(withoutConcern.response.body), [
      'Write out the concern behind your professional judgement',
    ]);

    const notMet = await refer(browser, caseId, { criteria: 'visible_high_risk' });
    assert.equal(notMet.response.statusCode, 400);
    assert.match(errorSummary(notMet.response.body)[0] ?? '', /^Visible high risk is not met on this case/);

    const concern = 'He has found her new address and bought a tracker; the score does not show it';
    const { response } = await refer(browser, caseId, { criteria: 'professional_judgement', concern });
    assert.equal(response.statusCode, 303);
    const referral = await browser.get(response.headers.location as string);
    assert.match(
      referral.body,
      new RegExp(`Professional judgement</strong>: The caseworker’s concern: ${concern}`),
    );
    const [saved] = await referralsOf(caseId);
    assert.deepEqual(saved?.criteria, ['professional_judgement']);
  });

  it('flags a repeat on the case and on a new referral within 12 months of the last', async () => {
    const { caseId } = await givenHighRiskCase();
    let browser = await signedIn(casey);
    const first = await refer(browser, caseId);
    assert.equal(first.response.statusCode, 303);
    let page = await browser.get(`/cases/${caseId}`);
    assert.doesNotMatch(page.body, /data-qa="marac-repeat"/);

    test.clock.advance(40 * DAY);
    await givenDiaryEntry(test, await sessionFor(test, casey), caseId, {
      occurredFrom: daysAgo(2),
      details: { ...incidentFacts().details, description: 'Turned up at her new job' },
    });
    browser = await signedIn(casey);
    page = await browser.get(`/cases/${caseId}`);
    assert.match(page.body, /data-qa="marac-repeat"/);
    assert.match(page.body, /An incident on .* is within 12 months of the MARAC referral of/);

    const second = await refer(browser, caseId, { criteria: ['visible_high_risk', 'repeat'] });
    assert.match(second.form.body, /data-qa="marac-repeat-warning"/);
    assert.match(second.form.body, /value="repeat" checked/);
    assert.equal(second.response.statusCode, 303);
    const referral = await browser.get(second.response.headers.location as string);
    assert.match(referral.body, /MARAC referral 2/);
    assert.match(referral.body, /data-qa="marac-referral-repeat"/);
    assert.match(referral.body, /within 12 months of referral 1 on/);
    const saved = await referralsOf(caseId);
    assert.equal(saved[1]?.repeat_of, saved[0]?.referral_id);
    page = await browser.get(`/cases/${caseId}`);
    assert.equal(page.body.match(/data-qa="marac-referral-row"/g)?.length, 2);
    assert.equal(page.body.match(/data-qa="marac-referral-repeat"/g)?.length, 1);
  });

  it('tracks the meeting date, outcome and actions, adding one action for a double submit', async () => {
    const { caseId } = await givenHighRiskCase();
    const browser = await signedIn(casey);
    const { response } = await refer(browser, caseId);
    const referralUrl = (response.headers.location as string).split('?')[0]!;

    const badDate = await browser.post(`${referralUrl}/meeting`, {
      'meetingOn-day': '31',
      'meetingOn-month': '2',
      'meetingOn-year': '2027',
      outcome: 'Safety plan agreed',
    });
    assert.equal(badDate.statusCode, 400);
    assert.deepEqual(errorSummary(badDate.body), ['The meeting date must be a real date']);
    assert.match(badDate.body, /Safety plan agreed/);

    const meeting = await browser.post(`${referralUrl}/meeting`, {
      'meetingOn-day': '3',
      'meetingOn-month': '12',
      'meetingOn-year': '2026',
      outcome: 'Police to prioritise the SPO application',
    });
    assert.equal(meeting.statusCode, 303);

    let page = await browser.get(referralUrl);
    const submissionId = submissionIdIn(page.body, 'marac-action-form');
    const action = {
      submissionId,
      what: 'Fit a video doorbell',
      owner: 'Northshire Police crime prevention',
      'dueOn-day': '10',
      'dueOn-month': '12',
      'dueOn-year': '2026',
    };
    assert.equal((await browser.post(`${referralUrl}/actions`, action)).statusCode, 303);
    assert.equal((await browser.post(`${referralUrl}/actions`, action)).statusCode, 303);
    page = await browser.get(referralUrl);
    assert.equal(page.body.match(/data-qa="marac-action"/g)?.length, 1);
    assert.match(
      page.body,
      /Fit a video doorbell[\s\S]*Northshire Police crime prevention[\s\S]*10 December 2026/,
    );
    assert.match(page.body, /Police to prioritise the SPO application/);

    let casePage = await browser.get(`/cases/${caseId}`);
    assert.match(casePage.body, /data-qa="marac-meeting">3 December 2026/);
    assert.match(casePage.body, /data-qa="marac-open-actions">1 open action/);

    const doneHref = /<form method="post" action="([^"]+\/done)"/.exec(page.body)?.[1];
    assert.ok(doneHref);
    assert.equal((await browser.post(doneHref, {})).statusCode, 303);
    casePage = await browser.get(`/cases/${caseId}`);
    assert.match(casePage.body, /data-qa="marac-open-actions">None open/);
  });

  it('keeps the referral from anyone without the case', async () => {
    const { caseId } = await givenHighRiskCase();
    const owner = await signedIn(casey);
    const { response } = await refer(owner, caseId);
    const referralUrl = (response.headers.location as string).split('?')[0]!;

    const otherCaseworker = await signedIn(robin);
    assert.equal((await otherCaseworker.get(`/cases/${caseId}/marac/new`)).statusCode, 403);
    assert.equal((await otherCaseworker.get(referralUrl)).statusCode, 403);
    assert.equal((await otherCaseworker.get(`${referralUrl}/document`)).statusCode, 403);
    const post = await otherCaseworker.post(`/cases/${caseId}/marac`, {
      submissionId: randomUUID(),
      ...referralForm(),
    });
    assert.equal(post.statusCode, 403);

    const liaison = await signedIn(police);
    assert.equal((await liaison.get(`${referralUrl}/document`)).statusCode, 403);
    assert.equal((await liaison.get(referralUrl)).statusCode, 403);

    const elsewhere = await givenOrganisation(test, 'Southshire Stalking Service');
    const stranger = await signedIn(await givenStaff(test, elsewhere.organisationId, 'manager'));
    assert.equal((await stranger.get(referralUrl)).statusCode, 404);
    assert.equal((await stranger.get(`${referralUrl}/document`)).statusCode, 404);

    // The manager oversees every case in the organisation and can see it.
    const overseer = await signedIn(manager);
    assert.equal((await overseer.get(referralUrl)).statusCode, 200);
    assert.equal((await referralsOf(caseId)).length, 1);
  });
});
