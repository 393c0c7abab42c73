import { z } from 'zod';
import { MINUTE } from '../../platform/clock.ts';
import { isoDateFrom, timeFrom, ukInstant } from '../cases/case-view.ts';
import type { IncidentFacts, MarkedIdentifier } from './diary-entry.ts';
import {
  INCIDENT_BEHAVIOURS,
  INCIDENT_CHANNELS,
  INCIDENT_IMPACTS,
  type IncidentBehaviour,
  type IncidentChannel,
  type IncidentImpact,
} from './incident-types.ts';

/** The longest description, and the longest of any other thing said in words. */
export const MAX_DESCRIPTION = 10_000;
const MAX_TEXT = 5_000;
const MAX_SHORT = 200;
/** A clock on a phone or a laptop may run a little fast: an incident "now" is never refused as in the future. */
export const CLOCK_SKEW = 5 * MINUTE;
/** Nothing in a diary happened before this. */
const EARLIEST = '1900-01-01';

export const ACCOUNT_KINDS = [
  { value: 'phone', text: 'A phone number' },
  { value: 'email', text: 'An email address' },
  { value: 'handle', text: 'A social media or app account (handle)' },
  { value: 'other', text: 'Something else, or not sure' },
] as const;
type AccountKind = (typeof ACCOUNT_KINDS)[number]['value'];

const text = z.string().optional();
const many = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((value) => (value === undefined ? [] : [value].flat()));

function problem(ctx: z.RefinementCtx, field: string, message: string): void {
  ctx.addIssue({ code: 'custom', path: [field], message });
}

const oneOf = <T extends string>(options: readonly { value: T }[], value: string | undefined): value is T =>
  options.some((option) => option.value === value);

/** The fields of the full form; the quick form sends a few of them, and every one is optional to the parser. */
const entryFields = {
  whenKind: text,
  'occurredOn-day': text,
  'occurredOn-month': text,
  'occurredOn-year': text,
  occurredTime: text,
  'occurredUntil-day': text,
  'occurredUntil-month': text,
  'occurredUntil-year': text,
  occurredUntilTime: text,
  behaviours: many,
  description: text,
  location: text,
  latitude: text,
  longitude: text,
  channel: text,
  accountKind: text,
  accountUsed: text,
  accountPlatform: text,
  impacts: many,
  impactInWords: text,
  witnesses: text,
  evidenceSaved: text,
  reportedToPolice: text,
  policeOfficer: text,
  crimeReference: text,
  perpetratorId: text,
  /** Which form was sent (quick or full), so an error shows the same form again. */
  form: text,
};

export type EntryContext = { now: Date; perpetratorIds: ReadonlySet<string> };

const stringIn = (value: unknown): string => (typeof value === 'string' ? value : '');

/** A UK wall-clock moment from a date input and a time box, or a problem on the field that is wrong. */
function momentFrom(
  ctx: z.RefinementCtx,
  form: Record<string, unknown>,
  prefix: 'occurredOn' | 'occurredUntil',
  timeField: 'occurredTime' | 'occurredUntilTime',
  words: { name: string },
  now: Date,
): Date | null {
  const parts = ['day', 'month', 'year'].map((part) => stringIn(form[`${prefix}-${part}`]).trim()) as [
    string,
    string,
    string,
  ];
  const field = `${prefix}-day`;
  const iso = isoDateFrom(...parts);
  const rawTime = stringIn(form[timeField]).trim();
  const time = timeFrom(rawTime);
  if (parts.every((part) => part === '')) problem(ctx, field, `Enter the date ${words.name}`);
  else if (!iso) problem(ctx, field, `The date ${words.name} must be a real date`);
  else if (iso < EARLIEST) problem(ctx, field, `The date ${words.name} must be after 1900`);
  if (!rawTime) problem(ctx, timeField, `Enter the time ${words.name}`);
  else if (!time) problem(ctx, timeField, 'Enter the time as hours and minutes, like 14:30');
  if (!iso || !time) return null;
  const at = ukInstant(iso, time);
  if (at.getTime() > now.getTime() + CLOCK_SKEW) {
    problem(ctx, field, `The date and time ${words.name} must be now or in the past`);
    return null;
  }
  return at;
}

function words(
  ctx: z.RefinementCtx,
  value: string | undefined,
  field: string,
  name: string,
  max = MAX_TEXT,
): string | null {
  const trimmed = value?.trim() ?? '';
  if (trimmed.length > max)
    problem(ctx, field, `${name} must be ${max.toLocaleString('en-GB')} characters or fewer`);
  return trimmed || null;
}

/** A number typed into a box, within a range; '' is null. */
function coordinate(
  ctx: z.RefinementCtx,
  value: string | undefined,
  field: string,
  name: string,
  limit: number,
): number | null | undefined {
  const trimmed = value?.trim() ?? '';
  if (!trimmed) return null;
  const number = /^[-+]?\d{1,3}(\.\d{1,10})?$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isFinite(number) || Math.abs(number) > limit) {
    problem(ctx, field, `${name} must be a number between -${limit} and ${limit}`);
    return undefined;
  }
  return number;
}

const PHONE = /^\+?[\d\s().-]{6,25}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const HANDLE = /^@?[^\s]{1,100}$/;

function accountIdentifier(
  ctx: z.RefinementCtx,
  kind: AccountKind | undefined,
  value: string | null,
  platform: string | null,
): MarkedIdentifier[] {
  if (!value || !kind || kind === 'other') return [];
  if (kind === 'phone') {
    const digits = value.replace(/\D/g, '').length;
    if (!PHONE.test(value) || digits < 6 || digits > 15) {
      problem(ctx, 'accountUsed', 'Enter a phone number, like 07700 900123 or +44 7700 900123');
      return [];
    }
  }
  if (kind === 'email' && (!EMAIL.test(value) || value.length > 254)) {
    problem(ctx, 'accountUsed', 'Enter an email address in the right format, like name@example.com');
    return [];
  }
  if (kind === 'handle' && !HANDLE.test(value)) {
    problem(ctx, 'accountUsed', 'Enter the handle without spaces, like @name');
    return [];
  }
  return [{ kind, value, platform: kind === 'handle' ? platform : null }];
}

/**
 * One incident, from the quick or the full form: when (exact, or between two moments when the victim is
 * unsure), at least one behaviour and a description, then whatever else is known. `context.now` bounds the
 * dates (allowing for a fast clock) and `context.perpetratorIds` are the case's perpetrators to choose from.
 */
export function entrySchema(context: EntryContext) {
  return z.strictObject(entryFields).transform((form, ctx): IncidentFacts => {
    const range = form.whenKind === 'range';
    if (form.whenKind !== undefined && form.whenKind !== 'exact' && !range)
      problem(ctx, 'whenKind', 'Select whether you know exactly when it happened');
    const from = momentFrom(
      ctx,
      form,
      'occurredOn',
      'occurredTime',
      { name: range ? 'it could have started' : 'it happened' },
      context.now,
    );
    const until = range
      ? momentFrom(
          ctx,
          form,
          'occurredUntil',
          'occurredUntilTime',
          { name: 'it could have ended' },
          context.now,
        )
      : null;
    if (from && until && until.getTime() <= from.getTime())
      problem(ctx, 'occurredUntil-day', 'The latest it could have been must be after the earliest');

    const behaviours = form.behaviours.filter((value): value is IncidentBehaviour =>
      oneOf(INCIDENT_BEHAVIOURS, value),
    );
    if (behaviours.length !== form.behaviours.length) problem(ctx, 'behaviours', 'Select what happened');
    else if (!behaviours.length) problem(ctx, 'behaviours', 'Select at least one thing that happened');

    const description = form.description?.trim() ?? '';
    if (!description) problem(ctx, 'description', 'Describe what happened');
    else if (description.length > MAX_DESCRIPTION)
      problem(ctx, 'description', 'Description must be 10,000 characters or fewer');

    const latitude = coordinate(ctx, form.latitude, 'latitude', 'Latitude', 90);
    const longitude = coordinate(ctx, form.longitude, 'longitude', 'Longitude', 180);
    if ((latitude === null) !== (longitude === null)) {
      if (latitude === null) problem(ctx, 'latitude', 'Enter the latitude as well as the longitude');
      else problem(ctx, 'longitude', 'Enter the longitude as well as the latitude');
    }

    const channel = form.channel?.trim() ? form.channel : undefined;
    if (channel !== undefined && !oneOf(INCIDENT_CHANNELS, channel))
      problem(ctx, 'channel', 'Select how they did it');

    const accountKind = form.accountKind?.trim() ? form.accountKind : undefined;
    if (accountKind !== undefined && !oneOf(ACCOUNT_KINDS, accountKind))
      problem(ctx, 'accountKind', 'Select what kind of account or number it was');
    const accountUsed = words(ctx, form.accountUsed, 'accountUsed', 'Account used', MAX_SHORT);
    const accountPlatform = words(ctx, form.accountPlatform, 'accountPlatform', 'Platform', 50);
    const identifiers = accountIdentifier(
      ctx,
      accountKind as AccountKind | undefined,
      accountUsed,
      accountPlatform,
    );

    const impacts = form.impacts.filter((value): value is IncidentImpact => oneOf(INCIDENT_IMPACTS, value));
    if (impacts.length !== form.impacts.length) problem(ctx, 'impacts', 'Select how it affected them');

    const reported = form.reportedToPolice;
    if (reported !== undefined && reported !== '' && reported !== 'yes' && reported !== 'no')
      problem(ctx, 'reportedToPolice', 'Select yes if it was reported to the police');

    const perpetratorId = form.perpetratorId?.trim() ? form.perpetratorId.trim().toLowerCase() : null;
    if (perpetratorId && !context.perpetratorIds.has(perpetratorId))
      problem(ctx, 'perpetratorId', 'Select who did it from the list');

    const facts: IncidentFacts = {
      occurredFrom: from ?? new Date(0),
      occurredTo: until,
      behaviours,
      impacts,
      channel: (channel as IncidentChannel | undefined) ?? null,
      perpetratorId,
      reportedToPolice: reported === 'yes',
      details: {
        description,
        location: words(ctx, form.location, 'location', 'Where it happened', MAX_TEXT),
        mapPoint: latitude != null && longitude != null ? { latitude, longitude } : null,
        accountUsed,
        impactInWords: words(ctx, form.impactInWords, 'impactInWords', 'How it affected them'),
        witnesses: words(ctx, form.witnesses, 'witnesses', 'Witnesses'),
        evidenceSaved: words(ctx, form.evidenceSaved, 'evidenceSaved', 'How the evidence was saved'),
        policeOfficer:
          reported === 'yes' ? words(ctx, form.policeOfficer, 'policeOfficer', 'Officer', MAX_SHORT) : null,
        crimeReference:
          reported === 'yes'
            ? words(ctx, form.crimeReference, 'crimeReference', 'Crime reference', MAX_SHORT)
            : null,
      },
      identifiers,
    };
    return facts;
  });
}

/** A correction: the whole entry as it should read, which version it corrects, and why (required). */
export function correctionSchema(context: EntryContext) {
  return z.strictObject({ ...entryFields, reason: text, version: text }).transform((form, ctx) => {
    const { reason: rawReason, version: rawVersion, ...fields } = form;
    const parsed = entrySchema(context).safeParse(fields);
    if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, code: 'custom' });
    const reason = rawReason?.trim() ?? '';
    if (!reason) problem(ctx, 'reason', 'Enter why the entry is being corrected');
    else if (reason.length > MAX_TEXT) problem(ctx, 'reason', 'Reason must be 5,000 characters or fewer');
    const version = /^\d{1,6}$/.test(rawVersion ?? '') ? Number(rawVersion) : 0;
    if (version < 1) problem(ctx, 'form', 'The form was changed; start the correction again');
    return { facts: parsed.success ? parsed.data : null, reason, version };
  });
}

/** Redacting an entry needs a reason, kept for audit. */
export const redactionSchema = z.strictObject({
  reason: z
    .string()
    .optional()
    .transform((value) => value?.trim() ?? '')
    .pipe(
      z
        .string()
        .min(1, { error: 'Enter why the entry is being redacted' })
        .max(MAX_TEXT, { error: 'Reason must be 5,000 characters or fewer' }),
    ),
});

/** How the timeline is shown: order, filters and page. None of it is personal, so it travels in the URL. */
export type TimelineQuery = {
  order: 'newest' | 'oldest';
  behaviour: IncidentBehaviour | null;
  perpetratorId: string | null;
  reported: 'yes' | 'no' | null;
  from: string | null;
  to: string | null;
  page: number;
};

const isoDay = z
  .string()
  .optional()
  .transform((value) => {
    const trimmed = value?.trim() ?? '';
    return /^\d{4}-\d{2}-\d{2}$/.test(trimmed) && isoDateFrom(...splitIso(trimmed)) ? trimmed : null;
  })
  .catch(null);

function splitIso(iso: string): [string, string, string] {
  const [year, month, day] = iso.split('-') as [string, string, string];
  return [day, month, year];
}

export const timelineQuerySchema = z.object({
  order: z.enum(['newest', 'oldest']).catch('newest').default('newest'),
  behaviour: z
    .string()
    .optional()
    .transform((value) => (oneOf(INCIDENT_BEHAVIOURS, value) ? value : null))
    .catch(null),
  perpetratorId: z
    .string()
    .optional()
    .transform((value) => (value && /^[0-9a-f-]{36}$/i.test(value) ? value.toLowerCase() : null))
    .catch(null),
  reported: z
    .string()
    .optional()
    .transform((value) => (value === 'yes' || value === 'no' ? value : null))
    .catch(null),
  from: isoDay,
  to: isoDay,
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
}) satisfies z.ZodType<TimelineQuery, unknown>;

/** The search form: words to look for (sent in the body, never the URL) and the filters it was sent with. */
export const searchSchema = z.object({
  words: z
    .string()
    .optional()
    .transform((value) => value?.trim().slice(0, 200) ?? ''),
  order: z.string().optional(),
  behaviour: z.string().optional(),
  perpetratorId: z.string().optional(),
  reported: z.string().optional(),
  from: z.string().optional(),
  to: z.string().optional(),
  page: z.string().optional(),
});
