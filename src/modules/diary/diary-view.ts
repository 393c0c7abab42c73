import type { DiaryOrigin } from '../../db/schema.ts';
import { formatDateTime } from '../../platform/http/views.ts';
import { ACCOUNT_KINDS, type TimelineQuery } from './diary.schema.ts';
import type { CasePerpetratorChoice, EntryVersion, IdentifierMatch, TimelineEntry } from './diary.service.ts';
import {
  behaviourLabel,
  INCIDENT_BEHAVIOURS,
  INCIDENT_CHANNELS,
  INCIDENT_IMPACTS,
} from './incident-types.ts';

const labelOf = (options: readonly { value: string; text: string }[], value: string): string =>
  options.find((option) => option.value === value)?.text ?? value;

/** When an incident happened: an exact moment, or "Between … and …" when the client is not sure. */
export function whenText(from: Date, to: Date | null): string {
  return to ? `Between ${formatDateTime(from)} and ${formatDateTime(to)}` : formatDateTime(from);
}

/** The first few lines of a description, for the timeline; the entry page shows it whole. */
export function firstLines(text: string, lines = 3, characters = 300): string {
  const kept = text.split('\n').slice(0, lines).join('\n');
  const short = kept.length > characters ? `${kept.slice(0, characters).trimEnd()}…` : kept;
  return short.length < text.length && !short.endsWith('…') ? `${short}…` : short;
}

/** The hours and minutes on the clock in the UK now, like "09:05". */
export function ukTime(at: Date): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at);
}

/** The date boxes and time box of a UK wall-clock moment, as a form's values (the quick form starts "now"). */
export function momentValues(prefix: string, timeField: string, at: Date): Record<string, string> {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/London',
      day: 'numeric',
      month: 'numeric',
      year: 'numeric',
    })
      .formatToParts(at)
      .map((part) => [part.type, part.value]),
  ) as Record<string, string>;
  return {
    [`${prefix}-day`]: parts.day ?? '',
    [`${prefix}-month`]: parts.month ?? '',
    [`${prefix}-year`]: parts.year ?? '',
    [timeField]: ukTime(at),
  };
}

/** A version's facts as the form's values, to start a correction from what the entry says now. */
export function formValuesOf(version: EntryVersion): Record<string, unknown> {
  const identifier = version.identifiers[0];
  const { details } = version;
  return {
    whenKind: version.occurredTo ? 'range' : 'exact',
    ...momentValues('occurredOn', 'occurredTime', version.occurredFrom),
    ...(version.occurredTo ? momentValues('occurredUntil', 'occurredUntilTime', version.occurredTo) : {}),
    behaviours: version.behaviours,
    description: details.description,
    location: details.location ?? '',
    latitude: details.mapPoint ? String(details.mapPoint.latitude) : '',
    longitude: details.mapPoint ? String(details.mapPoint.longitude) : '',
    channel: version.channel ?? '',
    accountKind: identifier?.kind ?? (details.accountUsed ? 'other' : ''),
    accountUsed: details.accountUsed ?? '',
    accountPlatform: identifier?.platform ?? '',
    impacts: version.impacts,
    impactInWords: details.impactInWords ?? '',
    witnesses: details.witnesses ?? '',
    evidenceSaved: details.evidenceSaved ?? '',
    reportedToPolice: version.reportedToPolice ? 'yes' : 'no',
    policeOfficer: details.policeOfficer ?? '',
    crimeReference: details.crimeReference ?? '',
    perpetratorId: version.perpetratorId ?? '',
  };
}

const asList = (value: unknown): string[] =>
  value === undefined || value === null || value === '' ? [] : [value].flat().map(String);

/** Checkbox and radio items for the entry forms, keeping what was chosen. */
export function entryFormItems(values: Record<string, unknown>, perpetrators: CasePerpetratorChoice[]) {
  const chosen = (name: string) => new Set(asList(values[name]));
  const behaviours = chosen('behaviours');
  const impacts = chosen('impacts');
  return {
    behaviourItems: INCIDENT_BEHAVIOURS.map((item) => ({ ...item, checked: behaviours.has(item.value) })),
    impactItems: INCIDENT_IMPACTS.map((item) => ({ ...item, checked: impacts.has(item.value) })),
    channelItems: INCIDENT_CHANNELS.map((item) => ({ ...item, checked: item.value === values.channel })),
    accountKindItems: ACCOUNT_KINDS.map((item) => ({ ...item, checked: item.value === values.accountKind })),
    perpetratorItems: [
      { value: '', text: perpetrators.length ? 'Not known, or not one of these' : 'No perpetrator recorded' },
      ...perpetrators.map((perpetrator) => ({
        value: perpetrator.perpetratorId,
        text: perpetrator.name,
        selected: perpetrator.perpetratorId === values.perpetratorId,
      })),
    ],
  };
}

export type FactRow = { key: string; value: string; qa: string };

/** The facts a version records, as labelled rows: the same rows the entry page shows and a correction compares. */
export function factRows(
  version: Omit<EntryVersion, 'correctionReason' | 'recordedBy' | 'recordedAt'>,
): FactRow[] {
  const { details } = version;
  const identifier = version.identifiers[0];
  const account = details.accountUsed
    ? `${details.accountUsed}${identifier ? ` (${labelOf(ACCOUNT_KINDS, identifier.kind).replace(/^An? /, '').toLowerCase()}${identifier.platform ? `, ${identifier.platform}` : ''})` : ''}`
    : 'Not given';
  const given = (value: string | null) => (value && value.trim() ? value : 'Not given');
  return [
    { key: 'When it happened', value: whenText(version.occurredFrom, version.occurredTo), qa: 'when' },
    { key: 'What happened', value: version.behaviours.map(behaviourLabel).join(', '), qa: 'behaviours' },
    { key: 'Description', value: details.description, qa: 'description' },
    { key: 'Where', value: given(details.location), qa: 'location' },
    {
      key: 'Map point',
      value: details.mapPoint ? `${details.mapPoint.latitude}, ${details.mapPoint.longitude}` : 'Not given',
      qa: 'map-point',
    },
    {
      key: 'How they did it',
      value: version.channel ? labelOf(INCIDENT_CHANNELS, version.channel) : 'Not given',
      qa: 'channel',
    },
    { key: 'Number or account used', value: account, qa: 'account' },
    { key: 'Who did it', value: version.perpetratorName ?? 'Not recorded', qa: 'perpetrator' },
    {
      key: 'Impact on the client',
      value: version.impacts.length
        ? version.impacts.map((i) => labelOf(INCIDENT_IMPACTS, i)).join('; ')
        : 'Not given',
      qa: 'impacts',
    },
    { key: 'Impact in their words', value: given(details.impactInWords), qa: 'impact-words' },
    { key: 'Witnesses', value: given(details.witnesses), qa: 'witnesses' },
    { key: 'How the evidence was saved', value: given(details.evidenceSaved), qa: 'evidence-saved' },
    { key: 'Reported to the police', value: version.reportedToPolice ? 'Yes' : 'No', qa: 'reported' },
    ...(version.reportedToPolice
      ? [
          { key: 'Police officer', value: given(details.policeOfficer), qa: 'officer' },
          { key: 'Crime reference', value: given(details.crimeReference), qa: 'crime-reference' },
        ]
      : []),
  ];
}

export type Change = { field: string; before: string; after: string };

/** What a version changed from the one before it, field by field. */
export function changesBetween(before: EntryVersion, after: EntryVersion): Change[] {
  const earlier = new Map(factRows(before).map((row) => [row.key, row.value]));
  const later = factRows(after);
  const keys = new Set([...earlier.keys(), ...later.map((row) => row.key)]);
  const laterMap = new Map(later.map((row) => [row.key, row.value]));
  return [...keys]
    .filter((key) => (earlier.get(key) ?? 'Not given') !== (laterMap.get(key) ?? 'Not given'))
    .map((key) => ({
      field: key,
      before: earlier.get(key) ?? 'Not given',
      after: laterMap.get(key) ?? 'Not given',
    }));
}

export type VersionRow = {
  version: number;
  heading: string;
  when: string;
  by: string;
  reason: string | null;
  changes: Change[];
};

/** Every version, newest first: when and by whom, why (for a correction) and what it changed. */
export function versionRows(versions: EntryVersion[]): VersionRow[] {
  return versions
    .map((version, index) => ({
      version: version.version,
      heading: index === 0 ? 'Version 1: first recorded' : `Version ${version.version}: corrected`,
      when: formatDateTime(version.recordedAt),
      by: version.recordedBy,
      reason: version.correctionReason,
      changes: index === 0 ? [] : changesBetween(versions[index - 1]!, version),
    }))
    .reverse();
}

/** The sentence a redacted entry is shown as, in place of what it said. */
export function redactedText(
  entryNumber: number,
  redaction: { at: Date; by: string; reason: string },
): string {
  return `Entry ${entryNumber} was redacted on ${formatDateTime(redaction.at)} by ${redaction.by}: ${redaction.reason}`;
}

/**
 * Who recorded an entry, how, and when (server time): "Recorded by Casey Worker on the client’s behalf, …", or
 * for an entry imported from a diary kept elsewhere, who imported it and when.
 */
export function recordedText(entry: { recordedBy: string; origin: DiaryOrigin; recordedAt: Date }): string {
  const when = formatDateTime(entry.recordedAt);
  if (entry.origin === 'import')
    return `Imported from a diary kept elsewhere by ${entry.recordedBy}, ${when}`;
  if (entry.origin === 'victim') return `Recorded by the client, ${when}`;
  return `Recorded by ${entry.recordedBy} on the client’s behalf, ${when}`;
}

export type TimelineCard =
  | {
      redacted: false;
      entryId: string;
      number: number;
      when: string;
      behaviours: string[];
      description: string;
      perpetrator: string;
      reported: string;
      recorded: string;
      corrected: string | null;
      evidence: string;
    }
  | { redacted: true; entryId: string; number: number; text: string };

export function timelineCards(entries: TimelineEntry[]): TimelineCard[] {
  return entries.map((entry) => {
    if (entry.redaction)
      return {
        redacted: true,
        entryId: entry.entryId,
        number: entry.entryNumber,
        text: redactedText(entry.entryNumber, entry.redaction),
      };
    return {
      redacted: false,
      entryId: entry.entryId,
      number: entry.entryNumber,
      when: whenText(entry.occurredFrom, entry.occurredTo),
      behaviours: entry.behaviours.map(behaviourLabel),
      description: firstLines(entry.description),
      perpetrator: entry.perpetratorName ?? 'Not recorded',
      reported: entry.reportedToPolice ? 'Reported to the police' : 'Not reported to the police',
      recorded: recordedText(entry),
      corrected: entry.versions > 1 ? `Corrected (${entry.versions} versions)` : null,
      evidence:
        entry.evidenceFiles === 1 ? '1 evidence file' : `${entry.evidenceFiles || 'No'} evidence files`,
    };
  });
}

/** The timeline's filters as the query string they came from (they are categories, not personal data). */
export function queryString(query: TimelineQuery, overrides: Partial<TimelineQuery> = {}): string {
  const merged = { ...query, ...overrides };
  const params = new URLSearchParams();
  params.set('order', merged.order);
  if (merged.behaviour) params.set('behaviour', merged.behaviour);
  if (merged.perpetratorId) params.set('perpetratorId', merged.perpetratorId);
  if (merged.reported) params.set('reported', merged.reported);
  if (merged.from) params.set('from', merged.from);
  if (merged.to) params.set('to', merged.to);
  if (merged.page > 1) params.set('page', String(merged.page));
  return params.toString();
}

/** The filter form's choices, keeping those in force. */
export function filterItems(query: TimelineQuery, perpetrators: CasePerpetratorChoice[]) {
  return {
    orderItems: [
      { value: 'newest', text: 'Newest first', selected: query.order === 'newest' },
      { value: 'oldest', text: 'Oldest first', selected: query.order === 'oldest' },
    ],
    behaviourItems: [
      { value: '', text: 'Any behaviour' },
      ...INCIDENT_BEHAVIOURS.map((item) => ({ ...item, selected: item.value === query.behaviour })),
    ],
    perpetratorItems: [
      { value: '', text: 'Anyone' },
      ...perpetrators.map((perpetrator) => ({
        value: perpetrator.perpetratorId,
        text: perpetrator.name,
        selected: perpetrator.perpetratorId === query.perpetratorId,
      })),
    ],
    reportedItems: [
      { value: '', text: 'Reported or not' },
      { value: 'yes', text: 'Reported to the police', selected: query.reported === 'yes' },
      { value: 'no', text: 'Not reported to the police', selected: query.reported === 'no' },
    ],
  };
}

const KIND_WORDS = { phone: 'a phone number', email: 'an email address', handle: 'an account' } as const;

/** "Matches a phone number recorded for Casey Marlowe", once per perpetrator and kind. */
export function matchTexts(matches: IdentifierMatch[]): string[] {
  return [
    ...new Set(
      matches.map((match) => `Matches ${KIND_WORDS[match.kind]} recorded for ${match.perpetratorName}`),
    ),
  ];
}

/** The case page's line about the diary: how many entries, and when the latest incident happened. */
export function diarySummary(summary: { entries: number; latestIncident: Date | null }): string {
  if (!summary.entries) return 'Nothing recorded in the diary yet.';
  const count = summary.entries === 1 ? '1 entry' : `${summary.entries} entries`;
  return summary.latestIncident
    ? `${count}. The latest incident happened on ${formatDateTime(summary.latestIncident)}.`
    : `${count}.`;
}
