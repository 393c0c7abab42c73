import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DAY } from '../../platform/clock.ts';
import { INCIDENT_BEHAVIOURS } from './incident-types.ts';
import {
  aggregateIncidents,
  calendarWeeks,
  indicators,
  patternsSince,
  PATTERN_WEEKS,
  rateText,
  spanText,
  weeklySeries,
  type Incident,
} from './patterns.ts';

const NOW = new Date('2026-11-25T12:00:00Z'); // a Wednesday
const TODAY = '2026-11-25';
const at = (daysAgo: number, ...behaviours: string[]): Incident => ({
  occurredFrom: new Date(NOW.getTime() - daysAgo * DAY),
  behaviours: behaviours.length ? behaviours : ['messages'],
});
const aggregate = (incidents: Incident[]) => aggregateIncidents(incidents, patternsSince(TODAY));
const VOCABULARY = INCIDENT_BEHAVIOURS.map((behaviour) => behaviour.value);

describe('diary indicators', () => {
  it('counts incidents, the span from first to last, and how often overall and recently', () => {
    const figures = indicators(
      aggregate([at(70), at(56, 'third_parties'), at(10), at(3), at(3, 'third_parties')]),
      TODAY,
    );
    assert.equal(figures.incidents, 5);
    assert.equal(figures.spanDays, 67);
    assert.equal(spanText(figures.spanDays), '9 weeks and 4 days');
    assert.equal(figures.recentIncidents, 3);
    assert.equal(rateText(figures.perWeekRecent), '3 every 4 weeks');
    assert.equal(rateText(figures.perWeekOverall), '2.1 every 4 weeks');
    assert.deepEqual(figures.thirdParties, { incidents: 2, last: at(3).occurredFrom });
  });

  it('has nothing to say about an empty diary', () => {
    const figures = indicators(aggregate([]), TODAY);
    assert.equal(figures.incidents, 0);
    assert.equal(figures.first, null);
    assert.equal(rateText(figures.perWeekOverall), 'None');
  });

  it('words rates and spans as a reader would say them', () => {
    assert.equal(rateText(3.25), '3.3 a week');
    assert.equal(rateText(1), '1 a week');
    assert.equal(rateText(0.01), 'Fewer than 1 every 4 weeks');
    assert.equal(spanText(0), 'All on the same day');
    assert.equal(spanText(1), '1 day');
    assert.equal(spanText(14), '2 weeks');
  });
});

describe('the weekly figures', () => {
  it('covers the last 26 weeks, Monday to Monday, counting each behaviour of an incident once', () => {
    const { series, weeks } = weeklySeries(
      aggregate([at(0, 'threats', 'messages'), at(1, 'messages'), at(9, 'calls'), at(400, 'violence')]),
      TODAY,
      VOCABULARY,
    );
    assert.equal(weeks.length, PATTERN_WEEKS);
    assert.equal(weeks.at(-1)?.weekStart, '2026-11-23');
    assert.equal(weeks[0]?.weekStart, '2026-06-01');
    assert.deepEqual(
      series.map((one) => one.label),
      ['Messages (texts, emails, letters)', 'Phone calls', 'Threats'],
      'most frequent first, then in the order the diary lists them; none from outside the window',
    );
    assert.deepEqual(weeks.at(-1), {
      weekStart: '2026-11-23',
      incidents: 2,
      counts: { messages: 2, calls: 0, threats: 1 },
    });
    assert.deepEqual(weeks.at(-2)?.counts, { messages: 0, calls: 1, threats: 0 });
  });

  it('groups behaviours beyond the sixth as other behaviours', () => {
    const behaviours = VOCABULARY.slice(0, 9);
    const { series, weeks } = weeklySeries(
      aggregate(behaviours.map((behaviour, index) => at(index % 3, behaviour))),
      TODAY,
      VOCABULARY,
    );
    assert.equal(series.length, 6);
    assert.equal(series.at(-1)?.label, 'Other behaviours');
    assert.equal(weeks.at(-1)?.counts.other, 4);
  });
});

describe('the calendar', () => {
  it('has a week of days for every week, days after today marked', () => {
    const weeks = calendarWeeks(aggregate([at(0), at(0), at(2)]), TODAY);
    assert.equal(weeks.length, PATTERN_WEEKS);
    const thisWeek = weeks.at(-1)!;
    assert.deepEqual(
      thisWeek.days.map((day) => [day.day, day.incidents, day.future]),
      [
        ['2026-11-23', 1, false],
        ['2026-11-24', 0, false],
        ['2026-11-25', 2, false],
        ['2026-11-26', 0, true],
        ['2026-11-27', 0, true],
        ['2026-11-28', 0, true],
        ['2026-11-29', 0, true],
      ],
    );
  });

  it('places an incident on its UK day, across the change of clocks', () => {
    // 23:30 UTC on 1 July is 00:30 on 2 July in the UK; 23:30 UTC on 1 November is still 1 November.
    const summer = { occurredFrom: new Date('2026-07-01T23:30:00Z'), behaviours: ['calls'] };
    const winter = { occurredFrom: new Date('2026-11-01T23:30:00Z'), behaviours: ['calls'] };
    const days = aggregate([summer, winter]).days.map((day) => day.day);
    assert.deepEqual(days, ['2026-07-02', '2026-11-01']);
  });
});
