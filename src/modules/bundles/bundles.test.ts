import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { inOrganisation } from '../../db/database.ts';
import {
  buildTestApp,
  givenOrganisation,
  givenStaff,
  TestBrowser,
  type StaffCredentials,
  type TestApp,
} from '../../../test/support/app.ts';
import { bundleRequest, givenBundle, givenExhibits, photo } from '../../../test/support/bundles.ts';
import { givenDiaryEntry, incidentFacts } from '../../../test/support/diary.ts';
import { pdfInfo, pdfText, qpdfCheck } from '../../../test/support/pdf.ts';
import { givenCase, sessionFor } from '../../../test/support/referrals.ts';
import { submissionIdIn } from '../../../test/support/forms.ts';
import type { CurrentSession } from '../../platform/auth/sessions.ts';
import type { Manifest } from './manifest.ts';
import { publicKeyPem } from './signing-keys.ts';
import { verifyBundle } from './verify.ts';

const run = promisify(execFile);
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Every file in a ZIP, by name. */
async function unzip(zip: Buffer): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const archive = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(zip, { lazyEntries: true }, (error, opened) =>
      error ? reject(error) : resolve(opened),
    ),
  );
  await new Promise<void>((resolve, reject) => {
    archive.on('end', resolve);
    archive.on('error', reject);
    archive.on('entry', (entry: yauzl.Entry) => {
      archive.openReadStream(entry, (error, stream) => {
        if (error) return reject(error);
        buffer(stream).then((body) => {
          files.set(entry.fileName, body);
          archive.readEntry();
        }, reject);
      });
    });
    archive.readEntry();
  });
  return files;
}

/** A ZIP of these files, in this order: how someone who changed a file would put the bundle back together. */
async function rezip(files: Map<string, Buffer>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, body] of files) zip.addBuffer(body, name, { compress: false });
  zip.end();
  return buffer(zip.outputStream);
}

function flipByte(body: Buffer, at = Math.floor(body.length / 2)): Buffer {
  const copy = Buffer.from(body);
  copy[at] = copy[at]! ^ 0x01;
  return copy;
}

describe('Evidence bundles', () => {
  let test: TestApp;
  let admin: StaffCredentials;
  let manager: StaffCredentials;
  let casey: StaffCredentials;
  let police: StaffCredentials;
  let session: CurrentSession;
  let caseId: string;
  let reference: string;
  const photos: Buffer[] = [];
  let folder: string;

  const ADDRESS = {
    line1: '14 Larch Road',
    line2: 'Eastwick',
    town: 'Northtown',
    county: null,
    postcode: 'NT4 7QP',
    lettersSafe: false,
  };

  before(async () => {
    test = await buildTestApp();
    folder = await mkdtemp(path.join(os.tmpdir(), 'vigil-bundle-test-'));
    admin = await givenOrganisation(test);
    manager = await givenStaff(test, admin.organisationId, 'manager', { displayName: 'Morgan Manager' });
    casey = await givenStaff(test, admin.organisationId, 'caseworker', { displayName: 'Casey Worker' });
    police = await givenStaff(test, admin.organisationId, 'police_liaison', { displayName: 'Pat Police' });
    const kase = await givenCase(test, manager, {
      holder: casey,
      answers: { personName: 'Eira Synthetic', phone: '07700 900123', email: 'eira@example.org' },
    });
    caseId = kase.caseId;
    reference = kase.reference;
    session = await sessionFor(test, casey);
    await test.services.clients.saveAddress(session, caseId, ADDRESS);
    // A month of incidents; one says where she lives and quotes her number, one is corrected, one redacted.
    const base = Date.parse('2026-09-01T18:00:00Z');
    const entries = [];
    for (let day = 0; day < 30; day += 1) {
      entries.push(
        await givenDiaryEntry(test, session, caseId, {
          occurredFrom: new Date(base + day * 86_400_000),
          behaviours: day % 3 === 0 ? ['turning_up_home'] : ['messages', 'calls'],
          details: {
            ...incidentFacts().details,
            description:
              day === 4
                ? 'He stood outside 14 Larch Road, Eastwick NT4 7QP and shouted, then rang 07700 900 123 from a new number'
                : `Messages from a new number, day ${day + 1}`,
            location: day === 4 ? '14 larch road' : null,
          },
        }),
      );
    }
    for (let index = 0; index < 3; index += 1) photos.push(await photo({ r: 40 * index, g: 100, b: 150 }));
    await givenExhibits(test, session, caseId, entries[4]!.entryId, [
      { name: 'front-door.jpg', body: photos[0]! },
      { name: 'note.txt', body: Buffer.from('He wrote: I know where you live.\n') },
    ]);
    await givenExhibits(test, session, caseId, entries[10]!.entryId, [
      { name: 'car.jpg', body: photos[1]! },
      { name: 'screenshot.jpg', body: photos[2]! },
    ]);
    await test.services.diary.correct(
      session,
      caseId,
      entries[7]!.entryId,
      1,
      incidentFacts({
        occurredFrom: new Date(base + 7 * 86_400_000),
        details: { ...incidentFacts().details, description: 'Corrected: three calls, not two' },
      }),
      'The client remembered a third call',
    );
    await test.services.diary.redact(session, caseId, entries[20]!.entryId, 'Recorded on the wrong case');
    test.clock.advance(60_000);
  });
  after(async () => {
    await test.close();
    await rm(folder, { recursive: true, force: true });
  });

  async function built(overrides: Parameters<typeof bundleRequest>[0] = {}) {
    const bundleId = await givenBundle(test, session, caseId, overrides);
    const out = new PassThrough();
    const [result, zip] = await Promise.all([
      test.services.bundles.build(admin.organisationId, bundleId, out),
      buffer(out),
    ]);
    return { bundleId, result, zip, files: await unzip(zip) };
  }

  const lookup = (keyId: string) => test.services.bundles.publishedKey(keyId);

  async function verifyBuffer(zip: Buffer) {
    const file = path.join(folder, `${randomUUID()}.zip`);
    await writeFile(file, zip);
    return verifyBundle({ kind: 'file', path: file }, lookup);
  }

  describe('what the ZIP holds', () => {
    it('holds the document, every original byte for byte under its exhibit number, and a manifest whose hashes match the stored originals', async () => {
      const { files } = await built();
      const names = [...files.keys()];
      assert.deepEqual(names, [
        'evidence-bundle.pdf',
        'exhibits/EX0001.jpg',
        'exhibits/EX0002.txt',
        'exhibits/EX0003.jpg',
        'exhibits/EX0004.jpg',
        'manifest.csv',
        'manifest.json',
        'manifest.json.sig',
        'SHA256SUMS',
      ]);
      assert.ok(files.get('exhibits/EX0001.jpg')!.equals(photos[0]!));
      assert.ok(files.get('exhibits/EX0004.jpg')!.equals(photos[2]!));
      const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8')) as Manifest;
      const stored = await inOrganisation(test.database.db, admin.organisationId, (trx) =>
        trx
          .selectFrom('evidence_files')
          .select(['exhibit_number', 'sha256', 'size_bytes'])
          .where('case_id', '=', caseId)
          .orderBy('exhibit_number')
          .execute(),
      );
      assert.deepEqual(
        manifest.exhibits.map((e) => [e.exhibit, e.sha256, e.sizeBytes]),
        stored.map((row) => [row.exhibit_number, row.sha256.toString('hex'), Number(row.size_bytes)]),
      );
      for (const exhibit of manifest.exhibits) assert.equal(sha256(files.get(exhibit.file)!), exhibit.sha256);
      assert.equal(manifest.document.sha256, sha256(files.get('evidence-bundle.pdf')!));
      assert.equal(manifest.manifestCsv.sha256, sha256(files.get('manifest.csv')!));
      assert.ok(
        manifest.custody.some(
          (event) =>
            event.exhibit === 1 && event.event === 'evidence.uploaded' && event.by === 'Casey Worker',
        ),
      );
      const csv = files.get('manifest.csv')!.toString('utf8');
      assert.match(csv, new RegExp(`^document,evidence-bundle.pdf,,,${manifest.document.sha256},`, 'm'));
      assert.match(csv, /^custody,exhibits\/EX0001\.jpg,1,.*evidence\.uploaded,Casey Worker/m);
    });

    it('passes sha256sum -c once unzipped, and qpdf --check', async () => {
      const { files } = await built();
      const into = path.join(folder, randomUUID());
      for (const [name, body] of files) {
        await mkdir(path.dirname(path.join(into, name)), { recursive: true });
        await writeFile(path.join(into, name), body);
      }
      const { stdout } = await run('sha256sum', ['-c', 'SHA256SUMS'], { cwd: into });
      assert.match(stdout, /exhibits\/EX0003\.jpg: OK/);
      assert.equal(stdout.trim().split('\n').length, 8);
      await writeFile(path.join(into, 'exhibits/EX0002.txt'), 'He wrote: I know where you live!\n');
      await assert.rejects(
        run('sha256sum', ['-c', 'SHA256SUMS'], { cwd: into }),
        (error: { stdout: string }) => /EX0002\.txt: FAILED/.test(error.stdout),
      );
      await qpdfCheck(files.get('evidence-bundle.pdf')!);
    });

    it('signs the manifest with the organisation’s Ed25519 key, which OpenSSL checks with the published public half', async () => {
      const { files, result } = await built();
      const key = await test.services.bundles.publishedKey(result.manifest.signingKey.keyId);
      assert.ok(key);
      const into = path.join(folder, randomUUID());
      await mkdir(into);
      await writeFile(path.join(into, 'key.pem'), publicKeyPem(key.publicKey));
      await writeFile(path.join(into, 'manifest.json'), files.get('manifest.json')!);
      await writeFile(path.join(into, 'manifest.json.sig'), files.get('manifest.json.sig')!);
      const { stdout } = await run(
        'openssl',
        [
          'pkeyutl',
          '-verify',
          '-pubin',
          '-inkey',
          'key.pem',
          '-rawin',
          '-in',
          'manifest.json',
          '-sigfile',
          'manifest.json.sig',
        ],
        { cwd: into },
      );
      assert.match(stdout, /Signature Verified Successfully/);
      const page = await test.app.inject({ method: 'GET', url: `/bundles/keys/${key.keyId}` });
      assert.equal(page.statusCode, 200);
      assert.equal(page.body, publicKeyPem(key.publicKey));
    });

    it('gives the same bytes when the same bundle is built again, whatever has been added to the diary since', async () => {
      const bundleId = await givenBundle(test, session, caseId);
      const once = async () => {
        const out = new PassThrough();
        const [, zip] = await Promise.all([
          test.services.bundles.build(admin.organisationId, bundleId, out),
          buffer(out),
        ]);
        return zip;
      };
      const first = await once();
      test.clock.advance(60_000);
      await givenDiaryEntry(test, session, caseId, { occurredFrom: new Date('2026-09-15T10:00:00Z') });
      const second = await once();
      assert.equal(sha256(second), sha256(first));
      const [a, b] = [await unzip(first), await unzip(second)];
      assert.deepEqual([...a.keys()], [...b.keys()]);
      for (const [name, body] of a) assert.ok(body.equals(b.get(name)!), `${name} is the same`);
    });

    it('leaves the originals out when asked, listing them in the document all the same', async () => {
      const { files } = await built({ withAttachments: false });
      assert.deepEqual(
        [...files.keys()].filter((name) => name.startsWith('exhibits/')),
        [],
      );
      const text = await pdfText(files.get('evidence-bundle.pdf')!);
      assert.match(text, /originals are not included/);
      assert.match(text, /front-door\.jpg/);
    });
  });

  describe('the document', () => {
    it('numbers every page "Page X of Y" with the bundle id, as many pages as pdfinfo counts', async () => {
      const { files, result, bundleId } = await built();
      const pdf = files.get('evidence-bundle.pdf')!;
      const info = await pdfInfo(pdf);
      const pages = Number(info.Pages);
      assert.equal(pages, result.manifest.document.pages);
      assert.ok(pages >= 5, `cover, summary, schedule, exhibits and images take several pages (${pages})`);
      assert.equal(info.Tagged, 'yes');
      assert.equal(info.Title, 'Evidence bundle');
      const text = await pdfText(pdf, 'layout');
      for (let page = 1; page <= pages; page += 1) assert.match(text, new RegExp(`Page ${page} of ${pages}`));
      assert.ok((text.match(new RegExp(`Bundle ${bundleId}`, 'g'))?.length ?? 0) >= pages);
      assert.doesNotMatch(text, new RegExp(`Page ${pages + 1} of`));
    });

    it('shows the schedule in order, numbered, with corrections, redactions and exhibit references', async () => {
      const { files } = await built({ redactContact: false });
      const text = (await pdfText(files.get('evidence-bundle.pdf')!)).replace(/\s+/g, ' ');
      assert.match(text, /Incident 1 \(diary entry 1\)/);
      assert.match(text, /Incident \d+ \(diary entry 30\)/);
      assert.ok(text.indexOf('Incident 2 (diary entry 2)') < text.indexOf('Incident 3 (diary entry 3)'));
      assert.match(text, /Corrected: three calls, not two/);
      assert.match(text, /Version 1 Recorded .* It said: Messages from a new number, day 8/);
      assert.match(text, /The client remembered a third call/);
      assert.match(text, /Incident \d+ \(diary entry 21\) Redacted on [^.]* by Casey Worker/);
      assert.doesNotMatch(text, /day 21\b/);
      assert.match(text, /Exhibits EX1, EX2/);
      assert.match(text, /Entries redacted 1 entry/);
      assert.match(text, /Turning up at their home 10/);
      const raw = files.get('evidence-bundle.pdf')!.toString('latin1');
      assert.match(raw, /\/Figure/);
      assert.match(raw, /\/Outlines/);
    });

    it('takes the client’s address and contact details out of the text when redacting, and leaves them when not', async () => {
      const redacted = await pdfText(
        (await built({ redactContact: true })).files.get('evidence-bundle.pdf')!,
      );
      const plain = await pdfText((await built({ redactContact: false })).files.get('evidence-bundle.pdf')!);
      for (const text of [redacted, plain]) assert.match(text, /He stood outside/);
      assert.match(plain, /14 Larch Road/);
      assert.match(plain, /NT4 7QP/);
      assert.match(plain, /07700 900 123/);
      for (const said of [/Larch/i, /NT4\s*7QP/, /07700\s*900\s*123/, /Eastwick/])
        assert.doesNotMatch(redacted, said, `${String(said)} is redacted`);
      assert.match(redacted, /\[address\s+redacted\]/);
      assert.match(redacted, /\[phone\s+number\s+redacted\]/);
    });
  });

  describe('verification', () => {
    it('passes an untouched bundle, naming the organisation whose key signed it', async () => {
      const { zip } = await built();
      const result = await verifyBuffer(zip);
      assert.deepEqual(result.problems, []);
      assert.equal(result.ok, true);
      assert.equal(result.signedBy?.organisationName, 'Northshire Stalking Service');
    });

    for (const [what, file] of [
      ['an exhibit', 'exhibits/EX0003.jpg'],
      ['the document', 'evidence-bundle.pdf'],
      ['the manifest', 'manifest.json'],
      ['the CSV manifest', 'manifest.csv'],
    ] as const)
      it(`fails a bundle with one byte of ${what} changed, naming ${file}`, async () => {
        const { files } = await built();
        files.set(file, flipByte(files.get(file)!));
        const result = await verifyBuffer(await rezip(files));
        assert.equal(result.ok, false);
        assert.deepEqual(
          result.problems.map((problem) => problem.file),
          [file],
        );
        assert.match(
          result.problems[0]!.problem,
          file === 'manifest.json'
            ? /signature .* does not match|not valid JSON|not a Vigil/
            : /SHA-256 is [0-9a-f]{64}; the manifest says/,
        );
      });

    it('fails a ZIP whose stored bytes were changed in place, naming the file', async () => {
      const { zip, files } = await built();
      const pdf = files.get('evidence-bundle.pdf')!;
      const at = zip.indexOf(pdf.subarray(2000, 2064));
      assert.ok(at > 0);
      const result = await verifyBuffer(flipByte(zip, at + 10));
      assert.equal(result.ok, false);
      assert.equal(result.problems[0]?.file, 'evidence-bundle.pdf');
    });

    it('fails a bundle with a file added, or signed by a key that is not published', async () => {
      const { files } = await built();
      files.set('exhibits/EX0099.jpg', photos[0]!);
      const added = await verifyBuffer(await rezip(files));
      assert.deepEqual(
        added.problems.map((p) => p.file),
        ['exhibits/EX0099.jpg'],
      );
      const unknown = await verifyBundle(
        {
          kind: 'file',
          path: await (async () => {
            const file = path.join(folder, `${randomUUID()}.zip`);
            files.delete('exhibits/EX0099.jpg');
            await writeFile(file, await rezip(files));
            return file;
          })(),
        },
        async () => null,
      );
      assert.equal(unknown.problems[0]?.file, 'manifest.json');
      assert.match(unknown.problems[0]?.problem ?? '', /not a published Vigil signing key/);
    });

    it('answers 0 from `vigil bundle verify` for an intact bundle and 1, naming the file, for a changed one', async () => {
      const { files, result } = await built();
      const key = await test.services.bundles.publishedKey(result.manifest.signingKey.keyId);
      const pem = path.join(folder, `${randomUUID()}.pem`);
      await writeFile(pem, publicKeyPem(key!.publicKey));
      const good = path.join(folder, `${randomUUID()}.zip`);
      await writeFile(good, await rezip(files));
      const cli = (zip: string) =>
        run(process.execPath, ['bin/vigil.ts', 'bundle', 'verify', zip, '--public-key', pem]).then(
          ({ stdout }) => ({ code: 0, stdout }),
          (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
        );
      const intact = await cli(good);
      assert.equal(intact.code, 0, intact.stdout);
      assert.match(intact.stdout, /intact/);
      files.set('exhibits/EX0001.jpg', flipByte(files.get('exhibits/EX0001.jpg')!));
      const bad = path.join(folder, `${randomUUID()}.zip`);
      await writeFile(bad, await rezip(files));
      const changed = await cli(bad);
      assert.equal(changed.code, 1);
      assert.match(changed.stdout, /exhibits\/EX0001\.jpg: .*SHA-256/);
      const missing = await cli(path.join(folder, 'no-such.zip'));
      assert.equal(missing.code, 1);
    });
  });

  describe('through the app', () => {
    async function signedIn(user: StaffCredentials): Promise<TestBrowser> {
      const browser = new TestBrowser(test);
      await browser.signIn(user);
      return browser;
    }

    it('asks for a bundle on the case, shows its progress until the worker has built it, and downloads it audited', async () => {
      const browser = await signedIn(casey);
      const form = await browser.get(`/cases/${caseId}/bundles/new`);
      assert.equal(form.statusCode, 200);
      const missing = await browser.post(`/cases/${caseId}/bundles`, {
        submissionId: submissionIdIn(form.body),
        redactShown: 'yes',
        redact: 'yes',
        attachments: 'yes',
        'from-day': '31',
        'from-month': '2',
        'from-year': '2026',
      });
      assert.equal(missing.statusCode, 400);
      assert.match(missing.body, /Select who the bundle is for/);
      assert.match(missing.body, /The start date must be a real date/);
      assert.match(missing.body, /value="31"/);
      const submissionId = submissionIdIn(missing.body);
      const asked = await browser.post(`/cases/${caseId}/bundles`, {
        submissionId,
        purpose: 'police_spo',
        consent: 'consents',
        redactShown: 'yes',
        redact: 'yes',
        attachments: 'yes',
      });
      assert.equal(asked.statusCode, 303);
      const again = await browser.post(`/cases/${caseId}/bundles`, {
        submissionId,
        purpose: 'police_spo',
        consent: 'consents',
        redactShown: 'yes',
        redact: 'yes',
        attachments: 'yes',
      });
      assert.equal(again.headers.location, asked.headers.location);
      const waiting = await browser.get(asked.headers.location!);
      assert.match(waiting.body, /data-qa="bundle-check-again"/);
      assert.match(waiting.body, /<progress/);
      await test.services.bundleWorker.stop();
      while (await test.services.bundleWorker.runOnce()) {
        // every waiting job
      }
      const ready = await browser.get(asked.headers.location!);
      assert.doesNotMatch(ready.body, /data-qa="bundle-check-again"/);
      assert.match(ready.body, /Evidence bundle ready/);
      const download = await browser.get(`${asked.headers.location!}/download`);
      assert.equal(download.statusCode, 200);
      assert.equal(download.headers['cache-control'], 'no-store');
      assert.equal(download.headers['x-content-type-options'], 'nosniff');
      assert.equal(download.headers['content-type'], 'application/zip');
      assert.equal((await verifyBuffer(download.rawPayload)).ok, true);
      const events = await inOrganisation(test.database.db, admin.organisationId, (trx) =>
        trx
          .selectFrom('audit_events')
          .select(['action', 'details'])
          .where('record_id', '=', reference)
          .where('action', 'like', 'bundle.%')
          .orderBy('seq')
          .execute(),
      );
      const actions = events.map((event) => event.action);
      assert.ok(actions.includes('bundle.requested'));
      assert.ok(actions.includes('bundle.generated'));
      assert.ok(actions.includes('bundle.downloaded'));
      const requested = events.find(
        (event) =>
          event.action === 'bundle.requested' &&
          (event.details as { consent?: string }).consent === 'consents',
      );
      assert.equal((requested?.details as { purpose?: string }).purpose, 'police_spo');

      // Police liaison may have it: made for police, redacted.
      const officer = await signedIn(police);
      const list = await officer.get('/bundles');
      assert.equal(list.statusCode, 200);
      assert.match(list.body, new RegExp(reference));
      assert.doesNotMatch(list.body, /Eira/);
      const bundleId = asked.headers.location!.split('/').at(-1)!;
      const theirs = await officer.get(`/bundles/${bundleId}/download`);
      assert.equal(theirs.statusCode, 200);
      assert.equal((await officer.get(`/cases/${caseId}/bundles/${bundleId}/download`)).statusCode, 403);
    });

    it('refuses police liaison a bundle not made for police, and a caseworker an override of consent', async () => {
      const courtCopy = await givenBundle(test, session, caseId, { purpose: 'court' });
      const unredacted = await givenBundle(test, session, caseId, {
        purpose: 'police_investigation',
        consent: { kind: 'consents' },
        redactContact: false,
      });
      while (await test.services.bundleWorker.runOnce()) {
        // every waiting job
      }
      const officer = await signedIn(police);
      assert.equal((await officer.get(`/bundles/${courtCopy}/download`)).statusCode, 404);
      assert.equal((await officer.get(`/bundles/${unredacted}/download`)).statusCode, 404);
      const refused = await test.services.bundles.request(
        session,
        caseId,
        randomUUID(),
        bundleRequest({
          purpose: 'police_spo',
          consent: { kind: 'override', reason: 'Risk to the children' },
        }),
      );
      assert.deepEqual(refused, { kind: 'ok', value: { kind: 'stale_form' } });
      const managerSession = await sessionFor(test, manager);
      const allowed = await test.services.bundles.request(
        managerSession,
        caseId,
        randomUUID(),
        bundleRequest({
          purpose: 'police_spo',
          consent: { kind: 'override', reason: 'Risk to the children' },
        }),
      );
      assert.equal(allowed.kind === 'ok' && allowed.value.kind, 'queued');
      const override = await inOrganisation(test.database.db, admin.organisationId, (trx) =>
        trx
          .selectFrom('audit_events')
          .select(['reason', 'details'])
          .where('action', '=', 'bundle.requested')
          .where('actor_user_id', '=', manager.userId)
          .executeTakeFirstOrThrow(),
      );
      assert.equal(override.reason, 'Risk to the children');
      assert.equal((override.details as { consent: string }).consent, 'override');
    });

    it('takes up a job a stopped server left running, and checks an upload on the public page without keeping it', async () => {
      const bundleId = await givenBundle(test, session, caseId);
      await inOrganisation(test.database.db, admin.organisationId, (trx) =>
        trx
          .updateTable('bundle_jobs')
          .set({ status: 'running', heartbeat_at: new Date(Date.now() - 10 * 60_000) })
          .where('bundle_id', '=', bundleId)
          .execute(),
      );
      while (await test.services.bundleWorker.runOnce()) {
        // every waiting job, and the stalled one
      }
      const job = await test.services.bundles.job(session, caseId, bundleId);
      assert.equal(job.kind === 'ok' && job.value?.status, 'done');

      const visitor = new TestBrowser(test);
      const page = await visitor.get('/bundles/verify');
      assert.equal(page.statusCode, 200);
      const { zip } = await built();
      const boundary = 'x-vigil-test-boundary';
      const body = Buffer.concat([
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${visitor.csrfToken}\r\n`,
        ),
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="bundle"; filename="bundle.zip"\r\nContent-Type: application/zip\r\n\r\n`,
        ),
        zip,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      const before = (await readdirSafe(os.tmpdir())).filter((name) => name.startsWith('vigil-verify-'));
      const checked = await test.app.inject({
        method: 'POST',
        url: '/bundles/verify',
        headers: {
          cookie: [...visitor.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
          'content-type': `multipart/form-data; boundary=${boundary}`,
        },
        payload: body,
      });
      assert.equal(checked.statusCode, 200, checked.body.slice(0, 500));
      assert.match(checked.body, /The bundle is intact/);
      const afterwards = (await readdirSafe(os.tmpdir())).filter((name) => name.startsWith('vigil-verify-'));
      assert.deepEqual(afterwards, before);
    });
  });
});

async function readdirSafe(folder: string): Promise<string[]> {
  return readdir(folder).catch(() => []);
}
