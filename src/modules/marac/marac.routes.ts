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
import { pdfStream } from '../../platform/pdf/pdf.ts';
import { paths } from '../../paths.ts';
import { dateItems } from '../cases/case-view.ts';
import { inScope } from '../cases/case-results.ts';
import { CRITERION_LABELS } from './criteria.ts';
import { actionRows, consentItems, criteriaItems, meetingValues, referralCriteria } from './marac-view.ts';
import { actionSchema, meetingSchema, referralSchema } from './marac.schema.ts';
import { CONSENT_LABELS } from './referral-content.ts';
import { sendAttachment } from '../../platform/http/attachment.ts';

type Form = { values: Record<string, unknown>; errors?: FormErrors };

const NOTICES: Record<string, string> = {
  referred: 'MARAC referral recorded. Download the referral document below and send it to the MARAC.',
  meeting: 'Meeting details saved',
  action: 'Action added',
  action_done: 'Action marked as done',
};

/**
 * Referring a case to MARAC from what it already holds, the referral with its document, and tracking the
 * meeting, outcome and actions. Every route is within the caller's record scope.
 */
export function maracRoutes(services: Services): Route[] {
  const marac = services.marac;
  const ids = (request: FastifyRequest) => ({
    session: signedIn(request).session,
    caseId: uuidParam(request, 'caseId'),
  });

  const showReferralForm = async (request: FastifyRequest, reply: FastifyReply, form: Form | null = null) => {
    const { session, caseId } = ids(request);
    const draft = inScope(await marac.draft(session, caseId));
    const values = form?.values ?? { concern: draft.judgementReason ?? '' };
    return reply.code(form?.errors ? 400 : 200).render('marac/new.njk', {
      pageTitle: 'Refer to MARAC',
      record: { caseId, reference: draft.reference },
      draft,
      content: draft.content,
      submissionId: typeof values.submissionId === 'string' ? values.submissionId : randomUUID(),
      values,
      criteriaItems: criteriaItems(draft, values, form !== null),
      consentItems: consentItems(values),
      errors: form?.errors,
    });
  };

  const referralFor = async (request: FastifyRequest) => {
    const { session, caseId } = ids(request);
    const referralId = uuidParam(request, 'referralId');
    const record = inScope(await marac.referral(session, caseId, referralId));
    if (!record) throw new NotFoundError('MARAC referral');
    return { session, caseId, referralId, record };
  };

  const showReferral = async (
    request: FastifyRequest,
    reply: FastifyReply,
    forms: { meeting?: Form; action?: Form } = {},
  ) => {
    const { session, caseId, referralId, record } = await referralFor(request);
    const done = (request.query as { done?: string } | undefined)?.done;
    const meetingForm = forms.meeting?.values ?? meetingValues(record);
    const actionForm = forms.action?.values ?? {};
    return reply
      .code(forms.meeting?.errors || forms.action?.errors ? 400 : 200)
      .render('marac/referral.njk', {
        pageTitle: `MARAC referral ${record.number}`,
        record: { caseId, reference: record.content.caseReference },
        referral: {
          referralId,
          number: record.number,
          referredAt: record.content.referredAt,
          referredBy: record.referredBy,
          area: record.content.area,
          consent: CONSENT_LABELS[record.consent],
          consentReason: record.content.consent.reason,
          concern: record.content.concern,
          repeat: record.repeat,
          repeatOf: record.content.repeatOf,
          documentId: record.content.documentId,
          documentHref: paths.maracReferralDocument(caseId, referralId),
          ...referralCriteria(record),
        },
        content: record.content,
        canTrack: can(session.user.role, 'marac:refer'),
        meeting: {
          values: meetingForm,
          dateItems: dateItems(
            'meetingOn',
            meetingForm,
            Boolean(forms.meeting?.errors?.fields['meetingOn-day']),
          ),
          errors: forms.meeting?.errors,
        },
        action: {
          submissionId: typeof actionForm.submissionId === 'string' ? actionForm.submissionId : randomUUID(),
          values: actionForm,
          dateItems: dateItems('dueOn', actionForm, Boolean(forms.action?.errors?.fields['dueOn-day'])),
          errors: forms.action?.errors,
        },
        errors: forms.meeting?.errors ?? forms.action?.errors,
        actions: actionRows(caseId, referralId, record.actions),
        notice: NOTICES[done ?? ''] ?? null,
      });
  };

  return [
    {
      method: 'GET',
      url: paths.caseMaracNew(),
      access: { permission: 'marac:refer' },
      audit: 'marac.referral_drafted',
      handler: async (request, reply) => showReferralForm(request, reply),
    },
    {
      method: 'POST',
      url: paths.caseMarac(),
      access: { permission: 'marac:refer' },
      audit: 'marac.referral_created',
      handler: async (request, reply) => {
        const { session, caseId } = ids(request);
        inScope(await marac.reachable(session, caseId));
        const { submissionId, fields } = takeSubmissionId(formBody(request.body));
        const parsed = referralSchema.safeParse(fields);
        if (!parsed.success)
          return showReferralForm(request, reply, {
            values: { ...fields, submissionId },
            errors: formErrorsFrom(parsed.error),
          });
        const result = inScope(await marac.refer(session, caseId, submissionId, parsed.data));
        if (result.kind === 'stale_form') throw new BadRequestError('Altered form');
        if (result.kind === 'not_met')
          return showReferralForm(request, reply, {
            values: { ...fields, submissionId },
            errors: formError(
              'criteria',
              `${CRITERION_LABELS[result.criterion]} is not met on this case: untick it, or refer on your professional judgement`,
            ),
          });
        return reply.redirect(`${paths.maracReferral(caseId, result.referralId)}?done=referred`, 303);
      },
    },
    {
      method: 'GET',
      url: paths.maracReferral(),
      access: { permission: 'case:read' },
      audit: 'marac.referral_viewed',
      handler: async (request, reply) => showReferral(request, reply),
    },
    {
      method: 'GET',
      url: paths.maracReferralDocument(),
      access: { permission: 'marac:refer' },
      audit: 'marac.referral_downloaded',
      handler: async (request, reply) => {
        const { session, caseId } = ids(request);
        const referralId = uuidParam(request, 'referralId');
        const found = inScope(await marac.document(session, caseId, referralId));
        if (!found) throw new NotFoundError('MARAC referral');
        if (found === 'changed') throw new Error('The referral document could not be reproduced as referred');
        return sendAttachment(reply, {
          type: 'application/pdf',
          fileName: found.fileName,
          body: pdfStream(found.spec),
        });
      },
    },
    {
      method: 'POST',
      url: paths.maracReferralMeeting(),
      access: { permission: 'marac:refer' },
      audit: 'marac.meeting_recorded',
      handler: async (request, reply) => {
        const { session, caseId } = ids(request);
        const referralId = uuidParam(request, 'referralId');
        const body = formBody(request.body);
        const parsed = meetingSchema.safeParse(body);
        if (!parsed.success)
          return showReferral(request, reply, {
            meeting: { values: body, errors: formErrorsFrom(parsed.error) },
          });
        const saved = inScope(await marac.recordMeeting(session, caseId, referralId, parsed.data));
        if (!saved) throw new NotFoundError('MARAC referral');
        return reply.redirect(`${paths.maracReferral(caseId, referralId)}?done=meeting`, 303);
      },
    },
    {
      method: 'POST',
      url: paths.maracReferralActions(),
      access: { permission: 'marac:refer' },
      audit: 'marac.action_added',
      handler: async (request, reply) => {
        const { session, caseId } = ids(request);
        const referralId = uuidParam(request, 'referralId');
        inScope(await marac.reachable(session, caseId));
        const { submissionId, fields } = takeSubmissionId(formBody(request.body));
        const parsed = actionSchema.safeParse(fields);
        if (!parsed.success)
          return showReferral(request, reply, {
            action: { values: { ...fields, submissionId }, errors: formErrorsFrom(parsed.error) },
          });
        const result = inScope(await marac.addAction(session, caseId, referralId, submissionId, parsed.data));
        if (result === 'not_found') throw new NotFoundError('MARAC referral');
        if (result === 'stale_form') throw new BadRequestError('Altered form');
        return reply.redirect(`${paths.maracReferral(caseId, referralId)}?done=action#actions`, 303);
      },
    },
    {
      method: 'POST',
      url: paths.maracActionDone(),
      access: { permission: 'marac:refer' },
      audit: 'marac.action_done',
      handler: async (request, reply) => {
        const { session, caseId } = ids(request);
        const referralId = uuidParam(request, 'referralId');
        const actionId = uuidParam(request, 'actionId');
        inScope(await marac.markActionDone(session, caseId, referralId, actionId));
        return reply.redirect(`${paths.maracReferral(caseId, referralId)}?done=action_done#actions`, 303);
      },
    },
  ];
}
