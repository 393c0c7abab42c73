import type { Services } from '../../composition.ts';
import { NEUTRAL_EXIT_URL, paths } from '../../paths.ts';
import type { Route } from '../../platform/http/routing.ts';
import { clearSessionCookie } from '../../platform/http/sessions.ts';
import { clearReferralCookie, REFERRAL_COOKIE } from '../referrals/referral-cookie.ts';

/**
 * Exit this page: ends any session, deletes an unfinished referral, tells the browser to clear everything this
 * site stored (cookies, storage, cache), and sends the person somewhere ordinary, so Back shows nothing.
 *
 * This is the one GET that changes state, on purpose: the GOV.UK component is a link and must work without
 * JavaScript, and all it can do is take privileges away.
 */
export function exitRoutes(services: Services): Route[] {
  return [
    {
      method: 'GET',
      url: paths.exit,
      access: { public: true },
      handler: async (request, reply) => {
        await services.referrals.discardDraft(request.cookies[REFERRAL_COOKIE]);
        if (request.session) await services.signIn.signOut(request.session);
        clearReferralCookie(reply);
        clearSessionCookie(reply);
        reply.header('Clear-Site-Data', '"cache", "cookies", "storage"');
        return reply.redirect(NEUTRAL_EXIT_URL, 303);
      },
    },
  ];
}
