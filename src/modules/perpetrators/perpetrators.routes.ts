import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../composition.ts';
import { ukDate } from '../../platform/clock.ts';
import { paths } from '../../paths.ts';
import { BadRequestError, formBody } from '../../platform/http/forms.ts';
import {
  ForbiddenError,
  NotFoundError,
  signedIn,
  type Route,
  uuidParam,
} from '../../platform/http/routing.ts';
import { can } from '../../platform/permissions.ts';
import {
  alertView,
  formView,
  matchItems,
  recordRows,
  relationshipText,
  riskRows,
} from './perpetrator-view.ts';
import {
  perpetratorFormErrors,
  perpetratorFormSchema,
  type PerpetratorFormErrors,
} from './perpetrators.schema.ts';
import type { PerpetratorMatches } from './perpetrators.service.ts';

const CHOOSE_A_MATCH = 'Select if this is one of the people listed, or someone new';

const NOTICES = new Map([
  ['created', 'Perpetrator added to the case.'],
  [
    'linked',
    'Known perpetrator linked to the case. Managers have been told that they are linked to more than one case.',
  ],
]);

function choiceError(): PerpetratorFormErrors {
  return {
    summary: [{ text: CHOOSE_A_MATCH, href: '#existingPerpetratorId' }],
    fields: { existingPerpetratorId: { text: CHOOSE_A_MATCH } },
    dateParts: [],
  };
}

/** Perpetrators: adding one to a case (checking first for people already known), the record, and alerts. */
export function perpetratorRoutes(services: Services): Route[] {
  const caseFor = async (request: FastifyRequest) => {
    const target = await services.perpetrators.caseForForm(
      signedIn(request).session,
      uuidParam(request, 'caseId'),
    );
    if (target.kind === 'not_found') throw new NotFoundError('case');
    if (target.kind === 'not_on_caseload') throw new ForbiddenError('case is not on the caseload');
    return target;
  };

  const showForm = (
    reply: FastifyReply,
    target: { caseId: string; reference: string },
    values: Record<string, unknown>,
    options: { errors?: PerpetratorFormErrors; found?: PerpetratorMatches } = {},
  ) =>
    reply.code(options.errors ? 400 : 200).render('perpetrators/new.njk', {
      pageTitle: 'Add a perpetrator',
      target,
      values,
      ...formView(values, options.errors),
      matches: options.found
        ? {
            items: options.found.matches.length
              ? matchItems(options.found.matches, values.existingPerpetratorId)
              : null,
            hiddenCount: options.found.hiddenCount,
          }
        : null,
      errors: options.errors,
    });

  return [
    {
      method: 'GET',
      url: paths.casePerpetratorNew(),
      access: { permission: 'perpetrator:manage' },
      handler: async (request, reply) =>
        showForm(reply, await caseFor(request), { submissionId: randomUUID() }),
    },
    {
      method: 'POST',
      url: paths.casePerpetratorNew(),
      access: { permission: 'perpetrator:manage' },
      audit: 'perpetrator.created',
      handler: async (request, reply) => {
        const target = await caseFor(request);
        const body = formBody(request.body);
        const parsed = perpetratorFormSchema(ukDate(services.clock.now())).safeParse(body);
        if (!parsed.success) {
          // The possible matches are checked again once the form is right, so the choice is not carried over.
          const values = Object.fromEntries(
            Object.entries(body).filter(([key]) => key !== 'existingPerpetratorId' && key !== 'matchesShown'),
          );
          return showForm(reply, target, values, { errors: perpetratorFormErrors(parsed.error) });
        }
        const outcome = await services.perpetrators.addToCase(
          signedIn(request).session,
          target.caseId,
          parsed.data,
        );
        switch (outcome.kind) {
          case 'not_found':
            throw new NotFoundError('case');
          case 'not_on_caseload':
            throw new ForbiddenError('case is not on the caseload');
          case 'stale_form':
            throw new BadRequestError('Altered form');
          case 'matches': {
            if (outcome.choiceRefused && !outcome.found.matches.length)
              throw new BadRequestError('Not a match the user was shown');
            const mustChoose =
              outcome.choiceRefused || (parsed.data.matchesShown && outcome.found.matches.length > 0);
            return showForm(reply, target, body, {
              found: outcome.found,
              errors: mustChoose ? choiceError() : undefined,
            });
          }
          case 'created':
          case 'linked':
            return reply.redirect(`${paths.perpetrator(outcome.perpetratorId)}?done=${outcome.kind}`, 303);
        }
      },
    },
    {
      method: 'GET',
      url: paths.perpetratorAlerts,
      access: { permission: 'perpetrator:see_matches' },
      audit: 'perpetrator.alerts_viewed',
      handler: async (request, reply) => {
        const alerts = await services.perpetrators.alerts(signedIn(request).session);
        return reply.render('perpetrators/alerts.njk', {
          pageTitle: 'Perpetrator alerts',
          alerts: alerts.map(alertView),
          acknowledged: (request.query as { done?: string }).done === 'acknowledged',
        });
      },
    },
    {
      method: 'POST',
      url: paths.perpetratorAlertAcknowledge(),
      access: { permission: 'perpetrator:see_matches' },
      audit: 'perpetrator.alert_acknowledged',
      handler: async (request, reply) => {
        if (!z.strictObject({}).safeParse(formBody(request.body)).success)
          throw new BadRequestError('Unexpected form fields');
        const outcome = await services.perpetrators.acknowledgeAlert(
          signedIn(request).session,
          uuidParam(request, 'alertId'),
        );
        if (outcome === 'not_found') throw new NotFoundError('alert');
        return reply.redirect(`${paths.perpetratorAlerts}?done=acknowledged`, 303);
      },
    },
    {
      method: 'GET',
      url: paths.perpetrator(),
      access: { permission: 'perpetrator:read' },
      audit: 'perpetrator.viewed',
      handler: async (request, reply) => {
        const { session } = signedIn(request);
        const record = await services.perpetrators.view(session, uuidParam(request, 'perpetratorId'));
        if (!record) throw new NotFoundError('perpetrator');
        const done = (request.query as { done?: string }).done ?? '';
        return reply.render('perpetrators/perpetrator.njk', {
          pageTitle: 'Perpetrator',
          record,
          details: recordRows(record),
          risk: riskRows(record),
          cases: record.cases.map((item) => ({
            ...item,
            relationship: relationshipText(item.relationship),
          })),
          opensCases: can(session.user.role, 'case:read'),
          notice: NOTICES.get(done) ?? null,
        });
      },
    },
  ];
}
