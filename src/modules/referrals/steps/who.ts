import { z } from 'zod';
import { problem, text, type Step } from './step.ts';

export const ROUTES = [
  { value: 'self', text: 'Me – I am being stalked or harassed' },
  { value: 'professional', text: 'Someone else – I am a professional referring them' },
] as const;

/**
 * Who the form is for. It also carries the honeypot field "website", hidden from people and filled in only by
 * automated form-fillers: the route handler looks at it before anything else.
 */
export const who: Step = {
  id: 'who',
  template: 'referral/who.njk',
  title: () => 'Who is this form for?',
  section: () => 'Who the form is for',
  fields: ['route', 'website'],
  schema: () =>
    z
      .strictObject({ route: text, website: text })
      .superRefine((input, ctx) => {
        if (input.route !== 'self' && input.route !== 'professional')
          problem(ctx, 'route', 'Select who this form is for');
      })
      .transform((input) => {
        const route = input.route as 'self' | 'professional';
        // A self-referral has no referrer: forget any referrer details given before the route changed.
        return route === 'self'
          ? {
              route,
              referrerName: null,
              referrerRole: null,
              referrerAgency: null,
              referrerPhone: null,
              referrerEmail: null,
              consentConfirmed: null,
            }
          : { route };
      }),
  toValues: (answers) => ({ route: answers.route ?? undefined }),
  view: (values) => ({
    routes: ROUTES.map((route) => ({ ...route, checked: values.route === route.value })),
  }),
  summary: (answers) => [
    {
      key: 'Who the form is for',
      value:
        answers.route === 'self'
          ? 'Me'
          : answers.route === 'professional'
            ? 'Someone else – I am a professional referring them'
            : null,
    },
  ],
};

/** True when the hidden field that people never see was filled in. */
export function isHoneypotFilled(body: Record<string, unknown>): boolean {
  return typeof body.website === 'string' && body.website.trim() !== '';
}
