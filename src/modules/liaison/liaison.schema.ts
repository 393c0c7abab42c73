import { z } from 'zod';
import { isUuid } from '../../platform/auth/tokens.ts';
import { BadRequestError } from '../../platform/http/forms.ts';
import { isoDateFrom, timeFrom, ukInstant } from '../cases/case-view.ts';
import type {
  CrimeReferenceForm,
  CrimeUpdateForm,
  HearingForm,
  PoliceContactForm,
} from './liaison.service.ts';
import {
  COURT_TYPES,
  CRIME_STATUSES,
  HEARING_OUTCOMES,
  HEARING_SUPPORT,
  HEARING_TYPES,
  isOneOf,
  OFFENCES,
  POLICE_ROLES,
  SPECIAL_MEASURES,
  SPO_CONSENT,
  SPO_PROHIBITIONS,
  SPO_REQUIREMENTS,
} from './options.ts';
import type { SpoRequestForm } from './spo-request.service.ts';

const text = z.string().optional();
/** Checkboxes arrive as one value or several. */
const manyOf = z.union([z.string(), z.array(z.string())]).optional();
const MAX_TEXT = 5_000;

function problem(ctx: z.RefinementCtx, field: string, message: string): void {
  ctx.addIssue({ code: 'custom', path: [field], message });
}

/** Trimmed text, null when empty; too long is a problem named after `name`. */
function words(
  ctx: z.RefinementCtx,
  field: string,
  value: string | undefined,
  name: string,
  max = MAX_TEXT,
): string | null {
  const trimmed = value?.trim() ?? '';
  if (trimmed.length > max)
    problem(ctx, field, `${name} must be ${max.toLocaleString('en-GB')} characters or fewer`);
  return trimmed || null;
}

/** Ticked boxes, each one of `options`; anything else means the form was altered. */
function ticked<T extends string>(
  options: readonly { value: T }[],
  value: string | string[] | undefined,
): T[] {
  const chosen = value === undefined ? [] : Array.isArray(value) ? value : [value];
  if (chosen.some((item) => !isOneOf(options, item))) throw new BadRequestError('Altered form');
  return options.filter((option) => chosen.includes(option.value)).map((option) => option.value);
}

/** A required date from day, month and year boxes named `prefix`. */
function requiredDate(
  ctx: z.RefinementCtx,
  form: Record<string, string | string[] | undefined>,
  prefix: string,
  name: string,
): string | null {
  const parts = ['day', 'month', 'year'].map((part) => {
    const value = form[`${prefix}-${part}`];
    return typeof value === 'string' ? value.trim() : '';
  }) as [string, string, string];
  if (parts.every((part) => part === '')) {
    problem(ctx, `${prefix}-day`, `Enter ${name}`);
    return null;
  }
  const iso = isoDateFrom(...parts);
  if (!iso) problem(ctx, `${prefix}-day`, `${name[0]!.toUpperCase()}${name.slice(1)} must be a real date`);
  return iso;
}

/** One line, one item: blank lines dropped. */
function lines(value: string | null): string[] {
  return (value ?? '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A police officer on the case. */
export const policeContactSchema = z
  .strictObject({
    force: text,
    officerName: text,
    collarNumber: text,
    role: text,
    phone: text,
    email: text,
    notes: text,
  })
  .transform((form, ctx): PoliceContactForm => {
    const force = words(ctx, 'force', form.force, 'The police force', 100);
    if (!force) problem(ctx, 'force', 'Enter the police force');
    const officerName = words(ctx, 'officerName', form.officerName, 'The officer’s name', 200);
    if (!officerName) problem(ctx, 'officerName', 'Enter the officer’s name');
    const collarNumber = words(ctx, 'collarNumber', form.collarNumber, 'The collar number', 20);
    if (!isOneOf(POLICE_ROLES, form.role)) problem(ctx, 'role', 'Select the officer’s role on the case');
    const phone = words(ctx, 'phone', form.phone, 'The phone number', 40);
    if (phone && !/^[0-9+()\s-]{6,40}$/.test(phone))
      problem(ctx, 'phone', 'Enter a phone number, like 01632 960 001 or +44 1632 960 001');
    const email = words(ctx, 'email', form.email, 'The email address', 254);
    if (email && !EMAIL.test(email))
      problem(ctx, 'email', 'Enter an email address, like name@police.example');
    return {
      force: force ?? '',
      officerName: officerName ?? '',
      collarNumber,
      role: isOneOf(POLICE_ROLES, form.role) ? form.role : 'other',
      phone,
      email,
      notes: words(ctx, 'notes', form.notes, 'Notes'),
    };
  });

const updateFields = {
  status: text,
  'statusOn-day': text,
  'statusOn-month': text,
  'statusOn-year': text,
  note: text,
};

function crimeUpdate(
  ctx: z.RefinementCtx,
  form: { status?: string; note?: string } & Record<string, string | undefined>,
  today: string,
): CrimeUpdateForm {
  if (!isOneOf(CRIME_STATUSES, form.status)) problem(ctx, 'status', 'Select where the crime has got to');
  const statusOn = requiredDate(ctx, form, 'statusOn', 'the date of this status');
  if (statusOn && statusOn > today)
    problem(ctx, 'statusOn-day', 'The date of this status must not be in the future');
  return {
    status: isOneOf(CRIME_STATUSES, form.status) ? form.status : 'reported',
    statusOn: statusOn ?? '',
    note: words(ctx, 'note', form.note, 'The note'),
  };
}

/** A crime reported to police, with where it stands now. `today` (UK) bounds the status date. */
export function crimeReferenceSchema(today: string) {
  return z
    .strictObject({ reference: text, force: text, offence: text, offenceDetail: text, ...updateFields })
    .transform((form, ctx): CrimeReferenceForm => {
      const reference = words(ctx, 'reference', form.reference, 'The crime reference', 50);
      if (!reference) problem(ctx, 'reference', 'Enter the crime reference the police gave');
      const force = words(ctx, 'force', form.force, 'The police force', 100);
      if (!force) problem(ctx, 'force', 'Enter the police force');
      if (!isOneOf(OFFENCES, form.offence)) problem(ctx, 'offence', 'Select the offence');
      const offenceDetail = words(ctx, 'offenceDetail', form.offenceDetail, 'The offence', 200);
      if (form.offence === 'other' && !offenceDetail) problem(ctx, 'offenceDetail', 'Enter the offence');
      return {
        reference: reference ?? '',
        force: force ?? '',
        offence: isOneOf(OFFENCES, form.offence) ? form.offence : 'other',
        offenceDetail,
        ...crimeUpdate(ctx, form, today),
      };
    });
}

/** A new status for a crime reference. */
export function crimeUpdateSchema(today: string) {
  return z.strictObject(updateFields).transform((form, ctx) => crimeUpdate(ctx, form, today));
}

/** A court hearing: where, when, what kind, and the support given. */
export const hearingSchema = z
  .strictObject({
    courtType: text,
    venue: text,
    'startsOn-day': text,
    'startsOn-month': text,
    'startsOn-year': text,
    startsTime: text,
    hearingType: text,
    hearingTypeOther: text,
    crimeReferenceId: text,
    support: manyOf,
    measuresRequested: manyOf,
    measuresGranted: manyOf,
    notes: text,
  })
  .transform((form, ctx): HearingForm => {
    if (!isOneOf(COURT_TYPES, form.courtType)) problem(ctx, 'courtType', 'Select the kind of court');
    const venue = words(ctx, 'venue', form.venue, 'The court', 200);
    if (!venue) problem(ctx, 'venue', 'Enter the court, like St Albans Magistrates’ Court');
    const day = requiredDate(ctx, form, 'startsOn', 'the date of the hearing');
    const time = timeFrom(form.startsTime ?? '');
    if (!form.startsTime?.trim()) problem(ctx, 'startsTime', 'Enter the time of the hearing');
    else if (!time) problem(ctx, 'startsTime', 'Enter the time as hours and minutes, like 10:00 or 14:30');
    if (!isOneOf(HEARING_TYPES, form.hearingType)) problem(ctx, 'hearingType', 'Select the kind of hearing');
    const hearingTypeOther = words(
      ctx,
      'hearingTypeOther',
      form.hearingTypeOther,
      'The kind of hearing',
      200,
    );
    if (form.hearingType === 'other' && !hearingTypeOther)
      problem(ctx, 'hearingTypeOther', 'Enter the kind of hearing');
    const crimeReferenceId = form.crimeReferenceId?.trim() || null;
    if (crimeReferenceId !== null && !isUuid(crimeReferenceId)) throw new BadRequestError('Altered form');
    return {
      courtType: isOneOf(COURT_TYPES, form.courtType) ? form.courtType : 'criminal',
      venue: venue ?? '',
      startsAt: day && time ? ukInstant(day, time) : new Date(0),
      hearingType: isOneOf(HEARING_TYPES, form.hearingType) ? form.hearingType : 'other',
      hearingTypeOther: form.hearingType === 'other' ? hearingTypeOther : null,
      crimeReferenceId: crimeReferenceId?.toLowerCase() ?? null,
      support: ticked(HEARING_SUPPORT, form.support),
      measuresRequested: ticked(SPECIAL_MEASURES, form.measuresRequested),
      measuresGranted: ticked(SPECIAL_MEASURES, form.measuresGranted),
      notes: words(ctx, 'notes', form.notes, 'Notes'),
    };
  });

/** What happened at the hearing. */
export const outcomeSchema = z.strictObject({ outcome: text, outcomeNote: text }).transform((form, ctx) => {
  if (!isOneOf(HEARING_OUTCOMES, form.outcome))
    problem(ctx, 'outcome', 'Select what happened at the hearing');
  return {
    outcome: isOneOf(HEARING_OUTCOMES, form.outcome) ? form.outcome : 'went_ahead',
    note: words(ctx, 'outcomeNote', form.outcomeNote, 'The outcome'),
  };
});

/** The conditions and places the caseworker proposes in a request to police for an SPO. */
export const spoRequestSchema = z
  .strictObject({
    prohibitions: manyOf,
    otherProhibitions: text,
    requirements: manyOf,
    otherRequirements: text,
    places: text,
    contactId: text,
    otherInformation: text,
    consent: text,
    consentReason: text,
  })
  .transform((form, ctx): SpoRequestForm => {
    const prohibitions = ticked(SPO_PROHIBITIONS, form.prohibitions);
    const requirements = ticked(SPO_REQUIREMENTS, form.requirements);
    const otherProhibitions = lines(
      words(ctx, 'otherProhibitions', form.otherProhibitions, 'Other prohibitions'),
    );
    const otherRequirements = lines(
      words(ctx, 'otherRequirements', form.otherRequirements, 'Other requirements'),
    );
    const places = lines(words(ctx, 'places', form.places, 'The places'));
    if (
      !prohibitions.length &&
      !requirements.length &&
      !otherProhibitions.length &&
      !otherRequirements.length
    )
      problem(ctx, 'prohibitions', 'Select or write at least one prohibition or requirement to propose');
    if ((prohibitions.includes('no_entry') || prohibitions.includes('no_approach')) && !places.length)
      problem(ctx, 'places', 'Name the places to exclude, one on each line');
    const contactId = form.contactId?.trim() || null;
    if (contactId !== null && !isUuid(contactId)) throw new BadRequestError('Altered form');
    if (!isOneOf(SPO_CONSENT, form.consent))
      problem(ctx, 'consent', 'Select whether the client agrees to the request going to the police');
    const consentReason = words(ctx, 'consentReason', form.consentReason, 'The reason');
    if (form.consent === 'without_consent' && !consentReason)
      problem(
        ctx,
        'consentReason',
        'Give the reason the request goes to the police without the client’s agreement',
      );
    return {
      consent: isOneOf(SPO_CONSENT, form.consent) ? form.consent : 'consents',
      consentReason: form.consent === 'without_consent' ? consentReason : null,
      prohibitions,
      otherProhibitions,
      requirements,
      otherRequirements,
      places,
      contactId: contactId?.toLowerCase() ?? null,
      otherInformation: words(ctx, 'otherInformation', form.otherInformation, 'Other information'),
    };
  });
