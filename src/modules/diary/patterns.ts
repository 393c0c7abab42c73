/**
 * What a diary shows over time, from its categories alone (never what an entry says): how many incidents,
 * over how long, how often, and which kinds of behaviour week by week. Pure functions over the figures the
 * repository counts in SQL; days and weeks are UK calendar days, weeks start on Monday.
 */
import { ukDate } from '../../platform/clock.ts';
import { behaviourLabel } from './incident-types.ts';

/** How far back the charts look: the current week and the 25 before it. */
export const PATTERN_WEEKS = 26;

export type BehaviourTotal = { behaviour: string; incidents: number; first: Date; last: Date };
export type DayCount = { day: string; incidents: number };
export type WeekBehaviourCount = { weekStart: string; behaviour: string; incidents: number };

/**
 * A case's diary in figures: current versions of entries that are not redacted, each placed at the moment it
 * happened (the start of its range when the victim gave one).
 */
export type DiaryAggregate = {
  incidents: number;
  first: Date | null;
  last: Date | null;
  /** Every behaviour ever recorded, with how many incidents showed it and when it was first and last seen. */
  behaviours: BehaviourTotal[];
  /** Incidents per UK day, on days from `since` that had any, in date order. */
  days: DayCount[];
  /** Incidents per week (Monday) and behaviour, for weeks from `since`: one incident counts once per behaviour. */
  weeks: WeekBehaviourCount[];
};

export type Incident = { occurredFrom: Date; behaviours: readonly string[] };

const DAY_MS = 86_400_000;

function dayNumber(iso: string): number {
  return Date.parse(`${iso}T00:00:00Z`) / DAY_MS;
}

/** The UK date `days` after (or before, when negative) an ISO date. */
export function addDays(iso: string, days: number): string {
  return new Date((dayNumber(iso) + days) * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from one ISO date to another (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round(dayNumber(to) - dayNumber(from));
}

/** The Monday of the week an ISO date falls in. */
export function weekStartOf(iso: string): string {
  const weekday = (new Date(`${iso}T00:00:00Z`).getUTCDay() + 6) % 7; // Monday 0 ... Sunday 6
  return addDays(iso, -weekday);
}

/** The first day the charts show: the Monday PATTERN_WEEKS - 1 weeks before this week's. */
export function patternsSince(today: string): string {
  return addDays(weekStartOf(today), -7 * (PATTERN_WEEKS - 1));
}

/**
 * The same figures the repository counts in SQL, counted in code from a list of incidents: the definition
 * the SQL is checked against, and what the rules' tests generate diaries with.
 */
export function aggregateIncidents(incidents: readonly Incident[], since: string): DiaryAggregate {
  const behaviours = new Map<string, BehaviourTotal>();
  const days = new Map<string, number>();
  const weeks = new Map<string, WeekBehaviourCount>();
  let first: Date | null = null;
  let last: Date | null = null;
  for (const incident of incidents) {
    const at = incident.occurredFrom;
    if (!first || at < first) first = at;
    if (!last || at > last) last = at;
    const day = ukDate(at);
    if (day >= since) days.set(day, (days.get(day) ?? 0) + 1);
    for (const behaviour of new Set(incident.behaviours)) {
      const total = behaviours.get(behaviour);
      if (!total) behaviours.set(behaviour, { behaviour, incidents: 1, first: at, last: at });
      else {
        total.incidents += 1;
        if (at < total.first) total.first = at;
        if (at > total.last) total.last = at;
      }
      if (day >= since) {
        const weekStart = weekStartOf(day);
        const key = `${weekStart} ${behaviour}`;
        const week = weeks.get(key) ?? { weekStart, behaviour, incidents: 0 };
        week.incidents += 1;
        weeks.set(key, week);
      }
    }
  }
  return {
    incidents: incidents.length,
    first,
    last,
    behaviours: [...behaviours.values()].sort((a, b) => a.behaviour.localeCompare(b.behaviour)),
    days: [...days.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([day, count]) => ({ day, incidents: count })),
    weeks: [...weeks.values()].sort(
      (a, b) => a.weekStart.localeCompare(b.weekStart) || a.behaviour.localeCompare(b.behaviour),
    ),
  };
}

/** Incidents on days from `from` to `to`, both included. */
export function incidentsBetween(aggregate: DiaryAggregate, from: string, to: string): number {
  let total = 0;
  for (const { day, incidents } of aggregate.days) if (day >= from && day <= to) total += incidents;
  return total;
}

/** How many days count as "recent" for the indicators; the escalation rules use the same window. */
export const RECENT_DAYS = 28;

export type Indicators = {
  incidents: number;
  first: Date | null;
  last: Date | null;
  /** Days from the first incident's day to the last's (0 when they were on the same day). */
  spanDays: number;
  /** Incidents a week from the first incident to the last (at least a week). */
  perWeekOverall: number;
  recentIncidents: number;
  /** Incidents a week over the last RECENT_DAYS days. */
  perWeekRecent: number;
  thirdParties: { incidents: number; last: Date | null };
};

export function indicators(aggregate: DiaryAggregate, today: string): Indicators {
  const spanDays =
    aggregate.first && aggregate.last ? daysBetween(ukDate(aggregate.first), ukDate(aggregate.last)) : 0;
  const recentIncidents = incidentsBetween(aggregate, addDays(today, -(RECENT_DAYS - 1)), today);
  const thirdParties = aggregate.behaviours.find((total) => total.behaviour === 'third_parties');
  return {
    incidents: aggregate.incidents,
    first: aggregate.first,
    last: aggregate.last,
    spanDays,
    perWeekOverall: aggregate.incidents / Math.max(1, (spanDays + 1) / 7),
    recentIncidents,
    perWeekRecent: recentIncidents / (RECENT_DAYS / 7),
    thirdParties: { incidents: thirdParties?.incidents ?? 0, last: thirdParties?.last ?? null },
  };
}

/** "3.5 a week", "about 2 every 4 weeks", "none": a rate in words a reader can picture. */
export function rateText(perWeek: number): string {
  if (perWeek <= 0) return 'None';
  const oneDecimal = (value: number) => String(Math.round(value * 10) / 10);
  if (perWeek >= 1) return `${oneDecimal(perWeek)} a week`;
  const perFourWeeks = perWeek * 4;
  if (perFourWeeks >= 1) return `${oneDecimal(perFourWeeks)} every 4 weeks`;
  return 'Fewer than 1 every 4 weeks';
}

/** "12 weeks and 3 days", "1 day", "Same day". */
export function spanText(days: number): string {
  if (days <= 0) return 'All on the same day';
  const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  const weeks = Math.floor(days / 7);
  const rest = days % 7;
  if (weeks === 0) return plural(rest, 'day');
  return rest ? `${plural(weeks, 'week')} and ${plural(rest, 'day')}` : plural(weeks, 'week');
}

/** One series of the weekly chart: a behaviour, or the rest grouped together. */
export type Series = { key: string; label: string };

/** How many behaviours get a series of their own; the rest are grouped as "Other behaviours". */
export const MAX_SERIES = 6;
export const OTHER_SERIES: Series = { key: 'other', label: 'Other behaviours' };

export type WeekRow = { weekStart: string; incidents: number; counts: Record<string, number> };

/**
 * The weekly chart's figures: the most frequent behaviours of the window as series (ties by the order the
 * diary's vocabulary lists them), then every week of the window with its count per series and its incidents.
 */
export function weeklySeries(
  aggregate: DiaryAggregate,
  today: string,
  vocabulary: readonly string[],
): { series: Series[]; weeks: WeekRow[] } {
  const since = patternsSince(today);
  const totals = new Map<string, number>();
  for (const week of aggregate.weeks)
    if (week.weekStart >= since)
      totals.set(week.behaviour, (totals.get(week.behaviour) ?? 0) + week.incidents);
  const order = (behaviour: string) => {
    const index = vocabulary.indexOf(behaviour);
    return index === -1 ? vocabulary.length : index;
  };
  const ranked = [...totals.keys()].sort(
    (a, b) => (totals.get(b) ?? 0) - (totals.get(a) ?? 0) || order(a) - order(b),
  );
  const own = ranked.length <= MAX_SERIES ? ranked : ranked.slice(0, MAX_SERIES - 1);
  const series: Series[] = own.map((key) => ({ key, label: behaviourLabel(key) }));
  if (own.length < ranked.length) series.push(OTHER_SERIES);
  const seriesOf = (behaviour: string) => (own.includes(behaviour) ? behaviour : OTHER_SERIES.key);

  const incidentsByWeek = new Map<string, number>();
  for (const { day, incidents } of aggregate.days)
    if (day >= since) {
      const week = weekStartOf(day);
      incidentsByWeek.set(week, (incidentsByWeek.get(week) ?? 0) + incidents);
    }
  const weeks: WeekRow[] = [];
  for (let index = 0; index < PATTERN_WEEKS; index += 1) {
    const weekStart = addDays(since, 7 * index);
    const counts = Object.fromEntries(series.map((s) => [s.key, 0]));
    weeks.push({ weekStart, incidents: incidentsByWeek.get(weekStart) ?? 0, counts });
  }
  for (const week of aggregate.weeks) {
    const row = weeks.find((candidate) => candidate.weekStart === week.weekStart);
    if (row) row.counts[seriesOf(week.behaviour)]! += week.incidents;
  }
  return { series, weeks };
}

export type CalendarWeek = { weekStart: string; days: { day: string; incidents: number; future: boolean }[] };

/** The heat map's figures: every day of the window, Monday to Sunday, week by week; days after today marked. */
export function calendarWeeks(aggregate: DiaryAggregate, today: string): CalendarWeek[] {
  const since = patternsSince(today);
  const byDay = new Map(aggregate.days.map((day) => [day.day, day.incidents]));
  const weeks: CalendarWeek[] = [];
  for (let week = 0; week < PATTERN_WEEKS; week += 1) {
    const weekStart = addDays(since, 7 * week);
    weeks.push({
      weekStart,
      days: Array.from({ length: 7 }, (_, offset) => {
        const day = addDays(weekStart, offset);
        return { day, incidents: byDay.get(day) ?? 0, future: day > today };
      }),
    });
  }
  return weeks;
}
