import { randomUUID } from 'node:crypto';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import { paths } from '../../paths.ts';
import { BadRequestError, formError, takeSubmissionId, type FormErrors } from '../../platform/http/forms.ts';
import {
  ForbiddenError,
  NotFoundError,
  registerRoutes,
  signedIn,
  uuidParam,
  type Route,
} from '../../platform/http/routing.ts';
import { checkCsrfToken } from '../../platform/http/security.ts';
import { can } from '../../platform/permissions.ts';
import { inScope } from '../cases/case-results.ts';
import { EXTENSIONS, RefusedFileError, type Refusal } from './content-type.ts';
import { exhibitViews, formatSize } from './evidence-view.ts';
import type { DerivativeKind } from './evidence.service.ts';
import { sendAttachment } from '../../platform/http/attachment.ts';

const ACCEPTED_WORDS = 'a photo or screenshot, audio, video, PDF, saved email (.eml) or text file';

/** Why an upload was refused, in plain words naming the file; nothing of the upload was kept. */
function refusalMessage(refusal: Refusal, fileName: string, maxFileBytes: number): string {
  const name = fileName || 'The selected file';
  if (refusal === 'too_large')
    return `${name} must be ${formatSize(maxFileBytes)} or smaller. Nothing was attached`;
  if (refusal === 'empty') return `${name} is empty. Nothing was attached`;
  return `${name} must be ${ACCEPTED_WORDS}. Nothing was attached`;
}

const multipartCode = (error: unknown) => (error as { code?: string } | null)?.code ?? '';

/**
 * Evidence files attached to diary entries: the upload page (which lists the entry's exhibits), the download
 * of an original (audited as chain of custody), and the thumbnails and display copies pages show.
 */
export function evidenceRoutes(services: Services): Route[] {
  const { evidence } = services;
  const limits = evidence.limits;
  const hint = `Up to ${limits.maxFiles} files at a time, each up to ${formatSize(limits.maxFileBytes)}: photos, screenshots, audio, video, PDFs, saved emails (.eml) or text files.`;

  const showUpload = async (
    request: FastifyRequest,
    reply: FastifyReply,
    form: { errors?: FormErrors; status?: number } = {},
  ) => {
    const { session } = signedIn(request);
    const caseId = uuidParam(request, 'caseId');
    const entryId = uuidParam(request, 'entryId');
    const found = inScope(await evidence.exhibits(session, caseId, entryId, { audited: true }));
    if (!found) throw new NotFoundError('entry');
    const { done } = (request.query ?? {}) as { done?: string };
    return reply.code(form.status ?? 200).render('evidence/upload.njk', {
      pageTitle: 'Attach evidence',
      record: { caseId, reference: found.reference },
      entry: { entryId, entryNumber: found.entryNumber },
      exhibits: exhibitViews(caseId, found.exhibits, can(session.user.role, 'evidence:download')),
      uploaded: done === 'uploaded',
      submissionId: randomUUID(),
      hint,
      errors: form.errors,
    });
  };

  const derivativeRoute = (kind: DerivativeKind, url: string, audit?: string): Route => ({
    method: 'GET',
    url,
    access: { permission: 'case:read' },
    audit,
    handler: async (request, reply) => {
      const { session } = signedIn(request);
      const caseId = uuidParam(request, 'caseId');
      const result = inScope(
        await evidence.derivative(session, caseId, uuidParam(request, 'evidenceId'), kind),
      );
      if (result.kind === 'not_found') throw new NotFoundError('derivative');
      if (result.kind === 'integrity_failed')
        return reply
          .code(500)
          .render('evidence/integrity-failed.njk', { pageTitle: 'This file cannot be shown' });
      return reply
        .header('Content-Type', result.mediaType)
        .header('Content-Disposition', 'inline')
        .header('X-Content-Type-Options', 'nosniff')
        .header('Cache-Control', 'no-store')
        .send(result.body);
    },
  });

  return [
    {
      method: 'GET',
      url: paths.diaryEntryEvidence(),
      access: { permission: 'case:read' },
      audit: 'evidence.listed',
      handler: async (request, reply) => showUpload(request, reply),
    },
    {
      method: 'POST',
      url: paths.diaryEntryEvidence(),
      access: { permission: 'case:read' },
      audit: 'evidence.uploaded',
      handler: async (request, reply) => {
        const { session } = signedIn(request);
        const caseId = uuidParam(request, 'caseId');
        const entryId = uuidParam(request, 'entryId');
        // Scope first: someone who may not work on the case is refused before a byte of the body is read.
        const upload = inScope(await evidence.beginUpload(session, caseId, entryId));
        if (!upload) throw new NotFoundError('entry');
        let csrfChecked = false;
        let submissionId: unknown;
        let problem: { errors: FormErrors; status: number } | null = null;
        try {
          const parts = request.parts({
            limits: {
              files: limits.maxFiles + 1,
              fileSize: limits.maxFileBytes + 1,
              fields: 4,
              fieldSize: 1024,
              parts: limits.maxFiles + 5,
            },
          });
          try {
            for await (const part of parts) {
              if (part.type === 'field') {
                if (part.fieldname === '_csrf' && !csrfChecked) {
                  await checkCsrfToken(request, reply, String(part.value));
                  csrfChecked = true;
                } else if (part.fieldname === 'submissionId' && csrfChecked) submissionId = part.value;
                else throw new BadRequestError('Unexpected form fields');
                continue;
              }
              // The token must come before any file, so nothing is stored for a forged request.
              if (!csrfChecked) throw new ForbiddenError('CSRF token missing before the files');
              if (part.fieldname !== 'files') throw new BadRequestError('Unexpected form fields');
              if (!part.filename) {
                // An empty file input still sends a part with no name: nothing to attach.
                for await (const _ of part.file) void _;
                continue;
              }
              if (upload.count >= limits.maxFiles) {
                problem = {
                  status: 413,
                  errors: formError(
                    'files',
                    `Select up to ${limits.maxFiles} files at a time. Nothing was attached`,
                  ),
                };
                break;
              }
              try {
                await upload.receive(part.file, part.filename);
              } catch (error) {
                const refusal: Refusal | null =
                  error instanceof RefusedFileError
                    ? error.refusal
                    : multipartCode(error) === 'FST_REQ_FILE_TOO_LARGE'
                      ? 'too_large'
                      : null;
                if (!refusal) throw error;
                problem = {
                  status: refusal === 'too_large' ? 413 : 400,
                  errors: formError('files', refusalMessage(refusal, part.filename, limits.maxFileBytes)),
                };
                break;
              }
            }
          } catch (error) {
            const code = multipartCode(error);
            if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT') {
              problem = {
                status: 413,
                errors: formError(
                  'files',
                  `Select up to ${limits.maxFiles} files at a time. Nothing was attached`,
                ),
              };
            } else if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') {
              throw new BadRequestError('Not a multipart form');
            } else throw error;
          }
          if (!csrfChecked) throw new ForbiddenError('CSRF token missing');
          if (!problem && upload.count === 0)
            problem = { status: 400, errors: formError('files', 'Select a file to attach') };
          if (problem) {
            // What the browser is still sending is read and dropped (no longer parsed), so it sees the page
            // rather than a reset connection.
            request.raw.unpipe();
            request.raw.resume();
            await upload.discard();
            return await showUpload(request, reply, problem);
          }
          const { submissionId: id } = takeSubmissionId({ submissionId });
          const result = inScope(await upload.commit(id));
          // Temporary files are gone before the answer: whoever sees it finds only what was recorded.
          await upload.discard();
          if (!result) throw new NotFoundError('entry');
          if (result.kind === 'stale_form') throw new BadRequestError('Altered form');
          return await reply.redirect(
            `${paths.diaryEntryEvidence(caseId, entryId)}?done=uploaded#exhibits`,
            303,
          );
        } finally {
          await upload.discard();
        }
      },
    },
    {
      method: 'GET',
      url: paths.caseEvidenceOriginal(),
      access: { permission: 'evidence:download' },
      audit: 'evidence.downloaded',
      handler: async (request, reply) => {
        const { session } = signedIn(request);
        const caseId = uuidParam(request, 'caseId');
        const result = inScope(await evidence.original(session, caseId, uuidParam(request, 'evidenceId')));
        if (result.kind === 'not_found') throw new NotFoundError('exhibit');
        if (result.kind === 'integrity_failed') {
          request.log.warn({ action: 'evidence.integrity_failed' }, 'An exhibit failed its integrity check');
          return reply
            .code(500)
            .render('evidence/integrity-failed.njk', { pageTitle: 'This file cannot be downloaded' });
        }
        const { object } = result;
        const file = {
          type: result.mediaType === 'text/plain' ? 'text/plain; charset=utf-8' : result.mediaType,
          fileName: `exhibit-${result.exhibitNumber}.${EXTENSIONS[result.mediaType] ?? 'bin'}`,
          size: object.size,
        };
        if (object.body) {
          await object.close();
          return sendAttachment(reply, { ...file, body: object.body });
        }
        const stream = object.stream();
        stream.once('close', () => void object.close());
        return sendAttachment(reply, { ...file, body: stream });
      },
    },
    derivativeRoute('thumbnail', paths.caseEvidenceThumbnail()),
    derivativeRoute('display', paths.caseEvidenceDisplay(), 'evidence.viewed'),
  ];
}

/**
 * The evidence routes in a context of their own, the only one that reads multipart bodies: files stream to
 * storage as they arrive (never buffered whole), and the CSRF token is the form's first field.
 */
export async function evidencePlugin(app: FastifyInstance, options: { services: Services }): Promise<void> {
  await app.register(multipart, { throwFileSizeLimit: true });
  app.addHook('onRoute', (route) => {
    if (route.method === 'POST') route.config = { ...route.config, csrfInMultipart: true };
  });
  registerRoutes(app, evidenceRoutes(options.services));
}
