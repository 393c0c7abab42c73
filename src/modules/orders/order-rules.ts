/**
 * Protection orders as plain rules: the kinds of order seen in stalking cases, the life of an order (which status
 * may follow which), what each status needs recorded, the full SPO's minimum duration, when an order and each of
 * its conditions is in force, and the reminders an order's dates call for. No database here: the service applies
 * these and the tests table them.
 */

export const ORDER_TYPES = [
  'spo',
  'restraining_order',
  'non_molestation_order',
  'dapn',
  'dapo',
  'bail_conditions',
] as const;
export type OrderType = (typeof ORDER_TYPES)[number];

export const ORDER_TYPE_LABELS: Record<OrderType, string> = {
  spo: 'Stalking Protection Order',
  restraining_order: 'Restraining order',
  non_molestation_order: 'Non-molestation order',
  dapn: 'Domestic Abuse Protection Notice',
  dapo: 'Domestic Abuse Protection Order',
  bail_conditions: 'Bail conditions',
};

export const ORDER_STATUSES = [
  'requested',
  'applied',
  'interim_in_force',
  'full_in_force',
  'varied',
  'renewed',
  'refused',
  'withdrawn',
  'discharged',
  'expired',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const ORDER_STATUS_LABELS: Record<OrderStatus, string> = {
  requested: 'Requested from police',
  applied: 'Applied for',
  interim_in_force: 'Interim order in force',
  full_in_force: 'Full order in force',
  varied: 'In force, varied',
  renewed: 'In force, renewed',
  refused: 'Refused',
  withdrawn: 'Withdrawn',
  discharged: 'Discharged',
  expired: 'Expired',
};

/** Statuses in which the order protects the client. */
export const IN_FORCE: ReadonlySet<OrderStatus> = new Set([
  'interim_in_force',
  'full_in_force',
  'varied',
  'renewed',
]);
/** Statuses an order never leaves. */
export const ENDED: ReadonlySet<OrderStatus> = new Set(['refused', 'withdrawn', 'discharged', 'expired']);

const NEXT: Record<OrderStatus, readonly OrderStatus[]> = {
  requested: ['applied', 'refused', 'withdrawn'],
  applied: ['interim_in_force', 'full_in_force', 'refused', 'withdrawn'],
  interim_in_force: ['full_in_force', 'refused', 'withdrawn', 'discharged', 'expired'],
  full_in_force: ['varied', 'renewed', 'discharged', 'expired'],
  varied: ['varied', 'renewed', 'discharged', 'expired'],
  renewed: ['varied', 'renewed', 'discharged', 'expired'],
  refused: [],
  withdrawn: [],
  discharged: [],
  expired: [],
};

/** Orders the police apply for, which can be "requested from police" first. */
const POLICE_APPLY: ReadonlySet<OrderType> = new Set(['spo', 'dapo']);
/** Orders a court can make for the time being, before the full hearing. */
const HAS_INTERIM: ReadonlySet<OrderType> = new Set(['spo', 'non_molestation_order', 'dapo']);
/** Orders that are made, or imposed, without an application the service would track. */
const NO_APPLICATION: ReadonlySet<OrderType> = new Set(['dapn', 'bail_conditions', 'restraining_order']);

/** Whether a status applies to a kind of order at all. */
export function statusApplies(type: OrderType, status: OrderStatus): boolean {
  if (status === 'requested') return POLICE_APPLY.has(type);
  if (status === 'applied') return !NO_APPLICATION.has(type);
  if (status === 'interim_in_force') return HAS_INTERIM.has(type);
  return true;
}

/** The statuses an order can be recorded in when it first comes to the service's notice. */
export function startingStatuses(type: OrderType): OrderStatus[] {
  return (['requested', 'applied', 'interim_in_force', 'full_in_force'] as const).filter((status) =>
    statusApplies(type, status),
  );
}

/** The statuses an order may move to from where it is. */
export function nextStatuses(type: OrderType, from: OrderStatus): OrderStatus[] {
  return NEXT[from].filter((status) => statusApplies(type, status));
}

export type OrderDates = {
  requestedOn: string | null;
  appliedOn: string | null;
  interimMadeOn: string | null;
  madeOn: string | null;
  servedOn: string | null;
  /** The last day the order has effect; null with `untilFurtherOrder`, or not known yet. */
  expiresOn: string | null;
  untilFurtherOrder: boolean;
  /** The day it stopped having effect (refused, withdrawn, discharged, expired). */
  endedOn: string | null;
};

export type OrderState = { type: OrderType; status: OrderStatus } & OrderDates;

export type RuleProblem = { field: keyof OrderDates | 'status'; message: string };

/** Adds whole calendar years to a YYYY-MM-DD date (29 February becomes 28 February in a common year). */
export function addYears(isoDate: string, years: number): string {
  const [year, month, day] = isoDate.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(year + years, month - 1, day));
  if (target.getUTCMonth() !== month - 1) target.setUTCDate(0);
  return target.toISOString().slice(0, 10);
}

export function addDays(isoDate: string, days: number): string {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * What is wrong with an order's state, in plain words: each status needs its date, dates run in order, and a
 * full Stalking Protection Order lasts at least two years or until further order.
 */
export function orderProblems(order: OrderState): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const need = (field: keyof OrderDates, message: string) => {
    if (!order[field]) problems.push({ field, message });
  };
  if (!statusApplies(order.type, order.status))
    problems.push({
      field: 'status',
      message: `A ${ORDER_TYPE_LABELS[order.type].toLowerCase()} cannot be ${ORDER_STATUS_LABELS[order.status].toLowerCase()}`,
    });
  const { status } = order;
  if (status === 'requested') need('requestedOn', 'Enter the date the police were asked to apply');
  if (status === 'applied') need('appliedOn', 'Enter the date the application was made');
  if (status === 'interim_in_force') need('interimMadeOn', 'Enter the date the interim order was made');
  const full = ['full_in_force', 'varied', 'renewed'].includes(status);
  if (full) {
    need('madeOn', 'Enter the date the order was made');
    if (!order.untilFurtherOrder && !order.expiresOn)
      problems.push({
        field: 'expiresOn',
        message: 'Enter the date the order ends, or choose until further order',
      });
  }
  if (ENDED.has(status))
    need('endedOn', `Enter the date the order was ${ORDER_STATUS_LABELS[status].toLowerCase()}`);
  const ordered: [keyof OrderDates, string][] = [
    ['requestedOn', 'the police were asked'],
    ['appliedOn', 'the application'],
    ['interimMadeOn', 'the interim order'],
    ['madeOn', 'the full order'],
  ];
  for (let i = 1; i < ordered.length; i += 1) {
    const [field, what] = ordered[i]!;
    for (const [earlier, earlierWhat] of ordered.slice(0, i)) {
      const a = order[earlier];
      const b = order[field];
      if (typeof a === 'string' && typeof b === 'string' && b < a) {
        problems.push({ field, message: `The date of ${what} must be on or after the date ${earlierWhat}` });
        break;
      }
    }
  }
  const start = order.madeOn ?? order.interimMadeOn;
  if (order.expiresOn && start && order.expiresOn < start)
    problems.push({ field: 'expiresOn', message: 'The order must end after it was made' });
  if (order.servedOn && start && order.servedOn < start)
    problems.push({ field: 'servedOn', message: 'The order must be served on or after the day it was made' });
  if (order.type === 'spo' && full && order.madeOn && !order.untilFurtherOrder && order.expiresOn) {
    const earliest = addYears(order.madeOn, 2);
    if (order.expiresOn < earliest)
      problems.push({
        field: 'expiresOn',
        message: `A full Stalking Protection Order lasts at least 2 years, or until further order: it cannot end before ${longDate(earliest)}`,
      });
  }
  return problems;
}

/** Whether a move from one status to another is allowed for this kind of order, and if not, why. */
export function transitionProblem(type: OrderType, from: OrderStatus, to: OrderStatus): string | null {
  if (nextStatuses(type, from).includes(to)) return null;
  if (ENDED.has(from))
    return `This order is ${ORDER_STATUS_LABELS[from].toLowerCase()}: record a new order instead of changing this one`;
  return `An order that is “${ORDER_STATUS_LABELS[from].toLowerCase()}” cannot become “${ORDER_STATUS_LABELS[to].toLowerCase()}”`;
}

/** The days the order protects: from the interim (or full) order being made, to its end. Null if never in force. */
export function inForcePeriod(order: OrderState): { from: string; through: string | null } | null {
  const from = order.interimMadeOn ?? order.madeOn;
  if (!from) return null;
  if (order.endedOn) return order.endedOn > from ? { from, through: addDays(order.endedOn, -1) } : null;
  return { from, through: order.untilFurtherOrder ? null : order.expiresOn };
}

/** Whether the order was in force on a day (YYYY-MM-DD, UK). */
export function inForceOn(order: OrderState, day: string): boolean {
  const period = inForcePeriod(order);
  return period !== null && day >= period.from && (period.through === null || day <= period.through);
}

export type ConditionPeriod = { fromOn: string | null; endedOn: string | null };

/** Whether a condition bound the defendant on a day: the order in force, and the condition not yet ended. */
export function conditionInForceOn(order: OrderState, condition: ConditionPeriod, day: string): boolean {
  if (!inForceOn(order, day)) return false;
  if (condition.fromOn && day < condition.fromOn) return false;
  return !(condition.endedOn && day >= condition.endedOn);
}

export const REMINDER_KINDS = ['interim_expiry', 'full_expiry', 'notification_due'] as const;
export type ReminderKind = (typeof REMINDER_KINDS)[number];

/** Weeks before a full order ends that the caseworker is asked to review whether to seek renewal. */
export const RENEWAL_REVIEW_WEEKS = 8;
/** Days before an interim order ends that the caseworker is reminded. */
export const INTERIM_REVIEW_DAYS = 7;
/** Days after an SPO is served by which the defendant must notify police of names and address. */
export const NOTIFICATION_DAYS = 3;

export type Reminder = { kind: ReminderKind; dueOn: string; title: string };

/**
 * The reminders an order's state calls for, each a task for the caseworker: the interim order ending, the full
 * order ending (to review renewal), and an SPO defendant's duty to notify police within 3 days of service.
 * Ended orders call for none.
 */
export function remindersFor(order: OrderState, number: number): Reminder[] {
  if (ENDED.has(order.status)) return [];
  const name = `${ORDER_TYPE_LABELS[order.type].toLowerCase()} ${number}`;
  const reminders: Reminder[] = [];
  if (order.status === 'interim_in_force' && order.expiresOn)
    reminders.push({
      kind: 'interim_expiry',
      dueOn: addDays(order.expiresOn, -INTERIM_REVIEW_DAYS),
      title: `The interim ${name} ends on ${longDate(order.expiresOn)}: check the hearing and what happens next`,
    });
  const full = ['full_in_force', 'varied', 'renewed'].includes(order.status);
  if (full && order.expiresOn && !order.untilFurtherOrder)
    reminders.push({
      kind: 'full_expiry',
      dueOn: addDays(order.expiresOn, -RENEWAL_REVIEW_WEEKS * 7),
      title: `The ${name} ends on ${longDate(order.expiresOn)}: review with the client whether to ask police to renew it`,
    });
  if (order.type === 'spo' && order.servedOn && IN_FORCE.has(order.status))
    reminders.push({
      kind: 'notification_due',
      dueOn: addDays(order.servedOn, NOTIFICATION_DAYS),
      title: `Check with police that the defendant notified them of names and address (${name})`,
    });
  return reminders;
}

const LONG_DATE = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

/** "3 December 2026" from "2026-12-03". */
export function longDate(isoDate: string): string {
  return LONG_DATE.format(new Date(`${isoDate}T00:00:00Z`));
}
