/**
 * Escalation signals: the rules that read a diary's figures and say, in plain words, when the pattern has got
 * worse, so a caseworker reviews the risk. Plain code, with every threshold in ESCALATION below.
 *
 * - Frequency rising: the incidents of the last 4 weeks against the rate over the 12 weeks before, or over as
 *   much of them as the diary covers (so a steady diary that began 6 weeks ago is not "rising"); a diary with
 *   less than 2 weeks before the recent window has no baseline and is not judged. Raised again only once the
 *   last time is 4 weeks old.
 * - New serious behaviour: a behaviour on the serious list whose first incident ever falls in the last 4
 *   weeks. An older incident recorded late never raises it, and each behaviour is raised once.
 * - Third parties: friends, family or an employer contacted for the first time in the last 4 weeks; once.
 *
 * Days are UK calendar days; an incident counts at the start of its range.
 */
import { ukDate } from '../../platform/clock.ts';
import { formatIsoDate } from '../cases/case-view.ts';
import { behaviourLabel, type IncidentBehaviour } from './incident-types.ts';
import { addDays, daysBetween, incidentsBetween, RECENT_DAYS, type DiaryAggregate } from './patterns.ts';

export const ESCALATION = {
  /** The recent window the rules look at: the last 4 weeks, today included. */
  recentDays: RECENT_DAYS,
  /** The baseline recent incidents are compared with: the 12 weeks before the recent window. */
  baselineDays: 84,
  /** Less of a baseline than this (a diary only just begun) is too little to compare with. */
  minimumBaselineDays: 14,
  /** Fewer incidents than this in the recent window are never "rising" (so one to two is not escalation). */
  minimumRecentIncidents: 5,
  /** Rising means at least this many times the baseline's rate. */
  risingFactor: 2,
  /** A rising frequency is raised again only when the last time it was raised is this old. */
  repeatRisingAfterDays: 28,
  /** Behaviours that, seen for the first time in the recent window, mean the risk should be looked at again. */
  seriousBehaviours: [
    'turning_up_home',
    'threats',
    'violence',
    'property',
    'sexual',
  ] as readonly IncidentBehaviour[],
  /** Contacting friends, family or employer: the stalking reaching into the victim's life around them. */
  thirdPartyBehaviour: 'third_parties' as IncidentBehaviour,
  /** The task to review risk is due this many working days (Monday to Friday) after it is raised. */
  reviewDueWorkingDays: 2,
  /** How long an escalation stays on the caseworker's home page. */
  homePageDays: 28,
} as const;

export type SignalKind = 'frequency_rising' | 'new_serious_behaviour' | 'third_parties';

/** A signal a rule found. `rule` is also its key: the same key is never raised twice (rising excepted). */
export type Signal = { kind: SignalKind; rule: string; reason: string };

export type RaisedSignal = { rule: string; detectedAt: Date };

const DAY_MS = 86_400_000;

/** "3", "about 2", "fewer than 1": an average that reads as a person would say it. */
function averageText(value: number): string {
  if (value < 1) return 'fewer than 1';
  const whole = Math.round(value);
  return Math.abs(value - whole) < 0.05 ? String(whole) : `about ${whole}`;
}

function weeksText(days: number): string {
  const weeks = Math.round(days / 7);
  return weeks === 1 ? '1 week' : `${weeks} weeks`;
}

/** Recent incidents at least `risingFactor` times the rate before, and at least the minimum. */
function frequencyRising(aggregate: DiaryAggregate, today: string): Signal | null {
  if (!aggregate.first) return null;
  const recentStart = addDays(today, -(ESCALATION.recentDays - 1));
  const baselineStart = addDays(recentStart, -ESCALATION.baselineDays);
  const firstDay = ukDate(aggregate.first);
  const observedStart = firstDay > baselineStart ? firstDay : baselineStart;
  const observedDays = daysBetween(observedStart, recentStart);
  if (observedDays < ESCALATION.minimumBaselineDays) return null;

  const recent = incidentsBetween(aggregate, recentStart, today);
  if (recent < ESCALATION.minimumRecentIncidents) return null;
  const before = incidentsBetween(aggregate, observedStart, addDays(recentStart, -1));
  const beforePerWindow = (before * ESCALATION.recentDays) / observedDays;
  if (recent < ESCALATION.risingFactor * beforePerWindow) return null;

  const window = weeksText(ESCALATION.recentDays);
  const from =
    before === 0
      ? `none in the ${weeksText(observedDays)} before`
      : `an average of ${averageText(beforePerWindow)} every ${window} before`;
  return {
    kind: 'frequency_rising',
    rule: 'frequency_rising',
    reason: `${recent} incidents in the last ${window}, up from ${from}`,
  };
}

/** A behaviour whose first incident falls in the recent window: it was never seen before. */
function firstSeenRecently(
  aggregate: DiaryAggregate,
  today: string,
  behaviour: IncidentBehaviour,
): string | null {
  const total = aggregate.behaviours.find((candidate) => candidate.behaviour === behaviour);
  if (!total) return null;
  const firstDay = ukDate(total.first);
  const recentStart = addDays(today, -(ESCALATION.recentDays - 1));
  return firstDay >= recentStart && firstDay <= today ? firstDay : null;
}

/** Every signal the diary shows today, whether or not it was raised before. */
export function detectSignals(aggregate: DiaryAggregate, today: string): Signal[] {
  const signals: Signal[] = [];
  const rising = frequencyRising(aggregate, today);
  if (rising) signals.push(rising);
  for (const behaviour of ESCALATION.seriousBehaviours) {
    const firstDay = firstSeenRecently(aggregate, today, behaviour);
    if (firstDay)
      signals.push({
        kind: 'new_serious_behaviour',
        rule: `new_serious_behaviour:${behaviour}`,
        reason: `${behaviourLabel(behaviour)} recorded for the first time on ${formatIsoDate(firstDay)}`,
      });
  }
  const thirdParties = firstSeenRecently(aggregate, today, ESCALATION.thirdPartyBehaviour);
  if (thirdParties)
    signals.push({
      kind: 'third_parties',
      rule: 'third_parties',
      reason: `${behaviourLabel(ESCALATION.thirdPartyBehaviour)} recorded for the first time on ${formatIsoDate(thirdParties)}`,
    });
  return signals;
}

/**
 * The signals not raised before: each key once, except a rising frequency, raised again once the last time it
 * was raised is `repeatRisingAfterDays` old.
 */
export function signalsToRaise(
  signals: readonly Signal[],
  raised: readonly RaisedSignal[],
  now: Date,
): Signal[] {
  return signals.filter((signal) => {
    const before = raised.filter((previous) => previous.rule === signal.rule);
    if (before.length === 0) return true;
    if (signal.kind !== 'frequency_rising') return false;
    const latest = Math.max(...before.map((previous) => previous.detectedAt.getTime()));
    return now.getTime() - latest >= ESCALATION.repeatRisingAfterDays * DAY_MS;
  });
}

/** The date `count` working days (Monday to Friday) after an ISO date. */
export function addWorkingDays(iso: string, count: number): string {
  let day = iso;
  let left = count;
  while (left > 0) {
    day = addDays(day, 1);
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
    if (weekday !== 0 && weekday !== 6) left -= 1;
  }
  return day;
}
