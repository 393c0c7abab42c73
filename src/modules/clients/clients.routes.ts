import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Services } from '../../composition.ts';
import type { CurrentSession } from '../../platform/auth/sessions.ts';
import { ukDate } from '../../platform/clock.ts';
import { formBody, formErrorsFrom, type FormErrors } from '../../platform/http/forms.ts';
import { NotFoundError, signedIn, type Route, uuidParam } from '../../platform/http/routing.ts';
import { can } from '../../platform/permissions.ts';
import { paths } from '../../paths.ts';
import type { InScope } from '../cases/case-scope.ts';
import type { StepErrors } from '../referrals/steps/step.ts';
import {
  addressSchema,
  dependantSchema,
  DISABILITY_ANSWERS,
  equalitySchema,
  ETHNIC_GROUPS,
  GENDER_SAME_AS_BIRTH_ANSWERS,
  otherNamesSchema,
  RELIGIONS,
  SEXUAL_ORIENTATIONS,
  SUPPORT_NEEDS,
  supportNeedsSchema,
} from './client-record.schema.ts';
import {
  addressLines,
  addressValues,
  afterSave,
  checkboxItems,
  clientSummaryView,
  contactHistoryViews,
  equalityValues,
  radioItems,
  supportNeedsValues,
  type ClientSummaryView,
} from './client-view.ts';
import type { ClientRecord, ClientSection } from './clients.service.ts';
import {
  identityItems,
  identityValues,
  parseIdentity,
  parseSafeContact,
  safeContactItems,
  safeContactValues,
} from './identity-contact.schema.ts';
import { inScope } from '../cases/case-results.ts';

const YES_NO = [
  { value: 'yes', text: 'Yes' },
  { value: 'no', text: 'No' },
];

type Values = Record<string, unknown>;

/** One page of the client record: its form, what it shows first, and how a valid form is saved. */
type SectionPage = {
  url: string;
  section: ClientSection;
  template: string;
  pageTitle: string;
  /** What the form shows when first opened, from the record. */
  values: (record: ClientRecord) => Values;
  /** The radios and checkboxes, built from what is in (or was typed into) the form. */
  items: (values: Values) => Record<string, unknown>;
  parse: (body: Values) => z.ZodSafeParseResult<unknown>;
  save: (session: CurrentSession, caseId: string, data: never) => Promise<InScope<unknown>>;
  done: (data: never) => string;
};

function sectionPage<T>(page: {
  url: string;
  section: ClientSection;
  template: string;
  pageTitle: string;
  values: (record: ClientRecord) => Values;
  items?: (values: Values) => Record<string, unknown>;
  parse: (body: Values) => z.ZodSafeParseResult<T>;
  save: (session: CurrentSession, caseId: string, data: T) => Promise<InScope<unknown>>;
  done: (data: T) => string;
}): SectionPage {
  return { items: () => ({}), ...page };
}

/** The client section of the case page, for the case page's handler to pass to its template. */
export async function clientSummaryFor(
  services: Services,
  request: FastifyRequest,
  caseId: string,
): Promise<ClientSummaryView> {
  const { session } = signedIn(request);
  const record = inScope(await services.clients.record(session, caseId));
  return clientSummaryView(record, {
    canSeeAddress: can(session.user.role, 'client:read_address'),
    today: ukDate(services.clock.now()),
    done: (request.query as { done?: string } | undefined)?.done,
  });
}

/**
 * The client record's own pages: identity, contact details and safe contact, other names, address, equality
 * monitoring, support needs, dependants.
 */
export function clientRoutes(services: Services): Route[] {
  const clients = services.clients;
  const today = () => ukDate(services.clock.now());
  const currentYear = () => Number(today().slice(0, 4));

  const render = (
    reply: FastifyReply,
    template: string,
    pageTitle: string,
    record: { caseId: string; reference: string },
    values: Values,
    extra: Record<string, unknown>,
    errors?: FormErrors,
  ) =>
    reply.code(errors ? 400 : 200).render(template, {
      pageTitle,
      target: { caseId: record.caseId, reference: record.reference },
      caseHref: `${paths.case(record.caseId)}#client-record`,
      values,
      ...extra,
      errors,
    });

  const pages: SectionPage[] = [
    sectionPage({
      url: paths.clientOtherNames(),
      section: 'other_names',
      template: 'clients/other-names.njk',
      pageTitle: 'Other names',
      values: (record) => ({ aliases: record.aliases.join('\n') }),
      parse: (body) => otherNamesSchema.safeParse(body),
      save: (session, caseId, aliases) => clients.saveOtherNames(session, caseId, aliases),
      done: () => 'client-other_names',
    }),
    sectionPage({
      url: paths.clientEquality(),
      section: 'equality',
      template: 'clients/equality.njk',
      pageTitle: 'Equality monitoring',
      values: (record) => equalityValues(record.equality),
      items: (values) => ({
        ethnicityItems: radioItems(ETHNIC_GROUPS, values.ethnicity),
        disabilityItems: radioItems(DISABILITY_ANSWERS, values.disability),
        sexualOrientationItems: radioItems(SEXUAL_ORIENTATIONS, values.sexualOrientation),
        religionItems: radioItems(RELIGIONS, values.religion),
        genderSameAsBirthItems: radioItems(GENDER_SAME_AS_BIRTH_ANSWERS, values.genderSameAsBirth),
      }),
      parse: (body) => equalitySchema.safeParse(body),
      save: (session, caseId, equality) => clients.saveEquality(session, caseId, equality),
      done: () => 'client-equality',
    }),
    sectionPage({
      url: paths.clientSupportNeeds(),
      section: 'support_needs',
      template: 'clients/support-needs.njk',
      pageTitle: 'Support needs',
      values: (record) => supportNeedsValues(record.supportNeeds),
      items: (values) => ({
        interpreterItems: radioItems(YES_NO, values.interpreterNeeded),
        needsItems: checkboxItems(SUPPORT_NEEDS, values.needs),
      }),
      parse: (body) => supportNeedsSchema.safeParse(body),
      save: (session, caseId, needs) => clients.saveSupportNeeds(session, caseId, needs),
      done: () => 'client-support_needs',
    }),
    sectionPage({
      url: paths.clientDependantNew(),
      section: 'dependants',
      template: 'clients/dependant-new.njk',
      pageTitle: 'Add a child or dependant',
      // Made when the form is first shown; becomes the dependant's id, so sending the form twice adds one.
      values: () => ({ submissionId: randomUUID() }),
      items: (values) => ({ livesWithItems: radioItems(YES_NO, values.livesWithClient) }),
      parse: (body) => dependantSchema(currentYear()).safeParse(body),
      save: (session, caseId, dependant) => clients.addDependant(session, caseId, dependant),
      done: () => 'client-dependant-added',
    }),
  ];

  const sectionRoutes = pages.flatMap((page): Route[] => [
    {
      method: 'GET',
      url: page.url,
      access: { permission: 'case:read' },
      audit: 'client.viewed',
      handler: async (request, reply) => {
        const { session } = signedIn(request);
        const record = inScope(await clients.record(session, uuidParam(request, 'caseId'), page.section));
        const values = page.values(record);
        return render(reply, page.template, page.pageTitle, record, values, page.items(values));
      },
    },
    {
      method: 'POST',
      url: page.url,
      access: { permission: 'case:read' },
      audit: 'client.updated',
      handler: async (request, reply) => {
        const { session } = signedIn(request);
        const caseId = uuidParam(request, 'caseId');
        const body = formBody(request.body);
        const parsed = page.parse(body);
        if (!parsed.success) {
          const errors = formErrorsFrom(parsed.error);
          const record = inScope(await clients.record(session, caseId));
          return render(reply, page.template, page.pageTitle, record, body, page.items(body), errors);
        }
        inScope(await page.save(session, caseId, parsed.data as never));
        return reply.redirect(afterSave(caseId, page.done(parsed.data as never)), 303);
      },
    },
  ]);

  const showAddressForm = async (
    request: FastifyRequest,
    reply: FastifyReply,
    form?: { values: Values; errors: FormErrors },
  ) => {
    const caseId = uuidParam(request, 'caseId');
    const { reference, address } = inScope(
      await clients.address(signedIn(request).session, caseId, 'change'),
    );
    const values = form?.values ?? addressValues(address);
    return render(
      reply,
      'clients/address-change.njk',
      address ? 'Change the client’s address' : 'Add the client’s address',
      { caseId, reference },
      values,
      { lettersSafeItems: radioItems(YES_NO, values.lettersSafe), canRemove: address !== null },
      form?.errors,
    );
  };

  // Identity and contact are the referral's own questions: the referral's steps check them and lay out their
  // fields (identity-contact.schema.ts), so these two pages are not section pages.
  const showIdentityForm = (
    reply: FastifyReply,
    record: { caseId: string; reference: string },
    values: Values,
    errors?: StepErrors,
  ) =>
    render(
      reply,
      'clients/identity.njk',
      'Name, date of birth and gender',
      record,
      values,
      identityItems(values, today(), errors),
      errors,
    );

  const showSafeContactForm = async (
    request: FastifyRequest,
    reply: FastifyReply,
    form?: { values: Values; errors: StepErrors },
  ) => {
    const found = inScope(await clients.safeContact(signedIn(request).session, uuidParam(request, 'caseId')));
    const values = form?.values ?? safeContactValues(found.details);
    return render(
      reply,
      'clients/safe-contact.njk',
      'Contact details and safe contact',
      found,
      values,
      { ...safeContactItems(values, today(), form?.errors), history: contactHistoryViews(found.history) },
      form?.errors,
    );
  };

  return [
    {
      method: 'GET',
      url: paths.clientIdentity(),
      access: { permission: 'case:read' },
      audit: 'client.viewed',
      handler: async (request, reply) => {
        const { session } = signedIn(request);
        const record = inScope(await clients.record(session, uuidParam(request, 'caseId'), 'identity'));
        return showIdentityForm(reply, record, identityValues(record.identity));
      },
    },
    {
      method: 'POST',
      url: paths.clientIdentity(),
      access: { permission: 'case:read' },
      audit: 'client.updated',
      handler: async (request, reply) => {
        const { session } = signedIn(request);
        const caseId = uuidParam(request, 'caseId');
        const body = formBody(request.body);
        const parsed = parseIdentity(body, today());
        if (!parsed.ok) {
          const record = inScope(await clients.record(session, caseId));
          return showIdentityForm(reply, record, body, parsed.errors);
        }
        inScope(await clients.saveIdentity(session, caseId, parsed.value));
        return reply.redirect(`${paths.case(caseId)}?done=client-identity`, 303);
      },
    },
    {
      method: 'GET',
      url: paths.clientSafeContact(),
      access: { permission: 'case:read' },
      audit: 'client.viewed',
      handler: async (request, reply) => showSafeContactForm(request, reply),
    },
    {
      method: 'POST',
      url: paths.clientSafeContact(),
      access: { permission: 'case:read' },
      audit: 'client.updated',
      handler: async (request, reply) => {
        const caseId = uuidParam(request, 'caseId');
        const body = formBody(request.body);
        const parsed = parseSafeContact(body, today());
        if (!parsed.ok) return showSafeContactForm(request, reply, { values: body, errors: parsed.errors });
        inScope(await clients.saveSafeContact(signedIn(request).session, caseId, parsed.value));
        return reply.redirect(`${paths.case(caseId)}?done=client-safe_contact`, 303);
      },
    },
    ...sectionRoutes,
    {
      method: 'GET',
      url: paths.clientAddress(),
      access: { permission: 'client:read_address' },
      audit: 'client.address_viewed',
      handler: async (request, reply) => {
        const caseId = uuidParam(request, 'caseId');
        const { reference, address } = inScope(
          await clients.address(signedIn(request).session, caseId, 'show'),
        );
        return render(
          reply,
          'clients/address.njk',
          'Client’s address',
          { caseId, reference },
          {},
          {
            lines: address ? addressLines(address) : null,
            lettersSafe: address?.lettersSafe ?? null,
          },
        );
      },
    },
    {
      method: 'GET',
      url: paths.clientAddressChange(),
      access: { permission: 'client:read_address' },
      audit: 'client.address_viewed',
      handler: async (request, reply) => showAddressForm(request, reply),
    },
    {
      method: 'POST',
      url: paths.clientAddressChange(),
      access: { permission: 'client:read_address' },
      audit: 'client.updated',
      handler: async (request, reply) => {
        const caseId = uuidParam(request, 'caseId');
        const body = formBody(request.body);
        const parsed = addressSchema.safeParse(body);
        if (!parsed.success) {
          return showAddressForm(request, reply, { values: body, errors: formErrorsFrom(parsed.error) });
        }
        inScope(await clients.saveAddress(signedIn(request).session, caseId, parsed.data));
        return reply.redirect(
          afterSave(caseId, parsed.data ? 'client-address' : 'client-address-removed'),
          303,
        );
      },
    },
    {
      method: 'POST',
      url: paths.clientDependantRemove(),
      access: { permission: 'case:read' },
      audit: 'client.updated',
      handler: async (request, reply) => {
        const caseId = uuidParam(request, 'caseId');
        const dependantId = uuidParam(request, 'dependantId');
        const removed = inScope(
          await clients.removeDependant(signedIn(request).session, caseId, dependantId),
        );
        if (!removed) throw new NotFoundError('dependant');
        return reply.redirect(afterSave(caseId, 'client-dependant-removed'), 303);
      },
    },
  ];
}
