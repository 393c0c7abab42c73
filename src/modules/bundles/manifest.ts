import { z } from 'zod';

/**
 * What a bundle's manifest says: every file in the ZIP with its SHA-256 and size (the document, each exhibit's
 * original, the CSV form of the manifest), the chain of custody of each exhibit included, and who made the
 * bundle, when and why. manifest.json is what is signed; manifest.csv says the same for spreadsheets, and
 * SHA256SUMS lets `sha256sum -c` check the files without Vigil.
 */

export const MANIFEST_FORMAT = 'vigil-evidence-bundle/1';
export const MANIFEST_JSON = 'manifest.json';
export const MANIFEST_CSV = 'manifest.csv';
export const SIGNATURE = 'manifest.json.sig';
export const SUMS = 'SHA256SUMS';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
/** Names made by Vigil: letters, digits, dots, dashes and one folder level, never from a user's file name. */
const fileName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)?$/);

const fileShape = z.object({ file: fileName, sha256, sizeBytes: z.number().int().nonnegative() });

export const manifestShape = z.object({
  format: z.literal(MANIFEST_FORMAT),
  bundleId: z.string().uuid(),
  caseReference: z.string(),
  organisation: z.string(),
  purpose: z.string(),
  createdAt: z.string(),
  createdBy: z.string(),
  contents: z.object({
    incidentsFrom: z.string().nullable(),
    incidentsTo: z.string().nullable(),
    behaviours: z.array(z.string()),
    perpetrator: z.string().nullable(),
    attachments: z.boolean(),
    contactDetailsRedacted: z.boolean(),
  }),
  consent: z.string().nullable(),
  signingKey: z.object({ keyId: z.string(), algorithm: z.literal('Ed25519'), publishedAt: z.string() }),
  document: fileShape.extend({ pages: z.number().int().positive(), incidents: z.number().int() }),
  manifestCsv: fileShape,
  exhibits: z.array(
    fileShape.extend({
      exhibit: z.number().int().positive(),
      diaryEntry: z.number().int().positive(),
      mediaType: z.string(),
      capturedAt: z.string().nullable(),
      uploadedAt: z.string(),
    }),
  ),
  custody: z.array(
    z.object({
      exhibit: z.number().int().positive(),
      at: z.string(),
      event: z.string(),
      by: z.string().nullable(),
    }),
  ),
});

export type Manifest = z.infer<typeof manifestShape>;
export type ManifestExhibit = Manifest['exhibits'][number];
export type CustodyEvent = Manifest['custody'][number];

/** The manifest's bytes, as signed: keys in a fixed order (the order they are built in), two-space indented. */
export function manifestJson(manifest: Manifest): Buffer {
  return Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
}

/** A CSV cell: quoted when it must be, and never read as a formula (a leading = + - @ or tab). */
export function csvCell(value: string | number | null): string {
  let text = value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const CSV_HEADER = [
  'record',
  'file',
  'exhibit',
  'diary_entry',
  'sha256',
  'size_bytes',
  'media_type',
  'captured_at',
  'event_at',
  'event',
  'event_by',
];

/** The manifest as one CSV table: a row for each file, then a row for each chain-of-custody event. */
export function manifestCsv(
  document: Manifest['document'],
  exhibits: readonly ManifestExhibit[],
  custody: readonly CustodyEvent[],
): Buffer {
  const rows: (string | number | null)[][] = [
    CSV_HEADER,
    [
      'document',
      document.file,
      null,
      null,
      document.sha256,
      document.sizeBytes,
      'application/pdf',
      null,
      null,
      null,
      null,
    ],
    ...exhibits.map((exhibit) => [
      'exhibit',
      exhibit.file,
      exhibit.exhibit,
      exhibit.diaryEntry,
      exhibit.sha256,
      exhibit.sizeBytes,
      exhibit.mediaType,
      exhibit.capturedAt,
      null,
      null,
      null,
    ]),
    ...custody.map((event) => [
      'custody',
      exhibits.find((exhibit) => exhibit.exhibit === event.exhibit)?.file ?? null,
      event.exhibit,
      null,
      null,
      null,
      null,
      null,
      event.at,
      event.event,
      event.by,
    ]),
  ];
  return Buffer.from(`${rows.map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`, 'utf8');
}

/** SHA256SUMS in the form `sha256sum -c` reads: the hash, two spaces (text mode), the path. */
export function sha256Sums(files: readonly { file: string; sha256: string }[]): Buffer {
  return Buffer.from(files.map(({ file, sha256 }) => `${sha256}  ${file}\n`).join(''), 'utf8');
}

/** Reads SHA256SUMS back: null for a line that is not `hash, space, mode, path`. */
export function parseSums(text: string): ({ file: string; sha256: string } | null)[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line.replace(/\r$/, ''));
      return match ? { sha256: match[1]!, file: match[2]! } : null;
    });
}
