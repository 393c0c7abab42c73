import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import sharp from 'sharp';
import type { TestBrowser } from '../../../test/support/app.ts';
import {
  buildTestApp,
  givenOrganisation,
  givenStaff,
  type StaffCredentials,
  type TestApp,
  signedInAs,
} from '../../../test/support/app.ts';
import { givenDiaryEntry } from '../../../test/support/diary.ts';
import { errorSummary, submissionIdIn } from '../../../test/support/forms.ts';
import { givenCase, sessionFor } from '../../../test/support/referrals.ts';
import { paths } from '../../paths.ts';

type FilePart = { name: string; content: Buffer; type?: string };

/** A multipart body as a browser sends the upload form: token, submission id, then the files. */
function multipartBody(fields: [string, string][], files: FilePart[]): { boundary: string; body: Buffer } {
  const boundary = `----vigil${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of fields) {
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
    );
  }
  for (const file of files) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${file.name}"\r\n` +
          `Content-Type: ${file.type ?? 'application/octet-stream'}\r\n\r\n`,
      ),
      file.content,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { boundary, body: Buffer.concat(chunks) };
}

async function filesUnder(folder: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string) => {
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else found.push(path.relative(folder, full));
    }
  };
  await walk(folder);
  return found.sort();
}

/** A photo as a phone would save it: a JPEG whose EXIF says when it was taken, and where. */
async function photoTaken(when: string, colour = '#c33'): Promise<Buffer> {
  return sharp({ create: { width: 640, height: 480, channels: 3, background: colour } })
    .jpeg()
    .withExif({
      IFD0: { Make: 'Acme', Model: 'Phone 7' },
      IFD2: { DateTimeOriginal: when, OffsetTimeOriginal: '+01:00' },
    })
    .toBuffer();
}

describe('Evidence files', () => {
  let test: TestApp;
  let dataDir: string;
  let manager: StaffCredentials;
  let casey: StaffCredentials;
  let robin: StaffCredentials;
  const MAX_FILE = 1024 * 1024;
  const storageDir = () => path.join(dataDir, 'evidence');

  before(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'vigil-evidence-'));
    test = await buildTestApp({
      dataDir,
      evidenceLimits: { maxFileBytes: MAX_FILE, maxFiles: 3, maxImagePixels: 10_000_000 },
    });
    const admin = await givenOrganisation(test);
    manager = await givenStaff(test, admin.organisationId, 'manager', { displayName: 'Morgan Manager' });
    casey = await givenStaff(test, admin.organisationId, 'caseworker', { displayName: 'Casey Worker' });
    robin = await givenStaff(test, admin.organisationId, 'caseworker', { displayName: 'Robin Worker' });
  });
  after(async () => {
    await test.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  const signedIn = (user: StaffCredentials) => signedInAs(test, user);

  /** A case on Casey's caseload with one diary entry. */
  async function givenEntry(): Promise<{ caseId: string; entryId: string; reference: string }> {
    const { caseId } = await givenCase(test, manager, { holder: casey });
    const { entryId } = await givenDiaryEntry(test, await sessionFor(test, casey), caseId);
    const row = await test.database.ownerDb
      .selectFrom('cases')
      .select('reference')
      .where('case_id', '=', caseId)
      .executeTakeFirstOrThrow();
    return { caseId, entryId, reference: row.reference };
  }

  let address: Promise<string> | undefined;
  /** The app on a real port, for what app.inject cannot do (a connection cut off, a body still being sent). */
  const listening = () => (address ??= test.app.listen({ host: '127.0.0.1', port: 0 }));

  const cookieHeader = (browser: TestBrowser) =>
    [...browser.cookies].map(([name, value]) => `${name}=${value}`).join('; ');

  /** Opens the upload page and sends its form with these files, as the browser would. */
  async function upload(
    browser: TestBrowser,
    caseId: string,
    entryId: string,
    files: FilePart[],
    options: { submissionId?: string } = {},
  ): Promise<LightMyRequestResponse & { submissionId: string }> {
    const url = paths.diaryEntryEvidence(caseId, entryId);
    const page = await browser.get(url);
    assert.equal(page.statusCode, 200);
    const submissionId = options.submissionId ?? submissionIdIn(page.body, 'evidence-form');
    const { boundary, body } = multipartBody(
      [
        ['_csrf', browser.csrfToken!],
        ['submissionId', submissionId],
      ],
      files,
    );
    const response = await test.app.inject({
      method: 'POST',
      url,
      headers: {
        cookie: cookieHeader(browser),
        accept: 'text/html',
        'content-type': `multipart/form-data; boundary=${boundary}`,
      },
      payload: body,
    });
    return Object.assign(response, { submissionId });
  }

  const exhibitRows = (caseId: string) =>
    test.database.ownerDb
      .selectFrom('evidence_files')
      .selectAll()
      .where('case_id', '=', caseId)
      .orderBy('exhibit_number')
      .execute();

  const auditEvents = (action: string, reference: string) =>
    test.database.ownerDb
      .selectFrom('audit_events')
      .select(['action', 'record_type', 'record_id', 'details', 'actor_user_id'])
      .where('action', '=', action)
      .where('record_id', '=', reference)
      .execute();

  it('stores a photo as it came, with when it was taken, a thumbnail, and its SHA-256', async () => {
    const { caseId, entryId, reference } = await givenEntry();
    const browser = await signedIn(casey);
    const photo = await photoTaken('2026:10:05 19:31:12');

    const response = await upload(browser, caseId, entryId, [{ name: 'IMG_0412.jpg', content: photo }]);
    assert.equal(response.statusCode, 303, response.body);
    assert.equal(
      response.headers.location,
      `${paths.diaryEntryEvidence(caseId, entryId)}?done=uploaded#exhibits`,
    );

    const [row] = await exhibitRows(caseId);
    assert.ok(row);
    assert.equal(row.exhibit_number, 1);
    assert.equal(row.media_type, 'image/jpeg');
    assert.equal(Number(row.size_bytes), photo.length);
    assert.equal(row.sha256.toString('hex'), createHash('sha256').update(photo).digest('hex'));
    assert.equal(row.captured_at?.toISOString(), '2026-10-05T18:31:12.000Z', 'EXIF time with its offset');
    assert.equal(row.storage_key, `${manager.organisationId}/${caseId}/${row.sha256.toString('hex')}`);
    assert.ok(!row.original_name_sealed.includes(Buffer.from('IMG_0412')), 'the file name is sealed');
    assert.ok(row.metadata_sealed && !row.metadata_sealed.includes(Buffer.from('Acme')), 'EXIF is sealed');

    const stored = await fs.readFile(path.join(storageDir(), ...row.storage_key.split('/')));
    assert.ok(!stored.includes(photo.subarray(0, 64)), 'the original is encrypted at rest');

    const page = await browser.get(String(response.headers.location));
    assert.match(page.body, /data-qa="uploaded"/);
    assert.match(page.body, /data-qa="exhibit-label">Exhibit 1</);
    assert.match(page.body, /data-qa="exhibit-file-name">IMG_0412.jpg</);
    assert.match(page.body, /data-qa="exhibit-captured">5 October 2026/);
    assert.match(page.body, new RegExp(`data-qa="exhibit-sha256">${row.sha256.toString('hex')}<`));

    const thumbnailUrl = /data-qa="exhibit-thumbnail"/.test(page.body)
      ? /<img src="([^"]+)"/.exec(page.body)![1]!
      : assert.fail('the page shows a thumbnail');
    const thumbnail = await browser.get(thumbnailUrl);
    assert.equal(thumbnail.statusCode, 200);
    assert.equal(thumbnail.headers['content-type'], 'image/jpeg');
    const shown = await sharp(thumbnail.rawPayload).metadata();
    assert.ok(shown.width <= 320 && shown.height <= 320, 'a thumbnail is small');
    assert.equal(shown.exif, undefined, 'and carries no EXIF (no location, no camera)');
    assert.equal((await auditEvents('evidence.viewed', reference)).length, 0, 'thumbnails are not audited');

    const displayUrl =
      /data-qa="exhibit-display" href="([^"]+)"|href="([^"]+)" data-qa="exhibit-display"/.exec(page.body);
    const display = await browser.get(
      displayUrl?.[1] ?? displayUrl?.[2] ?? assert.fail('a larger copy is linked'),
    );
    assert.equal(display.statusCode, 200);
    const large = await sharp(display.rawPayload).metadata();
    assert.equal(large.width, 640, 'the display copy keeps a phone photo’s size');
    assert.equal(large.exif, undefined);
    assert.equal((await auditEvents('evidence.viewed', reference)).length, 1, 'opening the display copy is');

    const [event] = await auditEvents('evidence.uploaded', reference);
    assert.deepEqual(event?.details, {
      entryNumber: 1,
      exhibitNumber: 1,
      mediaType: 'image/jpeg',
      sha256: row.sha256.toString('hex'),
      sizeBytes: photo.length,
    });
    assert.ok(!JSON.stringify(event).includes('IMG_0412'), 'no file name in the audit trail');
  });

  it('downloads the original byte for byte as an attachment, recorded as chain of custody', async () => {
    const { caseId, entryId, reference } = await givenEntry();
    const browser = await signedIn(casey);
    const text = Buffer.from('Messages exported 5 Oct 2026\n19:30 Unknown: where are you\n', 'utf8');
    await upload(browser, caseId, entryId, [{ name: 'Chat with A.txt', content: text }]);
    const [row] = await exhibitRows(caseId);
    assert.equal(row?.media_type, 'text/plain');

    const download = await browser.get(paths.caseEvidenceOriginal(caseId, row.evidence_id));
    assert.equal(download.statusCode, 200);
    assert.deepEqual(download.rawPayload, text);
    assert.equal(download.headers['content-disposition'], 'attachment; filename="exhibit-1.txt"');
    assert.equal(download.headers['cache-control'], 'no-store');
    assert.equal(download.headers['x-content-type-options'], 'nosniff');
    assert.equal(download.headers['content-type'], 'text/plain; charset=utf-8');

    const events = await auditEvents('evidence.downloaded', reference);
    assert.equal(events.length, 1);
    assert.equal(events[0]?.record_type, 'case');
    assert.equal(events[0]?.actor_user_id, casey.userId);
    assert.deepEqual(events[0]?.details, {
      exhibitNumber: 1,
      mediaType: 'text/plain',
      sha256: createHash('sha256').update(text).digest('hex'),
    });
  });

  it('refuses to serve an original altered where it is stored, and records the failure', async () => {
    const { caseId, entryId, reference } = await givenEntry();
    const browser = await signedIn(casey);
    const content = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(300_000)]);
    await upload(browser, caseId, entryId, [{ name: 'letter.pdf', content }]);
    const [row] = await exhibitRows(caseId);
    assert.equal(row?.media_type, 'application/pdf');

    const file = path.join(storageDir(), ...row.storage_key.split('/'));
    const stored = await fs.readFile(file);
    stored[5000] = stored[5000]! ^ 0x01;
    await fs.chmod(file, 0o600);
    await fs.writeFile(file, stored);

    const download = await browser.get(paths.caseEvidenceOriginal(caseId, row.evidence_id));
    assert.equal(download.statusCode, 500);
    assert.match(download.body, /data-qa="integrity-failed"/);
    assert.ok(!download.body.includes('%PDF'), 'nothing of the file is sent');
    const failures = await auditEvents('evidence.integrity_failed', reference);
    assert.equal(failures.length, 1);
    assert.equal((failures[0]?.details as { exhibitNumber: number }).exhibitNumber, 1);
    assert.equal((await auditEvents('evidence.downloaded', reference)).length, 0);
  });

  it('refuses a program renamed as a photo, and keeps nothing of the upload', async () => {
    const { caseId, entryId } = await givenEntry();
    const browser = await signedIn(casey);
    const before = await filesUnder(storageDir());
    for (const program of [
      Buffer.concat([Buffer.from('MZ'), randomBytes(70_000)]),
      Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01\x00', 'latin1'), randomBytes(10_000)]),
    ]) {
      const response = await upload(browser, caseId, entryId, [
        { name: 'fine.txt', content: Buffer.from('a fine text file\n') },
        { name: 'photo.jpg', content: program, type: 'image/jpeg' },
      ]);
      assert.equal(response.statusCode, 400);
      assert.deepEqual(errorSummary(response.body), [
        'photo.jpg must be a photo or screenshot, audio, video, PDF, saved email (.eml) or text file. Nothing was attached',
      ]);
      assert.match(response.body, /<title>Error: /);
      assert.match(
        response.body,
        /govuk-form-group--error[\s\S]*id="files-error"/,
        'the message is on the field',
      );
    }
    assert.deepEqual(await exhibitRows(caseId), []);
    assert.deepEqual(await filesUnder(storageDir()), before, 'no file left behind, temporary or placed');
  });

  it('answers 413 for a file over the limit, saying the limit, with nothing stored', async () => {
    const { caseId, entryId } = await givenEntry();
    const browser = await signedIn(casey);
    const before = await filesUnder(storageDir());
    const response = await upload(browser, caseId, entryId, [
      { name: 'video.mp4', content: Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(MAX_FILE)]) },
    ]);
    assert.equal(response.statusCode, 413);
    assert.deepEqual(errorSummary(response.body), [
      'video.mp4 must be 1 MB or smaller. Nothing was attached',
    ]);
    assert.deepEqual(await exhibitRows(caseId), []);
    assert.deepEqual(await filesUnder(storageDir()), before);

    // Over a real connection too, the browser gets the page (not a reset) while it is still sending.
    const page = await browser.get(paths.diaryEntryEvidence(caseId, entryId));
    const { boundary, body } = multipartBody(
      [
        ['_csrf', browser.csrfToken!],
        ['submissionId', submissionIdIn(page.body, 'evidence-form')],
      ],
      [{ name: 'big.pdf', content: Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(3 * MAX_FILE)]) }],
    );
    const address = await listening();
    {
      const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const request = http.request(
          `${address}${paths.diaryEntryEvidence(caseId, entryId)}`,
          {
            method: 'POST',
            headers: {
              cookie: cookieHeader(browser),
              accept: 'text/html',
              'content-type': `multipart/form-data; boundary=${boundary}`,
              'content-length': body.length,
            },
          },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () =>
              resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
            );
          },
        );
        request.on('error', reject);
        request.end(body);
      });
      assert.equal(answer.status, 413);
      assert.deepEqual(errorSummary(answer.text), ['big.pdf must be 1 MB or smaller. Nothing was attached']);
    }
    assert.deepEqual(await filesUnder(storageDir()), before);
  });

  it('refuses more files than the limit in one go, keeping none of them', async () => {
    const { caseId, entryId } = await givenEntry();
    const browser = await signedIn(casey);
    const before = await filesUnder(storageDir());
    const files = [1, 2, 3, 4].map((n) => ({ name: `note-${n}.txt`, content: Buffer.from(`note ${n}\n`) }));
    const response = await upload(browser, caseId, entryId, files);
    assert.equal(response.statusCode, 413);
    assert.deepEqual(errorSummary(response.body), ['Select up to 3 files at a time. Nothing was attached']);
    assert.deepEqual(await exhibitRows(caseId), []);
    assert.deepEqual(await filesUnder(storageDir()), before);
  });

  it('leaves no record and no file when an upload is cut off mid-stream', async () => {
    const { caseId, entryId } = await givenEntry();
    const browser = await signedIn(casey);
    const page = await browser.get(paths.diaryEntryEvidence(caseId, entryId));
    const before = await filesUnder(storageDir());
    const address = await listening();
    {
      const { boundary, body } = multipartBody(
        [
          ['_csrf', browser.csrfToken!],
          ['submissionId', submissionIdIn(page.body, 'evidence-form')],
        ],
        [{ name: 'long.pdf', content: Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(800_000)]) }],
      );
      const { port } = new URL(address);
      const socket = net.connect(Number(port), '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write(
        `POST ${paths.diaryEntryEvidence(caseId, entryId)} HTTP/1.1\r\nHost: localhost\r\n` +
          `Cookie: ${cookieHeader(browser)}\r\nAccept: text/html\r\n` +
          `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${body.length}\r\n\r\n`,
      );
      await new Promise((resolve) => socket.write(body.subarray(0, body.length / 2), resolve));
      // Long enough for the server to have started storing the file.
      for (let i = 0; i < 50 && (await filesUnder(path.join(storageDir(), '.tmp'))).length === 0; i += 1)
        await new Promise((resolve) => setTimeout(resolve, 20));
      assert.ok((await filesUnder(path.join(storageDir(), '.tmp'))).length > 0, 'the upload had begun');
      socket.destroy();
      for (let i = 0; i < 100 && (await filesUnder(storageDir())).length !== before.length; i += 1)
        await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.deepEqual(await exhibitRows(caseId), []);
    assert.deepEqual(await filesUnder(storageDir()), before);
  });

  it('refuses a caseworker the case is not allocated to, before storing anything', async () => {
    const { caseId, entryId } = await givenEntry();
    const holder = await signedIn(casey);
    const page = await holder.get(paths.diaryEntryEvidence(caseId, entryId));
    const other = await signedIn(robin);
    assert.equal((await other.get(paths.diaryEntryEvidence(caseId, entryId))).statusCode, 403);
    await other.get('/');
    const before = await filesUnder(storageDir());
    const { boundary, body } = multipartBody(
      [
        ['_csrf', other.csrfToken!],
        ['submissionId', submissionIdIn(page.body, 'evidence-form')],
      ],
      [{ name: 'note.txt', content: Buffer.from('hello\n') }],
    );
    const response = await test.app.inject({
      method: 'POST',
      url: paths.diaryEntryEvidence(caseId, entryId),
      headers: {
        cookie: cookieHeader(other),
        accept: 'text/html',
        'content-type': `multipart/form-data; boundary=${boundary}`,
      },
      payload: body,
    });
    assert.equal(response.statusCode, 403);
    assert.deepEqual(await exhibitRows(caseId), []);
    assert.deepEqual(await filesUnder(storageDir()), before);

    await upload(holder, caseId, entryId, [{ name: 'note.txt', content: Buffer.from('hello\n') }]);
    const [row] = await exhibitRows(caseId);
    assert.equal((await other.get(paths.caseEvidenceOriginal(caseId, row!.evidence_id))).statusCode, 403);
    assert.equal((await other.get(paths.caseEvidenceThumbnail(caseId, row!.evidence_id))).statusCode, 403);
  });

  it('refuses a multipart form whose token is missing or comes after the files', async () => {
    const { caseId, entryId } = await givenEntry();
    const browser = await signedIn(casey);
    const page = await browser.get(paths.diaryEntryEvidence(caseId, entryId));
    const { boundary, body } = multipartBody([], [{ name: 'note.txt', content: Buffer.from('hello\n') }]);
    const tail = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${browser.csrfToken}\r\n--${boundary}--\r\n`,
    );
    const response = await test.app.inject({
      method: 'POST',
      url: paths.diaryEntryEvidence(caseId, entryId),
      headers: {
        cookie: cookieHeader(browser),
        accept: 'text/html',
        'content-type': `multipart/form-data; boundary=${boundary}`,
      },
      payload: Buffer.concat([body.subarray(0, body.length - `--${boundary}--\r\n`.length), tail]),
    });
    assert.equal(response.statusCode, 403);
    assert.ok(submissionIdIn(page.body, 'evidence-form'));
    assert.deepEqual(await exhibitRows(caseId), []);
  });

  it('makes one set of exhibits when the same form is sent twice, numbered on across the case', async () => {
    const { caseId, entryId } = await givenEntry();
    const { entryId: secondEntry } = await givenDiaryEntry(test, await sessionFor(test, casey), caseId);
    const browser = await signedIn(casey);
    const files = [
      { name: 'a.txt', content: Buffer.from('first\n') },
      {
        name: 'b.eml',
        content: Buffer.from(
          'From: a@example.org\r\nTo: b@example.org\r\nSubject: hi\r\nDate: Mon, 5 Oct 2026 19:30:00 +0100\r\n\r\nWhere are you?\r\n',
        ),
      },
    ];
    const first = await upload(browser, caseId, entryId, files);
    assert.equal(first.statusCode, 303);
    const again = await upload(browser, caseId, entryId, files, { submissionId: first.submissionId });
    assert.equal(again.statusCode, 303);
    const rows = await exhibitRows(caseId);
    assert.deepEqual(
      rows.map((row) => [row.exhibit_number, row.media_type]),
      [
        [1, 'text/plain'],
        [2, 'message/rfc822'],
      ],
    );

    // The same content again, on another entry: a new exhibit, the same stored object.
    const third = await upload(browser, caseId, secondEntry, [files[0]!]);
    assert.equal(third.statusCode, 303);
    const after = await exhibitRows(caseId);
    assert.equal(after.length, 3);
    assert.equal(after[2]?.exhibit_number, 3);
    assert.equal(after[2]?.storage_key, after[0]?.storage_key);
  });

  it('lists an entry’s exhibits for the diary page, with download links only for those allowed', async () => {
    const { caseId, entryId } = await givenEntry();
    const browser = await signedIn(casey);
    await upload(browser, caseId, entryId, [{ name: 'n.txt', content: Buffer.from('note\n') }]);
    const result = await test.services.evidence.exhibitsOfEntry(
      await sessionFor(test, casey),
      caseId,
      entryId,
    );
    assert.equal(result.kind, 'ok');
    const [exhibit] = result.kind === 'ok' ? result.value : [];
    assert.equal(exhibit?.label, 'Exhibit 1');
    assert.equal(exhibit?.fileName, 'n.txt');
    assert.equal(exhibit?.size, '5 bytes');
    assert.match(exhibit?.downloadUrl ?? '', /\/original$/);
    const other = await test.services.evidence.exhibitsOfEntry(
      await sessionFor(test, robin),
      caseId,
      entryId,
    );
    assert.equal(other.kind, 'not_on_caseload');
  });

  it('sweeps unfinished uploads and unreferenced files once they are an hour old, and nothing else', async () => {
    const { caseId, entryId } = await givenEntry();
    const browser = await signedIn(casey);
    await upload(browser, caseId, entryId, [{ name: 'kept.txt', content: Buffer.from('kept\n') }]);
    const [kept] = await exhibitRows(caseId);
    const root = storageDir();
    const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
    const orphan = path.join(root, manager.organisationId, caseId, 'f'.repeat(64));
    const staleTemp = path.join(root, '.tmp', randomUUID());
    const freshTemp = path.join(root, '.tmp', randomUUID());
    for (const file of [orphan, staleTemp, freshTemp]) await fs.writeFile(file, 'left behind');
    for (const file of [orphan, staleTemp, path.join(root, ...kept!.storage_key.split('/'))])
      await fs.utimes(file, old, old);

    const swept = await test.services.evidence.sweep(new Date());
    assert.ok(swept.temporary >= 1 && swept.unreferenced >= 1);
    const left = await filesUnder(root);
    assert.ok(left.includes(kept!.storage_key), 'an object an exhibit refers to stays');
    assert.ok(!left.includes(path.relative(root, orphan)), 'an old object nothing refers to goes');
    assert.ok(!left.includes(path.relative(root, staleTemp)), 'an old temporary file goes');
    assert.ok(left.includes(path.relative(root, freshTemp)), 'an upload in flight is left alone');
    await fs.unlink(freshTemp);
    assert.equal((await browser.get(paths.caseEvidenceOriginal(caseId, kept!.evidence_id))).statusCode, 200);
  });
});
