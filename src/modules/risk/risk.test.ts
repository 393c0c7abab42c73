import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
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
import { givenDiaryEntry } from '../../../test/support/diary.ts';
import { errorSummary, submissionIdIn } from '../../../test/support/forms.ts';
import { givenCase, sessionFor } from '../../../test/support/referrals.ts';
import { answersFor } from '../../../test/support/risk.ts';
import { withCaseInScope } from '../cases/case-scope.ts';
import { checkEscalation } from '../diary/patterns.service.ts';
import type { Answers } from './scoring.ts';
import { SHIPPED_TEMPLATES } from './templates.ts';

type TemplateKey = 'risk-checklist' | 'stalking-screening';

const definitionOf = (templateKey: TemplateKey) =>
  SHIPPED_TEMPLATES.find((template) => template.templateKey === templateKey)!.definition;

/** One section's form fields for `answers`. */
function sectionForm(templateKey: TemplateKey, sectionId: string, answers: Answers): Record<string, string> {
  const section = definitionOf(templateKey).sections.find((candidate) => candidate.id === sectionId)!;
  const form: Record<string, string> = { next: 'continue' };
  for (const question of section.questions) {
    const answer = answers[question.id];
    if (!answer) continue;
    form[question.id] = question.kind === 'text' ? (answer.text ?? '') : (answer.choice ?? '');
    if (answer.words) form[`${question.id}-words`] = answer.words;
  }
  return form;
}

describe('Risk assessments through the app', () => {
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

  const inOrg = <T>(work: Parameters<typeof inOrganisation<T>>[2]) =>
    inOrganisation(test.database.db, admin.organisationId, work);

  /** Starts an assessment from the case's risk page; returns its id and the submission id used. */
  async function start(browser: TestBrowser, caseId: string, templateKey: TemplateKey) {
    const page = await browser.get(`/cases/${caseId}/risk`);
    assert.equal(page.statusCode, 200);
    const submissionId = submissionIdIn(page.body, `risk-start-form-${templateKey}`);
    const started = await browser.post(`/cases/${caseId}/risk`, { submissionId, templateKey });
    assert.equal(started.statusCode, 303);
    const assessmentId = /\/risk\/([0-9a-f-]{36})$/.exec(started.headers.location as string)?.[1];
    assert.ok(assessmentId, `started at ${started.headers.location}`);
    return { assessmentId, submissionId };
  }

  /** Answers every section of an assessment through its forms, as a caseworker would. */
  async function answerAll(
    browser: TestBrowser,
    caseId: string,
    assessmentId: string,
    templateKey: TemplateKey,
    answers: Answers,
  ) {
    for (const section of definitionOf(templateKey).sections) {
      const saved = await browser.post(
        `/cases/${caseId}/risk/${assessmentId}/sections/${section.id}`,
        sectionForm(templateKey, section.id, answers),
      );
      assert.equal(saved.statusCode, 303, `section ${section.id} saved`);
    }
  }

  async function complete(
    browser: TestBrowser,
    caseId: string,
    assessmentId: string,
    form: Record<string, string> = { judgement: 'none' },
  ) {
    return browser.post(`/cases/${caseId}/risk/${assessmentId}/complete`, form);
  }

  async function caseLevel(caseId: string) {
    return inOrg((trx) =>
      trx.selectFrom('cases').select('risk_level').where('case_id', '=', caseId).executeTakeFirstOrThrow(),
    ).then((row) => row.risk_level);
  }

  async function riskTasks(caseId: string) {
    return inOrg((trx) =>
      trx
        .selectFrom('tasks')
        .select(['title', 'due_on', 'owner_id', 'completed_at'])
        .where('case_id', '=', caseId)
        .where('purpose', '=', 'risk_review')
        .orderBy('created_at')
        .orderBy('title')
        .execute(),
    );
  }

  it('saves answers a section at a time, sealed, and picks up where the assessor stopped', async () => {
    const { caseId } = await givenCase(test, manager, { holder: casey });
    const browser = await signedIn(casey);
    const { assessmentId, submissionId } = await start(browser, caseId, 'risk-checklist');

    const again = await browser.post(`/cases/${caseId}/risk`, {
      submissionId,
      templateKey: 'risk-checklist',
    });
    assert.equal(
      again.headers.location,
      `/cases/${caseId}/risk/${assessmentId}`,
      'a double click starts one',
    );

    const first = await browser.get(`/cases/${caseId}/risk/${assessmentId}`);
    assert.equal(first.statusCode, 303);
    assert.equal(first.headers.location, `/cases/${caseId}/risk/${assessmentId}/sections/now`);
    const page = await browser.get(first.headers.location);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<h1 class="govuk-heading-l">What is happening now<\/h1>/);
    assert.match(page.body, /Section 1 of 4/);
    assert.match(page.body, /Ask what they are afraid of and write it in their words\./, 'guidance is shown');

    const words = 'He sits outside my work in his car most mornings';
    const later = await browser.post(`/cases/${caseId}/risk/${assessmentId}/sections/now`, {
      injury: 'no',
      frightened: 'yes',
      'frightened-words': words,
      next: 'later',
    });
    assert.equal(later.statusCode, 303);
    assert.equal(later.headers.location, `/cases/${caseId}/risk?done=saved`);
    const overview = await browser.get(later.headers.location);
    assert.match(overview.body, /Your answers are saved/);
    assert.match(overview.body, /2 of 24 questions answered/);

    const sealed = await inOrg((trx) =>
      trx
        .selectFrom('risk_assessments')
        .select('answers_sealed')
        .where('assessment_id', '=', assessmentId)
        .executeTakeFirstOrThrow(),
    );
    assert.ok(!sealed.answers_sealed.toString('latin1').includes('outside my work'), 'the words are sealed');

    const resumed = await browser.get(`/cases/${caseId}/risk/${assessmentId}`);
    assert.equal(resumed.headers.location, `/cases/${caseId}/risk/${assessmentId}/sections/now`);
    const back = await browser.get(resumed.headers.location);
    assert.match(back.body, /name="frightened" type="radio" value="yes" checked/);
    assert.match(back.body, new RegExp(words));

    const tooLong = await browser.post(`/cases/${caseId}/risk/${assessmentId}/sections/now`, {
      injury: 'yes',
      'injury-words': 'x'.repeat(5001),
      next: 'continue',
    });
    assert.equal(tooLong.statusCode, 400);
    assert.deepEqual(errorSummary(tooLong.body), ['The client’s words must be 5,000 characters or fewer']);
    assert.match(tooLong.body, /name="injury" type="radio" value="yes" checked/, 'what was chosen is kept');

    const altered = await browser.post(`/cases/${caseId}/risk/${assessmentId}/sections/now`, {
      injury: 'maybe',
    });
    assert.equal(altered.statusCode, 400);

    const unanswered = await complete(browser, caseId, assessmentId);
    assert.equal(unanswered.statusCode, 400);
    const problems = errorSummary(unanswered.body);
    assert.equal(problems.length, 22, 'every unanswered question is listed');
    assert.equal(
      problems[0],
      'Answer “Is the client afraid of being hurt or of violence, to themselves or someone else?”, or choose Not known',
    );
  });

  it('scores a checklist that reaches high risk, sets the case level and offers the stalking screening', async () => {
    const { caseId } = await givenCase(test, manager, { holder: casey });
    const browser = await signedIn(casey);
    const { assessmentId } = await start(browser, caseId, 'risk-checklist');
    const answers = answersFor('risk-checklist', 14);
    answers.stalking = { choice: 'yes' };
    answers['criminal-history'] = { choice: 'not_known' };
    await answerAll(browser, caseId, assessmentId, 'risk-checklist', answers);

    const check = await browser.get(`/cases/${caseId}/risk/${assessmentId}/check`);
    assert.equal(check.statusCode, 200);
    assert.match(check.body, /data-qa="risk-score-value">14 of 24 answered yes \(1 not known\)/);
    assert.match(check.body, /data-qa="risk-computed-level">High risk/);
    assert.doesNotMatch(check.body, /Does your professional judgement raise the level/, 'nothing above high');

    const done = await complete(browser, caseId, assessmentId);
    assert.equal(done.statusCode, 303);
    assert.equal(done.headers.location, `/cases/${caseId}/risk?done=completed`);
    assert.equal(await caseLevel(caseId), 'high');

    const overview = await browser.get(done.headers.location);
    assert.match(
      overview.body,
      /Domestic abuse, stalking and harassment risk checklist completed: high risk/,
    );
    assert.match(overview.body, /data-qa="risk-offer"[\s\S]*Complete the stalking screening/);
    assert.match(
      overview.body,
      /was answered yes in the domestic abuse, stalking and harassment risk checklist/,
    );
    assert.match(overview.body, /data-qa="risk-changes-first"/);

    const casePage = await browser.get(`/cases/${caseId}`);
    assert.match(casePage.body, /data-qa="case-header-risk">High risk/);
    assert.match(casePage.body, /data-qa="case-risk-level">High risk/);
    assert.match(casePage.body, /data-qa="marac-criterion-visible_high_risk"[\s\S]*?Met/, 'MARAC sees it');

    const caseload = await browser.get('/cases');
    assert.match(caseload.body, /data-qa="risk"><strong class="govuk-tag govuk-tag--red">High risk/);

    const managerBrowser = await signedIn(manager);
    const managerView = await managerBrowser.get(`/cases/${caseId}`);
    assert.match(managerView.body, /Casey Worker\s*<\/label>[\s\S]*?\d+ open cases?, 1 high risk/);

    const completedAgain = await complete(browser, caseId, assessmentId);
    assert.equal(completedAgain.headers.location, `/cases/${caseId}/risk/${assessmentId}`, 'completes once');
    const fixed = await inOrg((trx) =>
      sql`UPDATE risk_assessments SET score = 0 WHERE assessment_id = ${assessmentId}`.execute(trx),
    ).catch((error: unknown) => error);
    assert.match(String(fixed), /cannot be changed once written/, 'the database refuses to change it');

    // The screening: its level counts towards the case's, and once done it is no longer offered.
    const screening = await start(browser, caseId, 'stalking-screening');
    await answerAll(
      browser,
      caseId,
      screening.assessmentId,
      'stalking-screening',
      answersFor('stalking-screening', 2),
    );
    assert.equal((await complete(browser, caseId, screening.assessmentId)).statusCode, 303);
    assert.equal(await caseLevel(caseId), 'high', 'the higher of the checklist and the screening');
    const after = await browser.get(`/cases/${caseId}/risk`);
    assert.doesNotMatch(after.body, /data-qa="risk-offer"/);
    assert.equal((after.body.match(/data-qa="risk-history-entry"/g) ?? []).length, 2);
  });

  it('lets professional judgement raise the level with a reason, never lower it', async () => {
    const { caseId } = await givenCase(test, manager, { holder: casey });
    const browser = await signedIn(casey);
    const { assessmentId } = await start(browser, caseId, 'risk-checklist');
    await answerAll(browser, caseId, assessmentId, 'risk-checklist', answersFor('risk-checklist', 10));

    const check = await browser.get(`/cases/${caseId}/risk/${assessmentId}/check`);
    assert.match(check.body, /data-qa="risk-computed-level">Medium risk/);
    assert.match(check.body, /value="high"/);
    assert.doesNotMatch(check.body, /value="standard"/, 'lowering is not offered');

    const noChoice = await complete(browser, caseId, assessmentId, {});
    assert.deepEqual(errorSummary(noChoice.body), [
      'Select whether your professional judgement raises the level',
    ]);
    const noReason = await complete(browser, caseId, assessmentId, { judgement: 'high', reason: '  ' });
    assert.deepEqual(errorSummary(noReason.body), ['Say why your professional judgement raises the level']);
    assert.match(noReason.body, /value="high" checked/, 'the choice is kept');
    const same = await complete(browser, caseId, assessmentId, {
      judgement: 'medium',
      reason: 'Feels medium',
    });
    assert.deepEqual(errorSummary(same.body), [
      'Professional judgement can only raise the level above medium, never lower it',
    ]);
    assert.equal(await caseLevel(caseId), null, 'nothing was completed');

    const reason = 'He has bought a tracker and says he knows her new address';
    const raised = await complete(browser, caseId, assessmentId, { judgement: 'high', reason });
    assert.equal(raised.statusCode, 303);
    assert.equal(await caseLevel(caseId), 'high');
    const view = await browser.get(`/cases/${caseId}/risk/${assessmentId}`);
    assert.equal(view.statusCode, 200);
    assert.match(view.body, /data-qa="risk-judgement"[\s\S]*To high[\s\S]*He has bought a tracker/);
    assert.match(view.body, /data-qa="risk-level">High risk/);
  });

  it('shows what changed since the last assessment, and reassessment tasks come and go', async () => {
    const { caseId } = await givenCase(test, manager, { holder: casey });
    const session = await sessionFor(test, casey);
    const browser = await signedIn(casey);
    const daysAgo = (days: number) => new Date(test.clock.now().getTime() - days * DAY);

    // The diary escalates: a task to review the risk, marked as a reassessment.
    for (const days of [111, 80, 50])
      await givenDiaryEntry(test, session, caseId, { occurredFrom: daysAgo(days) });
    for (const days of [1, 3, 5, 8, 12, 16, 20])
      await givenDiaryEntry(test, session, caseId, { occurredFrom: daysAgo(days), behaviours: ['threats'] });
    const deps = { db: test.database.db, clock: test.clock, keys: test.services.keys };
    await withCaseInScope(deps, session, caseId, (trx, kase) =>
      checkEscalation(trx, kase, session, test.clock.now()),
    );
    const raised = await riskTasks(caseId);
    assert.ok(raised.length >= 1);
    assert.ok(raised.every((task) => task.title.startsWith('Review risk: ') && task.completed_at === null));

    const first = await start(browser, caseId, 'risk-checklist');
    const before = answersFor('risk-checklist', 5);
    await answerAll(browser, caseId, first.assessmentId, 'risk-checklist', before);
    await complete(browser, caseId, first.assessmentId);

    const afterFirst = await riskTasks(caseId);
    const escalations = afterFirst.filter((task) => task.title.startsWith('Review risk: '));
    assert.equal(escalations.length, raised.length);
    assert.ok(
      escalations.every((task) => task.completed_at !== null),
      'escalation tasks closed',
    );
    const [periodic, ...more] = afterFirst.filter((task) => task.title.startsWith('Reassess'));
    assert.equal(more.length, 0);
    assert.ok(periodic);
    assert.equal(periodic.title, 'Reassess the risk (8-weekly review)');
    assert.equal(periodic.completed_at, null);
    assert.equal(periodic.owner_id, casey.userId);
    assert.equal(periodic.due_on, new Date(test.clock.now().getTime() + 56 * DAY).toISOString().slice(0, 10));

    test.clock.advance(10 * 60 * 1000);
    const second = await start(browser, caseId, 'risk-checklist');
    const now = answersFor('risk-checklist', 5);
    now.frightened = { choice: 'no' };
    now['getting-worse'] = { choice: 'yes', words: 'Every week it is something new' };
    await answerAll(browser, caseId, second.assessmentId, 'risk-checklist', now);
    await complete(browser, caseId, second.assessmentId);

    const tasks = await riskTasks(caseId);
    assert.equal(tasks.filter((task) => task.completed_at === null).length, 1, 'one periodic review open');
    const history = await browser.get(`/cases/${caseId}/risk`);
    const newest = history.body.split('data-qa="risk-history-entry"')[1]!;
    const changes = [
      ...newest.matchAll(
        /data-qa="risk-change">\s*<td class="govuk-table__cell">([^<]+)<\/td>\s*<td class="govuk-table__cell">([^<]+)<\/td>\s*<td class="govuk-table__cell"><strong>([^<]+)</g,
      ),
    ].map((match) => `${match[1]}: ${match[2]} → ${match[3]}`);
    assert.deepEqual(changes, [
      'Is the client very frightened?: Yes → No',
      'Is the abuse getting worse?: No → Yes',
    ]);
    assert.match(history.body, /data-qa="case-risk-review"|data-qa="risk-review-due"/);
  });

  it('keeps assessments to those who may see the case, and answering to those who assess', async () => {
    const { caseId } = await givenCase(test, manager, { holder: casey });
    const caseyBrowser = await signedIn(casey);
    const { assessmentId } = await start(caseyBrowser, caseId, 'risk-checklist');

    const robinBrowser = await signedIn(robin);
    assert.equal((await robinBrowser.get(`/cases/${caseId}/risk`)).statusCode, 403, 'not on their caseload');
    assert.equal(
      (await robinBrowser.get(`/cases/${caseId}/risk/${assessmentId}/sections/now`)).statusCode,
      403,
    );

    const policeBrowser = await signedIn(police);
    assert.equal((await policeBrowser.get(`/cases/${caseId}/risk`)).statusCode, 403);

    const other = await givenCase(test, manager, { holder: casey });
    const elsewhere = await caseyBrowser.get(`/cases/${other.caseId}/risk/${assessmentId}/sections/now`);
    assert.equal(elsewhere.statusCode, 404, 'an assessment is found only on its own case');

    const audit = await inOrg((trx) =>
      trx
        .selectFrom('audit_events')
        .select(['action', 'details'])
        .where('action', 'like', 'risk.%')
        .execute(),
    );
    const actions = new Set(audit.map((event) => event.action));
    for (const action of [
      'risk.assessment_started',
      'risk.answers_saved',
      'risk.assessment_completed',
      'risk.history_viewed',
    ])
      assert.ok(actions.has(action), `${action} is audited`);
    assert.ok(!JSON.stringify(audit).includes('outside my work'), 'no answer in the audit trail');
  });

  it('lets an administrator add a questionnaire version that new assessments use and old ones keep theirs', async () => {
    const { caseId } = await givenCase(test, manager, { holder: casey });
    const caseyBrowser = await signedIn(casey);
    const old = await start(caseyBrowser, caseId, 'stalking-screening');

    assert.equal((await caseyBrowser.get('/settings/risk-templates')).statusCode, 403);
    const browser = await signedIn(admin);
    const list = await browser.get('/settings/risk-templates');
    assert.equal(list.statusCode, 200);
    assert.equal((list.body.match(/data-qa="risk-template-row"/g) ?? []).length, 2);

    const shipped = SHIPPED_TEMPLATES.find((template) => template.templateKey === 'stalking-screening')!;
    const form = await browser.get(`/settings/risk-templates/new?from=${shipped.templateVersionId}`);
    assert.match(
      form.body,
      /&quot;title&quot;: &quot;Stalking screening&quot;/,
      'starts from the version chosen',
    );

    const notJson = await browser.post('/settings/risk-templates', {
      templateKey: 'stalking-screening',
      definition: '{ "title": ',
    });
    assert.equal(notJson.statusCode, 400);
    assert.match(errorSummary(notJson.body)[0]!, /^The definition is not valid JSON: /);
    assert.match(notJson.body, /\{ &quot;title&quot;: /, 'what was pasted is kept');

    const tooHigh = { ...shipped.definition, thresholds: { medium: 3, high: 40 } };
    const wrong = await browser.post('/settings/risk-templates', {
      templateKey: 'stalking-screening',
      definition: JSON.stringify(tooHigh),
    });
    assert.deepEqual(errorSummary(wrong.body), [
      'The high threshold (40) is more than the number of scored questions (11)',
    ]);

    const changed = {
      ...shipped.definition,
      sections: shipped.definition.sections.map((section, index) =>
        index === 0
          ? {
              ...section,
              questions: [
                ...section.questions,
                {
                  id: 'drone',
                  text: 'Has a drone been seen near the client’s home?',
                  kind: 'yes_no_not_known',
                  scored: false,
                },
              ],
            }
          : section,
      ),
    };
    for (let click = 0; click < 2; click += 1) {
      const added = await browser.post('/settings/risk-templates', {
        templateKey: 'stalking-screening',
        definition: JSON.stringify(changed),
      });
      assert.equal(added.statusCode, 303);
    }
    const versions = await inOrg((trx) =>
      trx
        .selectFrom('risk_templates')
        .select(['version_number', 'origin', 'template_version_id'])
        .where('template_key', '=', 'stalking-screening')
        .orderBy('version_number')
        .execute(),
    );
    assert.deepEqual(
      versions.map((version) => `${version.version_number} ${version.origin}`),
      ['1 shipped', '2 local'],
      'a double click adds one version',
    );

    const otherCase = await givenCase(test, manager, { holder: casey });
    const fresh = await start(caseyBrowser, otherCase.caseId, 'stalking-screening');
    const freshRow = await inOrg((trx) =>
      trx
        .selectFrom('risk_assessments')
        .select('template_version_id')
        .where('assessment_id', 'in', [old.assessmentId, fresh.assessmentId])
        .orderBy('started_at')
        .execute(),
    );
    assert.deepEqual(
      freshRow.map((row) => row.template_version_id),
      [shipped.templateVersionId, versions[1]!.template_version_id],
    );
    const section = await caseyBrowser.get(
      `/cases/${otherCase.caseId}/risk/${fresh.assessmentId}/sections/${changed.sections[0]!.id}`,
    );
    assert.match(section.body, /Has a drone been seen near the client’s home\?/);
    const oldSection = await caseyBrowser.get(
      `/cases/${caseId}/risk/${old.assessmentId}/sections/${changed.sections[0]!.id}`,
    );
    assert.doesNotMatch(oldSection.body, /drone/);
  });
});
