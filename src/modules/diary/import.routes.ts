import { randomUUID } from 'node:crypto';
import multipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import {
  BadRequestError,
  formBody,
  formError,
  takeSubmissionId,
  type FormErrors,
} from '../../platform/http/forms.ts';
import {
  NotFoundError,
  registerRoutes,
  signedIn,
  uuidParam,
  type Route,
} from '../../platform/http/routing.ts';
import { paths } from '../../paths.ts';
import { inScope } from '../cases/case-results.ts';
import { decodeCsvBytes, IMPORT_LIMITS, templateCsv } from './import.ts';
import { behaviourWordRows, COLUMN_HELP, previewTableRows } from './import-view.ts';
import { sendAttachment } from '../../platform/http/attachment.ts';

/** A file sent with the upload form, read into memory up to the size limit (and no further). */
export class UploadedCsv {
  readonly bytes: Buffer;
  /** True when the file was larger than the limit: what was read is only its start. */
  readonly tooLarge: boolean;
  constructor(bytes: Buffer, tooLarge: boolean) {
    this.bytes = bytes;
    this.tooLarge = tooLarge;
  }
}

const TOO_LARGE = 'The file must be smaller than 2 MB';
const PASTED_TOO_LARGE = 'The pasted diary must be smaller than 2 MB: upload it as a file in parts instead';

type Form = { values: Record<string, unknown>; errors?: FormErrors; status?: number };

/**
 * Importing a diary kept elsewhere, from a CSV file or pasted text: upload, preview every row with its problems,
 * then confirm. The upload form is multipart (a file input and a text box, working without JavaScript), so
 * these routes live in their own plugin with the multipart parser registered for them alone.
 */
export function diaryImportRoutes(services: Services): Route[] {
  const imports = services.diaryImports;

  const showUploadForm = async (
    request: FastifyRequest,
    reply: FastifyReply,
    form: Form = { values: {} },
  ) => {
    const { session } = signedIn(request);
    const record = inScope(await imports.caseInScope(session, uuidParam(request, 'caseId')));
    return reply.code(form.status ?? (form.errors ? 400 : 200)).render('diary/import.njk', {
      pageTitle: 'Import a diary',
      record,
      submissionId: randomUUID(),
      values: form.values,
      errors: form.errors,
      columnRows: COLUMN_HELP.map((column) => [{ text: column.heading }, { text: column.help }]),
      behaviourRows: behaviourWordRows().map((row) => [{ text: row.behaviour }, { text: row.words }]),
      maxRows: IMPORT_LIMITS.rows.toLocaleString('en-GB'),
    });
  };

  return [
    {
      method: 'GET',
      url: paths.diaryImport(),
      access: { permission: 'case:read' },
      handler: async (request, reply) => showUploadForm(request, reply),
    },
    {
      method: 'GET',
      url: paths.diaryImportTemplate(),
      access: { permission: 'case:read' },
      handler: async (request, reply) => {
        const { session } = signedIn(request);
        inScope(await imports.caseInScope(session, uuidParam(request, 'caseId')));
        return sendAttachment(reply, {
          type: 'text/csv; charset=utf-8',
          fileName: 'diary-template.csv',
          body: templateCsv(),
        });
      },
    },
    {
      method: 'POST',
      url: paths.diaryImport(),
      access: { permission: 'case:read' },
      audit: 'diary.import_checked',
      handler: async (request, reply) => {
        const { session } = signedIn(request);
        const caseId = uuidParam(request, 'caseId');
        inScope(await imports.caseInScope(session, caseId));
        const { submissionId, fields } = takeSubmissionId(formBody(request.body));
        const { csvFile, csvText, ...unexpected } = fields;
        if (Object.keys(unexpected).length > 0) throw new BadRequestError('Unexpected form fields');
        if (csvText !== undefined && typeof csvText !== 'string') throw new BadRequestError('Altered form');
        if (csvFile !== undefined && !(csvFile instanceof UploadedCsv))
          throw new BadRequestError('Altered form');
        const pasted = csvText?.trim() ? csvText : '';
        // A browser sends an empty file part when no file was chosen.
        const file = csvFile && csvFile.bytes.length > 0 ? csvFile : null;
        const values = { csvText: pasted };
        const problem = (field: string, text: string, status = 400) =>
          showUploadForm(request, reply, { values, errors: formError(field, text), status });

        if (file && pasted) return problem('csvFile', 'Choose a file or paste the diary, not both');
        if (!file && !pasted) return problem('csvFile', 'Choose a CSV file or paste the diary');
        if (file?.tooLarge) return problem('csvFile', TOO_LARGE, 413);
        if (Buffer.byteLength(pasted, 'utf8') > IMPORT_LIMITS.bytes)
          return problem('csvText', PASTED_TOO_LARGE, 413);
        const text = file ? decodeCsvBytes(file.bytes) : pasted;
        if (text === null)
          return problem(
            'csvFile',
            'The file must be a CSV file: in your spreadsheet, choose Save as, then CSV UTF-8',
          );

        const result = inScope(await imports.check(session, caseId, text, submissionId));
        if (result.kind === 'stale') throw new BadRequestError('Altered form');
        if (result.kind === 'refused') return problem(file ? 'csvFile' : 'csvText', result.message);
        return reply.redirect(paths.diaryImportPreview(caseId, result.importId), 303);
      },
    },
    {
      method: 'GET',
      url: paths.diaryImportPreview(),
      access: { permission: 'case:read' },
      audit: 'diary.import_viewed',
      handler: async (request, reply) => {
        const { session } = signedIn(request);
        const caseId = uuidParam(request, 'caseId');
        const record = inScope(await imports.caseInScope(session, caseId));
        const preview = inScope(await imports.preview(session, caseId, uuidParam(request, 'importId')));
        if (!preview) throw new NotFoundError('import');
        const problems = preview.rows.flatMap((row) =>
          row.errors.map((text) => ({ text, href: `#row-${row.row}` })),
        );
        return reply.render('diary/import-preview.njk', {
          pageTitle: 'Check the diary before importing',
          record,
          preview,
          tableRows: previewTableRows(preview.rows),
          errors: problems.length > 0 && !preview.importedAt ? { summary: problems, fields: {} } : undefined,
        });
      },
    },
    {
      method: 'POST',
      url: paths.diaryImportConfirm(),
      access: { permission: 'case:read' },
      audit: 'diary.imported',
      handler: async (request, reply) => {
        const { session } = signedIn(request);
        const caseId = uuidParam(request, 'caseId');
        inScope(await imports.caseInScope(session, caseId));
        const importId = uuidParam(request, 'importId');
        if (Object.keys(formBody(request.body)).length > 0)
          throw new BadRequestError('Unexpected form fields');
        const result = inScope(await imports.confirm(session, caseId, importId));
        if (result.kind === 'not_found') throw new NotFoundError('import');
        if (result.kind === 'nothing_to_import')
          return reply.redirect(paths.diaryImportPreview(caseId, importId), 303);
        return reply.redirect(paths.caseDiary(caseId), 303);
      },
    },
  ];
}

/**
 * The import's routes with the multipart parser, encapsulated: no other route accepts multipart through it.
 * A file larger than the limit is cut off while streaming in and refused with a message, not buffered whole.
 */
export async function diaryImportPlugin(app: FastifyInstance, options: { services: Services }) {
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    throwFileSizeLimit: false,
    limits: {
      fileSize: IMPORT_LIMITS.bytes,
      // One byte over the limit, so pasted text that is too large is seen to be and refused.
      fieldSize: IMPORT_LIMITS.bytes + 1,
      files: 1,
      fields: 4,
      parts: 6,
    },
    async onFile(part: MultipartFile) {
      const chunks: Buffer[] = [];
      for await (const chunk of part.file) chunks.push(chunk as Buffer);
      (part as MultipartFile & { value: unknown }).value = new UploadedCsv(
        Buffer.concat(chunks),
        part.file.truncated,
      );
    },
  });
  registerRoutes(app, diaryImportRoutes(options.services));
}
