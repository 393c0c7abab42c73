import type { Services } from '../../composition.ts';
import { paths } from '../../paths.ts';
import { isUuid } from '../../platform/auth/tokens.ts';
import { NotFoundError, signedIn, type Route } from '../../platform/http/routing.ts';
import { describeWaiting, referralSections } from './referral-view.ts';

const STATUS_LABELS: Record<string, string> = {
  submitted: 'Waiting for triage',
  accepted: 'Accepted',
  signposted: 'Signposted elsewhere',
  declined: 'Declined',
  information_requested: 'More information requested',
};

/** The team's side of the front door: the queue of referrals waiting for triage, and each referral in full. */
export function referralsRoutes(services: Services): Route[] {
  return [
    {
      method: 'GET',
      url: paths.referrals,
      access: { permission: 'referral:triage' },
      audit: 'referral.queue_viewed',
      handler: async (request, reply) => {
        const queue = await services.referrals.queue(signedIn(request).session);
        return reply.render('referrals/queue.njk', {
          pageTitle: 'Referrals',
          referrals: queue.map((item) => ({ ...item, waiting: describeWaiting(item.waitingMs) })),
          urgentCount: queue.filter((item) => item.urgent).length,
        });
      },
    },
    {
      method: 'GET',
      url: paths.referral(),
      access: { permission: 'referral:triage' },
      audit: 'referral.viewed',
      handler: async (request, reply) => {
        const { referralId } = request.params as { referralId: string };
        if (!isUuid(referralId)) throw new NotFoundError('referral');
        const referral = await services.referrals.view(signedIn(request).session, referralId);
        if (!referral) throw new NotFoundError('referral');
        return reply.render('referrals/referral.njk', {
          pageTitle: 'Referral',
          referral,
          statusLabel: STATUS_LABELS[referral.status] ?? referral.status,
          urgent: referral.answers.inImmediateDanger === true,
          sections: referralSections(referral.answers).map((section) => ({
            title: section.title,
            rows: section.rows.map((row) => ({ key: { text: row.key }, value: { text: row.value } })),
          })),
          route: referral.answers.route === 'professional' ? 'Professional referral' : 'Self-referral',
        });
      },
    },
  ];
}
