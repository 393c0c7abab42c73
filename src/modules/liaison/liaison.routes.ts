import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../composition.ts';
import { ukDate } from '../../platform/clock.ts';
import {
  BadRequestError,
  formBody,
  formErrorsFrom,
  takeSubmissionId,
  type FormErrors,
} from '../../platform/http/forms.ts';
import {
  ForbiddenError,
  NotFoundError,
  signedIn,
  uuidParam,
  type Route,
} from '../../platform/http/routing.ts';
import { can } from '../../platform/permissions.ts';
import { pdfStream } from '../../platform/pdf/pdf.ts';
import { paths } from '../../paths.ts';
import { inScope } from '../cases/case-results.ts';
import { dateItems } from '../cases/case-view.ts';
import { icalendar } from './icalendar.ts';
import {
  calendarView,
  checkboxItems,
  contactValues,
  contactView,
  crimeReferenceChoices,
  crimeReferenceView,
  hearingValues,
  hearingView,
  radioItems,
} from './liaison-view.ts';
import {
  crimeReferenceSchema,
  crimeUpdateSchema,
  hearingSchema,
  outcomeSchema,
  policeContactSchema,
  spoRequestSchema,
} from './liaison.schema.ts';
import {
  COURT_TYPES,
  CRIME_STATUSES,
  HEARING_OUTCOMES,
  HEARING_SUPPORT,
  HEARING_TYPES,
  OFFENCES,
  POLICE_ROLES,
  SPECIAL_MEASURES,
  SPO_CONSENT,
  SPO_PROHIBITIONS,
  SPO_REQUIREMENTS,
} from './options.ts';
import { sendAttachment } from '../../platform/http/attachment.ts';

type Form = { values: Record<string, unknown>; errors?: FormErrors };

const calendarQuery = z.object({ view: z.enum(['mine', 'team']).catch('mine') });

const backToCase = (reply: FastifyReply, caseId: string, done: string, anchor: string) =>
  reply.redirect(`${paths.case(caseId)}?done=${done}#${anchor}`, 303);

/** The submission id a form carries, or a new one for a fresh form. */
const submissionIdOf = (values: Record<string, unknown>) =>
  typeof values.submissionId === 'string' ? values.submissionId : randomUUID();

/**
 * Police liaison and court support on a case: police contacts, crime references, court hearings and the
 * request to police for a Stalking Protection Order; and the hearings calendar with its iCalendar file.
 */
export function liaisonRoutes(services: Services): Route[] {
  const liaison = services.liaison;
  const spo = services.spoRequests;
  const ids = (request: FastifyRequest) => ({
    session: signedIn(request).session,
    caseId: uuidParam(request, 'caseId'),
  });
  /** The case (its id and reference) for a page's heading and links, once the caller is known to reach it. */
  const caseRecord = async (request: FastifyRequest) => {
    const { session, caseId } = ids(request);
    return inScope(await liaison.reachable(session, caseId));
  };
  const caseReference = caseRecord;
  const today = () => ukDate(services.clock.now());

  // Police contacts.

  const showContactForm = async (
    request: FastifyRequest,
    reply: FastifyReply,
    form: Form = { values: {} },
  ) => {
    const record = await caseRecord(request);
    return reply.code(form.errors ? 400 : 200).render('liaison/contact-form.njk', {
      pageTitle: 'Add a police contact',
      record,
      action: paths.casePoliceContacts(record.caseId),
      submissionId: submissionIdOf(form.values),
      values: form.values,
      roleItems: radioItems(POLICE_ROLES, form.values.role, 'role'),
      errors: form.errors,
    });
  };

  const showContactChange = async (
    request: FastifyRequest,
    reply: FastifyReply,
    form: Form | null = null,
  ) => {
    const { session, caseId } = ids(request);
    const contactId = uuidParam(request, 'contactId');
    const contact = inScope(await liaison.contact(session, caseId, contactId));
    if (!contact) throw new NotFoundError('police contact');
    const { reference } = await caseReference(request);
    const values = form?.values ?? contactValues(contact);
    return reply.code(form?.errors ? 400 : 200).render('liaison/contact-form.njk', {
      pageTitle: 'Change a police contact',
      record: { caseId, reference },
      action: paths.policeContact(caseId, contactId),
      submissionId: submissionIdOf(values),
      values,
      roleItems: radioItems(POLICE_ROLES, values.role, 'role'),
      contact: contactView(caseId, contact),
      errors: form?.errors,
    });
  };

  // Crime references.

  const showCrimeReferenceForm = async (
    request: FastifyRequest,
    reply: FastifyReply,
    form: Form = { values: {} },
  ) => {
    const record = await caseRecord(request);
    return reply.code(form.errors ? 400 : 200).render('liaison/crime-reference-new.njk', {
      pageTitle: 'Add a crime reference',
      record,
      submissionId: submissionIdOf(form.values),
      values: form.values,
      offenceItems: radioItems(OFFENCES, form.values.offence, 'offence'),
      statusItems: radioItems(CRIME_STATUSES, form.values.status, 'status'),
      dateItems: dateItems('statusOn', form.values, Boolean(form.errors?.fields['statusOn-day'])),
      errors: form.errors,
    });
  };

  const showCrimeReference = async (
    request: FastifyRequest,
    reply: FastifyReply,
    form: Form | null = null,
  ) => {
    const { session, caseId } = ids(request);
    const crimeReferenceId = uuidParam(request, 'crimeReferenceId');
    const found = inScope(await liaison.crimeReference(session, caseId, crimeReferenceId));
    if (!found) throw new NotFoundError('crime reference');
    const { reference } = await caseReference(request);
    const values = form?.values ?? {};
    const done = (request.query as { done?: string } | undefined)?.done;
    return reply.code(form?.errors ? 400 : 200).render('liaison/crime-reference.njk', {
      pageTitle: 'Crime reference',
      record: { caseId, reference },
      crime: crimeReferenceView(caseId, found),
      canRecord: can(session.user.role, 'police_liaison:record'),
      action: paths.crimeReferenceUpdates(caseId, crimeReferenceId),
      submissionId: submissionIdOf(values),
      values,
      statusItems: radioItems(CRIME_STATUSES, values.status, 'status'),
      dateItems: dateItems('statusOn', values, Boolean(form?.errors?.fields['statusOn-day'])),
      notice: done === 'updated' ? 'Status update added' : null,
      errors: form?.errors,
    });
  };

  // Court hearings.

  const hearingFormLocals = (values: Record<string, unknown>, errors: FormErrors | undefined) => ({
    values,
    courtTypeItems: radioItems(COURT_TYPES, values.courtType, 'court-type'),
    hearingTypeItems: radioItems(HEARING_TYPES, values.hearingType, 'hearing-type'),
    supportItems: checkboxItems(HEARING_SUPPORT, values.support, 'support'),
    requestedItems: checkboxItems(SPECIAL_MEASURES, values.measuresRequested, 'requested'),
    grantedItems: checkboxItems(SPECIAL_MEASURES, values.measuresGranted, 'granted'),
    dateItems: dateItems('startsOn', values, Boolean(errors?.fields['startsOn-day'])),
    reminderDays: liaison.court.reminderDaysBefore,
    errors,
  });

  const showHearingForm = async (
    request: FastifyRequest,
    reply: FastifyReply,
    form: Form = { values: {} },
  ) => {
    const { session, caseId } = ids(request);
    const references = inScope(await liaison.crimeReferences(session, caseId));
    const { reference } = await caseReference(request);
    return reply.code(form.errors ? 400 : 200).render('liaison/hearing-form.njk', {
      pageTitle: 'Add a court hearing',
      record: { caseId, reference },
      action: paths.caseHearings(caseId),
      submissionId: submissionIdOf(form.values),
      crimeReferenceItems: crimeReferenceChoices(references, form.values.crimeReferenceId),
      ...hearingFormLocals(form.values, form.errors),
    });
  };

  const hearingFor = async (request: FastifyRequest) => {
    const { session, caseId } = ids(request);
    const hearingId = uuidParam(request, 'hearingId');
    const found = inScope(await liaison.hearing(session, caseId, hearingId));
    if (!found) throw new NotFoundError('hearing');
    const { reference } = await caseReference(request);
    return { session, caseId, hearingId, reference, ...found };
  };

  const showHearingChange = async (
    request: FastifyRequest,
    reply: FastifyReply,
    form: Form | null = null,
  ) => {
    const { caseId, hearingId, reference, hearing, crimeReferences } = await hearingFor(request);
    const values = form?.values ?? hearingValues(hearing);
    return reply.code(form?.errors ? 400 : 200).render('liaison/hearing-form.njk', {
      pageTitle: 'Change a court hearing',
      record: { caseId, reference },
      action: paths.hearing(caseId, hearingId),
      changing: true,
      crimeReferenceItems: crimeReferenceChoices(crimeReferences, values.crimeReferenceId),
      ...hearingFormLocals(values, form?.errors),
    });
  };

  const showOutcomeForm = async (request: FastifyRequest, reply: FastifyReply, form: Form | null = null) => {
    const { caseId, hearingId, reference, hearing, crimeReferences } = await hearingFor(request);
    const values = form?.values ?? { outcome: hearing.outcome ?? '', outcomeNote: hearing.outcomeNote ?? '' };
    return reply.code(form?.errors ? 400 : 200).render('liaison/hearing-outcome.njk', {
      pageTitle: 'Record the outcome of a hearing',
      record: { caseId, reference },
      action: paths.hearingOutcome(caseId, hearingId),
      hearing: hearingView(caseId, hearing, crimeReferences, services.clock.now()),
      values,
      outcomeItems: radioItems(HEARING_OUTCOMES, values.outcome, 'outcome'),
      errors: form?.errors,
    });
  };

  // Requests to police for an SPO.

  const showSpoForm = async (request: FastifyRequest, reply: FastifyReply, form: Form = { values: {} }) => {
    const { session, caseId } = ids(request);
    const officers = inScope(await spo.officers(session, caseId));
    const { reference } = await caseReference(request);
    return reply.code(form.errors ? 400 : 200).render('liaison/spo-request-new.njk', {
      pageTitle: 'Request a Stalking Protection Order from police',
      record: { caseId, reference },
      values: form.values,
      prohibitionItems: checkboxItems(SPO_PROHIBITIONS, form.values.prohibitions, 'prohibition'),
      requirementItems: checkboxItems(SPO_REQUIREMENTS, form.values.requirements, 'requirement'),
      consentItems: radioItems(SPO_CONSENT, form.values.consent, 'consent'),
      officerItems: [
        { value: '', text: 'The officer in the case (no one chosen)', selected: !form.values.contactId },
        ...officers.map((officer) => ({
          value: officer.contactId,
          text: officer.text,
          selected: form.values.contactId === officer.contactId,
        })),
      ],
      errors: form.errors,
    });
  };

  /** The form's values again as hidden fields, so the check page can send them on unchanged. */
  const hiddenFields = (values: Record<string, unknown>) =>
    Object.entries(values).flatMap(([name, value]) =>
      ([] as unknown[])
        .concat(value ?? [])
        .filter((item): item is string => typeof item === 'string')
        .map((item) => ({ name, value: item })),
    );

  return [
    {
      method: 'GET',
      url: paths.casePoliceContactNew(),
      access: { permission: 'police_liaison:record' },
      handler: async (request, reply) => showContactForm(request, reply),
    },
    {
      method: 'POST',
      url: paths.casePoliceContacts(),
      access: { permission: 'police_liaison:record' },
      audit: 'police.contact_added',
      handler: async (request, reply) => {
        const { session, caseId } = ids(request);
        inScope(await liaison.reachable(session, caseId));
        const { submissionId, fields } = takeSubmissionId(formBody(request.body));
        const parsed = policeContactSchema.safeParse(fields);
        if (!parsed.success)
          return showContactForm(request, reply, {
            values: { ...fields, submissionId },
            errors: formErrorsFrom(parsed.error),
          });
        const result = inScope(await liaison.addContact(session, caseId, submissionId, parsed.data));
        if (result === 'stale_form') throw new BadRequestError('Altered form');
        return backToCase(reply, caseId, 'police_contact', 'police');
      },
    },
    {
      method: 'GET',
      url: paths.policeContactChange(),
      access: { permission: 'police_liaison:record' },
      audit: 'police.contact_viewed',
      handler: async (request, reply) => showContactChange(request, reply),
    },
    {
      method: 'POST',
      url: paths.policeContact(),
      access: { permission: 'police_liaison:record' },
      audit: 'police.contact_changed',
      handler: async (request, reply) => {
        const { session, caseId } = ids(request);
        const contactId = uuidParam(request, 'contactId');
        inScope(await liaison.reachable(session, caseId));
        const { submissionId, fields } = takeSubmissionId(formBody(request.body));
        const parsed = policeContactSchema.safeParse(fields);
        if (!parsed.success)
          return showContactChange(request, reply, {
            values: { ...fields, submissionId },
            errors: formErrorsFrom(parsed.error),
          });
        const result = inScope(
          await liaison.changeContact(session, caseId, contactId, submissionId, parsed.data),
        );
        if (result === 'not_found') throw new NotFoundError('police contact');
        if (result === 'stale_form') throw new BadRequestError('Altered form');
        return backToCase(reply, caseId, 'police_contact_changed', 'police');
      },
    },
    {
      method: 'POST',
      url: paths.policeContactNotInvolved(),
      access: { permission: 'police_liaison:record' },
      audit: 'police.contact_not_involved',
      handler: async (request, reply) => {
        const { session, caseId } = ids(request);
        const contactId = uuidParam(request, 'contactId');
        const done = inScope(await liaison.markNotInvolved(session, caseId, contactId));
        if (!done) throw new NotFoundError('police contact');
        return backToCase(reply, caseId, 'police_contact_not_involved', 'police');
      },
    },
    {
      method: 'GET',
      url: paths.caseCrimeReferenceNew(),
      access: { permission: 'police_liaison:record' },
      handler: async (request, reply) => showCrimeReferenceForm(request, reply),
    },
    {
      method: 'POST',
      url: paths.caseCrimeReferences(),
      access: { permission: 'police_liaison:record' },
      audit: 'police.crime_reference_added',
      handler: async (request, reply) => {
        const { session, caseId } = ids(request);
        inScope(await liaison.reachable(session, caseId));
        const { submissionId, fields } = takeSubmissionId(formBody(request.body));
        const parsed = crimeReferenceSchema(today()).safeParse(fields);
        if (!parsed.success)
          return showCrimeReferenceForm(request, reply, {
            values: { ...fields, submissionId },
            errors: formErrorsFrom(parsed.error),
          });
        const result = inScope(await liaison.addCrimeReference(session, caseId, submissionId, parsed.data));
        if (result === 'stale_form') throw new BadRequestError('Altered form');
        return backToCase(reply, caseId, 'crime_reference', 'police');
      },
    },
    {
      method: 'GET',
      url: paths.crimeReference(),
      access: { permission: 'case:read' },
      audit: 'police.crime_reference_viewed',
      handler: async (request, reply) => showCrimeReference(request, reply),
    },
    {
      method: 'POST',
      url: paths.crimeReferenceUpdates(),
      access: { permission: 'police_liaison:record' },
      audit: 'police.crime_reference_updated',
      handler: async (request, reply) => {
        const { session, caseId } = ids(request);
        const crimeReferenceId = uuidParam(request, 'crimeReferenceId');
        inScope(await liaison.reachable(session, caseId));
        const { submissionId, fields } = takeSubmissionId(formBody(request.body));
        const parsed = crimeUpdateSchema(today()).safeParse(fields);
        if (!parsed.success)
          return showCrimeReference(request, reply, {
            values: { ...fields, submissionId },
            errors: formErrorsFrom(parsed.error),
          });
        const result = inScope(
          await liaison.addCrimeUpdate(session, caseId, crimeReferenceId, submissionId, parsed.data),
        );
        if (result === 'not_found') throw new NotFoundError('crime reference');
        if (result === 'stale_form') throw new BadRequestError('Altered form');
        return reply.redirect(`${paths.crimeReference(caseId, crimeReferenceId)}?done=updated`, 303);
      },
    },
    {
      method: 'GET',
      url: paths.caseHearingNew(),
      access: { permission: 'police_liaison:record' },
      handler: async (request, reply) => showHearingForm(request, reply),
    },
    {
      method: 'POST',
      url: paths.caseHearings(),
      access: { permission: 'police_liaison:record' },
      audit: 'court.hearing_added',
      handler: async (request, reply) => {
        const { session, caseId } = ids(request);
        inScope(await liaison.reachable(session, caseId));
        const { submissionId, fields } = takeSubmissionId(formBody(request.body));
        const parsed = hearingSchema.safeParse(fields);
        if (!parsed.success)
          return showHearingForm(request, reply, {
            values: { ...fields, submissionId },
            errors: formErrorsFrom(parsed.error),
          });
        const result = inScope(await liaison.addHearing(session, caseId, submissionId, parsed.data));
        if (result !== 'recorded') throw new BadRequestError('Altered form');
        return backToCase(reply, caseId, 'hearing', 'court');
      },
    },
    {
      method: 'GET',
      url: paths.hearingChange(),
      access: { permission: 'police_liaison:record' },
      audit: 'court.hearing_viewed',
      handler: async (request, reply) => showHearingChange(request, reply),
    },
    {
      method: 'POST',
      url: paths.hearing(),
      access: { permission: 'police_liaison:record' },
      audit: 'court.hearing_changed',
      handler: async (request, reply) => {
        const { session, caseId } = ids(request);
        const hearingId = uuidParam(request, 'hearingId');
        inScope(await liaison.reachable(session, caseId));
        const fields = formBody(request.body);
        const parsed = hearingSchema.safeParse(fields);
        if (!parsed.success)
          return showHearingChange(request, reply, { values: fields, errors: formErrorsFrom(parsed.error) });
        const result = inScope(await liaison.changeHearing(session, caseId, hearingId, parsed.data));
        if (result === 'not_found') throw new NotFoundError('hearing');
        if (result === 'no_such_reference') throw new BadRequestError('Altered form');
        return backToCase(reply, caseId, 'hearing_changed', 'court');
      },
    },
    {
      method: 'GET',
      url: paths.hearingOutcome(),
      access: { permission: 'police_liaison:record' },
      audit: 'court.hearing_viewed',
      handler: async (request, reply) => showOutcomeForm(request, reply),
    },
    {
      method: 'POST',
      url: paths.hearingOutcome(),
      access: { permission: 'police_liaison:record' },
      audit: 'court.hearing_outcome_recorded',
      handler: async (request, reply) => {
        const { session, caseId } = ids(request);
        const hearingId = uuidParam(request, 'hearingId');
        inScope(await liaison.reachable(session, caseId));
        const fields = formBody(request.body);
        const parsed = outcomeSchema.safeParse(fields);
        if (!parsed.success)
          return showOutcomeForm(request, reply, { values: fields, errors: formErrorsFrom(parsed.error) });
        const saved = inScope(await liaison.recordOutcome(session, caseId, hearingId, parsed.data));
        if (!saved) throw new NotFoundError('hearing');
        return backToCase(reply, caseId, 'hearing_outcome', 'court');
      },
    },
    {
      method: 'GET',
      url: paths.hearings,
      access: { permission: 'case:read' },
      audit: 'court.calendar_viewed',
      handler: async (request, reply) => {
        const { session } = signedIn(request);
        const { view } = calendarQuery.parse(request.query ?? {});
        const hearings = await liaison.calendar(session, view, 'viewed');
        if (!hearings) throw new ForbiddenError('team hearings');
        const seesTeam = can(session.user.role, 'case:read_all');
        return reply.render('liaison/hearings.njk', {
          pageTitle: view === 'team' ? 'The team’s court hearings' : 'Your court hearings',
          view,
          seesTeam,
          calendar: calendarView(hearings, services.clock.now()),
          fileHref: `${paths.hearingsCalendarFile}${view === 'team' ? '?view=team' : ''}`,
        });
      },
    },
    {
      method: 'GET',
      url: paths.hearingsCalendarFile,
      access: { permission: 'case:read' },
      audit: 'court.calendar_exported',
      handler: async (request, reply) => {
        const { session } = signedIn(request);
        const { view } = calendarQuery.parse(request.query ?? {});
        const hearings = await liaison.calendar(session, view, 'exported');
        if (!hearings) throw new ForbiddenError('team hearings');
        const file = icalendar(
          hearings.map((hearing) => ({
            hearingId: hearing.hearingId,
            reference: hearing.reference,
            startsAt: hearing.startsAt,
            updatedAt: hearing.updatedAt,
            cancelled: hearing.outcome === 'vacated',
          })),
        );
        return sendAttachment(reply, {
          type: 'text/calendar; charset=utf-8',
          fileName: 'court-hearings.ics',
          body: file,
        });
      },
    },
    {
      method: 'GET',
      url: paths.caseSpoRequestNew(),
      access: { permission: 'police_liaison:record' },
      handler: async (request, reply) => showSpoForm(request, reply),
    },
    {
      method: 'POST',
      url: paths.caseSpoRequestCheck(),
      access: { permission: 'police_liaison:record' },
      audit: 'spo_request.drafted',
      handler: async (request, reply) => {
        const { session, caseId } = ids(request);
        inScope(await liaison.reachable(session, caseId));
        const fields = formBody(request.body);
        const parsed = spoRequestSchema.safeParse(fields);
        if (!parsed.success)
          return showSpoForm(request, reply, { values: fields, errors: formErrorsFrom(parsed.error) });
        const content = inScope(await spo.draft(session, caseId, parsed.data));
        if (!content) throw new BadRequestError('Altered form');
        return reply.render('liaison/spo-request-check.njk', {
          pageTitle: 'Check the request before it is made',
          record: { caseId, reference: content.caseReference },
          content,
          hidden: hiddenFields(fields),
          submissionId: randomUUID(),
          changeAction: paths.caseSpoRequestNew(caseId),
        });
      },
    },
    {
      method: 'POST',
      url: paths.caseSpoRequests(),
      access: { permission: 'police_liaison:record' },
      audit: 'spo_request.recorded',
      handler: async (request, reply) => {
        const { session, caseId } = ids(request);
        inScope(await liaison.reachable(session, caseId));
        const { submissionId, fields } = takeSubmissionId(formBody(request.body));
        const parsed = spoRequestSchema.safeParse(fields);
        if (!parsed.success)
          return showSpoForm(request, reply, { values: fields, errors: formErrorsFrom(parsed.error) });
        const result = inScope(await spo.request(session, caseId, submissionId, parsed.data));
        if (result.kind !== 'recorded') throw new BadRequestError('Altered form');
        return reply.redirect(`${paths.spoRequest(caseId, result.requestId)}?done=recorded`, 303);
      },
    },
    {
      method: 'GET',
      url: paths.spoRequest(),
      access: { permission: 'case:read' },
      audit: 'spo_request.viewed',
      handler: async (request, reply) => {
        const { session, caseId } = ids(request);
        const requestId = uuidParam(request, 'requestId');
        const found = inScope(await spo.record(session, caseId, requestId));
        if (!found) throw new NotFoundError('SPO request');
        const done = (request.query as { done?: string } | undefined)?.done;
        return reply.render('liaison/spo-request.njk', {
          pageTitle: `SPO request ${found.number}`,
          record: { caseId, reference: found.content.caseReference },
          content: found.content,
          documentHref: can(session.user.role, 'police_liaison:record')
            ? paths.spoRequestDocument(caseId, requestId)
            : null,
          notice:
            done === 'recorded'
              ? 'Request recorded. Download the document and send it to the officer.'
              : null,
        });
      },
    },
    {
      method: 'GET',
      url: paths.spoRequestDocument(),
      access: { permission: 'police_liaison:record' },
      audit: 'spo_request.downloaded',
      handler: async (request, reply) => {
        const { session, caseId } = ids(request);
        const requestId = uuidParam(request, 'requestId');
        const found = inScope(await spo.document(session, caseId, requestId));
        if (!found) throw new NotFoundError('SPO request');
        if (found === 'changed') throw new Error('The SPO request document could not be reproduced as made');
        return sendAttachment(reply, {
          type: 'application/pdf',
          fileName: found.fileName,
          body: pdfStream(found.spec),
        });
      },
    },
  ];
}
