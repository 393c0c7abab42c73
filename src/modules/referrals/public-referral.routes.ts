import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../composition.ts';
import { paths } from '../../paths.ts';
import { BadRequestError, formBody, formError, type FormErrors } from '../../platform/http/forms.ts';
import { NotFoundError, type Route } from '../../platform/http/routing.ts';
import { hasNoSafeContactMethod, incompleteSteps, type StepId } from './referral-answers.ts';
import { clearReferralCookie, REFERRAL_COOKIE, setReferralCookie } from './referral-cookie.ts';
import type { Draft, PublicOrganisation } from './referrals.service.ts';
import { checkAnswers } from './steps/check-answers.ts';
import { ukDate } from '../../platform/clock.ts';
import {
  afterSaving,
  contextFor,
  isInJourney,
  isStepId,
  previousStep,
  QUESTION_PAGES,
} from './steps/journey.ts';
import { stepErrors, type FormValues, type StepErrors } from './steps/step.ts';
import { isHoneypotFilled } from './steps/who.ts';

/** Forms started from one address in an hour, and sends attempted: enough for a busy office, not for a bot. */
export const STARTS_PER_HOUR = 20;
export const SENDS_PER_HOUR = 10;

type Organisation = PublicOrganisation;
type Live = { token: string; draft: Draft };

const noFields = z.strictObject({});

/** The service's own phone number and hours, for people it cannot safely contact; null when it has none. */
export function serviceContact(
  organisation: Pick<PublicOrganisation, 'publicPhone' | 'publicContactHours'>,
): { phone: string; tel: string; hours: string | null } | null {
  if (!organisation.publicPhone) return null;
  return {
    phone: organisation.publicPhone,
    tel: organisation.publicPhone.replace(/[^0-9+]/g, ''),
    hours: organisation.publicContactHours,
  };
}

/** Saved answers shown in a form: absent rather than null, as a browser would send them. */
function present(values: FormValues): FormValues {
  return Object.fromEntries(
    Object.entries(values).filter(([, value]) => value !== null && value !== undefined),
  );
}

/**
 * The public front door: anyone can refer themselves or someone they work with, without an account. A draft
 * lives on the server under a token kept in a session cookie (never in an address); every page is a POST
 * then a redirect, so Back never resubmits and nothing personal reaches the address bar or history.
 */
export function publicReferralRoutes(services: Services): Route[] {
  const codeOf = (request: FastifyRequest) => (request.params as { code: string }).code;
  const start = paths.publicReferral.start;

  const organisation = async (request: FastifyRequest): Promise<Organisation> => {
    const found = await services.referrals.organisationForCode(codeOf(request));
    if (!found) throw new NotFoundError('referral form');
    return found;
  };

  const liveDraft = async (request: FastifyRequest, found: Organisation): Promise<Live | null> => {
    const token = request.cookies[REFERRAL_COOKIE];
    if (!token) return null;
    const draft = await services.referrals.draft(token);
    if (!draft || draft.organisationId !== found.organisationId) return null;
    return { token, draft };
  };

  const layout = (request: FastifyRequest, found: Organisation) => ({
    serviceName: found.serviceName,
    homeUrl: start(codeOf(request)),
    serviceContact: serviceContact(found),
  });

  const today = () => ukDate(services.clock.now());
  const fromCheck = (request: FastifyRequest) => (request.query as { from?: string }).from === 'check';
  const questionHref = (code: string, step: StepId | 'check', returnToCheck = false) =>
    step === 'check'
      ? paths.publicReferral.check(code)
      : `${paths.publicReferral.question(code, step)}${returnToCheck ? '?from=check' : ''}`;

  /** No form at all, or one that has been sent: where a question or check page should send the person. */
  const elsewhere = (reply: FastifyReply, code: string, live: Live | null) =>
    reply.redirect(live ? paths.publicReferral.confirmation(code) : start(code), 303);

  const tooMany = (
    request: FastifyRequest,
    reply: FastifyReply,
    found: Organisation,
    until: Date,
    saved: boolean,
  ) =>
    reply.code(429).render('referral/too-many.njk', {
      pageTitle: 'Try again later',
      ...layout(request, found),
      until,
      saved,
    });

  const showQuestion = (
    request: FastifyRequest,
    reply: FastifyReply,
    found: Organisation,
    live: Live,
    stepId: StepId,
    values: FormValues,
    errors?: StepErrors,
  ) => {
    const step = QUESTION_PAGES[stepId];
    const code = codeOf(request);
    const context = contextFor(live.draft.answers, today());
    const returnToCheck = fromCheck(request);
    const previous = previousStep(stepId, live.draft.answers);
    return reply.code(errors && request.method === 'POST' ? 400 : 200).render(step.template, {
      pageTitle: step.title(context),
      ...layout(request, found),
      ...step.view(values, context, errors),
      values,
      errors: errors?.summary.length ? errors : undefined,
      self: context.route === 'self',
      urgent: live.draft.answers.inImmediateDanger === true && stepId !== 'danger',
      formAction: questionHref(code, stepId, returnToCheck),
      backHref: returnToCheck
        ? paths.publicReferral.check(code)
        : previous
          ? questionHref(code, previous)
          : start(code),
    });
  };

  const showCheck = (
    request: FastifyRequest,
    reply: FastifyReply,
    found: Organisation,
    live: Live,
    errors?: FormErrors,
  ) => {
    const code = codeOf(request);
    const answers = live.draft.answers;
    const context = contextFor(answers, today());
    return reply.code(errors ? 400 : 200).render('referral/check.njk', {
      pageTitle: 'Check your answers',
      ...layout(request, found),
      sections: checkAnswers(answers, context, (step) => questionHref(code, step, true)),
      self: context.route === 'self',
      urgent: answers.inImmediateDanger === true,
      noSafeContact: hasNoSafeContactMethod(answers),
      backHref: questionHref(code, 'children'),
      formAction: paths.publicReferral.check(code),
      errors,
    });
  };

  return [
    {
      method: 'GET',
      url: paths.publicReferral.start(),
      access: { public: true },
      handler: async (request, reply) => {
        const found = await organisation(request);
        const live = await liveDraft(request, found);
        return reply.render('referral/start.njk', {
          pageTitle: 'Ask for support',
          ...layout(request, found),
          formAction: start(codeOf(request)),
          inProgress: live?.draft.status === 'draft',
        });
      },
    },
    {
      method: 'POST',
      url: paths.publicReferral.start(),
      access: { public: true },
      handler: async (request, reply) => {
        const found = await organisation(request);
        if (!noFields.safeParse(formBody(request.body)).success)
          throw new BadRequestError('Unexpected fields');
        const code = codeOf(request);
        const live = await liveDraft(request, found);
        if (live?.draft.status === 'draft') {
          // Started already in this browser session: carry on where they left off.
          const next =
            live.draft.answers.route === null ? 'who' : (incompleteSteps(live.draft.answers)[0] ?? 'check');
          return reply.redirect(questionHref(code, next), 303);
        }
        const key = `referral:start:${request.ip}`;
        const until = await services.publicFormLimiter.waitUntil([{ key, limit: STARTS_PER_HOUR }]);
        if (until) return tooMany(request, reply, found, until, false);
        await services.publicFormLimiter.record([key]);
        setReferralCookie(reply, await services.referrals.startDraft(found.organisationId));
        return reply.redirect(questionHref(code, 'who'), 303);
      },
    },
    {
      method: 'GET',
      url: paths.publicReferral.check(),
      access: { public: true },
      handler: async (request, reply) => {
        const found = await organisation(request);
        const live = await liveDraft(request, found);
        const code = codeOf(request);
        if (live?.draft.status !== 'draft') return elsewhere(reply, code, live);
        if (live.draft.answers.route === null) return reply.redirect(questionHref(code, 'who'), 303);
        return showCheck(request, reply, found, live);
      },
    },
    {
      method: 'POST',
      url: paths.publicReferral.check(),
      access: { public: true },
      audit: 'referral.submitted',
      handler: async (request, reply) => {
        const found = await organisation(request);
        if (!noFields.safeParse(formBody(request.body)).success)
          throw new BadRequestError('Unexpected fields');
        const code = codeOf(request);
        const live = await liveDraft(request, found);
        if (!live) return reply.redirect(start(code), 303);
        const key = `referral:submit:${request.ip}`;
        if (live.draft.status === 'draft') {
          const until = await services.publicFormLimiter.waitUntil([{ key, limit: SENDS_PER_HOUR }]);
          if (until) return tooMany(request, reply, found, until, true);
          await services.publicFormLimiter.record([key]);
        }
        const outcome = await services.referrals.submit(live.token);
        switch (outcome.kind) {
          case 'submitted':
            void services.notifications
              .referralWaiting(outcome.organisationId, outcome.urgent)
              .catch((error: unknown) => request.log.error({ err: error }, 'notification failed'));
            return reply.redirect(paths.publicReferral.confirmation(code), 303);
          case 'already_submitted':
            return reply.redirect(paths.publicReferral.confirmation(code), 303);
          case 'incomplete':
            return reply.redirect(`${questionHref(code, outcome.steps[0]!, true)}&incomplete=yes`, 303);
          case 'too_fast':
            return showCheck(
              request,
              reply,
              found,
              live,
              formError('send', 'Check your answers and send again'),
            );
          case 'not_found':
            return reply.redirect(start(code), 303);
        }
      },
    },
    {
      method: 'GET',
      url: paths.publicReferral.confirmation(),
      access: { public: true },
      handler: async (request, reply) => {
        const found = await organisation(request);
        const live = await liveDraft(request, found);
        if (live?.draft.status === 'draft')
          return reply.redirect(paths.publicReferral.check(codeOf(request)), 303);
        // Shown once: the cookie goes now, so a refresh (or the next person at this device) sees no reference.
        clearReferralCookie(reply);
        return reply.render('referral/sent.njk', {
          pageTitle: 'Form sent',
          ...layout(request, found),
          reference: live?.draft.reference,
          urgent: live?.draft.answers.inImmediateDanger === true,
          self: live?.draft.answers.route !== 'professional',
          noSafeContact: live ? hasNoSafeContactMethod(live.draft.answers) : false,
        });
      },
    },
    {
      method: 'GET',
      url: paths.publicReferral.question(),
      access: { public: true },
      handler: async (request, reply) => {
        const found = await organisation(request);
        const stepId = (request.params as { step: string }).step;
        if (!isStepId(stepId)) throw new NotFoundError('question');
        const code = codeOf(request);
        const live = await liveDraft(request, found);
        if (live?.draft.status !== 'draft') return elsewhere(reply, code, live);
        const answers = live.draft.answers;
        if (!isInJourney(stepId, answers))
          return reply.redirect(questionHref(code, incompleteSteps(answers)[0] ?? 'check'), 303);
        const step = QUESTION_PAGES[stepId];
        const values = present(step.toValues(answers));
        let errors: StepErrors | undefined;
        // Sent back from the check page because this page is not finished: say what is missing.
        if ((request.query as { incomplete?: string }).incomplete === 'yes') {
          const parsed = step.schema(contextFor(answers, today())).safeParse(values);
          if (!parsed.success) errors = stepErrors(parsed.error, step.fields);
        }
        return showQuestion(request, reply, found, live, stepId, values, errors);
      },
    },
    {
      method: 'POST',
      url: paths.publicReferral.question(),
      access: { public: true },
      handler: async (request, reply) => {
        const found = await organisation(request);
        const stepId = (request.params as { step: string }).step;
        if (!isStepId(stepId)) throw new NotFoundError('question');
        const code = codeOf(request);
        const live = await liveDraft(request, found);
        if (live?.draft.status !== 'draft') return elsewhere(reply, code, live);
        const answers = live.draft.answers;
        if (!isInJourney(stepId, answers))
          return reply.redirect(questionHref(code, incompleteSteps(answers)[0] ?? 'check'), 303);
        const step = QUESTION_PAGES[stepId];
        const body = formBody(request.body);
        const parsed = step.schema(contextFor(answers, today())).safeParse(body);
        const errors = parsed.success ? undefined : stepErrors(parsed.error, step.fields);
        if (stepId === 'who' && isHoneypotFilled(body)) {
          // Filled in by an automated form-filler: keep nothing, and look no different from success.
          await services.referrals.discardDraft(live.token);
          clearReferralCookie(reply);
          return reply.redirect(paths.publicReferral.confirmation(code), 303);
        }
        if (!parsed.success) return showQuestion(request, reply, found, live, stepId, body, errors);
        if (!(await services.referrals.save(live.token, parsed.data)))
          return reply.redirect(start(code), 303);
        const next = afterSaving(stepId, { ...answers, ...parsed.data }, fromCheck(request));
        return reply.redirect(questionHref(code, next, fromCheck(request) && next !== 'check'), 303);
      },
    },
  ];
}
