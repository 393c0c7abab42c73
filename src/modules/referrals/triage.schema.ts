import { z } from 'zod';
import type { DecisionInput } from './triage.service.ts';

const optionalUuid = (message: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value) => (value && value !== 'new' && value !== 'none' ? value : null))
    .refine((value) => value === null || z.uuid().safeParse(value).success, message);

/** The triage decision form: one schema, conditional questions checked together. */
export const decisionSchema = z
  .strictObject({
    decision: z.enum(['accepted', 'signposted', 'declined', 'information_requested'], {
      error: 'Select what to do with this referral',
    }),
    reason: z.string().trim().max(2000, 'The reason must be 2000 characters or fewer').optional(),
    signpostedTo: z
      .string()
      .trim()
      .max(200, 'Where you signposted them must be 200 characters or fewer')
      .optional(),
    allocateTo: optionalUuid('Select a caseworker from the list'),
    linkToClientId: optionalUuid('Select a client from the list'),
  })
  .superRefine((form, ctx) => {
    if (!form.reason) {
      const messages = {
        accepted: 'Enter why you are accepting this referral',
        signposted: 'Enter why you are signposting them elsewhere',
        declined: 'Enter why you are declining this referral',
        information_requested: 'Enter what information you need',
      } as const;
      ctx.addIssue({ code: 'custom', path: ['reason'], message: messages[form.decision] });
    }
    if (form.decision === 'signposted' && !form.signpostedTo) {
      ctx.addIssue({ code: 'custom', path: ['signpostedTo'], message: 'Enter where you signposted them' });
    }
  })
  .transform((form): DecisionInput => {
    const reason = form.reason ?? '';
    switch (form.decision) {
      case 'accepted':
        return {
          decision: 'accepted',
          reason,
          allocateTo: form.allocateTo,
          linkToClientId: form.linkToClientId,
        };
      case 'signposted':
        return { decision: 'signposted', reason, signpostedTo: form.signpostedTo ?? '' };
      case 'declined':
        return { decision: 'declined', reason };
      case 'information_requested':
        return { decision: 'information_requested', reason };
    }
  });
