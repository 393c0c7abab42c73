import { z } from 'zod';
import type { BreachOutcome } from '../../db/schema.ts';
import { BadRequestError } from '../../platform/http/forms.ts';
import { timeFrom } from '../cases/case-view.ts';
import {
  asList,
  dateFields,
  longText,
  manyOf,
  optionalDate,
  problem,
  requiredDate,
} from '../cases/form-fields.ts';
import { CONDITION_KINDS, PLACE_KINDS, type ConditionKind, type PlaceKind } from './conditions.ts';
import {
  ORDER_STATUSES,
  ORDER_TYPES,
  type OrderDates,
  type OrderStatus,
  type OrderType,
} from './order-rules.ts';

const text = z.string().optional();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The date fields an order's forms carry, by the name of the value they give. */
export const DATE_FIELDS: { field: keyof OrderDates; name: string }[] = [
  { field: 'requestedOn', name: 'The date the police were asked to apply' },
  { field: 'appliedOn', name: 'The date of the application' },
  { field: 'interimMadeOn', name: 'The date the interim order was made' },
  { field: 'madeOn', name: 'The date the order was made' },
  { field: 'servedOn', name: 'The date the order was served' },
  { field: 'expiresOn', name: 'The date the order ends' },
  { field: 'endedOn', name: 'The date the order stopped' },
];

const allDateFields = Object.assign({}, ...DATE_FIELDS.map(({ field }) => dateFields(field))) as Record<
  string,
  z.ZodOptional<z.ZodString>
>;

function datesFrom(
  ctx: z.RefinementCtx,
  form: Record<string, string | undefined>,
  duration: string | undefined,
) {
  const dates = Object.fromEntries(
    DATE_FIELDS.map(({ field, name }) => [field, optionalDate(ctx, form, field, name)]),
  ) as Omit<OrderDates, 'untilFurtherOrder'>;
  if (duration !== undefined && duration !== '' && duration !== 'fixed' && duration !== 'until_further_order')
    throw new BadRequestError('Altered form');
  const untilFurtherOrder = duration === 'until_further_order';
  return { ...dates, expiresOn: untilFurtherOrder ? null : dates.expiresOn, untilFurtherOrder };
}

function oneOf<T extends string>(values: readonly T[], value: string | undefined): T | undefined {
  if (value === undefined || value === '') return undefined;
  if (!(values as readonly string[]).includes(value)) throw new BadRequestError('Altered form');
  return value as T;
}

export type OrderDetails = {
  applicant: string | null;
  court: string | null;
  courtReference: string | null;
  notes: string | null;
};

export type OrderForm = {
  type: OrderType;
  perpetratorId: string | null;
  status: OrderStatus;
  dates: OrderDates;
  details: OrderDetails;
};

/** Recording an order: its kind, who it is against, where it stands now and its dates, applicant and court. */
export const orderSchema = z
  .strictObject({
    type: text,
    perpetratorId: text,
    status: text,
    duration: text,
    applicant: text,
    court: text,
    courtReference: text,
    notes: text,
    ...allDateFields,
  })
  .transform((form, ctx): OrderForm => {
    const type = oneOf(ORDER_TYPES, form.type);
    if (!type) problem(ctx, 'type', 'Select the kind of order');
    const status = oneOf(ORDER_STATUSES, form.status);
    if (!status) problem(ctx, 'status', 'Select where the order stands now');
    const perpetratorId = form.perpetratorId && form.perpetratorId !== 'none' ? form.perpetratorId : null;
    if (perpetratorId && !UUID.test(perpetratorId)) throw new BadRequestError('Altered form');
    return {
      type: type ?? 'spo',
      perpetratorId,
      status: status ?? 'requested',
      dates: datesFrom(ctx, form, form.duration),
      details: {
        applicant: longText(ctx, 'applicant', form.applicant, 'The applicant', 200),
        court: longText(ctx, 'court', form.court, 'The court', 200),
        courtReference: longText(ctx, 'courtReference', form.courtReference, 'The court reference', 100),
        notes: longText(ctx, 'notes', form.notes, 'The notes'),
      },
    };
  });

export type StatusForm = { to: OrderStatus; from: OrderStatus; dates: OrderDates; note: string | null };

/** Moving an order on (or correcting its dates), from the status the form was shown with. */
export const statusSchema = z
  .strictObject({ to: text, from: text, duration: text, note: text, ...allDateFields })
  .transform((form, ctx): StatusForm => {
    const from = oneOf(ORDER_STATUSES, form.from);
    if (!from) throw new BadRequestError('Altered form');
    const to = oneOf(ORDER_STATUSES, form.to);
    if (!to) problem(ctx, 'to', 'Select what has happened to the order');
    return {
      to: to ?? from,
      from,
      dates: datesFrom(ctx, form, form.duration),
      note: longText(ctx, 'note', form.note, 'The note'),
    };
  });

export type ConditionForm = {
  kind: ConditionKind;
  wording: string;
  places: PlaceKind[];
  placeDetails: string | null;
  distanceMetres: number | null;
  fromOn: string | null;
};

/** A condition of an order, word for word, with the places it names. */
export const conditionSchema = z
  .strictObject({
    kind: text,
    wording: text,
    places: manyOf,
    placeDetails: text,
    distanceMetres: text,
    ...dateFields('fromOn'),
  })
  .transform((form, ctx): ConditionForm => {
    const kind = oneOf(CONDITION_KINDS, form.kind);
    if (!kind) problem(ctx, 'kind', 'Select the kind of condition');
    const wording = longText(ctx, 'wording', form.wording, 'The wording', 4_000);
    if (!wording) problem(ctx, 'wording', 'Enter the condition word for word as the order states it');
    const places = asList(form.places).map((place) => {
      const known = oneOf(PLACE_KINDS, place);
      if (!known) throw new BadRequestError('Altered form');
      return known;
    });
    const placed = kind === 'exclusion_zone' || kind === 'distance';
    if (placed && places.length === 0) problem(ctx, 'places', 'Select the places the condition names');
    let distanceMetres: number | null = null;
    const distance = form.distanceMetres?.trim() ?? '';
    if (kind === 'distance') {
      if (!/^\d{1,6}$/.test(distance) || Number(distance) === 0)
        problem(ctx, 'distanceMetres', 'Enter the distance in metres, like 100');
      else distanceMetres = Number(distance);
    }
    return {
      kind: kind ?? 'other_prohibition',
      wording: wording ?? '',
      places: placed ? places : [],
      placeDetails: placed
        ? longText(ctx, 'placeDetails', form.placeDetails, 'The description', 2_000)
        : null,
      distanceMetres,
      fromOn: optionalDate(
        ctx,
        form as Record<string, string | undefined>,
        'fromOn',
        'The date it applies from',
      ),
    };
  });

/** Ending a condition (it was varied out or discharged) on a date. */
export const endConditionSchema = z.strictObject({ ...dateFields('endedOn') }).transform((form, ctx) => {
  const endedOn = requiredDate(
    ctx,
    form,
    'endedOn',
    'The date it ended',
    'Enter the date the condition stopped applying',
  );
  return { endedOn };
});

/** A diary incident as a suspected breach: which conditions (of one or more orders), and a note. */
export const breachSchema = z.strictObject({ conditions: manyOf, note: text }).transform((form, ctx) => {
  const conditions = asList(form.conditions);
  if (conditions.some((id) => !UUID.test(id))) throw new BadRequestError('Altered form');
  if (conditions.length === 0)
    problem(ctx, 'conditions', 'Select the conditions the incident may have breached');
  return { conditionIds: conditions, note: longText(ctx, 'note', form.note, 'The note') };
});

export const REPORT_ROUTES = ['999', '101', 'online', 'in_person', 'officer_in_case', 'other'] as const;
export type ReportRoute = (typeof REPORT_ROUTES)[number];

export type ReportForm = {
  reportedAt: { on: string; time: { hour: number; minute: number } };
  how: ReportRoute;
  officer: string | null;
  crimeReference: string | null;
};

/** When and how a breach was reported to police, to whom, and the crime reference given. */
export const reportSchema = z
  .strictObject({
    ...dateFields('reportedOn'),
    reportedTime: text,
    how: text,
    officer: text,
    crimeReference: text,
  })
  .transform((form, ctx): ReportForm => {
    const on = requiredDate(
      ctx,
      form,
      'reportedOn',
      'The date it was reported',
      'Enter the date it was reported to police',
    );
    const time = timeFrom(form.reportedTime ?? '');
    if (!time) problem(ctx, 'reportedTime', 'Enter the time it was reported, like 14:30');
    const how = oneOf(REPORT_ROUTES, form.how);
    if (!how) problem(ctx, 'how', 'Select how it was reported');
    return {
      reportedAt: { on, time: time ?? { hour: 0, minute: 0 } },
      how: how ?? 'other',
      officer: longText(ctx, 'officer', form.officer, 'The officer', 200),
      crimeReference: longText(ctx, 'crimeReference', form.crimeReference, 'The crime reference', 100),
    };
  });

export const OUTCOMES: readonly BreachOutcome[] = [
  'no_further_action',
  'arrest',
  'charge',
  'conviction',
  'sentence',
  'other',
];

/** What the police or a court did about a breach, on a date. */
export const outcomeSchema = z
  .strictObject({ outcome: text, ...dateFields('outcomeOn'), note: text })
  .transform((form, ctx) => {
    const outcome = oneOf(OUTCOMES, form.outcome);
    if (!outcome) problem(ctx, 'outcome', 'Select what happened');
    const outcomeOn = requiredDate(ctx, form, 'outcomeOn', 'The date', 'Enter the date it happened');
    return { outcome: outcome ?? 'other', outcomeOn, note: longText(ctx, 'note', form.note, 'The note') };
  });
