import { createHash, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { PassThrough, Readable, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import {
  MANIFEST_CSV,
  MANIFEST_JSON,
  manifestCsv,
  manifestJson,
  sha256Sums,
  SIGNATURE,
  SUMS,
  type CustodyEvent,
  type Manifest,
  type ManifestExhibit,
} from './manifest.ts';

/**
 * Writes a bundle's ZIP as a stream, one file after another, so memory stays flat however many incidents and
 * exhibits it holds: the document as it is laid out, then each exhibit's original as it is read, hashed on the
 * way in; and last, once every hash is known, the manifest (CSV, then JSON), its Ed25519 signature and
 * SHA256SUMS. Every entry carries the bundle's creation time and fixed permissions, so the same inputs give
 * the same bytes.
 */

export type ExhibitSource = Omit<ManifestExhibit, 'sha256' | 'sizeBytes'> & {
  /** What the stored record says, checked against the bytes as they go into the ZIP. */
  expectedSha256: string;
  expectedSizeBytes: number;
  open: () => Promise<Readable>;
};

export type ArchiveInput = {
  createdAt: Date;
  documentFile: string;
  writeDocument: (into: Writable) => Promise<{ pages: number }>;
  incidents: number;
  exhibits: readonly ExhibitSource[];
  custody: readonly CustodyEvent[];
  /** Everything in the manifest but the files' facts, which the writing finds out. */
  manifest: Omit<Manifest, 'document' | 'manifestCsv' | 'exhibits' | 'custody'>;
  signingKey: KeyObject;
  /** Called as each file is finished (the document is file 0). */
  onFile?: (done: number, total: number) => void;
};

export type ArchiveResult = {
  zipSha256: string;
  zipSizeBytes: number;
  document: { sha256: string; sizeBytes: number; pages: number };
  manifest: Manifest;
};

/** An exhibit whose bytes are not the ones its record's SHA-256 names: the bundle is not made. */
export class ExhibitIntegrityError extends Error {
  readonly exhibit: number;
  constructor(exhibit: number) {
    super(
      `Exhibit ${exhibit} failed its integrity check: its bytes do not match the SHA-256 recorded when it was uploaded`,
    );
    this.exhibit = exhibit;
  }
}

/** A pass-through that hashes and counts what goes through it, and can refuse it at the end. */
function measuring(onEnd: (facts: { sha256: string; sizeBytes: number }) => Error | null): Transform {
  const hash = createHash('sha256');
  let size = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
    flush(done) {
      done(onEnd({ sha256: hash.digest('hex'), sizeBytes: size }));
    },
  });
}

export async function writeBundleArchive(out: Writable, input: ArchiveInput): Promise<ArchiveResult> {
  const zip = new yazl.ZipFile();
  const failed = new Promise<never>((_, reject) => zip.once('error', reject));
  failed.catch(() => undefined);
  const stored = { mtime: input.createdAt, mode: 0o100644, compress: false };
  const deflated = { mtime: input.createdAt, mode: 0o100644, compress: true };
  const total = input.exhibits.length + 1;
  const lazy = (name: string, options: typeof stored, open: () => Promise<Readable>) =>
    zip.addReadStreamLazy(name, options, (callback) => {
      open().then(
        (stream) => {
          stream.once('error', (error) => zip.emit('error', error));
          callback(null, stream);
        },
        (error: unknown) => callback(error, undefined as never),
      );
    });

  let document: ArchiveResult['document'] | null = null;
  let pages: Promise<{ pages: number }> | null = null;
  lazy(input.documentFile, stored, async () => {
    const measure = measuring((facts) => {
      document = { ...facts, pages: 0 };
      input.onFile?.(1, total);
      return null;
    });
    const into = new PassThrough();
    pages = input.writeDocument(into);
    pages.catch((error: unknown) => into.destroy(error as Error));
    return into.pipe(measure);
  });

  const exhibits: ManifestExhibit[] = [];
  for (const [index, source] of input.exhibits.entries()) {
    lazy(source.file, stored, async () => {
      const original = await source.open();
      const measure = measuring((facts) => {
        if (facts.sha256 !== source.expectedSha256 || facts.sizeBytes !== source.expectedSizeBytes)
          return new ExhibitIntegrityError(source.exhibit);
        exhibits.push({
          exhibit: source.exhibit,
          file: source.file,
          diaryEntry: source.diaryEntry,
          mediaType: source.mediaType,
          capturedAt: source.capturedAt,
          uploadedAt: source.uploadedAt,
          sha256: facts.sha256,
          sizeBytes: facts.sizeBytes,
        });
        input.onFile?.(index + 2, total);
        return null;
      });
      original.once('error', (error) => measure.destroy(error));
      return original.pipe(measure);
    });
  }

  // The manifest's files, made once everything before them has been written and hashed.
  let csv: Buffer | null = null;
  let json: Buffer | null = null;
  let manifest: Manifest | null = null;
  const finalDocument = async (): Promise<Manifest['document']> => {
    if (!document || !pages) throw new Error('The document was not written');
    const { pages: count } = await pages;
    return {
      file: input.documentFile,
      sha256: document.sha256,
      sizeBytes: document.sizeBytes,
      pages: count,
      incidents: input.incidents,
    };
  };
  const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
  lazy(MANIFEST_CSV, deflated, async () => {
    csv = manifestCsv(await finalDocument(), exhibits, input.custody);
    return Readable.from([csv]);
  });
  lazy(MANIFEST_JSON, deflated, async () => {
    if (!csv) throw new Error('The CSV manifest was not written');
    manifest = {
      ...input.manifest,
      document: await finalDocument(),
      manifestCsv: { file: MANIFEST_CSV, sha256: sha(csv), sizeBytes: csv.length },
      exhibits,
      custody: [...input.custody],
    };
    json = manifestJson(manifest);
    return Readable.from([json]);
  });
  lazy(SIGNATURE, stored, async () => {
    if (!json) throw new Error('The manifest was not written');
    return Readable.from([sign(null, json, input.signingKey)]);
  });
  lazy(SUMS, deflated, async () => {
    if (!json || !manifest) throw new Error('The manifest was not written');
    const signature = sign(null, json, input.signingKey);
    return Readable.from([
      sha256Sums([
        { file: manifest.document.file, sha256: manifest.document.sha256 },
        ...manifest.exhibits,
        { file: MANIFEST_CSV, sha256: manifest.manifestCsv.sha256 },
        { file: MANIFEST_JSON, sha256: sha(json) },
        { file: SIGNATURE, sha256: sha(signature) },
      ]),
    ]);
  });
  zip.end();

  let zipFacts: { sha256: string; sizeBytes: number } | null = null;
  const whole = measuring((facts) => {
    zipFacts = facts;
    return null;
  });
  try {
    await Promise.race([pipeline(zip.outputStream, whole, out), failed]);
  } catch (error) {
    (zip.outputStream as Readable).destroy();
    throw error;
  }
  if (!zipFacts || !document || !manifest) throw new Error('The bundle was not finished');
  const finished = zipFacts as { sha256: string; sizeBytes: number };
  return {
    zipSha256: finished.sha256,
    zipSizeBytes: finished.sizeBytes,
    document: (manifest as Manifest).document,
    manifest: manifest,
  };
}
