import type { BreachOutcome } from '../../db/schema.ts';
import { formatDateTime } from '../../platform/http/views.ts';
import { paths } from '../../paths.ts';
import { dateItems, formatIsoDate } from '../cases/case-view.ts';
import {
  CONDITION_KIND_LABELS,
  CONDITION_KINDS,
  isProhibition,
  PLACE_KINDS,
  PLACE_LABELS,
  plainSummary,
} from './conditions.ts';
import {
  ENDED,
  IN_FORCE,
  ORDER_STATUS_LABELS,
  ORDER_TYPE_LABELS,
  ORDER_TYPES,
  type OrderDates,
  type OrderState,
  type OrderStatus,
} from './order-rules.ts';
import { DATE_FIELDS, type ReportRoute } from './orders.schema.ts';
import type { Breach, Condition, OrderRecord, OrderSummary } from './orders.service.ts';

export const OUTCOME_LABELS: Record<BreachOutcome, string> = {
  no_further_action: 'No further action',
  arrest: 'Arrested',
  charge: 'Charged',
  conviction: 'Convicted',
  sentence: 'Sentenced',
  other: 'Something else',
};

export const REPORT_ROUTE_LABELS: Record<ReportRoute, string> = {
  '999': 'By calling 999',
  '101': 'By calling 101',
  online: 'Online',
  in_person: 'In person at a police station',
  officer_in_case: 'To the officer in the case',
  other: 'Another way',
};

const STATUS_TAG: Record<OrderStatus, string> = {
  requested: 'govuk-tag--grey',
  applied: 'govuk-tag--blue',
  interim_in_force: 'govuk-tag--green',
  full_in_force: 'govuk-tag--green',
  varied: 'govuk-tag--green',
  renewed: 'govuk-tag--green',
  refused: 'govuk-tag--red',
  withdrawn: 'govuk-tag--grey',
  discharged: 'govuk-tag--grey',
  expired: 'govuk-tag--grey',
};

export function statusTag(status: OrderStatus) {
  return { text: ORDER_STATUS_LABELS[status], classes: `govuk-tag ${STATUS_TAG[status]}` };
}

export const orderName = (order: { type: OrderState['type'] } | OrderState, number: number) =>
  `${ORDER_TYPE_LABELS[order.type]} ${number}`;

/** "Until further order", "Ends on 3 December 2028", or nothing known yet. */
export function durationText(state: OrderState): string {
  if (ENDED.has(state.status) && state.endedOn)
    return `${ORDER_STATUS_LABELS[state.status]} on ${formatIsoDate(state.endedOn)}`;
  if (state.untilFurtherOrder) return 'Until further order';
  if (state.expiresOn) return `Ends on ${formatIsoDate(state.expiresOn)}`;
  return IN_FORCE.has(state.status) ? 'End date not recorded' : 'Not in force';
}

/** The case page's list of orders. */
export function caseOrderRows(orders: OrderSummary[], caseId: string) {
  return orders.map((order) => ({
    href: paths.order(caseId, order.orderId),
    name: orderName(order.state, order.number),
    status: statusTag(order.state.status),
    inForce: order.inForceToday,
    against: order.perpetratorName ?? 'Not recorded',
    duration: durationText(order.state),
    conditions: order.conditions,
    breaches: order.breaches,
  }));
}

const dateLabel: Record<keyof OrderDates, string> = {
  requestedOn: 'Police asked to apply',
  appliedOn: 'Applied for',
  interimMadeOn: 'Interim order made',
  madeOn: 'Full order made',
  servedOn: 'Served',
  expiresOn: 'Ends',
  untilFurtherOrder: 'Until further order',
  endedOn: 'Stopped',
};

/** The dates an order has, as summary list rows. */
export function dateRows(state: OrderState) {
  return DATE_FIELDS.filter(({ field }) => state[field]).map(({ field }) => ({
    key: dateLabel[field],
    value: formatIsoDate(state[field] as string),
  }));
}

/** Form values for the date inputs, from an order's dates (or what was typed). */
export function dateValues(state: Partial<OrderDates>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const { field } of DATE_FIELDS) {
    const iso = state[field];
    if (typeof iso !== 'string') continue;
    const [year, month, day] = iso.split('-');
    values[`${field}-day`] = String(Number(day));
    values[`${field}-month`] = String(Number(month));
    values[`${field}-year`] = year!;
  }
  values.duration = state.untilFurtherOrder ? 'until_further_order' : 'fixed';
  return values;
}

/** Every date input of an order's forms, keeping what was typed. */
export function dateInputs(values: Record<string, unknown>, errors?: { fields: Record<string, unknown> }) {
  return Object.fromEntries(
    DATE_FIELDS.map(({ field }) => [
      field,
      dateItems(field, values, Boolean(errors?.fields[`${field}-day`])),
    ]),
  );
}

export const typeItems = (selected: unknown) =>
  ORDER_TYPES.map((type) => ({
    value: type,
    text: ORDER_TYPE_LABELS[type],
    checked: selected === type,
    hint: type === 'spo' ? { text: 'Interim or full. Police apply to a magistrates’ court.' } : undefined,
  }));

/** Where an order can stand when first recorded, across every kind (the service checks it fits the kind). */
export const startingStatusItems = (selected: unknown) =>
  (['requested', 'applied', 'interim_in_force', 'full_in_force'] as const).map((status) => ({
    value: status,
    text: ORDER_STATUS_LABELS[status],
    checked: selected === status,
    hint:
      status === 'requested'
        ? { text: 'Stalking Protection Orders and Domestic Abuse Protection Orders only' }
        : status === 'interim_in_force'
          ? {
              text: 'Stalking Protection Orders, non-molestation orders and Domestic Abuse Protection Orders',
            }
          : undefined,
  }));

export const durationItems = (selected: unknown) => [
  {
    value: 'fixed',
    text: 'A fixed period, ending on the date above',
    checked: selected !== 'until_further_order',
  },
  { value: 'until_further_order', text: 'Until further order', checked: selected === 'until_further_order' },
];

export const conditionKindItems = (selected: unknown) => [
  { divider: 'Prohibitions' },
  ...CONDITION_KINDS.filter(isProhibition).map((kind) => ({
    value: kind,
    text: CONDITION_KIND_LABELS[kind],
    checked: selected === kind,
  })),
  { divider: 'Requirements' },
  ...CONDITION_KINDS.filter((kind) => !isProhibition(kind)).map((kind) => ({
    value: kind,
    text: CONDITION_KIND_LABELS[kind],
    checked: selected === kind,
  })),
];

export const placeItems = (selected: unknown) => {
  const chosen = Array.isArray(selected) ? selected : selected === undefined ? [] : [selected];
  return PLACE_KINDS.map((place) => ({
    value: place,
    text: PLACE_LABELS[place].replace(/^your /, 'The client’s ').replace(/^other/, 'Other'),
    checked: chosen.includes(place),
  }));
};

export function conditionRows(conditions: Condition[], caseId: string, orderId: string, canChange: boolean) {
  return conditions.map((condition) => ({
    number: condition.number,
    kind: CONDITION_KIND_LABELS[condition.kind],
    prohibition: isProhibition(condition.kind),
    wording: condition.terms.wording,
    places: condition.terms.places.map((place) => PLACE_LABELS[place]).join(', '),
    placeDetails: condition.terms.placeDetails,
    distance: condition.terms.distanceMetres
      ? `${condition.terms.distanceMetres.toLocaleString('en-GB')} metres`
      : null,
    from: condition.fromOn ? formatIsoDate(condition.fromOn) : null,
    ended: condition.endedOn ? formatIsoDate(condition.endedOn) : null,
    endHref:
      canChange && !condition.endedOn
        ? paths.orderConditionEnd(caseId, orderId, condition.conditionId)
        : null,
    endItems: dateItems(`endedOn`, {}, false),
    conditionId: condition.conditionId,
  }));
}

/** What the order forbids and requires in plain English, from the conditions still in force. */
export function summaryFor(conditions: Condition[]) {
  return plainSummary(conditions.filter((condition) => !condition.endedOn));
}

export function breachRows(breaches: Breach[], caseId: string) {
  return breaches.map((breach) => ({
    href: paths.breach(caseId, breach.breachId),
    title: `Breach ${breach.number} of ${orderName({ type: breach.orderType }, breach.orderNumber).toLowerCase()}`,
    occurred: formatDateTime(breach.occurredFrom),
    entry: `Diary entry ${breach.entryNumber}`,
    entryHref: paths.diaryEntry(caseId, breach.entryId),
    reported: breach.report
      ? `Reported ${formatDateTime(breach.report.reportedAt)}`
      : 'Not reported to police yet',
    overdue: breach.overdue,
    outcome: breach.outcomes.at(-1) ? OUTCOME_LABELS[breach.outcomes.at(-1)!.outcome] : null,
  }));
}

/** The order page's history: each status it moved to, when, by whom, with the note. */
export function changeRows(record: OrderRecord) {
  return record.changes.map((change) => ({
    when: formatDateTime(change.changedAt),
    who: change.changedByName,
    what: change.from
      ? change.from === change.to
        ? `Dates corrected (${ORDER_STATUS_LABELS[change.to].toLowerCase()})`
        : `${ORDER_STATUS_LABELS[change.from]} → ${ORDER_STATUS_LABELS[change.to]}`
      : `Recorded as ${ORDER_STATUS_LABELS[change.to].toLowerCase()}`,
    note: change.note,
  }));
}

/** The status change form's choices: each next status, or keep this one to correct the dates. */
export function nextStatusItems(record: OrderRecord, selected: unknown) {
  const items = record.next.map((status) => ({
    value: status,
    text: ORDER_STATUS_LABELS[status],
    checked: selected === status,
  }));
  if (!ENDED.has(record.state.status))
    items.push({
      value: record.state.status,
      text: `No change: correct or add dates (${ORDER_STATUS_LABELS[record.state.status].toLowerCase()})`,
      checked: selected === record.state.status,
    });
  return items;
}

export const outcomeItems = (selected: unknown) =>
  (Object.keys(OUTCOME_LABELS) as BreachOutcome[]).map((outcome) => ({
    value: outcome,
    text: OUTCOME_LABELS[outcome],
    checked: selected === outcome,
  }));

export const reportRouteItems = (selected: unknown) =>
  (Object.keys(REPORT_ROUTE_LABELS) as ReportRoute[]).map((route) => ({
    value: route,
    text: REPORT_ROUTE_LABELS[route],
    checked: selected === route,
  }));
