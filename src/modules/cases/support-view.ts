import type { AgencyType, CaseServiceType, OnwardReferralOutcome } from '../../db/schema.ts';
import { paths } from '../../paths.ts';
import { formatDateTime } from '../../platform/http/views.ts';
import { RELATIONSHIPS } from '../referrals/referral-answers.ts';
import {
  CLOSE_OUTCOMES,
  CONTACT_DIRECTIONS,
  CONTACT_OUTCOMES,
  CONTACT_METHODS,
  formatIsoDate,
} from './case-view.ts';
import type { OnwardReferralEntry, ServiceEntry } from './casework.service.ts';
import {
  kindOf,
  TIMELINE_KINDS,
  type CaseEvent,
  type TimelineFilter,
  type TimelineKind,
} from './timeline.ts';

/** The services the service gives (the seeds' list), in the order the service describes them. */
export const SERVICE_TYPES: { value: CaseServiceType; text: string }[] = [
  { value: 'trauma_informed_support', text: 'Trauma-informed support' },
  { value: 'advice_and_advocacy', text: 'Advice and advocacy' },
  { value: 'risk_and_safety_planning', text: 'Risk assessment and safety planning' },
  { value: 'court_support', text: 'Court support' },
  { value: 'police_liaison', text: 'Police liaison' },
  { value: 'programmes', text: 'Programmes' },
  { value: 'family_court_legal_support', text: 'Legal support (family court)' },
  { value: 'counselling', text: 'Counselling' },
];

/** Kinds of agency a client is referred on to. MARAC is not one: it belongs with risk assessment. */
export const AGENCY_TYPES: { value: AgencyType; text: string }[] = [
  { value: 'counselling', text: 'Counselling or therapy' },
  { value: 'legal_advice', text: 'Legal advice' },
  { value: 'housing', text: 'Housing or refuge' },
  { value: 'idva', text: 'IDVA service' },
  { value: 'childrens_services', text: 'Children’s services' },
  { value: 'adult_social_care', text: 'Adult social care' },
  { value: 'mental_health', text: 'Mental health service' },
  { value: 'health', text: 'GP or other health service' },
  { value: 'police', text: 'Police' },
  { value: 'substance_use', text: 'Drug or alcohol service' },
  { value: 'victim_support', text: 'Victim support service' },
  { value: 'other', text: 'Other' },
];

export const ONWARD_OUTCOMES: { value: OnwardReferralOutcome; text: string; tag: string }[] = [
  { value: 'accepted', text: 'Accepted', tag: 'govuk-tag--green' },
  { value: 'declined', text: 'Declined by the agency', tag: 'govuk-tag--red' },
  { value: 'no_response', text: 'No response', tag: 'govuk-tag--orange' },
  { value: 'client_declined', text: 'Client declined', tag: 'govuk-tag--grey' },
  { value: 'waiting', text: 'Still waiting', tag: 'govuk-tag--blue' },
];

const labelOf = (options: readonly { value: string; text: string }[], value: string): string =>
  options.find((option) => option.value === value)?.text ?? value;

export const serviceText = (value: CaseServiceType) => labelOf(SERVICE_TYPES, value);
export const agencyTypeText = (value: AgencyType) => labelOf(AGENCY_TYPES, value);
export const onwardOutcomeText = (value: OnwardReferralOutcome) => labelOf(ONWARD_OUTCOMES, value);

export type ServiceRow = {
  serviceId: string;
  name: string;
  from: string;
  to: string;
  ongoing: boolean;
  note: string | null;
  recordedBy: string;
};

/** Services given on the case: ongoing ones first, then those ended, each in the order they started. */
export function serviceRows(services: ServiceEntry[]): ServiceRow[] {
  const rows = services.map((service) => ({
    serviceId: service.serviceId,
    name: serviceText(service.service),
    from: formatIsoDate(service.startedOn),
    to: service.endedOn ? formatIsoDate(service.endedOn) : 'Ongoing',
    ongoing: service.endedOn === null,
    note: service.note,
    recordedBy: service.recordedBy,
  }));
  return [...rows.filter((row) => row.ongoing), ...rows.filter((row) => !row.ongoing)];
}

export type OnwardReferralCard = {
  onwardReferralId: string;
  title: string;
  rows: { key: string; value: string; caution: boolean }[];
  outcomeNow: { text: string; tag: string; on: string | null };
  history: { outcome: string; on: string; note: string | null; recordedBy: string; recordedAt: string }[];
};

/** Each referral on as a summary card: to whom, why, consent, and the outcome now with every earlier one. */
export function onwardReferralCards(referrals: OnwardReferralEntry[]): OnwardReferralCard[] {
  return referrals.map((referral) => {
    const latest = referral.outcomes[0];
    const outcome = ONWARD_OUTCOMES.find((option) => option.value === (latest?.outcome ?? 'waiting'))!;
    return {
      onwardReferralId: referral.onwardReferralId,
      title: `${agencyTypeText(referral.agencyType)}: ${referral.agencyName}`,
      rows: [
        { key: 'Referred on', value: formatIsoDate(referral.referredOn), caution: false },
        { key: 'Why', value: referral.reason, caution: false },
        referral.consentGiven
          ? { key: 'Client’s consent', value: 'Given', caution: false }
          : {
              key: 'Client’s consent',
              value: `NOT given. Referred without it because: ${referral.consentOverride ?? 'no reason recorded'}`,
              caution: true,
            },
        { key: 'Recorded by', value: referral.recordedBy, caution: false },
      ],
      outcomeNow: {
        text: latest ? outcome.text : 'Still waiting: no outcome recorded yet',
        tag: outcome.tag,
        on: latest ? formatIsoDate(latest.outcomeOn) : null,
      },
      history: referral.outcomes.map((entry) => ({
        outcome: onwardOutcomeText(entry.outcome),
        on: formatIsoDate(entry.outcomeOn),
        note: entry.note,
        recordedBy: entry.recordedBy,
        recordedAt: formatDateTime(entry.recordedAt),
      })),
    };
  });
}

export type TimelineItem = {
  kind: TimelineKind;
  label: string;
  byline: string | null;
  /** For the <time> element: an instant, or a calendar date where only the date was recorded. */
  datetime: string;
  when: string;
  lines: { key: string | null; text: string; caution?: boolean }[];
  link: { href: string; text: string } | null;
};

const line = (text: string, key: string | null = null, caution = false) => ({ key, text, caution });

/** Timeline events as the MoJ timeline shows them: what happened, by whom, when, and the detail. */
export function timelineItems(events: CaseEvent[]): TimelineItem[] {
  return events.map((event): TimelineItem => {
    const base = {
      kind: kindOf(event),
      byline: event.by,
      datetime: event.at.toISOString(),
      when: formatDateTime(event.at),
      lines: [] as TimelineItem['lines'],
      link: null,
    };
    const dated = (on: string) => ({ datetime: on, when: formatIsoDate(on) });
    switch (event.type) {
      case 'opened':
        return { ...base, label: 'Case opened' };
      case 'allocated':
        return {
          ...base,
          label: event.reallocation ? `Reallocated to ${event.to}` : `Allocated to ${event.to}`,
        };
      case 'contact':
        return {
          ...base,
          label: `Contact: ${labelOf(CONTACT_METHODS, event.contact.method)}`,
          lines: [
            line(labelOf(CONTACT_DIRECTIONS, event.contact.direction), 'Direction'),
            line(labelOf(CONTACT_OUTCOMES, event.contact.outcome), 'Outcome'),
            line(event.contact.summary, 'Summary'),
            ...(event.contact.safeContactFollowed
              ? []
              : [
                  line(
                    event.contact.safeContactNote ?? 'No reason given',
                    'Safe-contact rules NOT followed',
                    true,
                  ),
                ]),
          ],
        };
      case 'note':
        return { ...base, label: 'Note added', lines: [line(event.body)] };
      case 'task_added':
        return {
          ...base,
          label: `Task added: ${event.title}`,
          lines: [line(`${formatIsoDate(event.dueOn)}, for ${event.owner}`, 'Due')],
        };
      case 'task_completed':
        return { ...base, label: `Task done: ${event.title}` };
      case 'closed':
        return {
          ...base,
          label: 'Case closed',
          lines: [
            ...(event.outcome ? [line(labelOf(CLOSE_OUTCOMES, event.outcome), 'Outcome')] : []),
            line(event.reason, 'Reason'),
          ],
        };
      case 'reopened':
        return { ...base, label: 'Case reopened', lines: [line(event.reason, 'Reason')] };
      case 'service_started':
        return {
          ...base,
          ...dated(event.on),
          label: `Service started: ${serviceText(event.service)}`,
          lines: event.note ? [line(event.note, 'Note')] : [],
        };
      case 'service_ended':
        return { ...base, ...dated(event.on), label: `Service ended: ${serviceText(event.service)}` };
      case 'onward_referral':
        return {
          ...base,
          ...dated(event.on),
          label: `Referred to ${event.agencyName} (${agencyTypeText(event.agencyType)})`,
          lines: [
            line(event.reason, 'Why'),
            event.consentGiven
              ? line('Given', 'Client’s consent')
              : line(
                  event.consentOverride ?? 'No reason recorded',
                  'Referred WITHOUT the client’s consent',
                  true,
                ),
          ],
        };
      case 'onward_outcome':
        return {
          ...base,
          ...dated(event.on),
          label: `Referral to ${event.agencyName}: ${onwardOutcomeText(event.outcome)}`,
          lines: event.note ? [line(event.note, 'Note')] : [],
        };
      case 'perpetrator_linked':
        return {
          ...base,
          label: `Perpetrator linked: ${event.name ?? 'name not known'}`,
          lines: [line(labelOf(RELATIONSHIPS, event.relationship), 'Relationship to the client')],
          link: { href: paths.perpetrator(event.perpetratorId), text: 'View the perpetrator' },
        };
    }
  });
}

/** The "Show" choices for the timeline, with the one in use selected. */
export function timelineFilterItems(
  selected: TimelineFilter,
): { value: string; text: string; selected: boolean }[] {
  return [
    { value: 'all', text: 'Everything', selected: selected === 'all' },
    ...TIMELINE_KINDS.map((kind) => ({
      value: kind.value,
      text: kind.text,
      selected: kind.value === selected,
    })),
  ];
}
