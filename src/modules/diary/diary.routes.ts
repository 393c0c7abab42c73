import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import {
  BadRequestError,
  formBody,
  formErrorsFrom,
  takeSubmissionId,
  type FormErrors,
} from '../../platform/http/forms.ts';
import { NotFoundError, signedIn, type Route, uuidParam } from '../../platform/http/routing.ts';
import { can } from '../../platform/permissions.ts';
import { paths } from '../../paths.ts';
import { inScope } from '../cases/case-results.ts';
import {
  entryFormItems,
  factRows,
  filterItems,
  formValuesOf,
  matchTexts,
  momentValues,
  queryString,
  recordedText,
  redactedText,
  timelineCards,
  versionRows,
} from './diary-view.ts';
import {
  correctionSchema,
  entrySchema,
  redactionSchema,
  searchSchema,
  timelineQuerySchema,
  type TimelineQuery,
} from './diary.schema.ts';
import type { TimelinePage } from './diary.service.ts';

type Form = { values: Record<string, unknown>; errors?: FormErrors };

const NOTICES: Record<string, { text: string; success: boolean }> = {
  recorded: { text: 'Incident recorded', success: true },
  corrected: { text: 'Correction saved as a new version', success: true },
  changed_since: {
    text: 'This entry had already been corrected since the form was opened, so nothing was changed. Check the latest version below and correct it again if it needs it.',
    success: false,
  },
  redacted: { text: 'Entry redacted', success: true },
};

/**
 * The case's stalking diary: the timeline with filters and search, recording an incident (quick or full),
 * one entry with its versions, correcting and redacting. Every route is within the caller's record scope.
 */
export function diaryRoutes(services: Services): Route[] {
  const diary = services.diary;
  const ids = (request: FastifyRequest) => ({
    session: signedIn(request).session,
    caseId: uuidParam(request, 'caseId'),
  });

  const showTimeline = async (
    request: FastifyRequest,
    reply: FastifyReply,
    query: TimelineQuery,
    found: TimelinePage,
    words: string | null,
  ) => {
    const caseId = found.caseId;
    return reply.render('diary/timeline.njk', {
      pageTitle: 'Diary',
      record: { caseId, reference: found.reference },
      query,
      words,
      ...filterItems(query, found.perpetrators),
      cards: timelineCards(found.entries),
      total: found.total,
      page: found.page,
      pages: found.pages,
      previousHref:
        words === null && found.page > 1
          ? `${paths.caseDiary(caseId)}?${queryString(query, { page: found.page - 1 })}`
          : null,
      nextHref:
        words === null && found.page < found.pages
          ? `${paths.caseDiary(caseId)}?${queryString(query, { page: found.page + 1 })}`
          : null,
      otherOrderHref: `${paths.caseDiary(caseId)}?${queryString(query, {
        order: query.order === 'newest' ? 'oldest' : 'newest',
        page: 1,
      })}`,
    });
  };

  const showEntryForm = async (
    request: FastifyRequest,
    reply: FastifyReply,
    quick: boolean,
    form: Form | null = null,
  ) => {
    const { session, caseId } = ids(request);
    const context = inScope(await diary.formContext(session, caseId));
    const values = form?.values ?? {
      whenKind: 'exact',
      ...momentValues('occurredOn', 'occurredTime', services.clock.now()),
    };
    return reply.code(form?.errors ? 400 : 200).render('diary/new.njk', {
      pageTitle: quick ? 'Record an incident quickly' : 'Record an incident',
      record: context,
      quick,
      submissionId: typeof form?.values.submissionId === 'string' ? form.values.submissionId : randomUUID(),
      values,
      ...entryFormItems(values, context.perpetrators),
      errors: form?.errors,
    });
  };

  const entryFor = async (request: FastifyRequest) => {
    const { session, caseId } = ids(request);
    const entryId = uuidParam(request, 'entryId');
    const entry = inScope(await diary.entry(session, caseId, entryId));
    if (!entry) throw new NotFoundError('entry');
    return { session, caseId, entry };
  };

  const showCorrectForm = async (request: FastifyRequest, reply: FastifyReply, form: Form | null = null) => {
    const { session, caseId, entry } = await entryFor(request);
    const current = entry.versions.at(-1);
    if (entry.redaction || !current) return reply.redirect(paths.diaryEntry(caseId, entry.entryId), 303);
    const context = inScope(await diary.formContext(session, caseId));
    const values = form?.values ?? { ...formValuesOf(current), version: String(current.version) };
    return reply.code(form?.errors ? 400 : 200).render('diary/correct.njk', {
      pageTitle: 'Correct a diary entry',
      record: context,
      entry: { entryId: entry.entryId, number: entry.entryNumber },
      values,
      ...entryFormItems(values, context.perpetrators),
      errors: form?.errors,
    });
  };

  const showRedactForm = async (request: FastifyRequest, reply: FastifyReply, form: Form | null = null) => {
    const { session, caseId } = ids(request);
    const entryId = uuidParam(request, 'entryId');
    const heading = inScope(await diary.entryHeading(session, caseId, entryId));
    if (!heading) throw new NotFoundError('entry');
    if (heading.redacted) return reply.redirect(paths.diaryEntry(caseId, entryId), 303);
    const context = inScope(await diary.formContext(session, caseId));
    return reply.code(form?.errors ? 400 : 200).render('diary/redact.njk', {
      pageTitle: 'Redact a diary entry',
      record: context,
      entry: { entryId, number: heading.entryNumber },
      values: form?.values ?? {},
      errors: form?.errors,
    });
  };

  const perpetratorIdsOf = async (request: FastifyRequest) => {
    const { session, caseId } = ids(request);
    const context = inScope(await diary.formContext(session, caseId));
    return new Set(context.perpetrators.map((perpetrator) => perpetrator.perpetratorId));
  };

  return [
    {
      method: 'GET',
      url: paths.caseDiary(),
      access: { permission: 'case:read' },
      audit: 'diary.viewed',
      handler: async (request, reply) => {
        const { session, caseId } = ids(request);
        const query = timelineQuerySchema.parse(request.query ?? {});
        const found = inScope(await diary.timeline(session, caseId, query));
        return showTimeline(request, reply, query, found, null);
      },
    },
    {
      method: 'POST',
      url: paths.caseDiarySearch(),
      access: { permission: 'case:read' },
      audit: 'diary.searched',
      handler: async (request, reply) => {
        const { session, caseId } = ids(request);
        inScope(await diary.formContext(session, caseId));
        const parsed = searchSchema.safeParse(formBody(request.body));
        if (!parsed.success) throw new BadRequestError('Altered form');
        const { words, ...filters } = parsed.data;
        const query = timelineQuerySchema.parse(filters);
        if (!words)
          return reply.redirect(`${paths.caseDiary(caseId)}?${queryString(query, { page: 1 })}`, 303);
        const found = inScope(await diary.search(session, caseId, query, words));
        return showTimeline(request, reply, query, found, words);
      },
    },
    {
      method: 'GET',
      url: paths.caseDiaryNew(),
      access: { permission: 'case:read' },
      handler: async (request, reply) => showEntryForm(request, reply, false),
    },
    {
      method: 'GET',
      url: paths.caseDiaryNewQuick(),
      access: { permission: 'case:read' },
      handler: async (request, reply) => showEntryForm(request, reply, true),
    },
    {
      method: 'POST',
      url: paths.caseDiary(),
      access: { permission: 'case:read' },
      audit: 'diary.entry_recorded',
      handler: async (request, reply) => {
        const { session, caseId } = ids(request);
        const perpetratorIds = await perpetratorIdsOf(request);
        const { submissionId, fields } = takeSubmissionId(formBody(request.body));
        const quick = fields.form === 'quick';
        const parsed = entrySchema({ now: services.clock.now(), perpetratorIds }).safeParse(fields);
        if (!parsed.success)
          return showEntryForm(request, reply, quick, {
            values: { ...fields, submissionId },
            errors: formErrorsFrom(parsed.error),
          });
        const result = inScope(await diary.recordIncident(session, caseId, submissionId, parsed.data));
        if (result.kind === 'stale_form') throw new BadRequestError('Altered form');
        return reply.redirect(`${paths.diaryEntry(caseId, result.entryId)}?done=recorded`, 303);
      },
    },
    {
      method: 'GET',
      url: paths.diaryEntry(),
      access: { permission: 'case:read' },
      audit: 'diary.entry_viewed',
      handler: async (request, reply) => {
        const { session, caseId, entry } = await entryFor(request);
        const context = inScope(await diary.formContext(session, caseId));
        const exhibits = inScope(await services.evidence.exhibitsOfEntry(session, caseId, entry.entryId));
        const current = entry.versions.at(-1);
        const done = (request.query as { done?: string } | undefined)?.done;
        return reply.render('diary/entry.njk', {
          exhibits,
          pageTitle: `Diary entry ${entry.entryNumber}`,
          record: context,
          entry: {
            entryId: entry.entryId,
            number: entry.entryNumber,
            recorded: recordedText(entry),
            evidenceFiles: entry.evidenceFiles,
          },
          redacted: entry.redaction ? redactedText(entry.entryNumber, entry.redaction) : null,
          facts: current ? factRows(current) : [],
          versionCount: entry.versions.length,
          versions: versionRows(entry.versions),
          matches: matchTexts(entry.matches),
          canRedact: can(session.user.role, 'diary:redact'),
          canRecordBreach: can(session.user.role, 'order:record'),
          notice: NOTICES[done ?? ''] ?? null,
        });
      },
    },
    {
      method: 'GET',
      url: paths.diaryEntryCorrect(),
      access: { permission: 'case:read' },
      handler: async (request, reply) => showCorrectForm(request, reply),
    },
    {
      method: 'POST',
      url: paths.diaryEntryCorrect(),
      access: { permission: 'case:read' },
      audit: 'diary.entry_corrected',
      handler: async (request, reply) => {
        const { session, caseId } = ids(request);
        const entryId = uuidParam(request, 'entryId');
        const body = formBody(request.body);
        const parsed = correctionSchema({
          now: services.clock.now(),
          perpetratorIds: await perpetratorIdsOf(request),
        }).safeParse(body);
        if (!parsed.success)
          return showCorrectForm(request, reply, { values: body, errors: formErrorsFrom(parsed.error) });
        const { facts, reason, version } = parsed.data;
        if (!facts) throw new BadRequestError('Altered form');
        const result = inScope(await diary.correct(session, caseId, entryId, version, facts, reason));
        if (result.kind === 'not_found') throw new NotFoundError('entry');
        if (result.kind === 'stale_form') throw new BadRequestError('Altered form');
        const done =
          result.kind === 'corrected' ? 'corrected' : result.kind === 'changed_since' ? 'changed_since' : '';
        return reply.redirect(`${paths.diaryEntry(caseId, entryId)}${done ? `?done=${done}` : ''}`, 303);
      },
    },
    {
      method: 'GET',
      url: paths.diaryEntryRedact(),
      access: { permission: 'diary:redact' },
      handler: async (request, reply) => showRedactForm(request, reply),
    },
    {
      method: 'POST',
      url: paths.diaryEntryRedact(),
      access: { permission: 'diary:redact' },
      audit: 'diary.entry_redacted',
      handler: async (request, reply) => {
        const { session, caseId } = ids(request);
        const entryId = uuidParam(request, 'entryId');
        const body = formBody(request.body);
        const parsed = redactionSchema.safeParse(body);
        if (!parsed.success)
          return showRedactForm(request, reply, { values: body, errors: formErrorsFrom(parsed.error) });
        const result = inScope(await diary.redact(session, caseId, entryId, parsed.data.reason));
        if (result === 'not_found') throw new NotFoundError('entry');
        return reply.redirect(`${paths.diaryEntry(caseId, entryId)}?done=redacted`, 303);
      },
    },
  ];
}
