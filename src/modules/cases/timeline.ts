import type { AgencyType, CaseServiceType, CloseOutcome, OnwardReferralOutcome } from '../../db/schema.ts';
import { ukDate } from '../../platform/clock.ts';
import type { ContactEntry } from './casework.service.ts';

/** What the timeline can be narrowed to; `all` shows everything. Only these words ever appear in its address. */
export const TIMELINE_KINDS = [
  { value: 'case', text: 'Opening, allocation, closing and reopening' },
  { value: 'contacts', text: 'Contacts' },
  { value: 'notes', text: 'Notes' },
  { value: 'tasks', text: 'Tasks' },
  { value: 'services', text: 'Services provided' },
  { value: 'onward_referrals', text: 'Referrals to other agencies' },
  { value: 'perpetrators', text: 'Perpetrators' },
] as const;

export type TimelineKind = (typeof TIMELINE_KINDS)[number]['value'];
export type TimelineFilter = TimelineKind | 'all';

export const TIMELINE_FILTERS: readonly TimelineFilter[] = [
  'all',
  ...TIMELINE_KINDS.map((kind) => kind.value),
];

/**
 * One thing that happened on a case. `at` orders the timeline; `on` is the calendar date someone stated (a
 * service's start, the day a referral was made) where that, not a moment, is what was recorded.
 */
export type CaseEvent = { at: Date; by: string | null } & (
  | { type: 'opened' }
  | { type: 'allocated'; to: string; reallocation: boolean }
  | { type: 'contact'; contact: ContactEntry }
  | { type: 'note'; body: string }
  | { type: 'task_added'; title: string; dueOn: string; owner: string }
  | { type: 'task_completed'; title: string }
  | { type: 'closed'; reason: string; outcome: CloseOutcome | null }
  | { type: 'reopened'; reason: string }
  | { type: 'service_started'; on: string; service: CaseServiceType; note: string | null }
  | { type: 'service_ended'; on: string; service: CaseServiceType }
  | {
      type: 'onward_referral';
      on: string;
      agencyType: AgencyType;
      agencyName: string;
      reason: string;
      consentGiven: boolean;
      consentOverride: string | null;
    }
  | {
      type: 'onward_outcome';
      on: string;
      agencyType: AgencyType;
      agencyName: string;
      outcome: OnwardReferralOutcome;
      note: string | null;
    }
  | { type: 'perpetrator_linked'; perpetratorId: string; name: string | null; relationship: string }
);

const KIND_OF: Record<CaseEvent['type'], TimelineKind> = {
  opened: 'case',
  allocated: 'case',
  closed: 'case',
  reopened: 'case',
  contact: 'contacts',
  note: 'notes',
  task_added: 'tasks',
  task_completed: 'tasks',
  service_started: 'services',
  service_ended: 'services',
  onward_referral: 'onward_referrals',
  onward_outcome: 'onward_referrals',
  perpetrator_linked: 'perpetrators',
};

export function kindOf(event: CaseEvent): TimelineKind {
  return KIND_OF[event.type];
}

export function isTimelineFilter(value: unknown): value is TimelineFilter {
  return typeof value === 'string' && (TIMELINE_FILTERS as readonly string[]).includes(value);
}

/**
 * Where a dated record sits on the timeline: when it was recorded, if that was on the day it names (so the
 * order within a day is the order things were done); otherwise the start of that day in the UK.
 */
export function momentOf(on: string, recordedAt: Date): Date {
  if (ukDate(recordedAt) === on) return recordedAt;
  const [year, month, day] = on.split('-').map(Number) as [number, number, number];
  const utcMidnight = Date.UTC(year, month - 1, day);
  // Midnight in London is 23:00 UTC the day before in summer time: step back an hour if the day starts earlier.
  return ukDate(new Date(utcMidnight - 3_600_000)) === on
    ? new Date(utcMidnight - 3_600_000)
    : new Date(utcMidnight);
}

/**
 * Events from every source, of one kind or all, newest first. Of events at the same moment, the one given later
 * comes first: sources list their events in the order they were made (a case is opened, then allocated).
 */
export function arrangeTimeline(events: CaseEvent[], filter: TimelineFilter): CaseEvent[] {
  return events
    .map((event, index) => ({ event, index }))
    .filter(({ event }) => filter === 'all' || kindOf(event) === filter)
    .sort((a, b) => b.event.at.getTime() - a.event.at.getTime() || b.index - a.index)
    .map(({ event }) => event);
}
