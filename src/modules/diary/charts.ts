/**
 * The diary's charts, drawn on the server as SVG so they need no JavaScript: a weekly stacked bar chart and a
 * calendar heat map. Each is an image with a title and a description (role="img"), scales to the width of
 * the page (viewBox, width 100%), and uses colours that stand out against white (at least 3:1). Colour is never
 * the only way to read them: the page gives a legend with words and the same figures as a table. Every piece
 * of text is escaped here, because the page includes the result as HTML.
 */
import { formatIsoDate } from '../cases/case-view.ts';
import type { CalendarWeek, Series, WeekRow } from './patterns.ts';

/** Colours for the weekly chart's series, in order; the last is kept for "Other behaviours". */
export const SERIES_COLOURS = [
  '#1d70b8', // blue
  '#a85d00', // orange
  '#00703c', // green
  '#4c2c92', // purple
  '#d53880', // pink
  '#28a197', // turquoise
] as const;
export const OTHER_COLOUR = '#505a5f';

/** The heat map's shades: one for each band of incidents a day, darker for more. */
export const HEAT_BANDS = [
  { from: 1, to: 1, label: '1 incident', colour: '#5694ca' },
  { from: 2, to: 2, label: '2 incidents', colour: '#1d70b8' },
  { from: 3, to: 4, label: '3 or 4 incidents', colour: '#144e81' },
  { from: 5, to: Infinity, label: '5 or more incidents', colour: '#0b2e4d' },
] as const;
export const NO_INCIDENTS = { label: 'No incidents', fill: '#ffffff', stroke: '#b1b4b6' } as const;

const TEXT_COLOUR = '#0b0c0c';
const GRID_COLOUR = '#b1b4b6';
const FONT = 'font-family="Arial, sans-serif"';

export function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** Contrast ratio between two #rrggbb colours (WCAG 2): used to check the palettes. */
export function contrastRatio(first: string, second: string): number {
  const luminance = (hex: string) => {
    const [r, g, b] = [1, 3, 5].map((start) => {
      const value = parseInt(hex.slice(start, start + 2), 16) / 255;
      return value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [light, dark] = [luminance(first), luminance(second)].sort((a, b) => b - a) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

export type ColouredSeries = Series & { colour: string };

/** The series with their colours: behaviours in palette order, "other" always grey. */
export function colourSeries(series: readonly Series[]): ColouredSeries[] {
  let next = 0;
  return series.map((one) => ({
    ...one,
    colour:
      one.key === 'other' ? OTHER_COLOUR : (SERIES_COLOURS[next++ % SERIES_COLOURS.length] ?? OTHER_COLOUR),
  }));
}

/** "3 Nov": the short date under a week's bar. */
function shortDate(iso: string): string {
  return new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(
    new Date(`${iso}T00:00:00Z`),
  );
}

/** A tidy step for the vertical axis so that there are at most about five lines. */
function axisStep(max: number): number {
  for (const step of [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000]) if (max / step <= 5) return step;
  return Math.ceil(max / 5 / 1000) * 1000;
}

function opening(id: string, width: number, height: number, title: string, description: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" ` +
    `role="img" aria-labelledby="${id}-title ${id}-desc" data-qa="${id}">` +
    `<title id="${id}-title">${escapeXml(title)}</title>` +
    `<desc id="${id}-desc">${escapeXml(description)}</desc>`
  );
}

/**
 * Behaviours recorded each week, one bar a week with a segment per series, bottom up in series order. Only
 * segments with incidents are drawn, each with its own tooltip (a <title>) naming the week, series and count.
 */
export function weeklyStackedChart(
  weeks: readonly WeekRow[],
  series: readonly ColouredSeries[],
  id = 'weekly-chart',
): string {
  const width = 400;
  const height = 220;
  const left = 30;
  const right = 6;
  const top = 10;
  const bottom = 34;
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  const stackOf = (week: WeekRow) => series.reduce((sum, one) => sum + (week.counts[one.key] ?? 0), 0);
  const highest = Math.max(0, ...weeks.map(stackOf));
  const step = axisStep(Math.max(highest, 1));
  const axisMax = Math.max(step, Math.ceil(highest / step) * step);
  const y = (value: number) => top + plotHeight - (value / axisMax) * plotHeight;
  const slot = plotWidth / Math.max(1, weeks.length);
  const barWidth = Math.max(2, slot * 0.72);
  const round = (value: number) => Math.round(value * 100) / 100;

  const first = weeks[0]?.weekStart;
  const last = weeks.at(-1)?.weekStart;
  const busiest = weeks.reduce<WeekRow | null>(
    (best, week) => (stackOf(week) > (best ? stackOf(best) : 0) ? week : best),
    null,
  );
  const description =
    first && last
      ? `Bar chart of the behaviours recorded each week, for the ${weeks.length} weeks beginning ` +
        `${formatIsoDate(first)} to the week beginning ${formatIsoDate(last)}, each bar divided by kind of ` +
        `behaviour. ` +
        (busiest
          ? `The most in one week was ${stackOf(busiest)}, in the week beginning ${formatIsoDate(busiest.weekStart)}. `
          : 'No behaviours were recorded in these weeks. ') +
        'The same figures are in the table below the chart.'
      : 'No weeks to show.';

  const parts = [opening(id, width, height, 'Behaviours recorded each week', description)];
  for (let value = 0; value <= axisMax; value += step) {
    const lineY = round(y(value));
    parts.push(
      `<line x1="${left}" x2="${width - right}" y1="${lineY}" y2="${lineY}" stroke="${GRID_COLOUR}" stroke-width="${value === 0 ? 1.5 : 0.5}"/>`,
      `<text x="${left - 4}" y="${round(lineY + 4)}" text-anchor="end" font-size="11" ${FONT} fill="${TEXT_COLOUR}">${value}</text>`,
    );
  }
  weeks.forEach((week, index) => {
    const x = round(left + index * slot + (slot - barWidth) / 2);
    let base = 0;
    for (const one of series) {
      const count = week.counts[one.key] ?? 0;
      if (count === 0) continue;
      const top = y(base + count);
      const segmentHeight = y(base) - top;
      base += count;
      const tip = `Week beginning ${formatIsoDate(week.weekStart)}: ${one.label}, ${count}`;
      parts.push(
        `<rect x="${x}" y="${round(top)}" width="${round(barWidth)}" height="${round(segmentHeight)}" ` +
          `fill="${one.colour}" stroke="#ffffff" stroke-width="0.75" data-series="${escapeXml(one.key)}">` +
          `<title>${escapeXml(tip)}</title></rect>`,
      );
    }
    // Every fourth week is named, counting back from this one, so the latest week always has its date.
    if ((weeks.length - 1 - index) % 4 === 0) {
      const labelX = round(left + index * slot + slot / 2);
      parts.push(
        `<text x="${labelX}" y="${height - bottom + 14}" text-anchor="middle" font-size="10" ${FONT} fill="${TEXT_COLOUR}">${escapeXml(shortDate(week.weekStart))}</text>`,
      );
    }
  });
  parts.push(
    `<text x="${left + plotWidth / 2}" y="${height - 4}" text-anchor="middle" font-size="11" ${FONT} fill="${TEXT_COLOUR}">Week beginning</text>`,
    '</svg>',
  );
  return parts.join('');
}

export function heatBand(incidents: number): (typeof HEAT_BANDS)[number] | null {
  return HEAT_BANDS.find((band) => incidents >= band.from && incidents <= band.to) ?? null;
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

/**
 * A calendar of the window: a column a week, a row a day (Monday at the top), each day shaded by how many
 * incidents it had, with a tooltip giving the date and the count. Days after today are left out.
 */
export function calendarHeatMap(weeks: readonly CalendarWeek[], id = 'calendar-heat-map'): string {
  const cell = 12;
  const gap = 2;
  const left = 30;
  const top = 16;
  const width = left + weeks.length * (cell + gap) + 4;
  const height = top + 7 * (cell + gap) + 2;
  const days = weeks.flatMap((week) => week.days.filter((day) => !day.future));
  const withIncidents = days.filter((day) => day.incidents > 0).length;
  const first = days[0]?.day;
  const last = days.at(-1)?.day;
  const description =
    first && last
      ? `Calendar of each day from ${formatIsoDate(first)} to ${formatIsoDate(last)}, a column for each week ` +
        `and a row for each day from Monday to Sunday, darker on days with more incidents. ` +
        `${withIncidents} of the ${days.length} days had at least one incident. ` +
        'The same figures are in the table below the calendar.'
      : 'No days to show.';

  const parts = [opening(id, width, height, 'Incidents each day', description)];
  WEEKDAYS.forEach((name, row) => {
    if (row % 2 === 0)
      parts.push(
        `<text x="${left - 4}" y="${top + row * (cell + gap) + cell - 2}" text-anchor="end" font-size="9" ${FONT} fill="${TEXT_COLOUR}">${name}</text>`,
      );
  });
  const monthOf = (column: number) =>
    new Intl.DateTimeFormat('en-GB', { month: 'short', timeZone: 'UTC' }).format(
      new Date(`${weeks[Math.min(column, weeks.length - 1)]!.weekStart}T00:00:00Z`),
    );
  weeks.forEach((week, column) => {
    const x = left + column * (cell + gap);
    // A month is named over the first week that starts in it (the first column only when it is not about to end).
    const named = column === 0 ? monthOf(0) === monthOf(2) : monthOf(column) !== monthOf(column - 1);
    if (named && column < weeks.length - 1)
      parts.push(
        `<text x="${x}" y="${top - 5}" font-size="9" ${FONT} fill="${TEXT_COLOUR}">${escapeXml(monthOf(column))}</text>`,
      );
    week.days.forEach((day, row) => {
      if (day.future) return;
      const band = heatBand(day.incidents);
      const tip = `${formatIsoDate(day.day)}: ${day.incidents === 1 ? '1 incident' : `${day.incidents} incidents`}`;
      const paint = band
        ? `fill="${band.colour}"`
        : `fill="${NO_INCIDENTS.fill}" stroke="${NO_INCIDENTS.stroke}" stroke-width="0.75"`;
      parts.push(
        `<rect x="${x}" y="${top + row * (cell + gap)}" width="${cell}" height="${cell}" ${paint} data-incidents="${day.incidents}">` +
          `<title>${escapeXml(tip)}</title></rect>`,
      );
    });
  });
  parts.push('</svg>');
  return parts.join('');
}
