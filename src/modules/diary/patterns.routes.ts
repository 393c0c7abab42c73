import type { Services } from '../../composition.ts';
import { formatDate, formatDateTime } from '../../platform/http/views.ts';
import { signedIn, uuidParam, type Route } from '../../platform/http/routing.ts';
import { paths } from '../../paths.ts';
import { formatIsoDate } from '../cases/case-view.ts';
import { inScope } from '../cases/case-results.ts';
import { calendarHeatMap, colourSeries, HEAT_BANDS, NO_INCIDENTS, weeklyStackedChart } from './charts.ts';
import { detectSignals, ESCALATION } from './escalation.ts';
import { behaviourLabel, INCIDENT_BEHAVIOURS } from './incident-types.ts';
import {
  calendarWeeks,
  indicators,
  PATTERN_WEEKS,
  rateText,
  RECENT_DAYS,
  spanText,
  weeklySeries,
} from './patterns.ts';
import type { CasePatterns } from './patterns.service.ts';

type Row = { key: { text: string }; value: { text: string; classes?: string } };
const row = (key: string, value: string, classes?: string): Row => ({
  key: { text: key },
  value: classes ? { text: value, classes } : { text: value },
});
const incidentsText = (count: number) => (count === 1 ? '1 incident' : `${count} incidents`);

/** The patterns page's view model: every figure as text, the charts as SVG built (and escaped) in charts.ts. */
export function patternsPageModel(data: CasePatterns) {
  const { aggregate, today } = data;
  const figures = indicators(aggregate, today);
  const recentWeeks = RECENT_DAYS / 7;
  const serious = ESCALATION.seriousBehaviours
    .map((behaviour) => aggregate.behaviours.find((total) => total.behaviour === behaviour))
    .filter((total) => total !== undefined);
  const summaryRows: Row[] = [
    row('Incidents recorded', String(figures.incidents)),
    row('First incident', figures.first ? formatDate(figures.first) : 'None'),
    row('Most recent incident', figures.last ? formatDate(figures.last) : 'None'),
    row('From first to most recent', spanText(figures.spanDays)),
    row('How often, from first to most recent', rateText(figures.perWeekOverall)),
    row(
      `How often in the last ${recentWeeks} weeks`,
      `${incidentsText(figures.recentIncidents)} (${rateText(figures.perWeekRecent).toLowerCase()})`,
    ),
    row(
      'Contact with friends, family or employer',
      figures.thirdParties.incidents && figures.thirdParties.last
        ? `${incidentsText(figures.thirdParties.incidents)}, most recently on ${formatDate(figures.thirdParties.last)}`
        : 'None recorded',
    ),
    row(
      'Serious behaviours',
      serious.length
        ? serious
            .map(
              (total) =>
                `${behaviourLabel(total.behaviour)}: ${incidentsText(total.incidents)}, first on ${formatDate(total.first)}`,
            )
            .join('\n')
        : 'None recorded',
      'app-preserve-lines',
    ),
  ];

  const weekly = weeklySeries(
    aggregate,
    today,
    INCIDENT_BEHAVIOURS.map((behaviour) => behaviour.value),
  );
  const series = colourSeries(weekly.series);
  const calendar = calendarWeeks(aggregate, today);

  return {
    hasIncidents: aggregate.incidents > 0,
    summaryRows,
    signals: detectSignals(aggregate, today).map((signal) => signal.reason),
    recentWeeks,
    escalationRows: data.escalations.map((escalation) => [
      { text: formatDateTime(escalation.detectedAt) },
      { text: escalation.reason },
      {
        text: escalation.taskId
          ? 'Task to review risk given to the case’s caseworker'
          : 'No task: the case had no caseworker to give it to',
      },
    ]),
    patternWeeks: PATTERN_WEEKS,
    weeklyChart: weeklyStackedChart(weekly.weeks, series),
    weeklyLegend: series.map((one) => ({ label: one.label, colour: one.colour })),
    weeklyHead: [
      { text: 'Week beginning' },
      { text: 'Incidents', format: 'numeric' },
      ...series.map((one) => ({ text: one.label, format: 'numeric' })),
    ],
    weeklyRows: weekly.weeks.map((week) => [
      { text: formatIsoDate(week.weekStart) },
      { text: String(week.incidents), format: 'numeric' },
      ...series.map((one) => ({ text: String(week.counts[one.key] ?? 0), format: 'numeric' })),
    ]),
    heatMap: calendarHeatMap(calendar),
    heatLegend: [
      { label: NO_INCIDENTS.label, colour: NO_INCIDENTS.fill, stroke: NO_INCIDENTS.stroke },
      ...HEAT_BANDS.map((band) => ({ label: band.label, colour: band.colour, stroke: band.colour })),
    ],
    calendarHead: [
      { text: 'Week beginning' },
      ...['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].map((day) => ({ text: day, format: 'numeric' })),
      { text: 'Total', format: 'numeric' },
    ],
    calendarRows: calendar.map((week) => [
      { text: formatIsoDate(week.weekStart) },
      ...week.days.map((day) => ({ text: day.future ? '' : String(day.incidents), format: 'numeric' })),
      { text: String(week.days.reduce((sum, day) => sum + day.incidents, 0)), format: 'numeric' },
    ]),
    through: formatIsoDate(today),
  };
}

/** Seeing the pattern in a case's diary: what the figures show and the escalation signals they raise. */
export function patternsRoutes(services: Services): Route[] {
  return [
    {
      method: 'GET',
      url: paths.diaryPatterns(),
      access: { permission: 'case:read' },
      audit: 'diary.patterns_viewed',
      handler: async (request, reply) => {
        const { session } = signedIn(request);
        const data = inScope(await services.patterns.patterns(session, uuidParam(request, 'caseId')));
        return reply.render('diary/patterns.njk', {
          pageTitle: 'Patterns in the diary',
          record: data.record,
          ...patternsPageModel(data),
        });
      },
    },
  ];
}
