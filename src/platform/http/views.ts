import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import nunjucks from 'nunjucks';
import { paths } from '../../paths.ts';
import { can, ROLE_LABELS } from '../permissions.ts';

declare module 'fastify' {
  interface FastifyReply {
    /** Renders a page with the layout's shared values (nonce, CSRF token, user, navigation). */
    render(template: string, model?: Record<string, unknown>): FastifyReply;
  }
}

const root = path.resolve(import.meta.dirname, '../../..');

export function createViewEnvironment(): nunjucks.Environment {
  const environment = new nunjucks.Environment(
    new nunjucks.FileSystemLoader(
      [
        path.join(root, 'src/views'),
        path.join(root, 'node_modules/govuk-frontend/dist'),
        path.join(root, 'node_modules/@ministryofjustice/frontend'),
      ],
      { noCache: false },
    ),
    { autoescape: true, throwOnUndefined: false },
  );
  environment.addGlobal('paths', paths);
  environment.addGlobal('roleLabels', ROLE_LABELS);
  environment.addFilter('dateTime', (value: Date | string | null) =>
    value ? formatDateTime(new Date(value)) : '',
  );
  environment.addFilter('date', (value: Date | string | null) => (value ? formatDate(new Date(value)) : ''));
  environment.addFilter('withReveal', withReveal);
  return environment;
}

type ChoiceItem = { value: string; [key: string]: unknown };

/**
 * Radio or checkbox items with GOV.UK's conditional reveal on the one whose value is given: its follow-up
 * question (`html`, built by the template) shows when it is chosen, and always without JavaScript.
 * In a template: `items: genders | withReveal("self_described", describeHtml)`.
 */
export function withReveal(items: ChoiceItem[], value: string, html: string): ChoiceItem[] {
  return items.map((item) => (item.value === value ? { ...item, conditional: { html } } : item));
}

const londonDateTime = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  hour12: true,
});
const londonDate = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});

/**
 * Formatting with Intl is slow next to the rest of rendering (a caseload or queue page formats hundreds of
 * dates), and the same instants come round again and again: the results are remembered, a bounded number.
 */
function remembered(format: (value: Date) => string): (value: Date) => string {
  const cache = new Map<number, string>();
  return (value) => {
    const time = value.getTime();
    let text = cache.get(time);
    if (text === undefined) {
      text = format(value);
      if (cache.size >= 20_000) cache.clear();
      cache.set(time, text);
    }
    return text;
  };
}

/** GOV.UK style: "23 November 2026, 4:05pm", in UK time. */
export const formatDateTime = remembered((value) => {
  const parts = Object.fromEntries(londonDateTime.formatToParts(value).map((p) => [p.type, p.value]));
  return `${parts.day} ${parts.month} ${parts.year}, ${parts.hour}:${parts.minute}${String(parts.dayPeriod).toLowerCase()}`;
});

export const formatDate = remembered((value) => londonDate.format(value));

type NavigationItem = { text: string; href: string; active: boolean };

export function navigationFor(request: FastifyRequest): NavigationItem[] {
  const session = request.session;
  if (!session || session.stage !== 'active') return [];
  const current = request.url.split('?')[0] ?? '';
  const item = (text: string, href: string): NavigationItem => ({
    text,
    href,
    active: href === paths.home ? current === href : current === href || current.startsWith(`${href}/`),
  });
  const items = [item('Home', paths.home)];
  if (can(session.user.role, 'referral:triage')) {
    const waiting = request.referralsWaiting ?? 0;
    items.push(item(waiting ? `Referrals (${waiting})` : 'Referrals', paths.referrals));
  }
  if (can(session.user.role, 'case:read')) {
    items.push(item(can(session.user.role, 'case:read_all') ? 'Cases' : 'Your caseload', paths.cases));
    items.push(item('Search', paths.search));
    items.push(item('Court hearings', paths.hearings));
  }
  if (can(session.user.role, 'perpetrator:see_matches')) {
    const waiting = request.perpetratorAlertsWaiting ?? 0;
    items.push(item(waiting ? `Alerts (${waiting})` : 'Alerts', paths.perpetratorAlerts));
  }
  if (can(session.user.role, 'bundle:download_police'))
    items.push(item('Evidence bundles', paths.policeBundles));
  if (can(session.user.role, 'staff:read')) items.push(item('Staff', paths.staff));
  if (can(session.user.role, 'audit:read')) items.push(item('Audit trail', paths.audit));
  if (can(session.user.role, 'organisation:manage')) items.push(item('Settings', paths.settings));
  items.push(item('Your account', paths.account));
  return items;
}

function sharedLocals(request: FastifyRequest, reply: FastifyReply): Record<string, unknown> {
  const session = request.session;
  return {
    cspNonce: reply.cspNonce,
    csrfToken: reply.generateCsrf(),
    serviceName: session?.organisation.serviceName ?? 'Vigil',
    currentUser:
      session?.stage === 'active'
        ? { name: session.user.displayName, role: ROLE_LABELS[session.user.role] }
        : null,
    navigation: navigationFor(request),
  };
}

export const viewsPlugin = fp(
  async (app: FastifyInstance) => {
    const environment = createViewEnvironment();
    app.decorateReply(
      'render',
      function (this: FastifyReply, template: string, model: Record<string, unknown> = {}) {
        const html = environment.render(template, { ...sharedLocals(this.request, this), ...model });
        // Nunjucks builds the page by appending thousands of small strings. Encoding it once here is much cheaper
        // than letting the response measure the string and then encode it again on the way to the socket.
        return this.type('text/html; charset=utf-8').send(Buffer.from(html, 'utf8'));
      },
    );
  },
  { name: 'vigil-views', dependencies: ['vigil-security', 'vigil-sessions'] },
);
