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
import { can } from '../../platform/permissions.ts';
import { paths } from '../../paths.ts';
import { inScope } from '../cases/case-results.ts';
import {
  answerSections,
  caseRiskView,
  historyCards,
  judgementItems,
  levelTag,
  resumeHref,
  scoredCount,
  sectionQuestions,
  sectionValues,
  templateName,
} from './risk-view.ts';
import {
  completeSchema,
  parseDefinition,
  sectionAnswers,
  startSchema,
  templateFormSchema,
} from './risk.schema.ts';
import type { Assessment } from './risk.service.ts';
import { RISK_LEVEL_LABELS } from './templates.ts';

const NOTICES: Record<string, string> = {
  saved: 'Your answers are saved. Carry on from here when you are ready.',
};

/**
 * Risk assessments on a case (start, answer a section at a time, check and complete, history) and the
 * organisation's questionnaire templates. Case routes are within the caller's record scope.
 */
export function riskRoutes(services: Services): Route[] {
  const risk = services.risk;

  const assessmentFor = async (request: FastifyRequest) => {
    const { session } = signedIn(request);
    const caseId = uuidParam(request, 'caseId');
    const assessmentId = uuidParam(request, 'assessmentId');
    const assessment = inScope(await risk.assessment(session, caseId, assessmentId));
    if (!assessment) throw new NotFoundError('risk assessment');
    return { session, caseId, assessment };
  };

  const sectionOf = (request: FastifyRequest, assessment: Assessment) => {
    const sectionId = (request.params as { sectionId?: string }).sectionId;
    const sections = assessment.template.definition.sections;
    const index = sections.findIndex((section) => section.id === sectionId);
    if (index < 0) throw new NotFoundError('section');
    return { section: sections[index]!, index, next: sections[index + 1] ?? null };
  };

  const showSection = (
    reply: FastifyReply,
    caseId: string,
    assessment: Assessment,
    at: ReturnType<typeof sectionOf>,
    form: { values: Record<string, unknown>; errors: FormErrors | null } | null,
  ) => {
    const values = form?.values ?? sectionValues(at.section, assessment.answers);
    const sections = assessment.template.definition.sections;
    const previous = sections[at.index - 1];
    return reply.code(form?.errors ? 400 : 200).render('risk/section.njk', {
      pageTitle: `${at.section.title} – ${assessment.template.title}`,
      record: { caseId, reference: assessment.reference },
      template: { title: assessment.template.title },
      section: { id: at.section.id, title: at.section.title, guidance: at.section.guidance ?? null },
      position: `Section ${at.index + 1} of ${sections.length}`,
      questions: sectionQuestions(at.section, values, form?.errors ?? null),
      action: paths.riskSection(caseId, assessment.assessmentId, at.section.id),
      backHref: previous
        ? paths.riskSection(caseId, assessment.assessmentId, previous.id)
        : paths.caseRisk(caseId),
      errors: form?.errors ?? undefined,
    });
  };

  const showCheck = (
    reply: FastifyReply,
    caseId: string,
    assessment: Assessment,
    form: { values: Record<string, unknown>; errors: FormErrors } | null = null,
  ) => {
    const values = form?.values ?? {};
    const computed = assessment.score.level;
    return reply.code(form ? 400 : 200).render('risk/check.njk', {
      pageTitle: `Check your answers – ${assessment.template.title}`,
      record: { caseId, reference: assessment.reference },
      template: { title: templateName(assessment.template) },
      sections: answerSections(assessment, caseId),
      score: `${assessment.score.score} of ${scoredCount(assessment.template.definition)}`,
      notKnown: assessment.score.notKnown,
      computed: levelTag(computed),
      thresholds: assessment.template.definition.thresholds,
      canRaise: computed !== 'high',
      judgementItems: judgementItems(computed, values.judgement),
      values,
      action: paths.riskComplete(caseId, assessment.assessmentId),
      backHref: paths.riskSection(
        caseId,
        assessment.assessmentId,
        assessment.template.definition.sections.at(-1)!.id,
      ),
      errors: form?.errors,
    });
  };

  return [
    {
      method: 'GET',
      url: paths.caseRisk(),
      access: { permission: 'case:read' },
      audit: 'risk.history_viewed',
      handler: async (request, reply) => {
        const { session } = signedIn(request);
        const caseId = uuidParam(request, 'caseId');
        const found = inScope(await risk.forCase(session, caseId, true));
        const done = (request.query as { done?: string } | undefined)?.done;
        return reply.render('risk/overview.njk', {
          pageTitle: `Risk assessments – case ${found.reference}`,
          record: { caseId, reference: found.reference },
          risk: caseRiskView(found, caseId, can(session.user.role, 'risk:assess')),
          history: historyCards(found.history, caseId),
          submissionId: randomUUID(),
          notice: NOTICES[done ?? ''] ?? null,
          completed:
            done === 'completed' && found.history[0]
              ? { level: levelTag(found.history[0].level), title: found.history[0].template.title }
              : null,
        });
      },
    },
    {
      method: 'POST',
      url: paths.caseRisk(),
      access: { permission: 'risk:assess' },
      audit: 'risk.assessment_started',
      handler: async (request, reply) => {
        const { session } = signedIn(request);
        const caseId = uuidParam(request, 'caseId');
        inScope(await risk.reachable(session, caseId));
        const { submissionId, fields } = takeSubmissionId(formBody(request.body));
        const parsed = startSchema.safeParse(fields);
        if (!parsed.success) throw new BadRequestError('Altered form');
        const started = inScope(await risk.start(session, caseId, parsed.data.templateKey, submissionId));
        if (started.kind === 'stale_form') throw new BadRequestError('Altered form');
        if (started.kind === 'no_template') throw new NotFoundError('risk template');
        return reply.redirect(paths.riskAssessment(caseId, started.assessmentId), 303);
      },
    },
    {
      method: 'GET',
      url: paths.riskAssessment(),
      access: { permission: 'case:read' },
      audit: 'risk.assessment_viewed',
      handler: async (request, reply) => {
        const { session, caseId, assessment } = await assessmentFor(request);
        if (assessment.status === 'in_progress') {
          if (!can(session.user.role, 'risk:assess')) throw new NotFoundError('risk assessment');
          return reply.redirect(resumeHref(assessment, caseId), 303);
        }
        const completed = assessment.completed!;
        return reply.render('risk/assessment.njk', {
          pageTitle: `${assessment.template.title} – case ${assessment.reference}`,
          record: { caseId, reference: assessment.reference },
          template: { title: templateName(assessment.template) },
          completedAt: completed.at,
          completedBy: completed.byName,
          score: `${assessment.score.score} of ${scoredCount(assessment.template.definition)}`,
          notKnown: assessment.score.notKnown,
          computed: levelTag(assessment.score.level),
          level: levelTag(completed.level),
          judgement: completed.judgement
            ? { level: RISK_LEVEL_LABELS[completed.judgement.level], reason: completed.judgement.reason }
            : null,
          changes: completed.changes,
          sections: answerSections(assessment, caseId),
        });
      },
    },
    {
      method: 'GET',
      url: paths.riskSection(),
      access: { permission: 'risk:assess' },
      audit: 'risk.assessment_viewed',
      handler: async (request, reply) => {
        const { caseId, assessment } = await assessmentFor(request);
        if (assessment.status !== 'in_progress')
          return reply.redirect(paths.riskAssessment(caseId, assessment.assessmentId), 303);
        return showSection(reply, caseId, assessment, sectionOf(request, assessment), null);
      },
    },
    {
      method: 'POST',
      url: paths.riskSection(),
      access: { permission: 'risk:assess' },
      audit: 'risk.answers_saved',
      handler: async (request, reply) => {
        const { session, caseId, assessment } = await assessmentFor(request);
        if (assessment.status !== 'in_progress')
          return reply.redirect(paths.riskAssessment(caseId, assessment.assessmentId), 303);
        const at = sectionOf(request, assessment);
        const body = formBody(request.body);
        const { answers, errors } = sectionAnswers(at.section, body);
        if (errors) return showSection(reply, caseId, assessment, at, { values: body, errors });
        const saved = inScope(
          await risk.saveSection(session, caseId, assessment.assessmentId, at.section.id, answers),
        );
        if (saved === 'not_found') throw new NotFoundError('risk assessment');
        if (saved === 'already_completed')
          return reply.redirect(paths.riskAssessment(caseId, assessment.assessmentId), 303);
        if (body.next === 'later') return reply.redirect(`${paths.caseRisk(caseId)}?done=saved`, 303);
        return reply.redirect(
          at.next
            ? paths.riskSection(caseId, assessment.assessmentId, at.next.id)
            : paths.riskCheck(caseId, assessment.assessmentId),
          303,
        );
      },
    },
    {
      method: 'GET',
      url: paths.riskCheck(),
      access: { permission: 'risk:assess' },
      audit: 'risk.assessment_viewed',
      handler: async (request, reply) => {
        const { caseId, assessment } = await assessmentFor(request);
        if (assessment.status !== 'in_progress')
          return reply.redirect(paths.riskAssessment(caseId, assessment.assessmentId), 303);
        return showCheck(reply, caseId, assessment);
      },
    },
    {
      method: 'POST',
      url: paths.riskComplete(),
      access: { permission: 'risk:assess' },
      audit: 'risk.assessment_completed',
      handler: async (request, reply) => {
        const { session, caseId, assessment } = await assessmentFor(request);
        if (assessment.status !== 'in_progress')
          return reply.redirect(paths.riskAssessment(caseId, assessment.assessmentId), 303);
        const body = formBody(request.body);
        const parsed = completeSchema.safeParse(body);
        if (!parsed.success)
          return showCheck(reply, caseId, assessment, { values: body, errors: formErrorsFrom(parsed.error) });
        const { judgement, reason } = parsed.data;
        const result = inScope(
          await risk.complete(
            session,
            caseId,
            assessment.assessmentId,
            judgement === 'none' ? null : { level: judgement, reason: reason ?? '' },
          ),
        );
        switch (result.kind) {
          case 'not_found':
            throw new NotFoundError('risk assessment');
          case 'already_completed':
            return reply.redirect(paths.riskAssessment(caseId, assessment.assessmentId), 303);
          case 'unanswered':
            return showCheck(reply, caseId, assessment, {
              values: body,
              errors: {
                summary: result.questions.map((question) => ({
                  text: `Answer “${question.text}”, or choose Not known`,
                  href: `${paths.riskSection(caseId, assessment.assessmentId, question.sectionId)}#${question.id}`,
                })),
                fields: {},
              },
            });
          case 'not_higher':
            return showCheck(reply, caseId, assessment, {
              values: body,
              errors: formError(
                'judgement',
                `Professional judgement can only raise the level above ${RISK_LEVEL_LABELS[result.computed].toLowerCase()}, never lower it`,
              ),
            });
          case 'reason_missing':
            return showCheck(reply, caseId, assessment, {
              values: body,
              errors: formError('reason', 'Say why your professional judgement raises the level'),
            });
          case 'completed':
            return reply.redirect(`${paths.caseRisk(caseId)}?done=completed`, 303);
        }
      },
    },
    {
      method: 'GET',
      url: paths.riskTemplates,
      access: { permission: 'risk_template:manage' },
      handler: async (request, reply) => {
        const templates = await risk.templates(signedIn(request).session);
        const added = (request.query as { added?: string } | undefined)?.added;
        return reply.render('settings/risk-templates.njk', {
          pageTitle: 'Risk questionnaires',
          templates: templates.map((template) => ({
            key: template.templateKey,
            title: template.title,
            version: template.versionNumber,
            origin: template.origin === 'shipped' ? 'Shipped with Vigil' : 'Added here',
            purpose: template.purpose,
            questions: scoredCount(template.definition),
            addedOn: template.createdAt,
            href: paths.riskTemplate(template.templateVersionId),
          })),
          notice: added ? 'The new version is saved. Assessments started from now on use it.' : null,
        });
      },
    },
    {
      method: 'GET',
      url: paths.riskTemplatesNew,
      access: { permission: 'risk_template:manage' },
      handler: async (request, reply) => {
        const from = (request.query as { from?: string } | undefined)?.from;
        const template =
          from && /^[0-9a-f-]{36}$/.test(from)
            ? await risk.template(signedIn(request).session, from)
            : undefined;
        return reply.render('settings/risk-template-new.njk', {
          pageTitle: 'Add a risk questionnaire',
          values: template
            ? { templateKey: template.templateKey, definition: JSON.stringify(template.definition, null, 2) }
            : {},
        });
      },
    },
    {
      method: 'POST',
      url: paths.riskTemplates,
      access: { permission: 'risk_template:manage' },
      audit: 'risk.template_version_added',
      handler: async (request, reply) => {
        const { session } = signedIn(request);
        const body = formBody(request.body);
        const show = (errors: FormErrors) =>
          reply.code(400).render('settings/risk-template-new.njk', {
            pageTitle: 'Add a risk questionnaire',
            values: body,
            errors,
          });
        const parsed = templateFormSchema.safeParse(body);
        if (!parsed.success) return show(formErrorsFrom(parsed.error));
        const checked = parseDefinition(parsed.data.definition);
        if (checked.errors) return show(checked.errors);
        const added = await risk.addTemplateVersion(session, parsed.data.templateKey, checked.definition);
        if (added.kind === 'purpose_differs')
          return show(
            formError(
              'definition',
              `The template “${parsed.data.templateKey}” is for ${added.purpose.replace('_', ' ')}: a new version must keep that purpose, or use a new key`,
            ),
          );
        return reply.redirect(`${paths.riskTemplates}?added=1`, 303);
      },
    },
    {
      method: 'GET',
      url: paths.riskTemplate(),
      access: { permission: 'risk_template:manage' },
      handler: async (request, reply) => {
        const template = await risk.template(
          signedIn(request).session,
          uuidParam(request, 'templateVersionId'),
        );
        if (!template) throw new NotFoundError('risk template');
        return reply.render('settings/risk-template.njk', {
          pageTitle: templateName(template),
          template: {
            id: template.templateVersionId,
            key: template.templateKey,
            name: templateName(template),
            origin: template.origin === 'shipped' ? 'Shipped with Vigil' : 'Added here',
            addedOn: template.createdAt,
            definition: template.definition,
            scored: scoredCount(template.definition),
          },
          newVersionHref: `${paths.riskTemplatesNew}?from=${template.templateVersionId}`,
        });
      },
    },
  ];
}
