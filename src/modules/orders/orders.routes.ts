import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import {
  BadRequestError,
  formBody,
  formError,
  formErrorsFrom,
  takeSubmissionId,
  type FormErrors,
} from '../../platform/http/forms.ts';
import { NotFoundError, signedIn, uuidParam, type Route } from '../../platform/http/routing.ts';
import { formatDateTime } from '../../platform/http/views.ts';
import { can } from '../../platform/permissions.ts';
import { paths } from '../../paths.ts';
import { dateItems, formatIsoDate } from '../cases/case-view.ts';
import { inScope } from '../cases/case-results.ts';
import { CONDITION_KIND_LABELS, isProhibition } from './conditions.ts';
import { addDays, NOTIFICATION_DAYS, type RuleProblem } from './order-rules.ts';
import {
  breachRows,
  changeRows,
  conditionKindItems,
  conditionRows,
  dateInputs,
  dateRows,
  dateValues,
  durationItems,
  durationText,
  nextStatusItems,
  orderName,
  OUTCOME_LABELS,
  outcomeItems,
  placeItems,
  REPORT_ROUTE_LABELS,
  reportRouteItems,
  startingStatusItems,
  statusTag,
  summaryFor,
  typeItems,
} from './orders-view.ts';
import {
  breachSchema,
  conditionSchema,
  endConditionSchema,
  orderSchema,
  outcomeSchema,
  reportSchema,
  statusSchema,
} from './orders.schema.ts';

type Form = { values: Record<string, unknown>; errors?: FormErrors };

const NOTICES: Record<string, string> = {
  recorded: 'Order recorded',
  status: 'The order is updated',
  condition: 'Condition added',
  condition_ended: 'The condition is marked as ended',
  breach: 'Breach recorded. The caseworker is told, and a task to review the risk is raised.',
  reported: 'The report to police is recorded',
  outcome: 'Outcome recorded',
};

/** Rule problems as form errors, on the date or field they concern. */
function problemErrors(problems: RuleProblem[]): FormErrors {
  const errors: FormErrors = { summary: [], fields: {} };
  for (const { field, message } of problems) {
    const id = field === 'status' ? 'status' : field === 'untilFurtherOrder' ? 'duration' : `${field}-day`;
    if (!errors.fields[id]) errors.fields[id] = { text: message };
    errors.summary.push({ text: message, href: `#${id}` });
  }
  return errors;
}

/**
 * Protection orders on a case (record, change, conditions, a plain summary for the client) and breaches of them
 * (from a diary incident, reported to police, followed to an outcome). Within the caller's record scope.
 */
export function ordersRoutes(services: Services): Route[] {
  const orders = services.orders;
  const ids = (request: FastifyRequest) => ({
    session: signedIn(request).session,
    caseId: uuidParam(request, 'caseId'),
  });
  const done = (request: FastifyRequest) =>
    NOTICES[(request.query as { done?: string } | undefined)?.done ?? ''] ?? null;

  const showNew = async (request: FastifyRequest, reply: FastifyReply, form: Form | null = null) => {
    const { session, caseId } = ids(request);
    const choices = inScope(await orders.newOrderChoices(session, caseId));
    const values = form?.values ?? { duration: 'fixed' };
    return reply.code(form?.errors ? 400 : 200).render('orders/new.njk', {
      pageTitle: 'Record a protection order',
      record: { caseId, reference: choices.reference },
      submissionId: typeof values.submissionId === 'string' ? values.submissionId : randomUUID(),
      values,
      typeItems: typeItems(values.type),
      statusItems: startingStatusItems(values.status),
      durationItems: durationItems(values.duration),
      perpetratorItems: [
        ...choices.perpetrators.map((perpetrator) => ({
          value: perpetrator.perpetratorId,
          text: perpetrator.name,
          checked: values.perpetratorId === perpetrator.perpetratorId,
        })),
        { divider: 'or' },
        { value: 'none', text: 'Not recorded on this case yet', checked: values.perpetratorId === 'none' },
      ],
      dates: dateInputs(values, form?.errors),
      errors: form?.errors,
    });
  };

  const showOrder = async (
    request: FastifyRequest,
    reply: FastifyReply,
    forms: { status?: Form; condition?: Form } = {},
  ) => {
    const { session, caseId } = ids(request);
    const orderId = uuidParam(request, 'orderId');
    const record = inScope(await orders.order(session, caseId, orderId));
    if (!record) throw new NotFoundError('order');
    const canChange = can(session.user.role, 'order:record');
    const statusValues = forms.status?.values ?? { ...dateValues(record.state) };
    const conditionValues = forms.condition?.values ?? {};
    const summary = summaryFor(record.conditionList);
    return reply
      .code(forms.status?.errors || forms.condition?.errors ? 400 : 200)
      .render('orders/order.njk', {
        pageTitle: `${orderName(record.state, record.number)} – case ${record.reference}`,
        record: { caseId, reference: record.reference },
        order: {
          orderId,
          name: orderName(record.state, record.number),
          status: statusTag(record.state.status),
          from: record.state.status,
          inForce: record.inForceToday,
          against: record.perpetratorName ?? 'Not recorded',
          duration: durationText(record.state),
          dates: dateRows(record.state),
          details: record.details,
          isSpo: record.state.type === 'spo',
          notificationDue:
            record.state.type === 'spo' && record.state.servedOn
              ? formatIsoDate(addDays(record.state.servedOn, NOTIFICATION_DAYS))
              : null,
        },
        changes: changeRows(record),
        conditions: conditionRows(record.conditionList, caseId, orderId, canChange),
        summary,
        summaryHref: paths.orderSummary(caseId, orderId),
        breaches: breachRows(record.breachList, caseId),
        reminders: record.reminders.map((reminder) => ({
          title: reminder.title,
          due: formatIsoDate(reminder.dueOn),
          done: reminder.done,
        })),
        canChange,
        statusForm: {
          values: statusValues,
          items: nextStatusItems(record, statusValues.to),
          durationItems: durationItems(statusValues.duration),
          dates: dateInputs(statusValues, forms.status?.errors),
          errors: forms.status?.errors,
        },
        conditionForm: {
          submissionId:
            typeof conditionValues.submissionId === 'string' ? conditionValues.submissionId : randomUUID(),
          values: conditionValues,
          kindItems: conditionKindItems(conditionValues.kind),
          placeItems: placeItems(conditionValues.places),
          fromItems: dateItems(
            'fromOn',
            conditionValues,
            Boolean(forms.condition?.errors?.fields['fromOn-day']),
          ),
          errors: forms.condition?.errors,
        },
        errors: forms.status?.errors ?? forms.condition?.errors,
        notice: done(request),
      });
  };

  const showBreachNew = async (request: FastifyRequest, reply: FastifyReply, form: Form | null = null) => {
    const { session, caseId } = ids(request);
    const entryId = uuidParam(request, 'entryId');
    const choices = inScope(await orders.breachChoices(session, caseId, entryId));
    if (!choices) throw new NotFoundError('diary entry');
    const values = form?.values ?? {};
    const chosen = Array.isArray(values.conditions) ? values.conditions : [values.conditions];
    return reply.code(form?.errors ? 400 : 200).render('orders/breach-new.njk', {
      pageTitle: `Record a breach – case ${choices.reference}`,
      record: { caseId, reference: choices.reference },
      entry: {
        entryId,
        number: choices.entryNumber,
        occurred: choices.occurredTo
          ? `between ${formatDateTime(choices.occurredFrom)} and ${formatDateTime(choices.occurredTo)}`
          : formatDateTime(choices.occurredFrom),
        href: paths.diaryEntry(caseId, entryId),
      },
      orders: choices.orders.map((order) => ({
        name: orderName({ type: order.type }, order.number),
        already: order.already,
        items: order.conditions.map((condition) => ({
          value: condition.conditionId,
          text: `${condition.number}. ${CONDITION_KIND_LABELS[condition.kind]}`,
          hint: { text: condition.terms.wording },
          checked: chosen.includes(condition.conditionId),
        })),
      })),
      submissionId: typeof values.submissionId === 'string' ? values.submissionId : randomUUID(),
      values,
      errors: form?.errors,
    });
  };

  const showBreach = async (
    request: FastifyRequest,
    reply: FastifyReply,
    forms: { report?: Form; outcome?: Form } = {},
  ) => {
    const { session, caseId } = ids(request);
    const breachId = uuidParam(request, 'breachId');
    const breach = inScope(await orders.breach(session, caseId, breachId));
    if (!breach) throw new NotFoundError('breach');
    const reportValues = forms.report?.values ?? {};
    const outcomeValues = forms.outcome?.values ?? {};
    return reply.code(forms.report?.errors || forms.outcome?.errors ? 400 : 200).render('orders/breach.njk', {
      pageTitle: `Breach ${breach.number} – case ${breach.reference}`,
      record: { caseId, reference: breach.reference },
      breach: {
        breachId,
        title: `Breach ${breach.number} of ${orderName({ type: breach.orderType }, breach.orderNumber).toLowerCase()}`,
        orderHref: paths.order(caseId, breach.orderId),
        entry: `Diary entry ${breach.entryNumber}`,
        entryHref: paths.diaryEntry(caseId, breach.entryId),
        occurred: formatDateTime(breach.occurredFrom),
        recorded: `${formatDateTime(breach.recordedAt)} by ${breach.recordedByName}`,
        note: breach.note,
        overdue: breach.overdue,
        conditions: breach.conditions.map((condition) => ({
          title: `${condition.number}. ${CONDITION_KIND_LABELS[condition.kind]}`,
          wording: condition.terms.wording,
          prohibition: isProhibition(condition.kind),
        })),
        report: breach.report
          ? {
              when: formatDateTime(breach.report.reportedAt),
              how: REPORT_ROUTE_LABELS[breach.report.how],
              officer: breach.report.officer,
              crimeReference: breach.report.crimeReference,
            }
          : null,
        outcomes: breach.outcomes.map((outcome) => ({
          outcome: OUTCOME_LABELS[outcome.outcome],
          on: formatIsoDate(outcome.outcomeOn),
          note: outcome.note,
          by: outcome.recordedByName,
        })),
      },
      canChange: can(session.user.role, 'order:record'),
      reportForm: {
        values: reportValues,
        dateItems: dateItems(
          'reportedOn',
          reportValues,
          Boolean(forms.report?.errors?.fields['reportedOn-day']),
        ),
        howItems: reportRouteItems(reportValues.how),
        errors: forms.report?.errors,
      },
      outcomeForm: {
        submissionId:
          typeof outcomeValues.submissionId === 'string' ? outcomeValues.submissionId : randomUUID(),
        values: outcomeValues,
        items: outcomeItems(outcomeValues.outcome),
        dateItems: dateItems(
          'outcomeOn',
          outcomeValues,
          Boolean(forms.outcome?.errors?.fields['outcomeOn-day']),
        ),
        errors: forms.outcome?.errors,
      },
      errors: forms.report?.errors ?? forms.outcome?.errors,
      notice: done(request),
    });
  };

  return [
    {
      method: 'GET',
      url: paths.caseOrderNew(),
      access: { permission: 'order:record' },
      handler: async (request, reply) => showNew(request, reply),
    },
    {
      method: 'POST',
      url: paths.caseOrders(),
      access: { permission: 'order:record' },
      audit: 'order.recorded',
      handler: async (request, reply) => {
        const { session, caseId } = ids(request);
        inScope(await orders.reachable(session, caseId));
        const { submissionId, fields } = takeSubmissionId(formBody(request.body));
        const values = { ...fields, submissionId };
        const parsed = orderSchema.safeParse(fields);
        if (!parsed.success) return showNew(request, reply, { values, errors: formErrorsFrom(parsed.error) });
        const result = inScope(await orders.record(session, caseId, submissionId, parsed.data));
        if (result.kind === 'stale_form') throw new BadRequestError('Altered form');
        if (result.kind === 'problems')
          return showNew(request, reply, { values, errors: problemErrors(result.problems) });
        return reply.redirect(`${paths.order(caseId, result.id)}?done=recorded`, 303);
      },
    },
    {
      method: 'GET',
      url: paths.order(),
      access: { permission: 'case:read' },
      audit: 'order.viewed',
      handler: async (request, reply) => showOrder(request, reply),
    },
    {
      method: 'POST',
      url: paths.orderStatus(),
      access: { permission: 'order:record' },
      audit: 'order.status_changed',
      handler: async (request, reply) => {
        const { session, caseId } = ids(request);
        const orderId = uuidParam(request, 'orderId');
        inScope(await orders.reachable(session, caseId));
        const body = formBody(request.body);
        const parsed = statusSchema.safeParse(body);
        if (!parsed.success)
          return showOrder(request, reply, {
            status: { values: body, errors: formErrorsFrom(parsed.error) },
          });
        const result = inScope(await orders.changeStatus(session, caseId, orderId, parsed.data));
        if (result.kind === 'not_found') throw new NotFoundError('order');
        if (result.kind === 'stale_form') throw new BadRequestError('Altered form');
        if (result.kind === 'changed_since')
          return showOrder(request, reply, {
            status: {
              values: { ...body, from: result.status },
              errors: formError(
                'to',
                'Someone changed this order since you opened it: check where it stands now, then choose again',
              ),
            },
          });
        if (result.kind === 'problems')
          return showOrder(request, reply, {
            status: { values: body, errors: problemErrors(result.problems) },
          });
        return reply.redirect(`${paths.order(caseId, orderId)}?done=status`, 303);
      },
    },
    {
      method: 'POST',
      url: paths.orderConditions(),
      access: { permission: 'order:record' },
      audit: 'order.condition_added',
      handler: async (request, reply) => {
        const { session, caseId } = ids(request);
        const orderId = uuidParam(request, 'orderId');
        inScope(await orders.reachable(session, caseId));
        const { submissionId, fields } = takeSubmissionId(formBody(request.body));
        const values = { ...fields, submissionId };
        const parsed = conditionSchema.safeParse(fields);
        if (!parsed.success)
          return showOrder(request, reply, { condition: { values, errors: formErrorsFrom(parsed.error) } });
        const result = inScope(
          await orders.addCondition(session, caseId, orderId, submissionId, parsed.data),
        );
        if (result === 'not_found') throw new NotFoundError('order');
        if (result === 'stale_form') throw new BadRequestError('Altered form');
        if (result === 'ended')
          return showOrder(request, reply, {
            condition: {
              values,
              errors: formError('kind', 'This order has ended: conditions can no longer be added'),
            },
          });
        return reply.redirect(`${paths.order(caseId, orderId)}?done=condition#conditions`, 303);
      },
    },
    {
      method: 'POST',
      url: paths.orderConditionEnd(),
      access: { permission: 'order:record' },
      audit: 'order.condition_ended',
      handler: async (request, reply) => {
        const { session, caseId } = ids(request);
        const orderId = uuidParam(request, 'orderId');
        const conditionId = uuidParam(request, 'conditionId');
        const parsed = endConditionSchema.safeParse(formBody(request.body));
        if (!parsed.success)
          return showOrder(request, reply, {
            condition: { values: {}, errors: formErrorsFrom(parsed.error) },
          });
        inScope(await orders.endCondition(session, caseId, orderId, conditionId, parsed.data.endedOn));
        return reply.redirect(`${paths.order(caseId, orderId)}?done=condition_ended#conditions`, 303);
      },
    },
    {
      method: 'GET',
      url: paths.orderSummary(),
      access: { permission: 'case:read' },
      audit: 'order.viewed',
      handler: async (request, reply) => {
        const { session, caseId } = ids(request);
        const orderId = uuidParam(request, 'orderId');
        const record = inScope(await orders.order(session, caseId, orderId));
        if (!record) throw new NotFoundError('order');
        return reply.render('orders/summary.njk', {
          pageTitle: 'What the order means',
          record: { caseId, reference: record.reference },
          order: {
            name: orderName(record.state, record.number),
            orderHref: paths.order(caseId, orderId),
            inForce: record.inForceToday,
            duration: durationText(record.state),
          },
          summary: summaryFor(record.conditionList),
        });
      },
    },
    {
      method: 'GET',
      url: paths.diaryEntryBreach(),
      access: { permission: 'order:record' },
      audit: 'order.breach_form_viewed',
      handler: async (request, reply) => showBreachNew(request, reply),
    },
    {
      method: 'POST',
      url: paths.diaryEntryBreach(),
      access: { permission: 'order:record' },
      audit: 'order.breach_recorded',
      handler: async (request, reply) => {
        const { session, caseId } = ids(request);
        const entryId = uuidParam(request, 'entryId');
        inScope(await orders.reachable(session, caseId));
        const { submissionId, fields } = takeSubmissionId(formBody(request.body));
        const values = { ...fields, submissionId };
        const parsed = breachSchema.safeParse(fields);
        if (!parsed.success)
          return showBreachNew(request, reply, { values, errors: formErrorsFrom(parsed.error) });
        const result = inScope(
          await orders.recordBreach(session, caseId, entryId, submissionId, parsed.data),
        );
        if (result.kind === 'stale_form') throw new BadRequestError('Altered form');
        if (result.kind === 'not_in_force')
          return showBreachNew(request, reply, {
            values,
            errors: formError(
              'conditions',
              'A condition you chose was not in force when the incident happened',
            ),
          });
        if (result.kind === 'already_recorded')
          return showBreachNew(request, reply, {
            values,
            errors: formError('conditions', 'This incident is already recorded as a breach of that order'),
          });
        const caseworker = await orders.caseworkerToTell(session, caseId);
        if (caseworker) await services.notifications.breachRecorded(session.organisationId, caseworker);
        return reply.redirect(`${paths.breach(caseId, result.breachIds[0])}?done=breach`, 303);
      },
    },
    {
      method: 'GET',
      url: paths.breach(),
      access: { permission: 'case:read' },
      audit: 'order.breach_viewed',
      handler: async (request, reply) => showBreach(request, reply),
    },
    {
      method: 'POST',
      url: paths.breachReport(),
      access: { permission: 'order:record' },
      audit: 'order.breach_reported',
      handler: async (request, reply) => {
        const { session, caseId } = ids(request);
        const breachId = uuidParam(request, 'breachId');
        const body = formBody(request.body);
        const parsed = reportSchema.safeParse(body);
        if (!parsed.success)
          return showBreach(request, reply, {
            report: { values: body, errors: formErrorsFrom(parsed.error) },
          });
        const result = inScope(await orders.reportBreach(session, caseId, breachId, parsed.data));
        if (result === 'not_found') throw new NotFoundError('breach');
        if (result === 'in_future')
          return showBreach(request, reply, {
            report: {
              values: body,
              errors: formError('reportedOn-day', 'The date and time it was reported must be in the past'),
            },
          });
        return reply.redirect(`${paths.breach(caseId, breachId)}?done=reported`, 303);
      },
    },
    {
      method: 'POST',
      url: paths.breachOutcomes(),
      access: { permission: 'order:record' },
      audit: 'order.breach_outcome_added',
      handler: async (request, reply) => {
        const { session, caseId } = ids(request);
        const breachId = uuidParam(request, 'breachId');
        inScope(await orders.reachable(session, caseId));
        const { submissionId, fields } = takeSubmissionId(formBody(request.body));
        const values = { ...fields, submissionId };
        const parsed = outcomeSchema.safeParse(fields);
        if (!parsed.success)
          return showBreach(request, reply, { outcome: { values, errors: formErrorsFrom(parsed.error) } });
        const result = inScope(await orders.addOutcome(session, caseId, breachId, submissionId, parsed.data));
        if (result === 'not_found') throw new NotFoundError('breach');
        if (result === 'stale_form') throw new BadRequestError('Altered form');
        return reply.redirect(`${paths.breach(caseId, breachId)}?done=outcome`, 303);
      },
    },
  ];
}
