import { createHash, verify as verifySignature } from 'node:crypto';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { MANIFEST_JSON, manifestShape, parseSums, SIGNATURE, SUMS, type Manifest } from './manifest.ts';
import type { PublishedKey } from './signing-keys.ts';

/**
 * Checking an evidence bundle: every file's SHA-256 and size against the signed manifest, the manifest's
 * Ed25519 signature against the organisation's published key, and SHA256SUMS against the manifest. One module,
 * used by `vigil bundle verify` and by the upload page; each problem names the file and says why.
 */

export type Problem = { file: string; problem: string };

export type Verification = {
  ok: boolean;
  problems: Problem[];
  /** Every file in the ZIP, with what was found. */
  files: { file: string; sha256: string; sizeBytes: number; ok: boolean }[];
  manifest: Manifest | null;
  signedBy: { keyId: string; organisationName: string } | null;
};

/** Where a ZIP is read from: a file on disk, or any source of byte ranges (an upload held apart, say). */
export type ZipInput =
  { kind: 'file'; path: string } | { kind: 'reader'; reader: yauzl.RandomAccessReader; size: number };

/** Files read whole to be checked against the manifest: small, and refused when they are not. */
const TEXT_FILES = new Set([MANIFEST_JSON, SIGNATURE, SUMS]);
const LARGEST_TEXT = 32 * 1024 * 1024;

export class NotAZipError extends Error {}

function openZip(input: ZipInput): Promise<yauzl.ZipFile> {
  const options: yauzl.Options = { lazyEntries: true, autoClose: false, validateEntrySizes: true };
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, zip?: yauzl.ZipFile) =>
      error || !zip ? reject(new NotAZipError(error?.message ?? 'not a ZIP file')) : resolve(zip);
    if (input.kind === 'file') yauzl.open(input.path, options, done);
    else yauzl.fromRandomAccessReader(input.reader, input.size, options, done);
  });
}

function entryStream(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Readable> {
  return new Promise((resolve, reject) =>
    zip.openReadStream(entry, (error, stream) =>
      error || !stream ? reject(error ?? new Error('unreadable entry')) : resolve(stream),
    ),
  );
}

type Read = { sha256: string; sizeBytes: number; text: Buffer | null } | { damaged: string };

/** Reads one entry through, hashing it; keeps it when it is one of the manifest's own files. */
async function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Read> {
  const keep = TEXT_FILES.has(entry.fileName) && entry.uncompressedSize <= LARGEST_TEXT;
  try {
    const hash = createHash('sha256');
    const kept: Buffer[] = [];
    let size = 0;
    for await (const chunk of await entryStream(zip, entry)) {
      const bytes = chunk as Buffer;
      hash.update(bytes);
      size += bytes.length;
      if (keep) kept.push(bytes);
    }
    return { sha256: hash.digest('hex'), sizeBytes: size, text: keep ? Buffer.concat(kept) : null };
  } catch (error) {
    return { damaged: (error as Error).message };
  }
}

/**
 * Checks a bundle. `lookupKey` finds a published signing key by its id (null when there is none). Never
 * throws for a bad bundle: whatever is wrong is a problem in the answer. A file that is not a ZIP at all is a
 * problem with the upload itself (file "(the ZIP file)").
 */
export async function verifyBundle(
  input: ZipInput,
  lookupKey: (keyId: string) => Promise<PublishedKey | null>,
): Promise<Verification> {
  const problems: Problem[] = [];
  const found = new Map<string, { sha256: string; sizeBytes: number }>();
  const texts = new Map<string, Buffer>();
  const files: Verification['files'] = [];
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(input);
  } catch (error) {
    return {
      ok: false,
      problems: [
        { file: '(the ZIP file)', problem: `It cannot be read as a ZIP file: ${(error as Error).message}` },
      ],
      files: [],
      manifest: null,
      signedBy: null,
    };
  }
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', resolve);
      zip.on('entry', (entry: yauzl.Entry) => {
        void (async () => {
          const name = entry.fileName;
          if (name.endsWith('/')) return zip.readEntry();
          if (found.has(name)) {
            problems.push({ file: name, problem: 'The ZIP holds two files of this name' });
            return zip.readEntry();
          }
          const read = await readEntry(zip, entry);
          if ('damaged' in read) {
            problems.push({
              file: name,
              problem: `Damaged: it cannot be read from the ZIP (${read.damaged})`,
            });
          } else {
            found.set(name, { sha256: read.sha256, sizeBytes: read.sizeBytes });
            if (read.text) texts.set(name, read.text);
          }
          zip.readEntry();
        })().catch(reject);
      });
      zip.readEntry();
    });
  } catch (error) {
    problems.push({ file: '(the ZIP file)', problem: `It is damaged: ${(error as Error).message}` });
  } finally {
    zip.close();
  }

  const { manifest, signedBy } = await checkManifest(texts, problems, lookupKey);
  if (manifest) checkFiles(manifest, found, problems);
  if (manifest) checkSums(manifest, texts.get(SUMS), found, problems);
  for (const [file, facts] of found)
    files.push({ file, ...facts, ok: !problems.some((problem) => problem.file === file) });
  return { ok: problems.length === 0, problems, files, manifest, signedBy };
}

async function checkManifest(
  texts: Map<string, Buffer>,
  problems: Problem[],
  lookupKey: (keyId: string) => Promise<PublishedKey | null>,
): Promise<{ manifest: Manifest | null; signedBy: Verification['signedBy'] }> {
  const bytes = texts.get(MANIFEST_JSON);
  if (!bytes) {
    problems.push({
      file: MANIFEST_JSON,
      problem: 'Missing: the ZIP has no manifest, so nothing in it can be checked',
    });
    return { manifest: null, signedBy: null };
  }
  let manifest: Manifest;
  try {
    const parsed = manifestShape.safeParse(JSON.parse(bytes.toString('utf8')));
    if (!parsed.success) {
      problems.push({
        file: MANIFEST_JSON,
        problem: 'It is not a Vigil bundle manifest: it has been changed or replaced',
      });
      return { manifest: null, signedBy: null };
    }
    manifest = parsed.data;
  } catch {
    problems.push({ file: MANIFEST_JSON, problem: 'It is not valid JSON: it has been changed or damaged' });
    return { manifest: null, signedBy: null };
  }
  const signature = texts.get(SIGNATURE);
  if (!signature) {
    problems.push({ file: SIGNATURE, problem: 'Missing: the manifest is not signed' });
    return { manifest, signedBy: null };
  }
  const key = await lookupKey(manifest.signingKey.keyId);
  if (!key) {
    problems.push({
      file: MANIFEST_JSON,
      problem: `It says it was signed with key ${manifest.signingKey.keyId}, which is not a published Vigil signing key here`,
    });
    return { manifest, signedBy: null };
  }
  let valid: boolean;
  try {
    valid = signature.length === 64 && verifySignature(null, bytes, key.publicKey, signature);
  } catch {
    valid = false;
  }
  if (!valid) {
    problems.push({
      file: MANIFEST_JSON,
      problem: `Its signature (${SIGNATURE}) does not match: the manifest, or its signature, was changed after the bundle was made`,
    });
    return { manifest, signedBy: null };
  }
  return { manifest, signedBy: { keyId: key.keyId, organisationName: key.organisationName } };
}

function checkFiles(
  manifest: Manifest,
  found: Map<string, { sha256: string; sizeBytes: number }>,
  problems: Problem[],
): void {
  const listed = [manifest.document, manifest.manifestCsv, ...manifest.exhibits];
  for (const expected of listed) {
    const actual = found.get(expected.file);
    if (!actual) {
      if (!problems.some((problem) => problem.file === expected.file))
        problems.push({
          file: expected.file,
          problem: 'Missing: the manifest lists it but the ZIP does not hold it',
        });
      continue;
    }
    if (actual.sizeBytes !== expected.sizeBytes)
      problems.push({
        file: expected.file,
        problem: `Its size is ${actual.sizeBytes} bytes; the manifest says ${expected.sizeBytes}: it has been changed`,
      });
    else if (actual.sha256 !== expected.sha256)
      problems.push({
        file: expected.file,
        problem: `Its SHA-256 is ${actual.sha256}; the manifest says ${expected.sha256}: it has been changed`,
      });
  }
  const known = new Set([...listed.map((file) => file.file), MANIFEST_JSON, SIGNATURE, SUMS]);
  for (const name of found.keys())
    if (!known.has(name))
      problems.push({ file: name, problem: 'Not listed in the manifest: it was added to the bundle' });
}

function checkSums(
  manifest: Manifest,
  sums: Buffer | undefined,
  found: Map<string, { sha256: string }>,
  problems: Problem[],
): void {
  if (!sums) {
    problems.push({ file: SUMS, problem: 'Missing' });
    return;
  }
  const expected = new Map(
    [manifest.document, ...manifest.exhibits, manifest.manifestCsv].map((file) => [file.file, file.sha256]),
  );
  const lines = parseSums(sums.toString('utf8'));
  const seen = new Set<string>();
  for (const [index, line] of lines.entries()) {
    if (!line) {
      problems.push({ file: SUMS, problem: `Line ${index + 1} is not a SHA-256 and a file name` });
      continue;
    }
    seen.add(line.file);
    if (line.file === MANIFEST_JSON || line.file === SIGNATURE) {
      // The manifest cannot list its own hash or its signature's: these lines are checked against the files,
      // and a difference is put down to SHA256SUMS only when the file itself checked out.
      const actual = found.get(line.file)?.sha256;
      if (
        actual !== line.sha256 &&
        !problems.some((problem) => problem.file === line.file || problem.file === MANIFEST_JSON)
      )
        problems.push({ file: SUMS, problem: `Its SHA-256 for ${line.file} differs from the file's` });
      continue;
    }
    const wanted = expected.get(line.file);
    if (wanted === undefined)
      problems.push({ file: SUMS, problem: `It lists ${line.file}, which the manifest does not` });
    else if (wanted !== line.sha256)
      problems.push({ file: SUMS, problem: `Its SHA-256 for ${line.file} differs from the manifest's` });
  }
  for (const file of [...expected.keys(), MANIFEST_JSON, SIGNATURE])
    if (!seen.has(file)) problems.push({ file: SUMS, problem: `It does not list ${file}` });
}
