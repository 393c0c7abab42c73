import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../composition.ts';
import { DAY, ukDate } from '../../platform/clock.ts';
import { paths } from '../../paths.ts';
import { bundleView } from '../bundles/bundles.routes.ts';
import { isUuid } from '../../platform/auth/tokens.ts';
import {
  formBody,
  formError,
  formErrorsFrom,
  takeSubmissionId,
  type FormErrors,
} from '../../platform/http/forms.ts';
import {
  ForbiddenError,
  NotFoundError,
  signedIn,
  type Route,
  uuidParam,
} from '../../platform/http/routing.ts';
import { can } from '../../platform/permissions.ts';
import type { CloseOutcome, ContactMethod, ContactOutcome } from '../../db/schema.ts';
import {
  allocationChoices,
  allocationHistoryRows,
  caseDetailRows,
  caseloadRows,
  caseloadTasks,
  choiceItems,
  CLOSE_OUTCOMES,
  clientIdentityRows,
  CONTACT_DIRECTIONS,
  CONTACT_METHODS,
  CONTACT_OUTCOMES,
  contactRows,
  dateItems,
  isoDateFrom,
  noteRows,
  ownerChoices,
  safeContactRows,
  statusHistoryRows,
  taskRows,
  timeFrom,
  ukInstant,
} from './case-view.ts';
import { showOutsideScope } from './break-glass.routes.ts';
import { clientSummaryFor } from '../clients/clients.routes.ts';
import type { NewContact } from './casework.service.ts';
import { onwardReferralCards, serviceRows } from './support-view.ts';
import { relationshipText, riskFactorText } from '../perpetrators/perpetrator-view.ts';
import { inScope, recorded } from './case-results.ts';
import { diarySummary } from '../diary/diary-view.ts';
import { caseOrderRows } from '../orders/orders-view.ts';
import { caseRiskView } from '../risk/risk-view.ts';
import { caseMaracView } from '../marac/marac-view.ts';
import { caseSafetyPlanView } from '../safety-plans/safety-plan-view.ts';
import { caseLiaisonView } from '../liaison/liaison-view.ts';

/** Tasks due within this many days (today included) are called out on the caseload. */
const DUE_SOON_DAYS = 7;

const SELECT_SOMEONE = 'Select who will hold the case';

export const allocationSchema = z.strictObject({
  allocateTo: z.uuid({ error: SELECT_SOMEONE }),
});

const caseloadQuery = z.object({ view: z.enum(['mine', 'team']).catch('mine') });

const text = z.string().optional();
const MAX_TEXT = 10_000;

function problem(ctx: z.RefinementCtx, field: string, message: string): void {
  ctx.addIssue({ code: 'custom', path: [field], message });
}

const oneOf = <T extends string>(options: { value: T }[], value: string | undefined): value is T =>
  options.some((option) => option.value === value);

/** The record-a-contact form. `today` (YYYY-MM-DD, UK) bounds the date: contacts are recorded after they happen. */
export function contactSchema(today: string) {
  return z
    .strictObject({
      'occurredOn-day': text,
      'occurredOn-month': text,
      'occurredOn-year': text,
      occurredTime: text,
      durationMinutes: text,
      method: text,
      direction: text,
      outcome: text,
      summary: text,
      safeContactFollowed: text,
      safeContactNote: text,
    })
    .transform((form, ctx): NewContact => {
      const parts = [form['occurredOn-day'], form['occurredOn-month'], form['occurredOn-year']].map(
        (part) => part?.trim() ?? '',
      ) as [string, string, string];
      const isoDate = isoDateFrom(...parts);
      if (parts.every((part) => part === '')) problem(ctx, 'occurredOn-day', 'Enter the date of the contact');
      else if (!isoDate) problem(ctx, 'occurredOn-day', 'Date of the contact must be a real date');
      else if (isoDate > today)
        problem(ctx, 'occurredOn-day', 'Date of the contact must be today or in the past');
      const time = timeFrom(form.occurredTime ?? '');
      if (!form.occurredTime?.trim()) problem(ctx, 'occurredTime', 'Enter the time of the contact');
      else if (!time) problem(ctx, 'occurredTime', 'Enter the time as hours and minutes, like 14:30');
      const occurredAt = isoDate && time ? ukInstant(isoDate, time) : null;
      const duration = form.durationMinutes?.trim() ?? '';
      if (duration && (!/^\d{1,4}$/.test(duration) || Number(duration) < 1 || Number(duration) > 1440))
        problem(ctx, 'durationMinutes', 'Duration must be a whole number of minutes between 1 and 1440');
      if (!oneOf(CONTACT_METHODS, form.method)) problem(ctx, 'method', 'Select how the contact happened');
      if (!oneOf(CONTACT_DIRECTIONS, form.direction)) problem(ctx, 'direction', 'Select who made contact');
      if (!oneOf(CONTACT_OUTCOMES, form.outcome)) problem(ctx, 'outcome', 'Select what happened');
      const summary = form.summary?.trim() ?? '';
      if (!summary) problem(ctx, 'summary', 'Enter a summary of the contact');
      else if (summary.length > MAX_TEXT)
        problem(ctx, 'summary', 'Summary must be 10,000 characters or fewer');
      const followed = form.safeContactFollowed;
      const note = form.safeContactNote?.trim() ?? '';
      if (followed !== 'yes' && followed !== 'no')
        problem(ctx, 'safeContactFollowed', 'Select yes if the client’s safe-contact rules were followed');
      else if (followed === 'no' && !note)
        problem(ctx, 'safeContactNote', 'Enter why the safe-contact rules were not followed');
      else if (note.length > MAX_TEXT)
        problem(ctx, 'safeContactNote', 'Reason must be 10,000 characters or fewer');
      return {
        occurredAt: occurredAt ?? new Date(0),
        durationMinutes: duration ? Number(duration) : null,
        method: form.method as ContactMethod,
        direction: form.direction as 'outgoing' | 'incoming',
        outcome: form.outcome as ContactOutcome,
        summary,
        safeContactFollowed: followed === 'yes',
        safeContactNote: followed === 'no' ? note : null,
      };
    });
}

export const noteSchema = z.strictObject({
  body: z
    .string()
    .optional()
    .transform((value) => value?.trim() ?? '')
    .pipe(
      z
        .string()
        .min(1, { error: 'Enter the note' })
        .max(MAX_TEXT, { error: 'Note must be 10,000 characters or fewer' }),
    ),
});

export const taskSchema = z
  .strictObject({
    title: text,
    'dueOn-day': text,
    'dueOn-month': text,
    'dueOn-year': text,
    ownerId: text,
  })
  .transform((form, ctx) => {
    const title = form.title?.trim() ?? '';
    if (!title) problem(ctx, 'title', 'Enter what needs doing');
    else if (title.length > 200) problem(ctx, 'title', 'Task must be 200 characters or fewer');
    const parts = [form['dueOn-day'], form['dueOn-month'], form['dueOn-year']].map(
      (part) => part?.trim() ?? '',
    ) as [string, string, string];
    const dueOn = isoDateFrom(...parts);
    if (parts.every((part) => part === '')) problem(ctx, 'dueOn-day', 'Enter the date the task is due');
    else if (!dueOn) problem(ctx, 'dueOn-day', 'Due date must be a real date');
    if (!isUuid(form.ownerId ?? '')) problem(ctx, 'ownerId', 'Select who will do the task');
    return { title, dueOn: dueOn ?? '', ownerId: form.ownerId ?? '' };
  });

export const closeSchema = z.strictObject({
  outcome: z.enum(CLOSE_OUTCOMES.map((option) => option.value) as [CloseOutcome, ...CloseOutcome[]], {
    error: 'Select the outcome of the case',
  }),
  reason: z
    .string()
    .optional()
    .transform((value) => value?.trim() ?? '')
    .pipe(
      z
        .string()
        .min(1, { error: 'Enter why the case is being closed' })
        .max(MAX_TEXT, { error: 'Reason must be 10,000 characters or fewer' }),
    ),
});

export const reopenSchema = z.strictObject({
  reopenReason: z
    .string()
    .optional()
    .transform((value) => value?.trim() ?? '')
    .pipe(
      z
        .string()
        .min(1, { error: 'Enter why the case is being reopened' })
        .max(MAX_TEXT, { error: 'Reason must be 10,000 characters or fewer' }),
    ),
});

const NOTICES: Record<string, string> = {
  contact: 'Contact recorded',
  'client-identity': 'Name, date of birth and gender saved',
  'client-safe_contact': 'Contact details and safe contact saved',
  note: 'Note added',
  task: 'Task added',
  task_done: 'Task marked as done',
  closed: 'Case closed',
  reopened: 'Case reopened',
  service: 'Service recorded',
  service_ended: 'Service ended',
  onward_referral: 'Referral to another agency recorded',
  onward_outcome: 'Outcome recorded',
  police_contact: 'Police contact added',
  police_contact_changed: 'Police contact changed',
  police_contact_not_involved: 'Police contact marked as no longer involved',
  crime_reference: 'Crime reference added',
  hearing: 'Court hearing added',
  hearing_changed: 'Court hearing changed',
  hearing_outcome: 'Outcome of the hearing recorded',
};

/** A caseworker's own cases, the team's cases for managers, each case record, and allocation. */
export function caseRoutes(services: Services): Route[] {
  const showCase = async (
    request: FastifyRequest,
    reply: FastifyReply,
    form: { values: Record<string, unknown>; errors?: FormErrors } = { values: {} },
  ) => {
    const { session } = signedIn(request);
    const access = await services.cases.view(session, uuidParam(request, 'caseId'));
    if (access.kind === 'not_found') throw new NotFoundError('case');
    if (access.kind === 'not_on_caseload') return showOutsideScope(services, request, reply);
    const { record } = access;
    const role = session.user.role;
    const canAllocate = can(role, 'case:allocate') && record.status !== 'closed';
    const caseId = record.caseId;
    const [
      loads,
      contacts,
      notes,
      tasks,
      statusChanges,
      given,
      referredOn,
      perpetrators,
      diary,
      escalations,
      marac,
      risk,
      orders,
      safetyPlan,
      bundles,
      liaison,
      spoRequests,
    ] = await Promise.all([
      services.cases.caseworkers(session),
      services.casework.contacts(session, caseId).then(inScope),
      services.casework.notes(session, caseId).then(inScope),
      services.casework.tasksForCase(session, caseId).then(inScope),
      services.casework.statusHistory(session, caseId).then(inScope),
      services.casework.services(session, caseId).then(inScope),
      services.casework.onwardReferrals(session, caseId).then(inScope),
      services.perpetrators.listForCase(session, caseId),
      services.diary.summary(session, caseId).then(inScope),
      services.patterns.recentEscalations(session, caseId).then(inScope),
      services.marac.forCase(session, caseId).then(inScope),
      services.risk.forCase(session, caseId).then(inScope),
      services.orders.forCase(session, caseId).then(inScope),
      services.safetyPlans.forCase(session, caseId).then(inScope),
      can(role, 'bundle:create') ? services.bundles.ofCase(session, caseId).then(inScope) : null,
      services.liaison.forCase(session, caseId).then(inScope),
      services.spoRequests.forCase(session, caseId).then(inScope),
    ]);
    const done = (request.query as { done?: string }).done;
    const values = form.values;
    return reply.code(form.errors ? 400 : 200).render('cases/case.njk', {
      pageTitle: `Case ${record.reference}`,
      record,
      safeContact: safeContactRows(record.client),
      identity: clientIdentityRows(record.client),
      clientRecord: await clientSummaryFor(services, request, caseId),
      details: caseDetailRows(record),
      history: allocationHistoryRows(record.allocations),
      referral: can(role, 'referral:triage') ? record.referral : null,
      allocation: canAllocate
        ? {
            reallocating: record.allocatedTo !== null,
            items: allocationChoices(loads, record.allocatedTo?.userId ?? null, values.allocateTo),
          }
        : null,
      contacts: contactRows(contacts),
      notes: noteRows(notes),
      tasks: taskRows(tasks),
      statusHistory: statusHistoryRows(statusChanges),
      services: serviceRows(given),
      onwardReferrals: onwardReferralCards(referredOn),
      perpetrators: can(role, 'perpetrator:read')
        ? perpetrators.map((perpetrator) => ({
            href: paths.perpetrator(perpetrator.perpetratorId),
            name: perpetrator.name ?? 'Name not known',
            aliases: perpetrator.aliases.join(', '),
            relationship: relationshipText(perpetrator.relationship),
            riskFactors: perpetrator.riskFactors.map(riskFactorText),
            otherCases: perpetrator.otherCases,
          }))
        : null,
      canAddPerpetrator: can(role, 'perpetrator:manage'),
      diary: diarySummary(diary),
      escalations,
      marac: caseMaracView(marac, caseId, can(role, 'marac:refer')),
      risk: caseRiskView(risk, caseId, can(role, 'risk:assess')),
      orders: {
        rows: caseOrderRows(orders, caseId),
        newHref: can(role, 'order:record') ? paths.caseOrderNew(caseId) : null,
      },
      safetyPlan: caseSafetyPlanView(safetyPlan, caseId, can(role, 'safety_plan:change')),
      bundles: bundles
        ? {
            newHref: paths.caseBundleNew(caseId),
            list: bundles.map((job) => bundleView(job, paths.caseBundle(caseId, job.bundleId))),
          }
        : null,
      liaison: caseLiaisonView(
        liaison,
        spoRequests,
        caseId,
        can(role, 'police_liaison:record'),
        services.clock.now(),
      ),
      values,
      taskForm: {
        submissionId: randomUUID(),
        dueItems: dateItems('dueOn', values, Boolean(form.errors?.fields['dueOn-day'])),
        owners: ownerChoices(loads, record.allocatedTo?.userId ?? null, values.ownerId),
      },
      noteSubmissionId: randomUUID(),
      notice: form.errors
        ? null
        : done === 'allocated' && record.allocatedTo
          ? `Case allocated to ${record.allocatedTo.name}`
          : (NOTICES[done ?? ''] ?? null),
      errors: form.errors,
    });
  };

  const caseFor = async (request: FastifyRequest) => {
    const { session } = signedIn(request);
    const access = await services.cases.view(session, uuidParam(request, 'caseId'));
    if (access.kind === 'not_found') throw new NotFoundError('case');
    if (access.kind === 'not_on_caseload') throw new ForbiddenError('case is not on the caseload');
    return access.record;
  };

  const showContactForm = async (
    request: FastifyRequest,
    reply: FastifyReply,
    form: { values: Record<string, unknown>; errors?: FormErrors } = { values: {} },
  ) => {
    const record = await caseFor(request);
    const { values } = form;
    return reply.code(form.errors ? 400 : 200).render('cases/contact-new.njk', {
      pageTitle: 'Record a contact',
      record,
      submissionId: randomUUID(),
      safeContact: safeContactRows(record.client),
      values,
      dateItems: dateItems('occurredOn', values, Boolean(form.errors?.fields['occurredOn-day'])),
      methodItems: choiceItems(CONTACT_METHODS, values.method),
      directionItems: choiceItems(CONTACT_DIRECTIONS, values.direction),
      outcomeItems: choiceItems(CONTACT_OUTCOMES, values.outcome),
      errors: form.errors,
    });
  };

  const showCloseForm = async (
    request: FastifyRequest,
    reply: FastifyReply,
    form: { values: Record<string, unknown>; errors?: FormErrors } = { values: {} },
  ) => {
    const record = await caseFor(request);
    if (record.status === 'closed') return reply.redirect(paths.case(record.caseId), 303);
    return reply.code(form.errors ? 400 : 200).render('cases/close.njk', {
      pageTitle: 'Close the case',
      record,
      values: form.values,
      outcomeItems: choiceItems(CLOSE_OUTCOMES, form.values.outcome),
      errors: form.errors,
    });
  };

  const backToCase = (reply: FastifyReply, caseId: string, done: string) =>
    reply.redirect(`${paths.case(caseId)}?done=${done}`, 303);

  /** Refuses a case outside the caller's scope before a form is read: 403 whatever was sent. */
  const checkScope = async (request: FastifyRequest) =>
    inScope(await services.casework.caseInScope(signedIn(request).session, uuidParam(request, 'caseId')));

  return [
    {
      method: 'GET',
      url: paths.cases,
      access: { permission: 'case:read' },
      audit: 'case.caseload_viewed',
      handler: async (request, reply) => {
        const { session } = signedIn(request);
        const { view } = caseloadQuery.parse(request.query ?? {});
        const now = services.clock.now();
        const dueSoonThrough = ukDate(new Date(now.getTime() + (DUE_SOON_DAYS - 1) * DAY));
        const page = await services.cases.caseloadPage(session, view, dueSoonThrough);
        if (page.kind === 'forbidden') throw new ForbiddenError('team caseload');
        const { seesTeam, cases, tasks } = page;
        const rows = caseloadRows(cases, (caseId) => paths.case(caseId));
        return reply.render('cases/caseload.njk', {
          pageTitle: view === 'team' ? 'Team cases' : 'Your caseload',
          view,
          cases: rows,
          newCases: rows.filter((row) => row.isNew),
          tasks: caseloadTasks(tasks, dueSoonThrough, (caseId) => paths.case(caseId)),
          dueSoonDays: DUE_SOON_DAYS,
          tabs: seesTeam
            ? [
                { text: 'Your cases', href: paths.cases, active: view === 'mine' },
                { text: 'Team cases', href: `${paths.cases}?view=team`, active: view === 'team' },
              ]
            : null,
        });
      },
    },
    {
      method: 'GET',
      url: paths.case(),
      access: { permission: 'case:read' },
      audit: 'case.viewed',
      handler: async (request, reply) => showCase(request, reply),
    },
    {
      method: 'POST',
      url: paths.caseAllocation(),
      access: { permission: 'case:allocate' },
      audit: 'case.allocated',
      handler: async (request, reply) => {
        const caseId = uuidParam(request, 'caseId');
        const body = formBody(request.body);
        const parsed = allocationSchema.safeParse(body);
        if (!parsed.success) {
          return showCase(request, reply, { values: body, errors: formErrorsFrom(parsed.error) });
        }
        const outcome = await services.cases.allocate(
          signedIn(request).session,
          caseId,
          parsed.data.allocateTo,
        );
        if (outcome === 'not_found') throw new NotFoundError('case');
        if (outcome === 'not_a_caseworker') {
          return showCase(request, reply, {
            values: body,
            errors: formError('allocateTo', 'Select a caseworker or manager from the list'),
          });
        }
        return reply.redirect(`${paths.case(caseId)}?done=allocated`, 303);
      },
    },
    {
      method: 'GET',
      url: paths.caseContactNew(),
      access: { permission: 'case:read' },
      audit: 'case.contact_form_viewed',
      handler: async (request, reply) => showContactForm(request, reply),
    },
    {
      method: 'POST',
      url: paths.caseContactNew(),
      access: { permission: 'case:read' },
      audit: 'case.contact_recorded',
      handler: async (request, reply) => {
        const { caseId } = await checkScope(request);
        const { submissionId, fields: body } = takeSubmissionId(formBody(request.body));
        const parsed = contactSchema(ukDate(services.clock.now())).safeParse(body);
        if (!parsed.success) {
          return showContactForm(request, reply, { values: body, errors: formErrorsFrom(parsed.error) });
        }
        recorded(
          inScope(
            await services.casework.addContact(signedIn(request).session, caseId, parsed.data, submissionId),
          ),
        );
        return backToCase(reply, caseId, 'contact');
      },
    },
    {
      method: 'POST',
      url: paths.caseNotes(),
      access: { permission: 'case:read' },
      audit: 'case.note_added',
      handler: async (request, reply) => {
        const { caseId } = await checkScope(request);
        const { submissionId, fields: body } = takeSubmissionId(formBody(request.body));
        const parsed = noteSchema.safeParse(body);
        if (!parsed.success) {
          return showCase(request, reply, { values: body, errors: formErrorsFrom(parsed.error) });
        }
        recorded(
          inScope(
            await services.casework.addNote(
              signedIn(request).session,
              caseId,
              parsed.data.body,
              submissionId,
            ),
          ),
        );
        return backToCase(reply, caseId, 'note');
      },
    },
    {
      method: 'POST',
      url: paths.caseTasks(),
      access: { permission: 'case:read' },
      audit: 'case.task_added',
      handler: async (request, reply) => {
        const { caseId } = await checkScope(request);
        const { submissionId, fields: body } = takeSubmissionId(formBody(request.body));
        const parsed = taskSchema.safeParse(body);
        if (!parsed.success) {
          return showCase(request, reply, { values: body, errors: formErrorsFrom(parsed.error) });
        }
        const added = inScope(
          await services.casework.addTask(signedIn(request).session, caseId, parsed.data, submissionId),
        );
        if (added === null) {
          return showCase(request, reply, {
            values: body,
            errors: formError('ownerId', 'Select a caseworker or manager from the list'),
          });
        }
        recorded(added);
        return backToCase(reply, caseId, 'task');
      },
    },
    {
      method: 'POST',
      url: paths.caseTaskDone(),
      access: { permission: 'case:read' },
      audit: 'case.task_completed',
      handler: async (request, reply) => {
        const caseId = uuidParam(request, 'caseId');
        const taskId = uuidParam(request, 'taskId');
        const completed = inScope(
          await services.casework.completeTask(signedIn(request).session, caseId, taskId),
        );
        if (!completed) {
          const open = inScope(await services.casework.tasksForCase(signedIn(request).session, caseId));
          if (!open.some((task) => task.taskId === taskId)) throw new NotFoundError('task');
        }
        return backToCase(reply, caseId, 'task_done');
      },
    },
    {
      method: 'GET',
      url: paths.caseClose(),
      access: { permission: 'case:read' },
      audit: 'case.close_form_viewed',
      handler: async (request, reply) => showCloseForm(request, reply),
    },
    {
      method: 'POST',
      url: paths.caseClose(),
      access: { permission: 'case:read' },
      audit: 'case.closed',
      handler: async (request, reply) => {
        const caseId = uuidParam(request, 'caseId');
        const body = formBody(request.body);
        const parsed = closeSchema.safeParse(body);
        if (!parsed.success) {
          return showCloseForm(request, reply, { values: body, errors: formErrorsFrom(parsed.error) });
        }
        const outcome = inScope(
          await services.casework.close(signedIn(request).session, caseId, parsed.data),
        );
        return outcome === 'done'
          ? backToCase(reply, caseId, 'closed')
          : reply.redirect(paths.case(caseId), 303);
      },
    },
    {
      method: 'POST',
      url: paths.caseReopen(),
      access: { permission: 'case:read' },
      audit: 'case.reopened',
      handler: async (request, reply) => {
        const caseId = uuidParam(request, 'caseId');
        const body = formBody(request.body);
        const parsed = reopenSchema.safeParse(body);
        if (!parsed.success) {
          return showCase(request, reply, { values: body, errors: formErrorsFrom(parsed.error) });
        }
        const outcome = inScope(
          await services.casework.reopen(signedIn(request).session, caseId, parsed.data.reopenReason),
        );
        return outcome === 'done'
          ? backToCase(reply, caseId, 'reopened')
          : reply.redirect(paths.case(caseId), 303);
      },
    },
  ];
}
