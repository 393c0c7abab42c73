import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { z } from 'zod';
import { inOrganisation, type Trx } from '../../db/database.ts';
import type { BreachOutcome } from '../../db/schema.ts';
import type { CurrentSession } from '../../platform/auth/sessions.ts';
import { DAY, ukDate } from '../../platform/clock.ts';
import { openText, seal } from '../../platform/crypto/envelope.ts';
import { caseVisibleTo } from '../cases/case-access.ts';
import {
  CaseScopedService,
  type CaseServiceDeps,
  type InScope,
  type ScopedCase,
} from '../cases/case-scope.ts';
import { ukInstant } from '../cases/case-view.ts';
import { openDocument, sealDocument } from '../clients/sealed-document.ts';
import { perpetratorsOfCase } from '../perpetrators/perpetrators.repository.ts';
import { raiseReassessment } from '../risk/reassessment.ts';
import { conditionTermsSchema, type ConditionKind, type ConditionTerms } from './conditions.ts';
import {
  conditionInForceOn,
  ENDED,
  inForceOn,
  nextStatuses,
  orderProblems,
  remindersFor,
  startingStatuses,
  transitionProblem,
  type OrderDates,
  type OrderState,
  type OrderStatus,
  type OrderType,
  type RuleProblem,
} from './order-rules.ts';
import type {
  ConditionForm,
  OrderDetails,
  OrderForm,
  ReportForm,
  ReportRoute,
  StatusForm,
} from './orders.schema.ts';

const detailsSchema = z.object({
  applicant: z.string().nullable(),
  court: z.string().nullable(),
  courtReference: z.string().nullable(),
  notes: z.string().nullable(),
});
const reportSchema = z.object({
  how: z.enum(['999', '101', 'online', 'in_person', 'officer_in_case', 'other']),
  officer: z.string().nullable(),
  crimeReference: z.string().nullable(),
});

const aad = {
  details: (orderId: string) => `protection-order:${orderId}:details`,
  change: (changeId: string) => `protection-order-change:${changeId}:note`,
  terms: (conditionId: string) => `protection-order-condition:${conditionId}:terms`,
  breachNote: (breachId: string) => `protection-order-breach:${breachId}:note`,
  report: (breachId: string) => `protection-order-breach:${breachId}:report`,
  outcome: (outcomeId: string) => `protection-order-breach-outcome:${outcomeId}:note`,
};

/** A breach not reported to police this long after it was recorded is flagged. */
export const REPORT_WITHIN_MS = DAY;

export type OrderSummary = {
  orderId: string;
  number: number;
  state: OrderState;
  perpetratorName: string | null;
  conditions: number;
  breaches: number;
  inForceToday: boolean;
};

export type Condition = {
  conditionId: string;
  number: number;
  kind: ConditionKind;
  terms: ConditionTerms;
  fromOn: string | null;
  endedOn: string | null;
};

export type BreachOutcomeEntry = {
  outcome: BreachOutcome;
  outcomeOn: string;
  note: string | null;
  recordedAt: Date;
  recordedByName: string;
};

export type Breach = {
  breachId: string;
  number: number;
  orderId: string;
  orderNumber: number;
  orderType: OrderType;
  entryId: string;
  entryNumber: number;
  occurredFrom: Date;
  conditionIds: string[];
  note: string | null;
  recordedAt: Date;
  recordedByName: string;
  report: {
    reportedAt: Date;
    how: ReportRoute;
    officer: string | null;
    crimeReference: string | null;
  } | null;
  /** Not reported to police within 24 hours of being recorded. */
  overdue: boolean;
  outcomes: BreachOutcomeEntry[];
};

export type OrderChange = {
  from: OrderStatus | null;
  to: OrderStatus;
  dates: Partial<OrderDates>;
  note: string | null;
  changedAt: Date;
  changedByName: string;
};

export type OrderRecord = OrderSummary & {
  reference: string;
  details: OrderDetails;
  changes: OrderChange[];
  conditionList: Condition[];
  breachList: Breach[];
  reminders: { title: string; dueOn: string; done: boolean }[];
  next: OrderStatus[];
};

export type BreachChoices = {
  reference: string;
  entryNumber: number;
  occurredFrom: Date;
  occurredTo: Date | null;
  /** Orders with conditions in force at the incident's time, each with those conditions. */
  orders: { orderId: string; number: number; type: OrderType; conditions: Condition[]; already: boolean }[];
};

export type RecordResult =
  { kind: 'recorded'; id: string } | { kind: 'problems'; problems: RuleProblem[] } | { kind: 'stale_form' };

export type BreachResult =
  | { kind: 'recorded'; breachIds: string[] }
  | { kind: 'not_in_force' }
  | { kind: 'already_recorded' }
  | { kind: 'stale_form' };

type OrderRow = {
  order_id: string;
  order_number: number;
  order_type: OrderType;
  perpetrator_id: string | null;
  status: OrderStatus;
  requested_on: string | null;
  applied_on: string | null;
  interim_made_on: string | null;
  made_on: string | null;
  served_on: string | null;
  expires_on: string | null;
  until_further_order: boolean;
  ended_on: string | null;
};

const ORDER_COLUMNS = [
  'order_id',
  'order_number',
  'order_type',
  'perpetrator_id',
  'status',
  'requested_on',
  'applied_on',
  'interim_made_on',
  'made_on',
  'served_on',
  'expires_on',
  'until_further_order',
  'ended_on',
] as const;

function stateOf(row: OrderRow): OrderState {
  return {
    type: row.order_type,
    status: row.status,
    requestedOn: row.requested_on,
    appliedOn: row.applied_on,
    interimMadeOn: row.interim_made_on,
    madeOn: row.made_on,
    servedOn: row.served_on,
    expiresOn: row.expires_on,
    untilFurtherOrder: row.until_further_order,
    endedOn: row.ended_on,
  };
}

function dateColumns(dates: OrderDates) {
  return {
    requested_on: dates.requestedOn,
    applied_on: dates.appliedOn,
    interim_made_on: dates.interimMadeOn,
    made_on: dates.madeOn,
    served_on: dates.servedOn,
    expires_on: dates.untilFurtherOrder ? null : dates.expiresOn,
    until_further_order: dates.untilFurtherOrder,
    ended_on: dates.endedOn,
  };
}

/**
 * Protection orders on a case: recorded with their dates and conditions, moved through their life by the rules in
 * order-rules.ts with every change kept, reminders kept as one task each, and diary incidents recorded as
 * suspected breaches of the conditions in force when they happened, reported to police and followed to an
 * outcome. A breach raises a risk reassessment and tells the case's caseworker.
 */
export class OrdersService extends CaseScopedService {
  constructor(deps: CaseServiceDeps) {
    super(deps);
  }

  /** The case's orders for its page, newest first. */
  async forCase(session: CurrentSession, caseId: string): Promise<InScope<OrderSummary[]>> {
    return this.scoped(session, caseId, async (trx) => this.summaries(trx, session, caseId));
  }

  /** What the new-order form offers: the people responsible linked to the case. */
  async newOrderChoices(session: CurrentSession, caseId: string) {
    return this.scoped(session, caseId, async (trx, kase) => ({
      reference: kase.reference,
      perpetrators: (await perpetratorsOfCase(trx, session.organisationId, caseId)).map((row) => ({
        perpetratorId: row.perpetrator_id,
        name: row.name ?? 'Name not known',
      })),
    }));
  }

  async record(
    session: CurrentSession,
    caseId: string,
    submissionId: string,
    form: OrderForm,
  ): Promise<InScope<RecordResult>> {
    return this.scoped(session, caseId, async (trx, kase): Promise<RecordResult> => {
      const again = await trx
        .selectFrom('protection_orders')
        .select('case_id')
        .where('organisation_id', '=', session.organisationId)
        .where('order_id', '=', submissionId)
        .executeTakeFirst();
      if (again)
        return again.case_id === caseId ? { kind: 'recorded', id: submissionId } : { kind: 'stale_form' };
      const state: OrderState = { type: form.type, status: form.status, ...form.dates };
      const problems = orderProblems(state);
      if (!startingStatuses(form.type).includes(form.status))
        problems.unshift({
          field: 'status',
          message: 'Record the order as it stands now: requested, applied for or in force',
        });
      if (problems.length > 0) return { kind: 'problems', problems };
      if (form.perpetratorId) {
        const linked = await perpetratorsOfCase(trx, session.organisationId, caseId);
        if (!linked.some((row) => row.perpetrator_id === form.perpetratorId)) return { kind: 'stale_form' };
      }
      await this.lockCase(trx, caseId);
      const now = this.clock.now();
      const number = await this.nextNumber(trx, session.organisationId, caseId);
      await trx
        .insertInto('protection_orders')
        .values({
          organisation_id: session.organisationId,
          order_id: submissionId,
          case_id: caseId,
          order_number: number,
          order_type: form.type,
          perpetrator_id: form.perpetratorId,
          status: form.status,
          ...dateColumns(form.dates),
          details_sealed: sealDocument(kase.key, form.details, aad.details(submissionId)),
          created_at: now,
          created_by: session.user.userId,
          updated_at: now,
          updated_by: session.user.userId,
        })
        .execute();
      await this.writeChange(trx, session, kase, submissionId, null, state, null);
      await this.syncReminders(trx, session, kase, submissionId, state, number);
      await this.audit(trx, session, kase, 'order.recorded', {
        type: form.type,
        status: form.status,
        order: number,
      });
      return { kind: 'recorded', id: submissionId };
    });
  }

  /** One order in full; the reading is audited. */
  async order(
    session: CurrentSession,
    caseId: string,
    orderId: string,
  ): Promise<InScope<OrderRecord | null>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const summary = (await this.summaries(trx, session, caseId)).find((order) => order.orderId === orderId);
      if (!summary) return null;
      const [detailsRow, changes, conditionList, breachList, reminders] = await Promise.all([
        trx
          .selectFrom('protection_orders')
          .select('details_sealed')
          .where('organisation_id', '=', session.organisationId)
          .where('order_id', '=', orderId)
          .executeTakeFirstOrThrow(),
        trx
          .selectFrom('protection_order_changes as c')
          .innerJoin('users as u', (join) =>
            join.onRef('u.organisation_id', '=', 'c.organisation_id').onRef('u.user_id', '=', 'c.changed_by'),
          )
          .select([
            'c.change_id',
            'c.from_status',
            'c.to_status',
            'c.dates',
            'c.note_sealed',
            'c.changed_at',
            'u.display_name',
          ])
          .where('c.organisation_id', '=', session.organisationId)
          .where('c.order_id', '=', orderId)
          .orderBy('c.changed_at')
          .execute(),
        this.conditions(trx, session, kase, [orderId]),
        this.breaches(trx, session, kase, { orderId }),
        trx
          .selectFrom('protection_order_reminders as r')
          .innerJoin('tasks as t', (join) =>
            join.onRef('t.organisation_id', '=', 'r.organisation_id').onRef('t.task_id', '=', 'r.task_id'),
          )
          .select(['t.title', 't.due_on', 't.completed_at'])
          .where('r.organisation_id', '=', session.organisationId)
          .where('r.order_id', '=', orderId)
          .orderBy('t.due_on')
          .execute(),
      ]);
      await this.audit(trx, session, kase, 'order.viewed', { order: summary.number });
      return {
        ...summary,
        reference: kase.reference,
        details: openDocument(kase.key, detailsRow.details_sealed, aad.details(orderId), detailsSchema),
        changes: changes.map((change) => ({
          from: change.from_status,
          to: change.to_status,
          dates: change.dates as Partial<OrderDates>,
          note: change.note_sealed
            ? openText(kase.key, change.note_sealed, aad.change(change.change_id))
            : null,
          changedAt: change.changed_at,
          changedByName: change.display_name,
        })),
        conditionList,
        breachList,
        reminders: reminders.map((row) => ({
          title: row.title,
          dueOn: row.due_on,
          done: row.completed_at !== null,
        })),
        next: nextStatuses(summary.state.type, summary.state.status),
      };
    });
  }

  /**
   * Moves an order on, or corrects its dates (the same status): refused when the move is not allowed, when the
   * dates break a rule, or when the order changed since the form was shown.
   */
  async changeStatus(
    session: CurrentSession,
    caseId: string,
    orderId: string,
    form: StatusForm,
  ): Promise<InScope<RecordResult | { kind: 'changed_since'; status: OrderStatus } | { kind: 'not_found' }>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const row = await trx
        .selectFrom('protection_orders')
        .select(ORDER_COLUMNS)
        .where('organisation_id', '=', session.organisationId)
        .where('case_id', '=', caseId)
        .where('order_id', '=', orderId)
        .forUpdate()
        .executeTakeFirst();
      if (!row) return { kind: 'not_found' as const };
      if (row.status !== form.from) return { kind: 'changed_since' as const, status: row.status };
      const before = stateOf(row);
      const state: OrderState = { type: before.type, status: form.to, ...form.dates };
      if (!ENDED.has(form.to)) state.endedOn = null;
      const problems: RuleProblem[] = [];
      if (form.to !== before.status) {
        const refused = transitionProblem(before.type, before.status, form.to);
        if (refused) problems.push({ field: 'status', message: refused });
      } else if (ENDED.has(before.status)) {
        problems.push({ field: 'status', message: transitionProblem(before.type, before.status, form.to)! });
      }
      problems.push(...orderProblems(state));
      if (problems.length > 0) return { kind: 'problems' as const, problems };
      await trx
        .updateTable('protection_orders')
        .set({
          status: form.to,
          ...dateColumns(state),
          updated_at: this.clock.now(),
          updated_by: session.user.userId,
        })
        .where('organisation_id', '=', session.organisationId)
        .where('order_id', '=', orderId)
        .execute();
      await this.writeChange(trx, session, kase, orderId, before.status, state, form.note);
      await this.syncReminders(trx, session, kase, orderId, state, row.order_number);
      await this.audit(trx, session, kase, 'order.status_changed', {
        order: row.order_number,
        from: before.status,
        to: form.to,
      });
      return { kind: 'recorded' as const, id: orderId };
    });
  }

  async addCondition(
    session: CurrentSession,
    caseId: string,
    orderId: string,
    submissionId: string,
    form: ConditionForm,
  ): Promise<InScope<'added' | 'not_found' | 'stale_form' | 'ended'>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const order = await trx
        .selectFrom('protection_orders')
        .select(['order_number', 'status'])
        .where('organisation_id', '=', session.organisationId)
        .where('case_id', '=', caseId)
        .where('order_id', '=', orderId)
        .forUpdate()
        .executeTakeFirst();
      if (!order) return 'not_found';
      const again = await trx
        .selectFrom('protection_order_conditions')
        .select('order_id')
        .where('organisation_id', '=', session.organisationId)
        .where('condition_id', '=', submissionId)
        .executeTakeFirst();
      if (again) return again.order_id === orderId ? 'added' : 'stale_form';
      if (ENDED.has(order.status)) return 'ended';
      const last = await trx
        .selectFrom('protection_order_conditions')
        .select((eb) => eb.fn.max('condition_number').as('n'))
        .where('organisation_id', '=', session.organisationId)
        .where('order_id', '=', orderId)
        .executeTakeFirst();
      const terms: ConditionTerms = {
        wording: form.wording,
        places: form.places,
        placeDetails: form.placeDetails,
        distanceMetres: form.distanceMetres,
      };
      await trx
        .insertInto('protection_order_conditions')
        .values({
          organisation_id: session.organisationId,
          condition_id: submissionId,
          case_id: caseId,
          order_id: orderId,
          condition_number: (last?.n ?? 0) + 1,
          kind: form.kind,
          terms_sealed: sealDocument(kase.key, terms, aad.terms(submissionId)),
          from_on: form.fromOn,
          ended_on: null,
          added_at: this.clock.now(),
          added_by: session.user.userId,
          ended_at: null,
          ended_by: null,
        })
        .execute();
      await this.audit(trx, session, kase, 'order.condition_added', {
        order: order.order_number,
        kind: form.kind,
      });
      return 'added';
    });
  }

  async endCondition(
    session: CurrentSession,
    caseId: string,
    orderId: string,
    conditionId: string,
    endedOn: string,
  ): Promise<InScope<boolean>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const result = await trx
        .updateTable('protection_order_conditions')
        .set({ ended_on: endedOn, ended_at: this.clock.now(), ended_by: session.user.userId })
        .where('organisation_id', '=', session.organisationId)
        .where('case_id', '=', caseId)
        .where('order_id', '=', orderId)
        .where('condition_id', '=', conditionId)
        .where('ended_at', 'is', null)
        .executeTakeFirst();
      const ended = Number(result.numUpdatedRows) === 1;
      if (ended) await this.audit(trx, session, kase, 'order.condition_ended', {});
      return ended;
    });
  }

  /** The orders and conditions that were in force when a diary incident happened (any day of its range). */
  async breachChoices(
    session: CurrentSession,
    caseId: string,
    entryId: string,
  ): Promise<InScope<BreachChoices | null>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const entry = await this.currentEntry(trx, session.organisationId, caseId, entryId);
      if (!entry) return null;
      const days = incidentDays(entry.occurred_from, entry.occurred_to);
      const orders = await trx
        .selectFrom('protection_orders')
        .select(ORDER_COLUMNS)
        .where('organisation_id', '=', session.organisationId)
        .where('case_id', '=', caseId)
        .orderBy('order_number')
        .execute();
      const conditions = await this.conditions(
        trx,
        session,
        kase,
        orders.map((order) => order.order_id),
      );
      const already = await trx
        .selectFrom('protection_order_breaches')
        .select('order_id')
        .where('organisation_id', '=', session.organisationId)
        .where('entry_id', '=', entryId)
        .execute();
      await this.audit(trx, session, kase, 'order.breach_form_viewed', {});
      return {
        reference: kase.reference,
        entryNumber: entry.entry_number,
        occurredFrom: entry.occurred_from,
        occurredTo: entry.occurred_to,
        orders: orders
          .map((order) => {
            const state = stateOf(order);
            return {
              orderId: order.order_id,
              number: order.order_number,
              type: order.order_type,
              conditions: conditions.filter(
                (condition) =>
                  condition.orderId === order.order_id &&
                  days.some((day) => conditionInForceOn(state, condition, day)),
              ),
              already: already.some((row) => row.order_id === order.order_id),
            };
          })
          .filter((order) => order.conditions.length > 0),
      };
    });
  }

  /**
   * Records a diary incident as a suspected breach of the chosen conditions: one breach for each order they
   * belong to, each condition checked as in force when the incident happened. Raises a risk reassessment for
   * the case's caseworker; the caller then tells them (see `caseworkerOf`).
   */
  async recordBreach(
    session: CurrentSession,
    caseId: string,
    entryId: string,
    submissionId: string,
    form: { conditionIds: string[]; note: string | null },
  ): Promise<InScope<BreachResult>> {
    return this.scoped(session, caseId, async (trx, kase): Promise<BreachResult> => {
      const again = await trx
        .selectFrom('protection_order_breaches')
        .select(['breach_id', 'case_id'])
        .where('organisation_id', '=', session.organisationId)
        .where('breach_id', '=', submissionId)
        .executeTakeFirst();
      if (again)
        return again.case_id === caseId
          ? { kind: 'recorded', breachIds: [submissionId] }
          : { kind: 'stale_form' };
      await this.lockCase(trx, caseId);
      const entry = await this.currentEntry(trx, session.organisationId, caseId, entryId);
      if (!entry) return { kind: 'stale_form' };
      const days = incidentDays(entry.occurred_from, entry.occurred_to);
      const chosen = await trx
        .selectFrom('protection_order_conditions as c')
        .innerJoin('protection_orders as o', (join) =>
          join.onRef('o.organisation_id', '=', 'c.organisation_id').onRef('o.order_id', '=', 'c.order_id'),
        )
        .select([
          'c.condition_id',
          'c.from_on',
          'c.ended_on',
          ...ORDER_COLUMNS.map((column) => `o.${column}` as const),
        ])
        .where('c.organisation_id', '=', session.organisationId)
        .where('c.case_id', '=', caseId)
        .where('c.condition_id', 'in', form.conditionIds)
        .execute();
      if (chosen.length !== new Set(form.conditionIds).size) return { kind: 'stale_form' };
      const inForce = chosen.every((row) =>
        days.some((day) =>
          conditionInForceOn(stateOf(row), { fromOn: row.from_on, endedOn: row.ended_on }, day),
        ),
      );
      if (!inForce) return { kind: 'not_in_force' };
      const byOrder = new Map<string, { number: number; conditionIds: string[] }>();
      for (const row of chosen) {
        const held = byOrder.get(row.order_id) ?? { number: row.order_number, conditionIds: [] };
        held.conditionIds.push(row.condition_id);
        byOrder.set(row.order_id, held);
      }
      const existing = await trx
        .selectFrom('protection_order_breaches')
        .select('order_id')
        .where('organisation_id', '=', session.organisationId)
        .where('entry_id', '=', entryId)
        .where('order_id', 'in', [...byOrder.keys()])
        .execute();
      if (existing.length > 0) return { kind: 'already_recorded' };
      const now = this.clock.now();
      const breachIds: string[] = [];
      for (const [orderId, { number: orderNumber, conditionIds }] of byOrder) {
        const breachId = breachIds.length === 0 ? submissionId : randomUUID();
        const last = await trx
          .selectFrom('protection_order_breaches')
          .select((eb) => eb.fn.max('breach_number').as('n'))
          .where('organisation_id', '=', session.organisationId)
          .where('order_id', '=', orderId)
          .executeTakeFirst();
        await trx
          .insertInto('protection_order_breaches')
          .values({
            organisation_id: session.organisationId,
            breach_id: breachId,
            case_id: caseId,
            order_id: orderId,
            entry_id: entryId,
            breach_number: (last?.n ?? 0) + 1,
            condition_ids: conditionIds,
            note_sealed: form.note ? seal(kase.key, form.note, aad.breachNote(breachId)) : null,
            recorded_at: now,
            recorded_by: session.user.userId,
            reported_at: null,
            report_sealed: null,
            report_recorded_by: null,
          })
          .execute();
        await this.audit(trx, session, kase, 'order.breach_recorded', {
          order: orderNumber,
          conditions: conditionIds.length,
        });
        breachIds.push(breachId);
      }
      const owner = (await this.activeHolder(trx, session, kase)) ?? session.user.userId;
      await raiseReassessment(trx, {
        organisationId: session.organisationId,
        caseId,
        ownerId: owner,
        createdBy: session.user.userId,
        title: `Review risk: a suspected breach of an order was recorded (diary entry ${entry.entry_number})`,
        dueOn: ukDate(new Date(now.getTime() + DAY)),
        now,
      });
      return { kind: 'recorded', breachIds };
    });
  }

  /** The case's caseworker to tell of a breach, when someone active holds the case and it is not the caller. */
  async caseworkerToTell(
    session: CurrentSession,
    caseId: string,
  ): Promise<{ userId: string; email: string } | null> {
    const result = await this.scoped(session, caseId, async (trx, kase) => {
      const holder = await this.activeHolder(trx, session, kase);
      if (!holder || holder === session.user.userId) return null;
      const row = await trx
        .selectFrom('users')
        .select(['user_id', 'email'])
        .where('organisation_id', '=', session.organisationId)
        .where('user_id', '=', holder)
        .executeTakeFirstOrThrow();
      return { userId: row.user_id, email: row.email };
    });
    return result.kind === 'ok' ? result.value : null;
  }

  async breach(
    session: CurrentSession,
    caseId: string,
    breachId: string,
  ): Promise<InScope<(Breach & { reference: string; conditions: Condition[] }) | null>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const [found] = await this.breaches(trx, session, kase, { breachId });
      if (!found) return null;
      const conditions = (await this.conditions(trx, session, kase, [found.orderId])).filter((condition) =>
        found.conditionIds.includes(condition.conditionId),
      );
      await this.audit(trx, session, kase, 'order.breach_viewed', {
        order: found.orderNumber,
        breach: found.number,
      });
      return { ...found, reference: kase.reference, conditions };
    });
  }

  async reportBreach(
    session: CurrentSession,
    caseId: string,
    breachId: string,
    form: ReportForm,
  ): Promise<InScope<'reported' | 'already_reported' | 'not_found' | 'in_future'>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const reportedAt = ukInstant(form.reportedAt.on, form.reportedAt.time);
      if (reportedAt.getTime() > this.clock.now().getTime() + 5 * 60_000) return 'in_future';
      const result = await trx
        .updateTable('protection_order_breaches')
        .set({
          reported_at: reportedAt,
          report_sealed: sealDocument(
            kase.key,
            { how: form.how, officer: form.officer, crimeReference: form.crimeReference },
            aad.report(breachId),
          ),
          report_recorded_by: session.user.userId,
        })
        .where('organisation_id', '=', session.organisationId)
        .where('case_id', '=', caseId)
        .where('breach_id', '=', breachId)
        .where('reported_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1) {
        await this.audit(trx, session, kase, 'order.breach_reported', { how: form.how });
        return 'reported';
      }
      const exists = await trx
        .selectFrom('protection_order_breaches')
        .select('breach_id')
        .where('organisation_id', '=', session.organisationId)
        .where('case_id', '=', caseId)
        .where('breach_id', '=', breachId)
        .executeTakeFirst();
      return exists ? 'already_reported' : 'not_found';
    });
  }

  async addOutcome(
    session: CurrentSession,
    caseId: string,
    breachId: string,
    submissionId: string,
    form: { outcome: BreachOutcome; outcomeOn: string; note: string | null },
  ): Promise<InScope<'added' | 'not_found' | 'stale_form'>> {
    return this.scoped(session, caseId, async (trx, kase) => {
      const breach = await trx
        .selectFrom('protection_order_breaches')
        .select('breach_id')
        .where('organisation_id', '=', session.organisationId)
        .where('case_id', '=', caseId)
        .where('breach_id', '=', breachId)
        .executeTakeFirst();
      if (!breach) return 'not_found';
      const inserted = await trx
        .insertInto('protection_order_breach_outcomes')
        .values({
          organisation_id: session.organisationId,
          outcome_id: submissionId,
          case_id: caseId,
          breach_id: breachId,
          outcome: form.outcome,
          outcome_on: form.outcomeOn,
          note_sealed: form.note ? seal(kase.key, form.note, aad.outcome(submissionId)) : null,
          recorded_at: this.clock.now(),
          recorded_by: session.user.userId,
        })
        .onConflict((conflict) => conflict.columns(['organisation_id', 'outcome_id']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) {
        const held = await trx
          .selectFrom('protection_order_breach_outcomes')
          .select('breach_id')
          .where('organisation_id', '=', session.organisationId)
          .where('outcome_id', '=', submissionId)
          .executeTakeFirst();
        return held?.breach_id === breachId ? 'added' : 'stale_form';
      }
      await this.audit(trx, session, kase, 'order.breach_outcome_added', { outcome: form.outcome });
      return 'added';
    });
  }

  /**
   * Breaches on the cases the caller may see that need attention: not reported to police more than 24 hours
   * after being recorded, and those recorded in the last week. For the home page; names nobody.
   */
  async needingAttention(session: CurrentSession) {
    return inOrganisation(this.db, session.organisationId, async (trx) => {
      const now = this.clock.now();
      const rows = await trx
        .selectFrom('protection_order_breaches as b')
        .innerJoin('cases', (join) =>
          join
            .onRef('cases.organisation_id', '=', 'b.organisation_id')
            .onRef('cases.case_id', '=', 'b.case_id'),
        )
        .innerJoin('protection_orders as o', (join) =>
          join.onRef('o.organisation_id', '=', 'b.organisation_id').onRef('o.order_id', '=', 'b.order_id'),
        )
        .select([
          'b.breach_id',
          'b.case_id',
          'cases.reference',
          'b.recorded_at',
          'b.reported_at',
          'o.order_type',
          'o.order_number',
        ])
        .where('b.organisation_id', '=', session.organisationId)
        .where('cases.status', '<>', 'closed')
        .where(caseVisibleTo(session, now))
        .where((eb) =>
          eb.or([
            eb('b.reported_at', 'is', null),
            eb('b.recorded_at', '>', new Date(now.getTime() - 7 * DAY)),
          ]),
        )
        .orderBy('b.recorded_at', 'desc')
        .limit(50)
        .execute();
      return rows.map((row) => ({
        breachId: row.breach_id,
        caseId: row.case_id,
        reference: row.reference,
        orderType: row.order_type,
        orderNumber: row.order_number,
        recordedAt: row.recorded_at,
        reported: row.reported_at !== null,
        overdue: row.reported_at === null && now.getTime() - row.recorded_at.getTime() > REPORT_WITHIN_MS,
      }));
    });
  }

  private async summaries(trx: Trx, session: CurrentSession, caseId: string): Promise<OrderSummary[]> {
    const today = ukDate(this.clock.now());
    const rows = await trx
      .selectFrom('protection_orders as o')
      .leftJoin('perpetrators as p', (join) =>
        join
          .onRef('p.organisation_id', '=', 'o.organisation_id')
          .onRef('p.perpetrator_id', '=', 'o.perpetrator_id'),
      )
      .select(ORDER_COLUMNS.map((column) => `o.${column}` as const))
      .select((eb) => [
        'p.name',
        eb
          .selectFrom('protection_order_conditions as c')
          .select((inner) => inner.fn.countAll<number>().as('n'))
          .whereRef('c.organisation_id', '=', 'o.organisation_id')
          .whereRef('c.order_id', '=', 'o.order_id')
          .where('c.ended_at', 'is', null)
          .as('conditions'),
        eb
          .selectFrom('protection_order_breaches as b')
          .select((inner) => inner.fn.countAll<number>().as('n'))
          .whereRef('b.organisation_id', '=', 'o.organisation_id')
          .whereRef('b.order_id', '=', 'o.order_id')
          .as('breaches'),
      ])
      .where('o.organisation_id', '=', session.organisationId)
      .where('o.case_id', '=', caseId)
      .orderBy('o.order_number', 'desc')
      .execute();
    return rows.map((row) => {
      const state = stateOf(row);
      return {
        orderId: row.order_id,
        number: row.order_number,
        state,
        perpetratorName: row.name,
        conditions: Number(row.conditions ?? 0),
        breaches: Number(row.breaches ?? 0),
        inForceToday: inForceOn(state, today),
      };
    });
  }

  private async conditions(
    trx: Trx,
    session: CurrentSession,
    kase: ScopedCase,
    orderIds: string[],
  ): Promise<(Condition & { orderId: string })[]> {
    if (orderIds.length === 0) return [];
    const rows = await trx
      .selectFrom('protection_order_conditions')
      .select(['condition_id', 'order_id', 'condition_number', 'kind', 'terms_sealed', 'from_on', 'ended_on'])
      .where('organisation_id', '=', session.organisationId)
      .where('case_id', '=', kase.caseId)
      .where('order_id', 'in', orderIds)
      .orderBy('order_id')
      .orderBy('condition_number')
      .execute();
    return rows.map((row) => ({
      conditionId: row.condition_id,
      orderId: row.order_id,
      number: row.condition_number,
      kind: row.kind,
      terms: openDocument(kase.key, row.terms_sealed, aad.terms(row.condition_id), conditionTermsSchema),
      fromOn: row.from_on,
      endedOn: row.ended_on,
    }));
  }

  private async breaches(
    trx: Trx,
    session: CurrentSession,
    kase: ScopedCase,
    which: { orderId?: string; breachId?: string },
  ): Promise<Breach[]> {
    let query = trx
      .selectFrom('protection_order_breaches as b')
      .innerJoin('protection_orders as o', (join) =>
        join.onRef('o.organisation_id', '=', 'b.organisation_id').onRef('o.order_id', '=', 'b.order_id'),
      )
      .innerJoin('diary_entries as e', (join) =>
        join.onRef('e.organisation_id', '=', 'b.organisation_id').onRef('e.entry_id', '=', 'b.entry_id'),
      )
      .innerJoin('users as u', (join) =>
        join.onRef('u.organisation_id', '=', 'b.organisation_id').onRef('u.user_id', '=', 'b.recorded_by'),
      )
      .select([
        'b.breach_id',
        'b.breach_number',
        'b.order_id',
        'o.order_number',
        'o.order_type',
        'b.entry_id',
        'e.entry_number',
        'b.condition_ids',
        'b.note_sealed',
        'b.recorded_at',
        'u.display_name',
        'b.reported_at',
        'b.report_sealed',
      ])
      .select((eb) =>
        eb
          .selectFrom('diary_entry_versions as v')
          .select('v.occurred_from')
          .whereRef('v.organisation_id', '=', 'b.organisation_id')
          .whereRef('v.entry_id', '=', 'b.entry_id')
          .orderBy('v.version', 'desc')
          .limit(1)
          .as('occurred_from'),
      )
      .where('b.organisation_id', '=', session.organisationId)
      .where('b.case_id', '=', kase.caseId);
    if (which.orderId) query = query.where('b.order_id', '=', which.orderId);
    if (which.breachId) query = query.where('b.breach_id', '=', which.breachId);
    const rows = await query.orderBy('b.recorded_at').orderBy('b.breach_number').execute();
    if (rows.length === 0) return [];
    const outcomes = await trx
      .selectFrom('protection_order_breach_outcomes as x')
      .innerJoin('users as u', (join) =>
        join.onRef('u.organisation_id', '=', 'x.organisation_id').onRef('u.user_id', '=', 'x.recorded_by'),
      )
      .select([
        'x.outcome_id',
        'x.breach_id',
        'x.outcome',
        'x.outcome_on',
        'x.note_sealed',
        'x.recorded_at',
        'u.display_name',
      ])
      .where('x.organisation_id', '=', session.organisationId)
      .where(
        'x.breach_id',
        'in',
        rows.map((row) => row.breach_id),
      )
      .orderBy('x.outcome_on')
      .orderBy('x.recorded_at')
      .execute();
    const now = this.clock.now().getTime();
    return rows.map((row) => {
      const report = row.report_sealed
        ? openDocument(kase.key, row.report_sealed, aad.report(row.breach_id), reportSchema)
        : null;
      return {
        breachId: row.breach_id,
        number: row.breach_number,
        orderId: row.order_id,
        orderNumber: row.order_number,
        orderType: row.order_type,
        entryId: row.entry_id,
        entryNumber: row.entry_number,
        occurredFrom: row.occurred_from!,
        conditionIds: row.condition_ids,
        note: row.note_sealed ? openText(kase.key, row.note_sealed, aad.breachNote(row.breach_id)) : null,
        recordedAt: row.recorded_at,
        recordedByName: row.display_name,
        report: report && row.reported_at ? { reportedAt: row.reported_at, ...report } : null,
        overdue: row.reported_at === null && now - row.recorded_at.getTime() > REPORT_WITHIN_MS,
        outcomes: outcomes
          .filter((outcome) => outcome.breach_id === row.breach_id)
          .map((outcome) => ({
            outcome: outcome.outcome,
            outcomeOn: outcome.outcome_on,
            note: outcome.note_sealed
              ? openText(kase.key, outcome.note_sealed, aad.outcome(outcome.outcome_id))
              : null,
            recordedAt: outcome.recorded_at,
            recordedByName: outcome.display_name,
          })),
      };
    });
  }

  /** The entry's current version's time, unless it was redacted. */
  private async currentEntry(trx: Trx, organisationId: string, caseId: string, entryId: string) {
    const row = await trx
      .selectFrom('diary_entries as e')
      .innerJoin('diary_entry_versions as v', (join) =>
        join.onRef('v.organisation_id', '=', 'e.organisation_id').onRef('v.entry_id', '=', 'e.entry_id'),
      )
      .select(['e.entry_number', 'v.occurred_from', 'v.occurred_to'])
      .where('e.organisation_id', '=', organisationId)
      .where('e.case_id', '=', caseId)
      .where('e.entry_id', '=', entryId)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('diary_entry_redactions as r')
              .select('r.entry_id')
              .whereRef('r.organisation_id', '=', 'e.organisation_id')
              .whereRef('r.entry_id', '=', 'e.entry_id'),
          ),
        ),
      )
      .orderBy('v.version', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ?? null;
  }

  private async writeChange(
    trx: Trx,
    session: CurrentSession,
    kase: ScopedCase,
    orderId: string,
    from: OrderStatus | null,
    state: OrderState,
    note: string | null,
  ) {
    const changeId = randomUUID();
    const dates: Omit<OrderState, 'type' | 'status'> = {
      requestedOn: state.requestedOn,
      appliedOn: state.appliedOn,
      interimMadeOn: state.interimMadeOn,
      madeOn: state.madeOn,
      servedOn: state.servedOn,
      expiresOn: state.expiresOn,
      untilFurtherOrder: state.untilFurtherOrder,
      endedOn: state.endedOn,
    };
    await trx
      .insertInto('protection_order_changes')
      .values({
        organisation_id: session.organisationId,
        change_id: changeId,
        case_id: kase.caseId,
        order_id: orderId,
        from_status: from,
        to_status: state.status,
        dates: JSON.stringify(dates),
        note_sealed: note ? seal(kase.key, note, aad.change(changeId)) : null,
        changed_at: this.clock.now(),
        changed_by: session.user.userId,
      })
      .execute();
  }

  /**
   * Keeps one task per reminder the order's dates call for: created when first due, moved when its date
   * moves, closed when no longer needed (the order ended, or the date was removed).
   */
  private async syncReminders(
    trx: Trx,
    session: CurrentSession,
    kase: ScopedCase,
    orderId: string,
    state: OrderState,
    number: number,
  ) {
    const now = this.clock.now();
    const wanted = remindersFor(state, number);
    const held = await trx
      .selectFrom('protection_order_reminders as r')
      .innerJoin('tasks as t', (join) =>
        join.onRef('t.organisation_id', '=', 'r.organisation_id').onRef('t.task_id', '=', 'r.task_id'),
      )
      .select(['r.kind', 't.task_id', 't.due_on', 't.completed_at'])
      .where('r.organisation_id', '=', session.organisationId)
      .where('r.order_id', '=', orderId)
      .execute();
    const owner = (await this.activeHolder(trx, session, kase)) ?? session.user.userId;
    for (const reminder of wanted) {
      const task = held.find((row) => row.kind === reminder.kind);
      if (task && task.due_on === reminder.dueOn) continue;
      if (task && task.completed_at === null) {
        await trx
          .updateTable('tasks')
          .set({ due_on: reminder.dueOn, title: reminder.title.slice(0, 200) })
          .where('organisation_id', '=', session.organisationId)
          .where('task_id', '=', task.task_id)
          .execute();
        continue;
      }
      const taskId = randomUUID();
      await trx
        .insertInto('tasks')
        .values({
          organisation_id: session.organisationId,
          task_id: taskId,
          case_id: kase.caseId,
          title: reminder.title.slice(0, 200),
          due_on: reminder.dueOn,
          owner_id: owner,
          created_by: session.user.userId,
          created_at: now,
          completed_at: null,
          completed_by: null,
          purpose: 'order_reminder',
        })
        .execute();
      if (task)
        await trx
          .updateTable('protection_order_reminders')
          .set({ task_id: taskId })
          .where('organisation_id', '=', session.organisationId)
          .where('order_id', '=', orderId)
          .where('kind', '=', reminder.kind)
          .execute();
      else
        await trx
          .insertInto('protection_order_reminders')
          .values({
            organisation_id: session.organisationId,
            order_id: orderId,
            kind: reminder.kind,
            task_id: taskId,
          })
          .execute();
    }
    const stale = held.filter(
      (row) => row.completed_at === null && !wanted.some((reminder) => reminder.kind === row.kind),
    );
    if (stale.length > 0)
      await trx
        .updateTable('tasks')
        .set({ completed_at: now, completed_by: session.user.userId })
        .where('organisation_id', '=', session.organisationId)
        .where(
          'task_id',
          'in',
          stale.map((row) => row.task_id),
        )
        .execute();
  }

  private async lockCase(trx: Trx, caseId: string) {
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`protection-orders:${caseId}`}, 17))`.execute(
      trx,
    );
  }

  private async nextNumber(trx: Trx, organisationId: string, caseId: string): Promise<number> {
    const last = await trx
      .selectFrom('protection_orders')
      .select((eb) => eb.fn.max('order_number').as('n'))
      .where('organisation_id', '=', organisationId)
      .where('case_id', '=', caseId)
      .executeTakeFirst();
    return (last?.n ?? 0) + 1;
  }
}

/** The UK days an incident may have happened on: its day, or each day of its range (at most 31). */
export function incidentDays(from: Date, to: Date | null): string[] {
  const first = ukDate(from);
  if (!to) return [first];
  const last = ukDate(new Date(to.getTime() - 1));
  const days: string[] = [];
  for (
    let day = first;
    day <= last && days.length < 31;
    day = ukDate(new Date(Date.parse(`${day}T12:00:00Z`) + DAY))
  )
    days.push(day);
  return days;
}
