import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  buildTestApp,
  givenOrganisation,
  givenStaff,
  type StaffCredentials,
  type TestApp,
  signedInAs,
} from '../../../test/support/app.ts';
import { givenDiaryEntry, incidentFacts } from '../../../test/support/diary.ts';
import { givenCase, sessionFor } from '../../../test/support/referrals.ts';
import { inOrganisation } from '../../db/database.ts';
import type { CurrentSession } from '../../platform/auth/sessions.ts';
import { DAY } from '../../platform/clock.ts';
import { blindIndexKey } from '../../platform/crypto/blind-index.ts';
import { seal } from '../../platform/crypto/envelope.ts';
import { createViewEnvironment } from '../../platform/http/views.ts';
import { withCaseInScope } from '../cases/case-scope.ts';
import { insertEntryVersion, redactionAad } from './diary-entry.ts';
import type { IncidentBehaviour } from './incident-types.ts';
import { aggregateIncidents, patternsSince, type Incident } from './patterns.ts';
import { diaryAggregate } from './patterns.repository.ts';
import { checkEscalation } from './patterns.service.ts';

const NOW = new Date('2026-11-23T12:00:00Z'); // a Monday
const daysAgo = (days: number, hour = 12) => new Date(NOW.getTime() - days * DAY + (hour - 12) * 3_600_000);

describe('Patterns in the diary', () => {
  let test: TestApp;
  let manager: StaffCredentials;
  let casey: StaffCredentials;
  let robin: StaffCredentials;
  let caseySession: CurrentSession;
  let managerSession: CurrentSession;

  before(async () => {
    test = await buildTestApp();
    test.clock.set(NOW);
    const admin = await givenOrganisation(test);
    manager = await givenStaff(test, admin.organisationId, 'manager');
    casey = await givenStaff(test, admin.organisationId, 'caseworker', { displayName: 'Casey Worker' });
    robin = await givenStaff(test, admin.organisationId, 'caseworker', { displayName: 'Robin Worker' });
    caseySession = await sessionFor(test, casey);
    managerSession = await sessionFor(test, manager);
  });
  after(async () => test.close());

  const deps = () => ({ db: test.database.db, clock: test.services.clock, keys: test.services.keys });

  async function check(session: CurrentSession, caseId: string) {
    const result = await withCaseInScope(deps(), session, caseId, (trx, kase) =>
      checkEscalation(trx, kase, session, test.clock.now()),
    );
    if (result.kind !== 'ok') throw new Error(result.kind);
    return result.value;
  }

  async function entry(
    session: CurrentSession,
    caseId: string,
    at: Date,
    ...behaviours: IncidentBehaviour[]
  ) {
    return givenDiaryEntry(test, session, caseId, {
      occurredFrom: at,
      behaviours: behaviours.length ? behaviours : ['messages'],
    });
  }

  /** Three incidents in the 12 weeks before, then seven in the last four, threats among them for the first time. */
  async function givenEscalatingDiary(session: CurrentSession, caseId: string) {
    for (const days of [111, 80, 50]) await entry(session, caseId, daysAgo(days));
    for (const days of [1, 3, 5, 8, 12, 16]) await entry(session, caseId, daysAgo(days), 'messages', 'calls');
    await entry(session, caseId, daysAgo(20), 'threats');
  }

  async function tasksOf(caseId: string) {
    return inOrganisation(test.database.db, casey.organisationId, (trx) =>
      trx
        .selectFrom('tasks')
        .select(['title', 'owner_id', 'due_on'])
        .where('case_id', '=', caseId)
        .orderBy('title')
        .execute(),
    );
  }

  async function auditActions(caseReference: string) {
    return inOrganisation(test.database.db, casey.organisationId, (trx) =>
      trx
        .selectFrom('audit_events')
        .select(['action', 'details'])
        .where('record_id', '=', caseReference)
        .where('action', 'like', 'diary.%')
        .orderBy('occurred_at')
        .execute(),
    );
  }

  const signedIn = (user: StaffCredentials) => signedInAs(test, user);

  it('raises each escalation once, with a task to review risk for the caseworker, and says why', async () => {
    const { caseId } = await givenCase(test, manager, { holder: casey });
    await givenEscalatingDiary(caseySession, caseId);

    const raised = await check(caseySession, caseId);
    assert.deepEqual(
      raised.map((signal) => signal.reason),
      [
        '7 incidents in the last 4 weeks, up from an average of 1 every 4 weeks before',
        'Threats recorded for the first time on 3 November 2026',
      ],
    );
    assert.deepEqual(await check(caseySession, caseId), [], 'checking again raises nothing more');
    await entry(caseySession, caseId, daysAgo(0), 'threats');
    assert.deepEqual(
      await check(caseySession, caseId),
      [],
      'nor does another entry showing the same signals',
    );

    const tasks = await tasksOf(caseId);
    assert.deepEqual(tasks, [
      {
        title: 'Review risk: 7 incidents in the last 4 weeks, up from an average of 1 every 4 weeks before',
        owner_id: casey.userId,
        due_on: '2026-11-25',
      },
      {
        title: 'Review risk: Threats recorded for the first time on 3 November 2026',
        owner_id: casey.userId,
        due_on: '2026-11-25',
      },
    ]);

    const browser = await signedIn(casey);
    const page = await browser.get(`/cases/${caseId}/diary/patterns`);
    assert.equal(page.statusCode, 200);
    const reference = /govuk-caption-l">Case ([A-Z0-9-]+)</.exec(page.body)?.[1] ?? '';
    assert.ok(reference);
    const signals = [...page.body.matchAll(/data-qa="signal"[\s\S]*?<\/strong>/g)].map((match) =>
      match[0].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' '),
    );
    assert.equal(signals.length, 2);
    assert.match(
      signals[0]!,
      /8 incidents in the last 4 weeks, up from an average of 1 every 4 weeks before/,
    );
    assert.match(signals[1]!, /Threats recorded for the first time on 3 November 2026/);
    assert.match(
      page.body,
      /data-qa="escalation-history"[\s\S]*Task to review risk given to the case’s caseworker/,
    );

    const actions = await auditActions(reference);
    assert.deepEqual(
      actions.map((event) => [event.action, event.details]),
      [
        ['diary.escalation_raised', { rule: 'frequency_rising', taskRaised: true }],
        ['diary.escalation_raised', { rule: 'new_serious_behaviour:threats', taskRaised: true }],
        ['diary.patterns_viewed', {}],
      ],
    );
  });

  it('shows the indicators and the figures behind each chart', async () => {
    const { caseId } = await givenCase(test, manager, { holder: casey });
    await givenEscalatingDiary(caseySession, caseId);
    await entry(caseySession, caseId, daysAgo(2), 'third_parties');

    const page = await (await signedIn(casey)).get(`/cases/${caseId}/diary/patterns`);
    assert.equal(page.statusCode, 200);
    const text = (html: string) =>
      html
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim();
    const indicators = text(/data-qa="indicators"[\s\S]*?<\/dl>/.exec(page.body)?.[0] ?? '');
    assert.match(indicators, /Incidents recorded 11/);
    assert.match(indicators, /First incident 4 August 2026/);
    assert.match(indicators, /Most recent incident 22 November 2026/);
    assert.match(indicators, /From first to most recent 15 weeks and 5 days/);
    assert.match(indicators, /How often in the last 4 weeks 8 incidents \(2 a week\)/);
    assert.match(
      indicators,
      /Contact with friends, family or employer 1 incident, most recently on 21 November 2026/,
    );
    assert.match(indicators, /Serious behaviours Threats: 1 incident, first on 3 November 2026/);

    const weekly = /data-qa="weekly-table"[\s\S]*?<\/table>/.exec(page.body)?.[0] ?? '';
    const rows = [...weekly.matchAll(/<tr class="govuk-table__row">([\s\S]*?)<\/tr>/g)].map((row) =>
      text(row[1]!),
    );
    assert.equal(
      rows[0],
      'Week beginning Incidents Messages (texts, emails, letters) Phone calls Contacting friends, family or employer Threats',
    );
    assert.ok(rows.includes('16 November 2026 4 3 3 1 0'), rows.join('\n'));
    assert.ok(rows.includes('2 November 2026 2 1 1 0 1'), 'the week of the threats');
    assert.equal(rows.length, 27);

    const calendar = /data-qa="calendar-table"[\s\S]*?<\/table>/.exec(page.body)?.[0] ?? '';
    const calendarRows = [...calendar.matchAll(/<tr class="govuk-table__row">([\s\S]*?)<\/tr>/g)].map((row) =>
      text(row[1]!),
    );
    assert.equal(calendarRows.at(-2), '16 November 2026 0 0 1 0 1 1 1 4', 'Monday to Sunday, then the total');
    assert.equal(calendarRows.at(-1), '23 November 2026 0 0', 'days still to come are left empty');
    const chart = /<svg [^>]*data-qa="weekly-chart"[\s\S]*?<\/svg>/.exec(page.body)?.[0] ?? '';
    assert.match(chart, /role="img"/);
    assert.equal((chart.match(/<rect/g) ?? []).length, 11, 'a segment per week and behaviour with incidents');
    assert.match(page.body, /data-qa="weekly-legend"[\s\S]*Phone calls/);
  });

  it('counts the current version of each entry and leaves redacted entries out', async () => {
    const { caseId } = await givenCase(test, manager, { holder: casey });
    await entry(caseySession, caseId, daysAgo(60));
    const corrected = await entry(caseySession, caseId, daysAgo(100), 'calls');
    const redacted = await entry(caseySession, caseId, daysAgo(1), 'violence');
    const result = await withCaseInScope(deps(), caseySession, caseId, async (trx, kase) => {
      const organisationKey = await test.services.keys.organisationKey(trx, caseySession.organisationId);
      await insertEntryVersion(
        trx,
        {
          organisationId: caseySession.organisationId,
          caseId,
          key: kase.key,
          indexKey: blindIndexKey(organisationKey),
        },
        { entryId: corrected.entryId, version: 2, recordedBy: casey.userId, recordedAt: NOW },
        incidentFacts({ occurredFrom: daysAgo(3), behaviours: ['sexual'] }),
        'The date was wrong',
      );
      await trx
        .insertInto('diary_entry_redactions')
        .values({
          organisation_id: caseySession.organisationId,
          entry_id: redacted.entryId,
          case_id: caseId,
          reason_sealed: seal(kase.key, 'Recorded on the wrong case', redactionAad(caseId, redacted.entryId)),
          redacted_by: casey.userId,
          redacted_at: NOW,
        })
        .execute();
      return diaryAggregate(trx, caseySession.organisationId, caseId, patternsSince('2026-11-23'));
    });
    assert.equal(result.kind, 'ok');
    const aggregate = result.kind === 'ok' ? result.value : null;
    assert.equal(aggregate?.incidents, 2);
    assert.deepEqual(
      aggregate?.behaviours.map((total) => [total.behaviour, total.incidents]),
      [
        ['messages', 1],
        ['sexual', 1],
      ],
    );
    assert.deepEqual(
      (await check(caseySession, caseId)).map((signal) => signal.rule),
      ['new_serious_behaviour:sexual'],
      'the redacted violence raises nothing',
    );
    const page = await (await signedIn(casey)).get(`/cases/${caseId}/diary/patterns`);
    assert.match(page.body, /Incidents recorded\s*<\/dt>\s*<dd[^>]*>\s*2\s*</);
    assert.doesNotMatch(page.body, /Violence/);
  });

  it('counts in the database exactly as the rules define the figures, in UK days and weeks', async () => {
    const { caseId } = await givenCase(test, manager, { holder: casey });
    const incidents: Incident[] = [];
    // Late evenings either side of the clocks changing, a Sunday night and a Monday morning, and older ones.
    const moments = [
      ['2026-10-24T23:30:00Z', ['calls', 'threats']],
      ['2026-10-25T23:30:00Z', ['calls']],
      ['2026-11-22T23:59:00Z', ['messages']],
      ['2026-11-23T00:01:00Z', ['messages', 'third_parties']],
      ['2026-07-05T23:30:00Z', ['following']],
      ['2025-01-01T10:00:00Z', ['property']],
    ] as const;
    for (const [at, behaviours] of moments) {
      await entry(caseySession, caseId, new Date(at), ...behaviours);
      incidents.push({ occurredFrom: new Date(at), behaviours });
    }
    const since = patternsSince('2026-11-23');
    const fromSql = await inOrganisation(test.database.db, casey.organisationId, (trx) =>
      diaryAggregate(trx, casey.organisationId, caseId, since),
    );
    assert.deepEqual(fromSql, aggregateIncidents(incidents, since));
  });

  it('raises the escalation without a task when nobody holds the case, and says so', async () => {
    const { caseId } = await givenCase(test, manager);
    await givenEscalatingDiary(managerSession, caseId);
    const raised = await check(managerSession, caseId);
    assert.deepEqual(
      raised.map((signal) => signal.taskId),
      [null, null],
    );
    assert.deepEqual(await tasksOf(caseId), []);
    const page = await (await signedIn(manager)).get(`/cases/${caseId}/diary/patterns`);
    assert.match(page.body, /No task: the case had no caseworker to give it to/);
  });

  it('gives the case page a banner of recent escalations with their reasons', async () => {
    const { caseId } = await givenCase(test, manager, { holder: casey });
    const views = createViewEnvironment();
    const banner = async () => {
      const result = await test.services.patterns.recentEscalations(caseySession, caseId);
      assert.equal(result.kind, 'ok');
      return views.render('diary/_escalation-banner.njk', {
        escalations: result.kind === 'ok' ? result.value : [],
        record: { caseId },
      });
    };
    assert.doesNotMatch(await banner(), /escalation-banner/, 'nothing while there is none');
    await givenEscalatingDiary(caseySession, caseId);
    await check(caseySession, caseId);
    const shown = await banner();
    assert.match(shown, /data-qa="escalation-banner"/);
    assert.match(
      shown,
      /Threats recorded for the first time on 3 November 2026 \(found 23 November 2026, 12:\d\dpm\)/,
    );
    assert.equal((shown.match(/data-qa="escalation"/g) ?? []).length, 2);
    assert.match(shown, new RegExp(`href="/cases/${caseId}/diary/patterns"`));
    const other = await test.services.patterns.recentEscalations(await sessionFor(test, robin), caseId);
    assert.equal(other.kind, 'not_on_caseload');
  });

  it('is refused to a caseworker whose caseload the case is not on', async () => {
    const { caseId } = await givenCase(test, manager, { holder: casey });
    await entry(caseySession, caseId, daysAgo(1));
    const page = await (await signedIn(robin)).get(`/cases/${caseId}/diary/patterns`);
    assert.equal(page.statusCode, 403);
    assert.doesNotMatch(page.body, /Incidents recorded/);
  });

  it('lists recent escalations on the caseworker’s own cases on their home page', async () => {
    const { caseId } = await givenCase(test, manager, { holder: casey });
    await givenEscalatingDiary(caseySession, caseId);
    await check(caseySession, caseId);

    const home = await (await signedIn(casey)).get('/');
    const listed = [...home.body.matchAll(/data-qa="caseload-escalation">([\s\S]*?)<\/li>/g)]
      .map((match) =>
        match[1]!
          .replace(/<[^>]+>/g, ' ')
          .replace(/\s+/g, ' ')
          .trim(),
      )
      .filter((item) => item.includes('Threats'));
    assert.equal(listed.length >= 1, true);
    assert.match(
      listed[0]!,
      /^Escalation on case [A-Z0-9-]+ : Threats recorded for the first time on 3 November 2026/,
    );
    assert.match(home.body, new RegExp(`href="/cases/${caseId}/diary/patterns"`));

    const robinHome = await (await signedIn(robin)).get('/');
    assert.doesNotMatch(robinHome.body, /caseload-escalation/, 'not on someone else’s home page');

    test.clock.advance(29 * DAY);
    try {
      const later = await (await signedIn(casey)).get('/');
      assert.doesNotMatch(later.body, /caseload-escalation/, 'gone after four weeks');
    } finally {
      test.clock.set(NOW);
    }
  });
});
