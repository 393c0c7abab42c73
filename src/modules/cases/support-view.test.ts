import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { caseloadTasks } from './case-view.ts';
import type { OnwardReferralEntry, TaskEntry } from './casework.service.ts';
import { onwardReferralCards, serviceRows, timelineItems } from './support-view.ts';
import {
  endServiceSchema,
  onwardOutcomeSchema,
  onwardReferralSchema,
  serviceSchema,
} from './support.schema.ts';
import { arrangeTimeline, momentOf, type CaseEvent } from './timeline.ts';

const messages = (result: { success: boolean; error?: { issues: { message: string }[] } }) =>
  result.error?.issues.map((issue) => issue.message) ?? [];

describe('services and referrals on: forms', () => {
  const today = '2026-11-23';

  it('needs a service and a real start date no later than today; the note is optional but short', () => {
    assert.deepEqual(messages(serviceSchema(today).safeParse({})), [
      'Select the service',
      'Enter the date the service started',
    ]);
    assert.deepEqual(
      messages(
        serviceSchema(today).safeParse({
          service: 'court_support',
          'startedOn-day': '24',
          'startedOn-month': '11',
          'startedOn-year': '2026',
          note: 'x'.repeat(2_001),
        }),
      ),
      ['Start date must be today or in the past', 'Note must be 2,000 characters or fewer'],
    );
    assert.deepEqual(
      serviceSchema(today).parse({
        service: 'court_support',
        'startedOn-day': '3',
        'startedOn-month': '2',
        'startedOn-year': '2026',
        note: '  ',
      }),
      { service: 'court_support', startedOn: '2026-02-03', note: null },
    );
  });

  it('ends a service no earlier than it started', () => {
    const schema = endServiceSchema(today, '2026-03-10');
    const ended = (day: string) =>
      schema.safeParse({ 'endedOn-day': day, 'endedOn-month': '3', 'endedOn-year': '2026' });
    assert.deepEqual(messages(ended('9')), [
      'End date must be on or after the date it started, 10 March 2026',
    ]);
    assert.deepEqual(messages(ended('31')), []);
    assert.deepEqual(messages(ended('32')), ['End date must be a real date']);
  });

  it('needs a reason to refer on without the client’s consent, and none with it', () => {
    const base = {
      agencyType: 'housing',
      agencyName: ' Northtown Housing Options ',
      'referredOn-day': '20',
      'referredOn-month': '11',
      'referredOn-year': '2026',
      reason: 'Needs to move away from the address he knows.',
    };
    assert.deepEqual(messages(onwardReferralSchema(today).safeParse({ agencyType: 'marac' })), [
      'Select the kind of agency',
      'Enter the name of the agency',
      'Enter the date of the referral',
      'Enter why the client is being referred',
      'Select yes if the client agreed to this referral',
    ]);
    assert.deepEqual(messages(onwardReferralSchema(today).safeParse({ ...base, consentGiven: 'no' })), [
      'Enter why the referral is being made without the client’s consent',
    ]);
    assert.deepEqual(
      onwardReferralSchema(today).parse({ ...base, consentGiven: 'yes', consentOverride: 'ignored' }),
      {
        agencyType: 'housing',
        agencyName: 'Northtown Housing Options',
        referredOn: '2026-11-20',
        reason: 'Needs to move away from the address he knows.',
        consentGiven: true,
        consentOverride: null,
      },
    );
    assert.equal(
      onwardReferralSchema(today).parse({ ...base, consentGiven: 'no', consentOverride: 'Child at risk' })
        .consentOverride,
      'Child at risk',
    );
  });

  it('takes an outcome dated from the referral to today', () => {
    const schema = onwardOutcomeSchema(today, '2026-11-20');
    const outcome = (day: string) =>
      schema.safeParse({
        outcome: 'accepted',
        'outcomeOn-day': day,
        'outcomeOn-month': '11',
        'outcomeOn-year': '2026',
      });
    assert.deepEqual(messages(outcome('19')), [
      'Date of the outcome must be on or after the date of the referral, 20 November 2026',
    ]);
    assert.deepEqual(messages(outcome('24')), ['Date of the outcome must be today or in the past']);
    assert.deepEqual(messages(schema.safeParse({ outcome: 'lost' })), [
      'Select what has happened',
      'Enter the date of the outcome',
    ]);
  });
});

describe('services and referrals on: views', () => {
  it('lists ongoing services first, saying when each started and ended', () => {
    const rows = serviceRows([
      {
        serviceId: 's1',
        service: 'court_support',
        startedOn: '2026-01-05',
        note: null,
        recordedBy: 'Casey Worker',
        recordedAt: new Date('2026-01-05T10:00:00Z'),
        endedOn: '2026-02-01',
        endedBy: 'Casey Worker',
        endedAt: new Date('2026-02-01T10:00:00Z'),
      },
      {
        serviceId: 's2',
        service: 'family_court_legal_support',
        startedOn: '2026-03-01',
        note: 'With the family court team',
        recordedBy: 'Casey Worker',
        recordedAt: new Date('2026-03-01T10:00:00Z'),
        endedOn: null,
        endedBy: null,
        endedAt: null,
      },
    ]);
    assert.deepEqual(
      rows.map((row) => [row.name, row.from, row.to, row.ongoing]),
      [
        ['Legal support (family court)', '1 March 2026', 'Ongoing', true],
        ['Court support', '5 January 2026', '1 February 2026', false],
      ],
    );
  });

  it('shows the outcome now, every earlier one, and calls out a referral made without consent', () => {
    const referral: OnwardReferralEntry = {
      onwardReferralId: 'r1',
      agencyType: 'childrens_services',
      agencyName: 'Northshire Children’s Services',
      referredOn: '2026-11-02',
      reason: 'The children witnessed the incidents.',
      consentGiven: false,
      consentOverride: 'Safeguarding duty: children at risk.',
      recordedBy: 'Casey Worker',
      recordedAt: new Date('2026-11-02T10:00:00Z'),
      outcomes: [
        {
          outcomeId: 'o2',
          outcome: 'accepted',
          outcomeOn: '2026-11-10',
          note: null,
          recordedBy: 'Casey Worker',
          recordedAt: new Date('2026-11-10T10:00:00Z'),
        },
        {
          outcomeId: 'o1',
          outcome: 'no_response',
          outcomeOn: '2026-11-06',
          note: 'Chased by phone',
          recordedBy: 'Casey Worker',
          recordedAt: new Date('2026-11-06T10:00:00Z'),
        },
      ],
    };
    const [card] = onwardReferralCards([referral]);
    assert.equal(card!.title, 'Children’s services: Northshire Children’s Services');
    assert.deepEqual(card!.outcomeNow, { text: 'Accepted', tag: 'govuk-tag--green', on: '10 November 2026' });
    assert.deepEqual(
      card!.history.map((entry) => [entry.outcome, entry.on, entry.note]),
      [
        ['Accepted', '10 November 2026', null],
        ['No response', '6 November 2026', 'Chased by phone'],
      ],
    );
    const consent = card!.rows.find((row) => row.key === 'Client’s consent')!;
    assert.equal(consent.caution, true);
    assert.match(consent.value, /NOT given.*Safeguarding duty: children at risk\./);

    const [waiting] = onwardReferralCards([
      { ...referral, consentGiven: true, consentOverride: null, outcomes: [] },
    ]);
    assert.deepEqual(waiting!.outcomeNow, {
      text: 'Still waiting: no outcome recorded yet',
      tag: 'govuk-tag--blue',
      on: null,
    });
    assert.equal(waiting!.rows.find((row) => row.key === 'Client’s consent')!.value, 'Given');
  });
});

describe('case timeline', () => {
  it('places a dated record at the moment it was recorded on that day, or at the start of the UK day', () => {
    const recorded = new Date('2026-07-10T13:00:00Z');
    assert.equal(momentOf('2026-07-10', recorded), recorded);
    assert.equal(momentOf('2026-07-08', recorded).toISOString(), '2026-07-07T23:00:00.000Z', 'summer time');
    assert.equal(momentOf('2026-01-08', recorded).toISOString(), '2026-01-08T00:00:00.000Z');
  });

  it('puts the newest first, keeps the later of two at the same moment first, and filters by kind', () => {
    const at = (iso: string) => new Date(iso);
    const events: CaseEvent[] = [
      { type: 'opened', at: at('2026-11-01T09:00:00Z'), by: 'Morgan Manager' },
      {
        type: 'allocated',
        at: at('2026-11-01T09:00:00Z'),
        by: 'Morgan Manager',
        to: 'Casey Worker',
        reallocation: false,
      },
      { type: 'note', at: at('2026-11-03T09:00:00Z'), by: 'Casey Worker', body: 'Second' },
      { type: 'note', at: at('2026-11-02T09:00:00Z'), by: 'Casey Worker', body: 'First' },
      {
        type: 'service_started',
        at: at('2026-11-02T12:00:00Z'),
        on: '2026-11-02',
        by: 'Casey Worker',
        service: 'court_support',
        note: null,
      },
    ];
    assert.deepEqual(
      arrangeTimeline(events, 'all').map((event) => event.type),
      ['note', 'service_started', 'note', 'allocated', 'opened'],
    );
    assert.deepEqual(
      arrangeTimeline(events, 'notes').map((event) => (event.type === 'note' ? event.body : '')),
      ['Second', 'First'],
    );
    assert.deepEqual(arrangeTimeline(events, 'perpetrators'), []);
  });

  it('says what happened, by whom and when, with a date alone where only a date was recorded', () => {
    const items = timelineItems([
      {
        type: 'onward_referral',
        at: new Date('2026-11-02T00:00:00Z'),
        on: '2026-11-02',
        by: 'Casey Worker',
        agencyType: 'housing',
        agencyName: 'Northtown Housing Options',
        reason: 'Needs to move',
        consentGiven: false,
        consentOverride: 'Immediate risk at home',
      },
      {
        type: 'perpetrator_linked',
        at: new Date('2026-11-01T10:15:00Z'),
        by: null,
        perpetratorId: 'p1',
        name: 'Casey Marlowe',
        relationship: 'ex_partner',
      },
      {
        type: 'allocated',
        at: new Date('2026-11-01T10:00:00Z'),
        by: 'Morgan',
        to: 'Robin',
        reallocation: true,
      },
    ]);
    assert.equal(items[0]!.label, 'Referred to Northtown Housing Options (Housing or refuge)');
    assert.equal(items[0]!.when, '2 November 2026');
    assert.equal(items[0]!.datetime, '2026-11-02');
    assert.deepEqual(items[0]!.lines[1], {
      key: 'Referred WITHOUT the client’s consent',
      text: 'Immediate risk at home',
      caution: true,
    });
    assert.equal(items[1]!.label, 'Perpetrator linked: Casey Marlowe');
    assert.equal(items[1]!.link?.href, '/perpetrators/p1');
    assert.equal(items[1]!.when, '1 November 2026, 10:15am');
    assert.equal(items[2]!.label, 'Reallocated to Robin');
    assert.equal(items[2]!.byline, 'Morgan');
  });
});

describe('caseloadTasks', () => {
  it('separates overdue tasks from those due soon, and leaves out later ones', () => {
    const task = (title: string, dueOn: string, overdue: boolean): TaskEntry => ({
      taskId: title,
      caseId: 'c1',
      caseReference: 'ABCD-2345',
      title,
      dueOn,
      ownerName: 'Casey Worker',
      createdBy: 'Casey Worker',
      createdAt: new Date('2026-11-01T10:00:00Z'),
      completedAt: null,
      completedBy: null,
      overdue,
    });
    const { overdue, dueSoon } = caseloadTasks(
      [
        task('Late', '2026-11-20', true),
        task('Today', '2026-11-23', false),
        task('Later', '2026-12-20', false),
      ],
      '2026-11-29',
      (caseId) => `/cases/${caseId}`,
    );
    assert.deepEqual(
      overdue.map((row) => [row.title, row.due, row.overdue, row.caseHref]),
      [['Late', '20 November 2026', true, '/cases/c1']],
    );
    assert.deepEqual(
      dueSoon.map((row) => row.title),
      ['Today'],
    );
  });
});
