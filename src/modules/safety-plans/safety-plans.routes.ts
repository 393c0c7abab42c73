import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import { ukDate } from '../../platform/clock.ts';
import {
  BadRequestError,
  formBody,
  formErrorsFrom,
  takeSubmissionId,
  type FormErrors,
} from '../../platform/http/forms.ts';
import { NotFoundError, signedIn, uuidParam, type Route } from '../../platform/http/routing.ts';
import { can } from '../../platform/permissions.ts';
import { paths } from '../../paths.ts';
import { dateItems, formatIsoDate } from '../cases/case-view.ts';
import { inScope } from '../cases/case-results.ts';
import { formatDate } from '../../platform/http/views.ts';
import { emptyPlan, type PlanChange } from './plan.ts';
import {
  actionRows,
  changedSinceMessage,
  contactRows,
  historyRows,
  planSections,
  reviewDateValues,
  rowsIn,
  sectionValues,
  withBlankRow,
} from './safety-plan-view.ts';
import { reviewDateSchema, sectionFormShape, sectionSchema, type RowIndexes } from './safety-plans.schema.ts';
import type { SaveResult } from './safety-plans.service.ts';
import { sectionOf, type Section } from './sections.ts';
import { SHARING_PROBLEMS } from './sharing.ts';

type Form = { values: Record<string, unknown>; errors?: FormErrors; rows?: RowIndexes; basedOn?: number };

const NOTICES: Record<string, string> = {
  saved: 'Safety plan saved',
  unchanged: 'Nothing was changed, so no new version was saved',
};

/**
 * A case's safety plan: its page with a summary of each section, a page per section to change it (no
 * JavaScript needed), the review date, the versions kept and each one as it was, and the safe-to-print plan.
 * Every route is within the caller's record scope.
 */
export function safetyPlanRoutes(services: Services): Route[] {
  const plans = services.safetyPlans;
  const ids = (request: FastifyRequest) => ({
    session: signedIn(request).session,
    caseId: uuidParam(request, 'caseId'),
  });
  const sectionFrom = (request: FastifyRequest): Section => {
    const section = sectionOf((request.params as { section?: string }).section ?? '');
    if (!section) throw new NotFoundError('safety plan section');
    return section;
  };

  /**
   * Whether the plan has a newer version than the one a submitted form was opened on: then what was typed is
   * shown again with who changed it and when, and the form is moved on to the latest version, so saving again
   * (after checking) keeps both.
   */
  const changedSince = (
    form: Form | null,
    current: { versionNumber: number; savedBy: string; savedAt: Date } | null,
  ) =>
    form?.basedOn !== undefined && current && form.basedOn < current.versionNumber
      ? changedSinceMessage(current.savedBy, current.savedAt, services.clock.now())
      : null;
  const withConflict = (errors: FormErrors | undefined, text: string): FormErrors => ({
    summary: [{ text, href: '#plan-changes' }, ...(errors?.summary ?? [])],
    fields: errors?.fields ?? {},
  });

  const showSection = async (request: FastifyRequest, reply: FastifyReply, form: Form | null = null) => {
    const { session, caseId } = ids(request);
    const section = sectionFrom(request);
    const { reference, current, sharing } = inScope(
      await plans.current(session, caseId, 'safety_plan.change_opened', section.key),
    );
    const plan = current?.plan ?? emptyPlan();
    let values: Record<string, unknown> = form?.values ?? sectionValues(plan, section);
    let rows = form?.rows ?? rowsIn(values);
    // A section with nothing in it yet opens with a blank action (and a blank contact) to fill in.
    if (!form && rows.actions.length === 0) ({ values, rows } = withBlankRow(values, rows, 'action'));
    if (!form && section.key === 'emergency-contacts' && rows.contacts.length === 0)
      ({ values, rows } = withBlankRow(values, rows, 'contact'));
    const conflict = changedSince(form, current);
    const errors = conflict ? withConflict(form?.errors, conflict) : form?.errors;
    return reply.code(conflict ? 409 : errors ? 400 : 200).render('safety-plans/section.njk', {
      pageTitle: section.title,
      record: { caseId, reference },
      section,
      basedOn: current?.versionNumber ?? 0,
      submissionId: typeof values.submissionId === 'string' ? values.submissionId : randomUUID(),
      actions: actionRows(values, rows, errors),
      contacts: section.key === 'emergency-contacts' ? contactRows(values, rows, errors) : null,
      codeWord: typeof values.codeWord === 'string' ? values.codeWord : '',
      // When the plan changed under the form, what it says now in this section, to check against.
      latest:
        conflict && current
          ? planSections(current.plan, sharing, null).find((candidate) => candidate.key === section.key)
          : null,
      errors,
    });
  };

  const showReviewDate = async (request: FastifyRequest, reply: FastifyReply, form: Form | null = null) => {
    const { session, caseId } = ids(request);
    const { reference, current } = inScope(
      await plans.current(session, caseId, 'safety_plan.change_opened', 'review-date'),
    );
    const values = form?.values ?? reviewDateValues(current?.reviewOn ?? null);
    const conflict = changedSince(form, current);
    const errors = conflict ? withConflict(form?.errors, conflict) : form?.errors;
    return reply.code(conflict ? 409 : errors ? 400 : 200).render('safety-plans/review-date.njk', {
      pageTitle: 'Review date for the safety plan',
      record: { caseId, reference },
      basedOn: current?.versionNumber ?? 0,
      submissionId: typeof values.submissionId === 'string' ? values.submissionId : randomUUID(),
      reviewItems: dateItems('reviewOn', values, Boolean(errors?.fields['reviewOn-day'])),
      latestReviewOn: conflict
        ? current?.reviewOn
          ? formatIsoDate(current.reviewOn)
          : 'No review date set'
        : null,
      errors,
    });
  };

  /** The page to go back to after a save, or the form again with why it was not saved. */
  const afterSave = async (
    request: FastifyRequest,
    reply: FastifyReply,
    result: SaveResult,
    form: Form & { rowOf?: Record<string, number> },
    show: (request: FastifyRequest, reply: FastifyReply, form: Form) => Promise<FastifyReply>,
  ) => {
    const { caseId } = ids(request);
    switch (result.kind) {
      case 'saved':
        return reply.redirect(`${paths.caseSafetyPlan(caseId)}?done=saved`, 303);
      case 'unchanged':
        return reply.redirect(`${paths.caseSafetyPlan(caseId)}?done=unchanged`, 303);
      case 'stale_form':
        throw new BadRequestError('Altered form');
      case 'changed_since':
        // The form is shown again as typed; it says who changed the plan and when, as it was opened on an
        // older version than the latest.
        return show(request, reply, form);
      case 'not_shareable': {
        const errors: FormErrors = { summary: [], fields: {} };
        for (const { actionId, problem } of result.problems) {
          const row = form.rowOf?.[actionId];
          if (row === undefined) continue;
          const number = (form.rows?.actions.indexOf(row) ?? 0) + 1;
          const field = `action-${row}-shared`;
          const text = `Action ${number} ${SHARING_PROBLEMS[problem]}. Take it out, or untick ‘Share with the client’: shared actions are printed and shown to the client, where someone else may see them`;
          errors.summary.push({ text, href: `#${field}` });
          errors.fields[field] = { text };
        }
        return show(request, reply, { ...form, errors });
      }
    }
  };

  return [
    {
      method: 'GET',
      url: paths.caseSafetyPlan(),
      access: { permission: 'case:read' },
      audit: 'safety_plan.viewed',
      handler: async (request, reply) => {
        const { session, caseId } = ids(request);
        const { reference, current, sharing } = inScope(
          await plans.current(session, caseId, 'safety_plan.viewed'),
        );
        const canChange = can(session.user.role, 'safety_plan:change');
        const done = (request.query as { done?: string } | undefined)?.done;
        return reply.render('safety-plans/plan.njk', {
          pageTitle: 'Safety plan',
          record: { caseId, reference },
          current: current
            ? {
                versionNumber: current.versionNumber,
                savedAt: formatDate(current.savedAt),
                savedBy: current.savedBy,
                reviewOn: current.reviewOn ? formatIsoDate(current.reviewOn) : null,
              }
            : null,
          sections: planSections(
            current?.plan ?? emptyPlan(),
            sharing,
            canChange ? (section) => paths.safetyPlanSection(caseId, section.key) : null,
          ),
          reviewHref: canChange ? paths.safetyPlanReviewDate(caseId) : null,
          notice: NOTICES[done ?? ''] ?? null,
        });
      },
    },
    {
      method: 'GET',
      url: paths.safetyPlanSection(),
      access: { permission: 'safety_plan:change' },
      audit: 'safety_plan.change_opened',
      handler: async (request, reply) => showSection(request, reply),
    },
    {
      method: 'POST',
      url: paths.safetyPlanSection(),
      access: { permission: 'safety_plan:change' },
      audit: 'safety_plan.saved',
      handler: async (request, reply) => {
        const { session, caseId } = ids(request);
        inScope(await plans.reachable(session, caseId));
        const section = sectionFrom(request);
        const { submissionId, fields } = takeSubmissionId(formBody(request.body));
        const { intent, basedOn, rows } = sectionFormShape(fields, section.key);
        const values = { ...fields, submissionId };
        if (intent !== 'save') {
          const added = withBlankRow(values, rows, intent === 'add-action' ? 'action' : 'contact');
          return showSection(request, reply, { ...added, basedOn });
        }
        const parsed = sectionSchema(section.key, rows).safeParse(fields);
        if (!parsed.success)
          return showSection(request, reply, {
            values,
            rows,
            basedOn,
            errors: formErrorsFrom(parsed.error),
          });
        const { rowOf, ...sectionChange } = parsed.data;
        const change: PlanChange = { kind: 'section', section: section.key, ...sectionChange };
        const result = inScope(await plans.save(session, caseId, submissionId, basedOn, change));
        return afterSave(request, reply, result, { values, rows, basedOn, rowOf }, showSection);
      },
    },
    {
      method: 'GET',
      url: paths.safetyPlanReviewDate(),
      access: { permission: 'safety_plan:change' },
      audit: 'safety_plan.change_opened',
      handler: async (request, reply) => showReviewDate(request, reply),
    },
    {
      method: 'POST',
      url: paths.safetyPlanReviewDate(),
      access: { permission: 'safety_plan:change' },
      audit: 'safety_plan.saved',
      handler: async (request, reply) => {
        const { session, caseId } = ids(request);
        inScope(await plans.reachable(session, caseId));
        const { submissionId, fields } = takeSubmissionId(formBody(request.body));
        const values = { ...fields, submissionId };
        const parsed = reviewDateSchema(ukDate(services.clock.now())).safeParse(fields);
        if (!parsed.success)
          return showReviewDate(request, reply, {
            values,
            basedOn: Number(fields.basedOn),
            errors: formErrorsFrom(parsed.error),
          });
        const { basedOn, reviewOn } = parsed.data;
        const result = inScope(
          await plans.save(session, caseId, submissionId, basedOn, { kind: 'review', reviewOn }),
        );
        return afterSave(request, reply, result, { values, basedOn }, showReviewDate);
      },
    },
    {
      method: 'GET',
      url: paths.safetyPlanVersions(),
      access: { permission: 'case:read' },
      audit: 'safety_plan.history_viewed',
      handler: async (request, reply) => {
        const { session, caseId } = ids(request);
        const { reference, versions } = inScope(await plans.history(session, caseId));
        return reply.render('safety-plans/history.njk', {
          pageTitle: 'Safety plan versions',
          record: { caseId, reference },
          versions: historyRows(caseId, versions),
        });
      },
    },
    {
      method: 'GET',
      url: paths.safetyPlanVersion(),
      access: { permission: 'case:read' },
      audit: 'safety_plan.version_viewed',
      handler: async (request, reply) => {
        const { session, caseId } = ids(request);
        const number = (request.params as { versionNumber?: string }).versionNumber ?? '';
        if (!/^[1-9]\d{0,5}$/.test(number)) throw new NotFoundError('safety plan version');
        const found = inScope(await plans.version(session, caseId, Number(number)));
        if (!found) throw new NotFoundError('safety plan version');
        const { reference, version, latest, sharing } = found;
        return reply.render('safety-plans/version.njk', {
          pageTitle: `Safety plan version ${version.versionNumber}`,
          record: { caseId, reference },
          version: {
            versionNumber: version.versionNumber,
            latest,
            isLatest: version.versionNumber === latest,
            savedAt: formatDate(version.savedAt),
            savedBy: version.savedBy,
            changeSummary: version.changeSummary,
            reviewOn: version.reviewOn ? formatIsoDate(version.reviewOn) : null,
          },
          sections: planSections(version.plan, sharing, null),
        });
      },
    },
    {
      method: 'GET',
      url: paths.safetyPlanPrint(),
      access: { permission: 'case:read' },
      audit: 'safety_plan.printed',
      handler: async (request, reply) => {
        const { session, caseId } = ids(request);
        const printable = inScope(await plans.printable(session, caseId));
        if (!printable) throw new NotFoundError('safety plan');
        return reply.render('safety-plans/print.njk', {
          pageTitle: printable.title,
          backHref: paths.caseSafetyPlan(caseId),
          plan: printable,
        });
      },
    },
  ];
}
