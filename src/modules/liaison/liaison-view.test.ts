import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { calendarView, checkboxItems, supportText } from './liaison-view.ts';
import type { CalendarHearing } from './liaison.service.ts';

const hearing = (startsAt: string, overrides: Partial<CalendarHearing> = {}): CalendarHearing => ({
  hearingId: startsAt,
  caseId: '00000000-0000-4000-8000-000000000001',
  reference: 'ABCD-1234',
  courtType: 'criminal',
  venue: 'Northtown Magistrates’ Court',
  startsAt: new Date(startsAt),
  hearingType: 'trial',
  support: ['accompany'],
  measuresRequested: [],
  measuresGranted: [],
  outcome: null,
  updatedAt: new Date(startsAt),
  ...overrides,
});

describe('calendarView', () => {
  // Wednesday 9 June 2027, in British Summer Time.
  const now = new Date('2027-06-09T11:00:00Z');

  it('groups hearings from today by week, naming this week and next, soonest first', () => {
    const view = calendarView(
      [
        hearing('2027-06-09T08:00:00Z'),
        hearing('2027-06-13T09:00:00Z'),
        hearing('2027-06-14T09:00:00Z'),
        hearing('2027-07-01T09:00:00Z'),
      ],
      now,
    );
    assert.deepEqual(
      view.weeks.map((week) => [week.title, week.rows.map((row) => row.when)]),
      [
        ['This week', ['9 June 2027, 9:00am', '13 June 2027, 10:00am']],
        ['Next week', ['14 June 2027, 10:00am']],
        ['Week beginning 28 June 2027', ['1 July 2027, 10:00am']],
      ],
    );
    assert.deepEqual(view.earlier, []);
  });

  it('puts hearings before today after, most recent first, with their outcomes', () => {
    const view = calendarView(
      [hearing('2027-06-01T09:00:00Z'), hearing('2027-06-08T09:00:00Z', { outcome: 'adjourned' })],
      now,
    );
    assert.deepEqual(view.weeks, []);
    assert.deepEqual(
      view.earlier.map((row) => [row.when, row.outcome]),
      [
        ['8 June 2027, 10:00am', 'Adjourned'],
        ['1 June 2027, 10:00am', null],
      ],
    );
  });

  it('says what support is arranged and which special measures were asked for', () => {
    const [row] = calendarView(
      [hearing('2027-06-10T09:00:00Z', { measuresRequested: ['screens', 'live_link'] })],
      now,
    ).weeks[0]!.rows;
    assert.equal(
      row!.support,
      'Going to court with the client; special measures asked for: Screens, Live link',
    );
    assert.deepEqual(supportText({ support: [], measuresRequested: [], measuresGranted: [] }), {
      support: 'None arranged',
      requested: 'None',
      granted: 'None',
    });
  });
});

describe('checkboxItems', () => {
  it('ticks one value or several', () => {
    const options = [
      { value: 'a', text: 'A' },
      { value: 'b', text: 'B' },
    ];
    assert.deepEqual(
      checkboxItems(options, 'b', 'x').map((item) => item.checked),
      [false, true],
    );
    assert.deepEqual(
      checkboxItems(options, ['a', 'b'], 'x').map((item) => item.checked),
      [true, true],
    );
    assert.deepEqual(
      checkboxItems(options, undefined, 'x').map((item) => item.checked),
      [false, false],
    );
  });
});
