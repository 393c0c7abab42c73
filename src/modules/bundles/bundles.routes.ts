import { randomUUID } from 'node:crypto';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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
  registerRoutes,
  signedIn,
  uuidParam,
  type Route,
} from '../../platform/http/routing.ts';
import { checkCsrfToken } from '../../platform/http/security.ts';
import { paths } from '../../paths.ts';
import { inScope } from '../cases/case-results.ts';
import { dateItems } from '../cases/case-view.ts';
import { formatSize } from '../evidence/evidence-view.ts';
import { INCIDENT_BEHAVIOURS } from '../diary/incident-types.ts';
import { PURPOSE_LABELS } from './bundle-document.ts';
import { bundleSchema, PURPOSES } from './bundle.schema.ts';
import { forPolice, type BundleDownload, type BundleJob } from './bundles.service.ts';
import { publicKeyPem } from './signing-keys.ts';
import { SealedSpool } from './spool.ts';
import { verifyBundle, type Verification } from './verify.ts';
import { sendAttachment } from '../../platform/http/attachment.ts';

/** The largest upload the public checking page reads. */
const LARGEST_UPLOAD = 2 * 1024 * 1024 * 1024;

/** A bundle as its pages and lists show it. */
export function bundleView(job: BundleJob, href: string) {
  return {
    ...job,
    href,
    purposeLabel: PURPOSE_LABELS[job.purpose],
    statusLabel: { queued: 'Waiting to start', running: 'Being made', done: 'Ready', failed: 'Failed' }[
      job.status
    ],
    statusColour: { queued: 'grey', running: 'blue', done: 'green', failed: 'red' }[job.status],
    size: job.zipSize === null ? null : formatSize(job.zipSize),
    consentLabel:
      job.consent === 'consents'
        ? 'The client consents'
        : job.consent === 'override'
          ? 'Without the client’s consent (reason recorded)'
          : null,
  };
}

function sendBundle(reply: FastifyReply, download: BundleDownload) {
  return sendAttachment(reply, {
    type: 'application/zip',
    fileName: download.fileName,
    size: download.size,
    body: download.stream,
  });
}

/** The verification result as the page shows it. */
export function verificationView(result: Verification) {
  return {
    ok: result.ok,
    problems: result.problems,
    files: result.files.map((file) => ({ ...file, size: formatSize(file.sizeBytes) })),
    manifest: result.manifest
      ? {
          bundleId: result.manifest.bundleId,
          caseReference: result.manifest.caseReference,
          organisation: result.manifest.organisation,
          purpose: result.manifest.purpose,
          createdAt: result.manifest.createdAt,
          keyId: result.manifest.signingKey.keyId,
        }
      : null,
    signedBy: result.signedBy,
  };
}

/**
 * Evidence bundles: the form on a case, the progress page (with a link to check again, no JavaScript needed), the
 * download; the police liaison list; and, for anyone, the published signing keys and the checking page.
 */
export function bundleRoutes(services: Services): Route[] {
  const { bundles } = services;
  type Form = { values: Record<string, unknown>; errors?: FormErrors };

  const showForm = async (request: FastifyRequest, reply: FastifyReply, form: Form | null = null) => {
    const { session } = signedIn(request);
    const caseId = uuidParam(request, 'caseId');
    const context = inScope(await bundles.formContext(session, caseId));
    const values = form?.values ?? { attachments: 'yes', redact: 'yes' };
    const chosen = (name: string) => [values[name]].flat().filter(Boolean).map(String);
    return reply.code(form?.errors ? 400 : 200).render('bundles/new.njk', {
      pageTitle: 'Make an evidence bundle',
      record: { caseId, reference: context.reference },
      submissionId: typeof values.submissionId === 'string' ? values.submissionId : randomUUID(),
      values,
      purposeItems: PURPOSES.map((value) => ({
        value,
        text: PURPOSE_LABELS[value],
        checked: values.purpose === value,
      })),
      behaviourItems: INCIDENT_BEHAVIOURS.map((item) => ({
        ...item,
        checked: chosen('behaviours').includes(item.value),
      })),
      perpetratorItems: [
        { value: '', text: 'Anyone (all incidents)' },
        ...context.perpetrators.map((p) => ({
          value: p.perpetratorId,
          text: p.name,
          selected: values.perpetratorId === p.perpetratorId,
        })),
      ],
      fromItems: dateItems('from', values, Boolean(form?.errors?.fields['from-day'])),
      toItems: dateItems('to', values, Boolean(form?.errors?.fields['to-day'])),
      canOverride: context.canOverride,
      errors: form?.errors,
    });
  };

  const jobFor = async (request: FastifyRequest) => {
    const { session } = signedIn(request);
    const caseId = uuidParam(request, 'caseId');
    const bundleId = uuidParam(request, 'bundleId');
    const job = inScope(await bundles.job(session, caseId, bundleId));
    if (!job) throw new NotFoundError('bundle');
    return { session, caseId, bundleId, job };
  };

  return [
    {
      method: 'GET',
      url: paths.caseBundleNew(),
      access: { permission: 'bundle:create' },
      handler: async (request, reply) => showForm(request, reply),
    },
    {
      method: 'POST',
      url: paths.caseBundles(),
      access: { permission: 'bundle:create' },
      audit: 'bundle.requested',
      handler: async (request, reply) => {
        const { session } = signedIn(request);
        const caseId = uuidParam(request, 'caseId');
        inScope(await bundles.formContext(session, caseId));
        const { submissionId, fields } = takeSubmissionId(formBody(request.body));
        const parsed = bundleSchema(ukDate(services.clock.now())).safeParse(fields);
        if (!parsed.success)
          return showForm(request, reply, {
            values: { ...fields, submissionId },
            errors: formErrorsFrom(parsed.error),
          });
        const result = inScope(await bundles.request(session, caseId, submissionId, parsed.data));
        if (result.kind === 'stale_form') throw new BadRequestError('Altered form');
        services.bundleWorker.wake();
        return reply.redirect(paths.caseBundle(caseId, result.bundleId), 303);
      },
    },
    {
      method: 'GET',
      url: paths.caseBundle(),
      access: { permission: 'bundle:create' },
      handler: async (request, reply) => {
        const { session, caseId, bundleId, job } = await jobFor(request);
        const key = await bundles.currentKey(session);
        return reply.render('bundles/bundle.njk', {
          pageTitle: job.status === 'done' ? 'Evidence bundle ready' : 'Evidence bundle',
          record: { caseId, reference: job.reference },
          bundle: bundleView(job, paths.caseBundle(caseId, bundleId)),
          downloadHref: paths.caseBundleDownload(caseId, bundleId),
          key:
            key && key.keyId === job.keyId
              ? { ...key, href: paths.bundleKey(key.keyId) }
              : { keyId: job.keyId, pem: null, href: paths.bundleKey(job.keyId) },
          forPolice: forPolice(job),
        });
      },
    },
    {
      method: 'GET',
      url: paths.caseBundleDownload(),
      access: { permission: 'bundle:create' },
      audit: 'bundle.downloaded',
      handler: async (request, reply) => {
        const { session } = signedIn(request);
        const caseId = uuidParam(request, 'caseId');
        const found = inScope(await bundles.caseDownload(session, caseId, uuidParam(request, 'bundleId')));
        if (!found) throw new NotFoundError('bundle');
        if (found === 'integrity_failed')
          return reply
            .code(500)
            .render('evidence/integrity-failed.njk', { pageTitle: 'This file cannot be downloaded' });
        return sendBundle(reply, found);
      },
    },
    {
      method: 'GET',
      url: paths.policeBundles,
      access: { permission: 'bundle:download_police' },
      audit: 'bundle.listed',
      handler: async (request, reply) => {
        const { session } = signedIn(request);
        const jobs = await bundles.policeBundles(session);
        return reply.render('bundles/police.njk', {
          pageTitle: 'Evidence bundles for police',
          bundles: jobs.map((job) => bundleView(job, paths.policeBundleDownload(job.bundleId))),
        });
      },
    },
    {
      method: 'GET',
      url: paths.policeBundleDownload(),
      access: { permission: 'bundle:download_police' },
      audit: 'bundle.downloaded',
      handler: async (request, reply) => {
        const { session } = signedIn(request);
        const found = await bundles.policeDownload(session, uuidParam(request, 'bundleId'));
        if (!found) throw new NotFoundError('bundle');
        if (found === 'integrity_failed')
          return reply
            .code(500)
            .render('evidence/integrity-failed.njk', { pageTitle: 'This file cannot be downloaded' });
        return sendBundle(reply, found);
      },
    },
    {
      method: 'GET',
      url: paths.bundleKey(),
      access: { public: true },
      handler: async (request, reply) => {
        const keyId = String((request.params as { keyId?: string }).keyId ?? '');
        const key = await bundles.publishedKey(keyId);
        if (!key) throw new NotFoundError('key');
        return reply
          .header('Content-Type', 'text/plain; charset=utf-8')
          .header('X-Content-Type-Options', 'nosniff')
          .send(publicKeyPem(key.publicKey));
      },
    },
    {
      method: 'GET',
      url: paths.bundleVerify,
      access: { public: true },
      handler: async (_request, reply) =>
        reply.render('bundles/verify.njk', {
          pageTitle: 'Check an evidence bundle',
          largest: formatSize(LARGEST_UPLOAD),
        }),
    },
  ];
}

/** The public checking page's upload: multipart, read here, held sealed only while it is checked. */
function verifyRoute(services: Services): Route {
  return {
    method: 'POST',
    url: paths.bundleVerify,
    access: { public: true },
    handler: async (request, reply) => {
      // Checking is open to anyone, so it is limited per address: 30 an hour.
      const key = `bundle:verify:${request.ip}`;
      if (await services.publicFormLimiter.waitUntil([{ key, limit: 30 }]))
        return reply.code(429).render('errors/429.njk', { pageTitle: 'Too many requests' });
      await services.publicFormLimiter.record([key]);
      const spool = await SealedSpool.create();
      const again = async (errors: FormErrors, status = 400) => {
        await spool.remove();
        return reply.code(status).render('bundles/verify.njk', {
          pageTitle: 'Check an evidence bundle',
          largest: formatSize(LARGEST_UPLOAD),
          errors,
        });
      };
      try {
        let csrfChecked = false;
        let size: number | null = null;
        try {
          for await (const part of request.parts({
            limits: { files: 1, fileSize: LARGEST_UPLOAD, fields: 2, parts: 3 },
          })) {
            if (part.type === 'field') {
              if (part.fieldname === '_csrf' && !csrfChecked) {
                await checkCsrfToken(request, reply, String(part.value));
                csrfChecked = true;
                continue;
              }
              throw new BadRequestError('Unexpected form fields');
            }
            if (!csrfChecked) throw new ForbiddenError('CSRF token missing before the file');
            if (part.fieldname !== 'bundle') throw new BadRequestError('Unexpected form fields');
            if (!part.filename) {
              for await (const _ of part.file) void _;
              continue;
            }
            size = await spool.fill(part.file);
          }
        } catch (error) {
          const code = (error as { code?: string } | null)?.code ?? '';
          if (code === 'FST_REQ_FILE_TOO_LARGE') {
            request.raw.unpipe();
            request.raw.resume();
            return await again(
              {
                summary: [
                  { text: `The file must be ${formatSize(LARGEST_UPLOAD)} or smaller`, href: '#bundle' },
                ],
                fields: { bundle: { text: `The file must be ${formatSize(LARGEST_UPLOAD)} or smaller` } },
              },
              413,
            );
          }
          if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE')
            throw new BadRequestError('Not a multipart form');
          throw error;
        }
        if (!csrfChecked) throw new ForbiddenError('CSRF token missing');
        if (!size)
          return await again({
            summary: [{ text: 'Select the bundle’s ZIP file', href: '#bundle' }],
            fields: { bundle: { text: 'Select the bundle’s ZIP file' } },
          });
        const result = await verifyBundle({ kind: 'reader', reader: spool.reader(), size }, (keyId) =>
          services.bundles.publishedKey(keyId),
        );
        // Gone before the answer is sent: whoever reads it finds nothing of the upload left behind.
        await spool.remove();
        return await reply.render('bundles/verified.njk', {
          pageTitle: result.ok ? 'The bundle is intact' : 'The bundle has problems',
          result: verificationView(result),
        });
      } finally {
        await spool.remove();
      }
    },
  };
}

/** The checking page's upload in a context of its own, the only one here that reads multipart bodies. */
export async function bundleVerifyPlugin(
  app: FastifyInstance,
  options: { services: Services },
): Promise<void> {
  await app.register(multipart, { throwFileSizeLimit: true });
  app.addHook('onRoute', (route) => {
    if (route.method === 'POST') route.config = { ...route.config, csrfInMultipart: true };
  });
  registerRoutes(app, [verifyRoute(options.services)]);
}
