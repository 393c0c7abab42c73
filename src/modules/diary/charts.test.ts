import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  calendarHeatMap,
  colourSeries,
  contrastRatio,
  HEAT_BANDS,
  OTHER_COLOUR,
  SERIES_COLOURS,
  weeklyStackedChart,
} from './charts.ts';
import type { CalendarWeek, WeekRow } from './patterns.ts';

const series = colourSeries([
  { key: 'threats', label: 'Threats' },
  { key: 'calls', label: 'Calls <b>& "texts"</b>' },
  { key: 'other', label: 'Other behaviours' },
]);
const weeks: WeekRow[] = [
  { weekStart: '2026-11-02', incidents: 3, counts: { threats: 2, calls: 1, other: 0 } },
  { weekStart: '2026-11-09', incidents: 0, counts: { threats: 0, calls: 0, other: 0 } },
  { weekStart: '2026-11-16', incidents: 4, counts: { threats: 0, calls: 3, other: 2 } },
];

describe('the weekly stacked chart', () => {
  const svg = weeklyStackedChart(weeks, series);

  it('draws one rectangle for each week and behaviour with incidents, in its colour', () => {
    const rects = [...svg.matchAll(/<rect [^>]*data-series="([^"]+)"[^>]*>/g)];
    assert.equal((svg.match(/<rect/g) ?? []).length, 4);
    assert.deepEqual(
      rects.map((rect) => rect[1]),
      ['threats', 'calls', 'calls', 'other'],
    );
    assert.match(svg, new RegExp(`fill="${OTHER_COLOUR}"[^>]*data-series="other"`));
    assert.match(svg, /<title>Week beginning 16 November 2026: Other behaviours, 2<\/title>/);
  });

  it('stacks segments in proportion: a segment of 2 is twice the height of a segment of 1', () => {
    const heights = [...svg.matchAll(/<rect [^>]*height="([\d.]+)"/g)].map((match) => Number(match[1]));
    assert.ok(Math.abs(heights[0]! - 2 * heights[1]!) < 0.05, `${heights[0]} is twice ${heights[1]}`);
  });

  it('is an image with a title and a description, escaping every label', () => {
    assert.match(svg, /^<svg [^>]*role="img" aria-labelledby="weekly-chart-title weekly-chart-desc"/);
    assert.match(svg, /<title id="weekly-chart-title">Behaviours recorded each week<\/title>/);
    assert.match(
      svg,
      /<desc id="weekly-chart-desc">[^<]*The most in one week was 5, in the week beginning 16 November 2026/,
    );
    assert.match(svg, /Calls &lt;b&gt;&amp; &quot;texts&quot;&lt;\/b&gt;, 1/);
    assert.doesNotMatch(svg, /<b>/);
  });

  it('fits the width of a phone', () => {
    assert.match(svg, /^<svg [^>]*viewBox="0 0 \d+ \d+" width="100%"/);
    assert.doesNotMatch(svg, /style=/, 'no inline styles, which the content security policy refuses');
  });
});

describe('the calendar heat map', () => {
  const week = (weekStart: string, counts: number[], futureFrom = 7): CalendarWeek => ({
    weekStart,
    days: counts.map((incidents, index) => ({
      day: `2026-11-${String(Number(weekStart.slice(8)) + index).padStart(2, '0')}`,
      incidents,
      future: index >= futureFrom,
    })),
  });
  const svg = calendarHeatMap([
    week('2026-11-09', [0, 1, 2, 3, 0, 5, 0]),
    week('2026-11-16', [1, 0, 0, 0, 0, 0, 0], 3),
  ]);

  it('draws a square for each day up to today, shaded by its band of incidents', () => {
    assert.equal((svg.match(/<rect/g) ?? []).length, 10);
    assert.match(svg, /fill="#0b2e4d" data-incidents="5"><title>14 November 2026: 5 incidents<\/title>/);
    assert.match(svg, /data-incidents="1"><title>16 November 2026: 1 incident<\/title>/);
    assert.match(svg, /fill="#ffffff" stroke="#b1b4b6"[^>]*data-incidents="0"/);
  });

  it('is described in words', () => {
    assert.match(svg, /role="img"/);
    assert.match(
      svg,
      /<desc id="calendar-heat-map-desc">Calendar of each day from 9 November 2026 to 18 November 2026[^<]*5 of the 10 days had at least one incident/,
    );
  });
});

describe('the palettes', () => {
  it('stand out against white (at least 3:1, as WCAG asks of graphics) and differ from each other', () => {
    const colours = [...SERIES_COLOURS, OTHER_COLOUR, ...HEAT_BANDS.map((band) => band.colour)];
    for (const colour of colours) assert.ok(contrastRatio(colour, '#ffffff') >= 3, `${colour} on white`);
    assert.equal(new Set([...SERIES_COLOURS, OTHER_COLOUR]).size, SERIES_COLOURS.length + 1);
    const shades = HEAT_BANDS.map((band) => contrastRatio(band.colour, '#ffffff'));
    assert.deepEqual(
      [...shades].sort((a, b) => a - b),
      shades,
      'each band darker than the one before',
    );
  });
});
