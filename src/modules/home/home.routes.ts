import type { Services } from '../../composition.ts';
import { paths } from '../../paths.ts';
import type { Route } from '../../platform/http/routing.ts';
import { signedIn } from '../../platform/http/routing.ts';
import { formatDateTime } from '../../platform/http/views.ts';
import { can } from '../../platform/permissions.ts';
import { orderName } from '../orders/orders-view.ts';

export function homeRoutes(services: Services): Route[] {
  return [
    {
      method: 'GET',
      url: paths.home,
      access: { signedIn: true },
      handler: async (request, reply) => {
        const { session } = signedIn(request);
        const role = session.user.role;
        const accessWaiting = can(role, 'case:review_access')
          ? await services.breakGlass.waitingForReview(session)
          : 0;
        const sections = [
          can(role, 'referral:triage') && {
            title: request.referralsWaiting ? `Referrals (${request.referralsWaiting} waiting)` : 'Referrals',
            href: paths.referrals,
            text: 'Triage new referrals: urgent ones first, then the longest waiting.',
          },
          can(role, 'case:review_access') && {
            title: accessWaiting
              ? `Cases opened outside caseloads (${accessWaiting} to review)`
              : 'Cases opened outside caseloads',
            href: paths.caseAccessReviews,
            text: 'Check the reasons staff gave for opening cases that are not theirs.',
          },
          can(role, 'organisation:manage') && {
            title: 'Settings',
            href: paths.settings,
            text: 'Change the name of the service and where new-referral emails go.',
          },
          can(role, 'staff:manage') && {
            title: 'Staff',
            href: paths.staff,
            text: 'Invite caseworkers, managers and police liaison officers, change roles and disable accounts.',
          },
          !can(role, 'staff:manage') &&
            can(role, 'staff:read') && {
              title: 'Staff',
              href: paths.staff,
              text: 'See who works in the service and their roles.',
            },
          can(role, 'audit:read') && {
            title: 'Audit trail',
            href: paths.audit,
            text: 'See who did what, to which record and when.',
          },
          {
            title: 'Your account',
            href: paths.account,
            text: 'See where you are signed in, end sessions you do not recognise and check your sign-in history.',
          },
        ].filter(Boolean);
        const [settings, caseloadEscalations, breaches] = await Promise.all([
          services.settings.get(session),
          services.patterns.onCaseload(session),
          can(role, 'case:read') ? services.orders.needingAttention(session) : [],
        ]);
        return reply.render('home/home.njk', {
          pageTitle: 'Home',
          sections,
          caseloadEscalations,
          breaches: breaches.map((breach) => ({
            href: paths.breach(breach.caseId, breach.breachId),
            reference: breach.reference,
            order: orderName({ type: breach.orderType }, breach.orderNumber).toLowerCase(),
            recorded: formatDateTime(breach.recordedAt),
            reported: breach.reported,
            overdue: breach.overdue,
          })),
          referralLink: `${services.publicUrl}${paths.publicReferral.start(settings.referralCode)}`,
        });
      },
    },
  ];
}
