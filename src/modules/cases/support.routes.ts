import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../composition.ts';
import { ukDate } from '../../platform/clock.ts';
import {
  formBody,
  formError,
  formErrorsFrom,
  takeSubmissionId,
  type FormErrors,
} from '../../platform/http/forms.ts';
import { NotFoundError, signedIn, type Route, uuidParam } from '../../platform/http/routing.ts';
import { paths } from '../../paths.ts';
import { choiceItems, dateItems, formatIsoDate } from './case-view.ts';
import {
  AGENCY_TYPES,
  ONWARD_OUTCOMES,
  SERVICE_TYPES,
  onwardReferralCards,
  serviceText,
  timelineFilterItems,
  timelineItems,
} from './support-view.ts';
import {
  endServiceSchema,
  onwardOutcomeSchema,
  onwardReferralSchema,
  serviceSchema,
} from './support.schema.ts';
import { arrangeTimeline, TIMELINE_FILTERS, type CaseEvent, type TimelineFilter } from './timeline.ts';
import { inScope, recorded } from './case-results.ts';

type Form = { values: Record<string, unknown>; errors?: FormErrors };

const timelineQuery = z.object({
  kind: z.enum(TIMELINE_FILTERS as [TimelineFilter, ...TimelineFilter[]]).catch('all'),
});

/**
 * The support a client is given beyond contact with their caseworker: the services provided, referrals on to
 * other agencies with what became of each, and the case's timeline of everything recorded.
 */
export function supportRoutes(services: Services): Route[] {
  const today = () => ukDate(services.clock.now());
  const caseIn = async (request: FastifyRequest) =>
    inScope(await services.casework.caseInScope(signedIn(request).session, uuidParam(request, 'caseId')));
  const backToCase = (reply: FastifyReply, caseId: string, done: string, anchor: string) =>
    reply.redirect(`${paths.case(caseId)}?done=${done}#${anchor}`, 303);

  const showServiceForm = async (
    request: FastifyRequest,
    reply: FastifyReply,
    form: Form = { values: {} },
  ) => {
    const record = await caseIn(request);
    return reply.code(form.errors ? 400 : 200).render('cases/service-new.njk', {
      pageTitle: 'Record a service',
      record,
      submissionId: randomUUID(),
      values: form.values,
      serviceItems: choiceItems(SERVICE_TYPES, form.values.service),
      dateItems: dateItems('startedOn', form.values, Boolean(form.errors?.fields['startedOn-day'])),
      errors: form.errors,
    });
  };

  const serviceToEnd = async (request: FastifyRequest) => {
    const { session } = signedIn(request);
    const caseId = uuidParam(request, 'caseId');
    const serviceId = uuidParam(request, 'serviceId');
    const service = inScope(await services.casework.service(session, caseId, serviceId));
    if (!service) throw new NotFoundError('service');
    return { caseId, service };
  };

  const showEndForm = async (request: FastifyRequest, reply: FastifyReply, form: Form = { values: {} }) => {
    const { caseId, service } = await serviceToEnd(request);
    if (service.endedOn) return reply.redirect(`${paths.case(caseId)}#services`, 303);
    const record = await caseIn(request);
    return reply.code(form.errors ? 400 : 200).render('cases/service-end.njk', {
      pageTitle: 'End a service',
      record,
      service: {
        serviceId: service.serviceId,
        name: serviceText(service.service),
        from: formatIsoDate(service.startedOn),
      },
      values: form.values,
      dateItems: dateItems('endedOn', form.values, Boolean(form.errors?.fields['endedOn-day'])),
      errors: form.errors,
    });
  };

  const showOnwardForm = async (
    request: FastifyRequest,
    reply: FastifyReply,
    form: Form = { values: {} },
  ) => {
    const record = await caseIn(request);
    return reply.code(form.errors ? 400 : 200).render('cases/onward-referral-new.njk', {
      pageTitle: 'Refer to another agency',
      record,
      submissionId: randomUUID(),
      values: form.values,
      agencyItems: [
        { value: '', text: 'Select the kind of agency' },
        ...AGENCY_TYPES.map((option) => ({ ...option, selected: option.value === form.values.agencyType })),
      ],
      dateItems: dateItems('referredOn', form.values, Boolean(form.errors?.fields['referredOn-day'])),
      errors: form.errors,
    });
  };

  const onwardReferralFor = async (request: FastifyRequest) => {
    const { session } = signedIn(request);
    const caseId = uuidParam(request, 'caseId');
    const onwardReferralId = uuidParam(request, 'onwardReferralId');
    const referral = inScope(await services.casework.onwardReferral(session, caseId, onwardReferralId));
    if (!referral) throw new NotFoundError('onward referral');
    return { caseId, referral };
  };

  const showOutcomeForm = async (
    request: FastifyRequest,
    reply: FastifyReply,
    form: Form = { values: {} },
  ) => {
    const { referral } = await onwardReferralFor(request);
    const record = await caseIn(request);
    return reply.code(form.errors ? 400 : 200).render('cases/onward-referral-outcome.njk', {
      pageTitle: 'Record an outcome',
      record,
      referral: onwardReferralCards([referral])[0],
      submissionId: randomUUID(),
      values: form.values,
      outcomeItems: choiceItems(ONWARD_OUTCOMES, form.values.outcome),
      dateItems: dateItems('outcomeOn', form.values, Boolean(form.errors?.fields['outcomeOn-day'])),
      errors: form.errors,
    });
  };

  return [
    {
      method: 'GET',
      url: paths.caseTimeline(),
      access: { permission: 'case:read' },
      audit: 'case.timeline_viewed',
      handler: async (request, reply) => {
        const { session } = signedIn(request);
        const caseId = uuidParam(request, 'caseId');
        const { kind } = timelineQuery.parse(request.query ?? {});
        const events = inScope(await services.casework.timeline(session, caseId, kind));
        const record = await caseIn(request);
        const linked =
          kind === 'all' || kind === 'perpetrators'
            ? await services.perpetrators.listForCase(session, caseId)
            : [];
        const perpetratorEvents: CaseEvent[] = linked.map((perpetrator) => ({
          type: 'perpetrator_linked',
          at: perpetrator.linkedAt,
          by: null,
          perpetratorId: perpetrator.perpetratorId,
          name: perpetrator.name,
          relationship: perpetrator.relationship,
        }));
        return reply.render('cases/timeline.njk', {
          pageTitle: 'Case timeline',
          record,
          kind,
          filterItems: timelineFilterItems(kind),
          items: timelineItems(arrangeTimeline([...events, ...perpetratorEvents], kind)),
        });
      },
    },
    {
      method: 'GET',
      url: paths.caseServiceNew(),
      access: { permission: 'case:read' },
      handler: async (request, reply) => showServiceForm(request, reply),
    },
    {
      method: 'POST',
      url: paths.caseServiceNew(),
      access: { permission: 'case:read' },
      audit: 'case.service_recorded',
      handler: async (request, reply) => {
        const { caseId } = await caseIn(request);
        const { submissionId, fields } = takeSubmissionId(formBody(request.body));
        const parsed = serviceSchema(today()).safeParse(fields);
        if (!parsed.success)
          return showServiceForm(request, reply, { values: fields, errors: formErrorsFrom(parsed.error) });
        recorded(
          inScope(
            await services.casework.addService(signedIn(request).session, caseId, parsed.data, submissionId),
          ),
        );
        return backToCase(reply, caseId, 'service', 'services');
      },
    },
    {
      method: 'GET',
      url: paths.caseServiceEnd(),
      access: { permission: 'case:read' },
      handler: async (request, reply) => showEndForm(request, reply),
    },
    {
      method: 'POST',
      url: paths.caseServiceEnd(),
      access: { permission: 'case:read' },
      audit: 'case.service_ended',
      handler: async (request, reply) => {
        const { caseId, service } = await serviceToEnd(request);
        if (service.endedOn) return reply.redirect(`${paths.case(caseId)}#services`, 303);
        const body = formBody(request.body);
        const parsed = endServiceSchema(today(), service.startedOn).safeParse(body);
        if (!parsed.success)
          return showEndForm(request, reply, { values: body, errors: formErrorsFrom(parsed.error) });
        const outcome = inScope(
          await services.casework.endService(
            signedIn(request).session,
            caseId,
            service.serviceId,
            parsed.data.endedOn,
          ),
        );
        if (outcome === 'not_found') throw new NotFoundError('service');
        if (outcome === 'before_start')
          return showEndForm(request, reply, {
            values: body,
            errors: formError('endedOn-day', 'End date must be on or after the date it started'),
          });
        return backToCase(reply, caseId, 'service_ended', 'services');
      },
    },
    {
      method: 'GET',
      url: paths.caseOnwardReferralNew(),
      access: { permission: 'case:read' },
      handler: async (request, reply) => showOnwardForm(request, reply),
    },
    {
      method: 'POST',
      url: paths.caseOnwardReferralNew(),
      access: { permission: 'case:read' },
      audit: 'case.onward_referral_recorded',
      handler: async (request, reply) => {
        const { caseId } = await caseIn(request);
        const { submissionId, fields } = takeSubmissionId(formBody(request.body));
        const parsed = onwardReferralSchema(today()).safeParse(fields);
        if (!parsed.success)
          return showOnwardForm(request, reply, { values: fields, errors: formErrorsFrom(parsed.error) });
        recorded(
          inScope(
            await services.casework.addOnwardReferral(
              signedIn(request).session,
              caseId,
              parsed.data,
              submissionId,
            ),
          ),
        );
        return backToCase(reply, caseId, 'onward_referral', 'onward-referrals');
      },
    },
    {
      method: 'GET',
      url: paths.caseOnwardReferralOutcome(),
      access: { permission: 'case:read' },
      handler: async (request, reply) => showOutcomeForm(request, reply),
    },
    {
      method: 'POST',
      url: paths.caseOnwardReferralOutcome(),
      access: { permission: 'case:read' },
      audit: 'case.onward_referral_outcome_recorded',
      handler: async (request, reply) => {
        const { caseId, referral } = await onwardReferralFor(request);
        const { submissionId, fields } = takeSubmissionId(formBody(request.body));
        const parsed = onwardOutcomeSchema(today(), referral.referredOn).safeParse(fields);
        if (!parsed.success)
          return showOutcomeForm(request, reply, { values: fields, errors: formErrorsFrom(parsed.error) });
        const outcome = inScope(
          await services.casework.addOnwardOutcome(
            signedIn(request).session,
            caseId,
            referral.onwardReferralId,
            parsed.data,
            submissionId,
          ),
        );
        if (outcome.kind === 'not_found') throw new NotFoundError('onward referral');
        if (outcome.kind === 'before_referral')
          return showOutcomeForm(request, reply, {
            values: fields,
            errors: formError(
              'outcomeOn-day',
              'Date of the outcome must be on or after the date of the referral',
            ),
          });
        recorded(outcome);
        return backToCase(reply, caseId, 'onward_outcome', 'onward-referrals');
      },
    },
  ];
}
