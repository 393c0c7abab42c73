import type { Services } from '../../composition.ts';
import type { Route } from '../../platform/http/routing.ts';

export function publicReferralRoutes(_services: Services): Route[] {
  return [];
}
