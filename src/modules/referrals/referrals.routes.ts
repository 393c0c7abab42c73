import { describeLoad } from '../cases/case-view.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import { paths } from '../../paths.ts';
import { formBody, formError, formErrorsFrom, type FormErrors } from '../../platform/http/forms.ts';
import { NotFoundError, signedIn, type Route, uuidParam } from '../../platform/http/routing.ts';
import { can } from '../../platform/permissions.ts';
import { describeAge } from '../perpetrators/perpetrator-view.ts';
import { decisionLabel, describeWaiting, noSafeContactWarning, referralSections } from './referral-view.ts';
import { decisionSchema } from './triage.schema.ts';

const STATUS_LABELS: Record<string, string> = {
  submitted: 'Waiting for triage',
  accepted: 'Accepted',
  signposted: 'Signposted elsewhere',
  declined: 'Declined',
  information_requested: 'More information requested',
};

/** The team's side of the front door: the triage queue, each referral in full, and the decision on it. */
export function referralsRoutes(services: Services): Route[] {
  const showReferral = async (
    request: FastifyRequest,
    reply: FastifyReply,
    form: { values: Record<string, unknown>; errors?: FormErrors } = { values: {} },
  ) => {
    const { session } = signedIn(request);
    const referralId = uuidParam(request, 'referralId');
    const referral = await services.referrals.view(session, referralId);
    if (!referral) throw new NotFoundError('referral');
    const open = referral.status === 'submitted' || referral.status === 'information_requested';
    const perpetratorName = referral.answers.perpetratorKnown ? referral.answers.perpetratorName : null;
    const [history, caseworkers, knownPerpetrators] = await Promise.all([
      services.triage.history(session, referralId),
      open ? services.cases.caseworkers(session) : Promise.resolve([]),
      // Managers see who the referral's named perpetrator may already be; the referral gives no date of birth.
      can(session.user.role, 'perpetrator:see_matches') && perpetratorName
        ? services.perpetrators.matchesForReferral(session, { name: perpetratorName, dateOfBirth: null })
        : Promise.resolve({ matches: [], hiddenCount: 0 }),
    ]);
    return reply.code(form.errors ? 400 : 200).render('referrals/referral.njk', {
      pageTitle: 'Referral',
      referral,
      open,
      statusLabel: STATUS_LABELS[referral.status] ?? referral.status,
      urgent: referral.answers.inImmediateDanger === true,
      noSafeContact: noSafeContactWarning(referral.answers),
      sections: referralSections(referral.answers).map((section) => ({
        title: section.title,
        rows: section.rows.map((row) => ({ key: { text: row.key }, value: { text: row.value } })),
      })),
      route: referral.answers.route === 'professional' ? 'Professional referral' : 'Self-referral',
      duplicates: referral.possibleDuplicates,
      perpetratorMatches: knownPerpetrators.matches.map((match) => ({
        href: paths.perpetrator(match.perpetratorId),
        name: match.name ?? 'Name not known',
        aliases: match.aliases.join(', '),
        age: describeAge(match.dateOfBirth, match.approximateAge),
        reasons: match.reasons,
        cases: match.cases.map((link) => ({ href: paths.case(link.caseId), reference: link.reference })),
      })),
      history: history.map((item) => ({ ...item, label: decisionLabel(item.decision) })),
      caseworkerItems: [
        { value: 'none', text: 'Do not allocate yet' },
        ...caseworkers.map((c) => ({
          value: c.userId,
          text: `${c.name} – ${describeLoad(c)}`,
          selected: form.values.allocateTo === c.userId,
        })),
      ],
      clientItems: [
        {
          value: 'new',
          text: 'No – create a new client record',
          checked: !form.values.linkToClientId || form.values.linkToClientId === 'new',
        },
        ...referral.possibleDuplicates
          .filter((match) => match.kind === 'client')
          .map((match) => ({
            value: match.id,
            text: `Yes – ${match.name}`,
            hint: { text: match.reasons.join('. ') },
            checked: form.values.linkToClientId === match.id,
          })),
      ],
      values: form.values,
      errors: form.errors,
      decided: (request.query as { decided?: string }).decided,
    });
  };

  return [
    {
      method: 'GET',
      url: paths.referrals,
      access: { permission: 'referral:triage' },
      audit: 'referral.queue_viewed',
      handler: async (request, reply) => {
        const queue = await services.referrals.queue(signedIn(request).session);
        const view = queue.map((item) => ({ ...item, waiting: describeWaiting(item.waitingMs) }));
        return reply.render('referrals/queue.njk', {
          pageTitle: 'Referrals',
          referrals: view.filter((item) => item.status === 'submitted'),
          awaitingInformation: view.filter((item) => item.status === 'information_requested'),
          urgentCount: view.filter((item) => item.urgent && item.status === 'submitted').length,
        });
      },
    },
    {
      method: 'GET',
      url: paths.referral(),
      access: { permission: 'referral:triage' },
      audit: 'referral.viewed',
      handler: async (request, reply) => showReferral(request, reply),
    },
    {
      method: 'POST',
      url: paths.referralDecision(),
      access: { permission: 'referral:triage' },
      audit: 'referral.decided',
      handler: async (request, reply) => {
        const body = formBody(request.body);
        const parsed = decisionSchema.safeParse(body);
        if (!parsed.success)
          return showReferral(request, reply, { values: body, errors: formErrorsFrom(parsed.error) });
        const referralId = uuidParam(request, 'referralId');
        const outcome = await services.triage.decide(signedIn(request).session, referralId, parsed.data);
        if (outcome.kind === 'not_found') throw new NotFoundError('referral');
        if (outcome.kind === 'invalid')
          return showReferral(request, reply, {
            values: body,
            errors: formError(outcome.field, outcome.message),
          });
        if (outcome.kind === 'already_decided') {
          return showReferral(request, reply, {
            values: body,
            errors: formError(
              'decision',
              'Someone has already made a decision on this referral. It is shown below',
            ),
          });
        }
        return reply.redirect(`${paths.referral(referralId)}?decided=${outcome.decision}`, 303);
      },
    },
  ];
}
