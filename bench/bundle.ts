// Evidence bundle benchmark (npm run bench:bundle): bundles of a case with 1,000 incidents and 200 photos, and of
// a case with 5,000 incidents, built as the worker builds them (the PDF laid out once and streamed, the originals
// decrypted and hashed into the ZIP, the manifest signed, the ZIP sealed to disk), against Chromium (Playwright,
// the system Chromium) printing the same content from HTML with page.pdf, in the same run. Wall time and memory:
// the jobs run one after another in a process of their own (bench/bundle-job.ts), whose resident memory is
// given before each job and at its peak (sampled every 10 ms); for Chromium, the browser's processes' peak.
// Targets: 1,000 incidents under 2 s, at least 5x faster than Chromium, memory flat as incidents grow.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { promisify } from 'node:util';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { chromium } from '@playwright/test';
import sharp from 'sharp';
import { sql } from 'kysely';
import { createServices } from '../src/composition.ts';
import { loadConfig } from '../src/config.ts';
import { inOrganisation } from '../src/db/database.ts';
import { openDatabase } from '../src/db/runtime.ts';
import { withCaseInScope } from '../src/modules/cases/case-scope.ts';
import { insertEntry } from '../src/modules/diary/diary-entry.ts';
import { INCIDENT_BEHAVIOURS, type IncidentBehaviour } from '../src/modules/diary/incident-types.ts';
import { createOrganisation } from '../src/modules/setup/organisations.ts';
import type { CurrentSession } from '../src/platform/auth/sessions.ts';
import { ManualClock } from '../src/platform/clock.ts';
import { blindIndexKey } from '../src/platform/crypto/blind-index.ts';
import { generateKey } from '../src/platform/crypto/envelope.ts';
import { writePdf, type PdfBlock, type PdfDocumentSpec } from '../src/platform/pdf/pdf.ts';
import { referralAnswers } from '../test/support/referrals.ts';

const run = promisify(execFile);
/** BENCH_JOB_HEAP_MB caps the job process's old-generation heap, to show how little the jobs need. */
const JOB_NODE_FLAGS = process.env.BENCH_JOB_HEAP_MB
  ? [`--max-old-space-size=${Number(process.env.BENCH_JOB_HEAP_MB)}`]
  : [];
const DAY = 24 * 60 * 60 * 1000;
const RUNS = Number(process.env.BENCH_RUNS ?? 2);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-bundle-'));
chmodSync(dataDir, 0o755);
const config = {
  ...loadConfig({ VIGIL_DATA_DIR: dataDir }),
  databaseUrl: process.env.DATABASE_URL || undefined,
};
const database = await openDatabase(config, { log: () => undefined });
const clock = new ManualClock(new Date());

/** Peak resident memory while `work` runs, sampled every 10 ms by `read`. */
async function peak<T>(
  read: () => number,
  work: () => Promise<T>,
): Promise<{ value: T; peakMb: number; ms: number }> {
  let highest = read();
  const timer = setInterval(() => (highest = Math.max(highest, read())), 10);
  const started = performance.now();
  try {
    const value = await work();
    return { value, peakMb: Math.max(highest, read()) / 1024 / 1024, ms: performance.now() - started };
  } finally {
    clearInterval(timer);
  }
}

/** Resident memory of a process and all its descendants (for the browser). */
function treeRss(root: number): number {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pid = Number(name);
      const parent = Number(fields[1]);
      children.set(parent, [...(children.get(parent) ?? []), pid]);
      rss.set(pid, Number(fields[21]) * 4096);
    } catch {
      // gone
    }
  }
  let total = 0;
  const walk = (pid: number) => {
    total += rss.get(pid) ?? 0;
    for (const child of children.get(pid) ?? []) walk(child);
  };
  walk(root);
  return total;
}

const escape = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** The same content as HTML, block for block: what Chromium prints. */
async function html(spec: PdfDocumentSpec): Promise<string> {
  const parts = [
    `<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>${escape(spec.title)}</title><style>`,
    'body{font-family:"DejaVu Sans",sans-serif;font-size:10.5pt;color:#0b0c0c} h1{font-size:18pt} h2{font-size:14pt}',
    'h3{font-size:12pt;break-after:avoid} dl{display:grid;grid-template-columns:35% 65%;margin:0 0 8pt} dt{font-weight:bold}',
    'table{border-collapse:collapse;width:100%;font-size:9pt} th,td{border-bottom:0.5pt solid #b1b4b6;padding:4pt;text-align:left;vertical-align:top}',
    'tr{break-inside:avoid} thead{display:table-header-group} .grid{display:grid;grid-template-columns:repeat(4,1fr);gap:10pt}',
    '.grid img{max-width:100%} .break{break-before:page} .quiet{color:#505a5f;font-size:9pt}</style></head><body>',
  ];
  const source = typeof spec.blocks === 'function' ? spec.blocks() : spec.blocks;
  let breakNext = false;
  for await (const block of source as AsyncIterable<PdfBlock>) {
    const cls = breakNext ? ' class="break"' : '';
    breakNext = false;
    switch (block.kind) {
      case 'heading':
        parts.push(`<h${block.level}${cls}>${escape(block.text)}</h${block.level}>`);
        break;
      case 'paragraph':
        parts.push(`<p${block.emphasis === 'quiet' ? ' class="quiet"' : cls}>${escape(block.text)}</p>`);
        break;
      case 'facts':
        parts.push(
          `<dl${cls}>${block.rows.map(([k, v]) => `<dt>${escape(k)}</dt><dd>${escape(v)}</dd>`).join('')}</dl>`,
        );
        break;
      case 'table':
        parts.push(
          `<table${cls}><thead><tr>${block.columns.map((c) => `<th style="width:${c.width * 100}%">${escape(c.header)}</th>`).join('')}</tr></thead><tbody>`,
          ...block.rows.map((row) => `<tr>${row.map((cell) => `<td>${escape(cell)}</td>`).join('')}</tr>`),
          '</tbody></table>',
        );
        break;
      case 'chart': {
        const highest = Math.max(1, ...block.bars.map((bar) => bar.value));
        const width = 480 / Math.max(1, block.bars.length);
        parts.push(
          `<svg role="img" aria-label="${escape(block.description)}" viewBox="0 0 480 160" width="100%">`,
          ...block.bars.map(
            (bar, i) =>
              `<rect x="${i * width}" y="${150 - (bar.value / highest) * 150}" width="${width * 0.75}" height="${(bar.value / highest) * 150}" fill="#1d70b8"/>`,
          ),
          '</svg>',
        );
        break;
      }
      case 'image_grid':
        parts.push('<div class="grid">');
        for (const image of block.images)
          parts.push(
            `<figure><img alt="${escape(image.alt)}" src="data:image/jpeg;base64,${(await image.load()).toString('base64')}"><figcaption>${escape(image.caption)}</figcaption></figure>`,
          );
        parts.push('</div>');
        break;
      case 'page_break':
        breakNext = true;
        break;
    }
  }
  parts.push('</body></html>');
  return parts.join('');
}

const masterKey = generateKey();

/**
 * Runs the bundle jobs in a process of their own (bench/bundle-job.ts), one after another: their times, and
 * the process's resident memory before each and at its peak.
 */
async function jobsInOwnProcess(
  organisationId: string,
  bundleIds: string[],
): Promise<{ bundleId: string; ms: number; rssBeforeMb: number; peakRssMb: number }[]> {
  const { stdout } = await run(
    process.execPath,
    [...JOB_NODE_FLAGS, path.join(import.meta.dirname, 'bundle-job.ts'), organisationId, ...bundleIds],
    {
      env: { ...process.env, VIGIL_DATA_DIR: dataDir, BENCH_MASTER_KEY: masterKey.toString('hex') },
      maxBuffer: 1024 * 1024,
    },
  );
  return stdout
    .trim()
    .split('\n')
    .map(
      (line) => JSON.parse(line) as { bundleId: string; ms: number; rssBeforeMb: number; peakRssMb: number },
    );
}

try {
  const services = createServices({
    db: database.db,
    clock,
    masterKey,
    publicUrl: 'http://localhost',
    dataDir,
  });
  const { organisationId } = await database.db.transaction().execute((trx) =>
    createOrganisation(
      trx,
      services.keys,
      {
        serviceName: 'Benchmark Stalking Service',
        administrator: {
          displayName: 'Bench Admin',
          email: 'admin@example.org',
          passphrase: 'bench lantern orchard 42',
        },
      },
      clock.now(),
    ),
  );
  const managerId = randomUUID();
  await inOrganisation(database.db, organisationId, (trx) =>
    trx
      .insertInto('users')
      .values({
        organisation_id: organisationId,
        user_id: managerId,
        email: 'manager@example.org',
        display_name: 'Bench Manager',
        role: 'manager',
        status: 'active',
        created_at: clock.now(),
      })
      .execute(),
  );
  const token = await inOrganisation(database.db, organisationId, (trx) =>
    services.sessions.start(trx, organisationId, managerId, 'active', {
      clientAddress: null,
      userAgent: null,
    }),
  );
  const found = await services.sessions.lookup(token);
  if (found.kind !== 'active') throw new Error('no session');
  const session: CurrentSession = found.session;

  async function givenCaseWith(incidents: number, photos: number): Promise<string> {
    const draft = await services.referrals.startDraft(organisationId);
    await services.referrals.save(draft, referralAnswers());
    clock.advance(5 * 60_000);
    if ((await services.referrals.submit(draft)).kind !== 'submitted') throw new Error('referral not sent');
    const referral = await services.referrals.draft(draft);
    const decided = await services.triage.decide(session, referral!.referralId, {
      decision: 'accepted',
      reason: 'Meets the service criteria',
      allocateTo: managerId,
      linkToClientId: null,
    });
    if (decided.kind !== 'decided' || !decided.caseId) throw new Error('case not opened');
    const caseId = decided.caseId;
    const behaviours = INCIDENT_BEHAVIOURS.map((b) => b.value);
    const started = clock.now().getTime();
    const entryIds: string[] = [];
    for (let batch = 0; batch < incidents; batch += 250) {
      await withCaseInScope(
        { db: database.db, clock, keys: services.keys },
        session,
        caseId,
        async (trx, kase) => {
          const organisationKey = await services.keys.organisationKey(trx, organisationId);
          const sealing = { organisationId, caseId, key: kase.key, indexKey: blindIndexKey(organisationKey) };
          for (let i = batch; i < Math.min(incidents, batch + 250); i += 1) {
            const entryId = randomUUID();
            await insertEntry(
              trx,
              sealing,
              {
                entryId,
                submissionId: randomUUID(),
                origin: 'staff',
                recordedBy: managerId,
                recordedAt: clock.now(),
                importId: null,
              },
              {
                occurredFrom: new Date(started - (incidents - i) * (DAY / 3)),
                occurredTo: null,
                behaviours: [behaviours[i % behaviours.length] as IncidentBehaviour, 'messages'],
                impacts: ['alarm_or_distress'],
                channel: 'text_message',
                perpetratorId: null,
                reportedToPolice: i % 5 === 0,
                details: {
                  description: `Incident ${i + 1}: he sent messages from a new number and waited outside the shop again, then followed the bus to the gate at night.`,
                  location: i % 3 === 0 ? 'Near the station' : null,
                  mapPoint: null,
                  accountUsed: null,
                  impactInWords: i % 4 === 0 ? 'She did not go out for two days.' : null,
                  witnesses: i % 7 === 0 ? 'A neighbour' : null,
                  evidenceSaved: 'Screenshots',
                  policeOfficer: null,
                  crimeReference: null,
                },
                identifiers: [],
              },
            );
            entryIds.push(entryId);
          }
        },
      );
    }
    for (let n = 0; n < photos; n += 10) {
      const begun = await services.evidence.beginUpload(
        session,
        caseId,
        entryIds[(n * 7) % entryIds.length]!,
      );
      if (begun.kind !== 'ok' || !begun.value) throw new Error('upload not begun');
      const upload = begun.value;
      for (let k = n; k < Math.min(photos, n + 10); k += 1) {
        const body = await sharp({
          create: {
            width: 1024,
            height: 768,
            channels: 3,
            background: { r: k % 255, g: (k * 7) % 255, b: 120 },
          },
        })
          .jpeg({ quality: 80 })
          .toBuffer();
        await upload.receive(Readable.from([body]), `photo-${k + 1}.jpg`);
      }
      await upload.commit(randomUUID());
      await upload.discard();
    }
    return caseId;
  }

  process.stdout.write('Recording the cases (once)...\n');
  const cases = [
    { label: '1,000 incidents, 200 photos', caseId: await givenCaseWith(1000, 200) },
    { label: '5,000 incidents', caseId: await givenCaseWith(5000, 0) },
  ];
  await sql`ANALYZE`.execute(database.ownerDb);
  clock.advance(60_000);

  const browser = await chromium.launch({ executablePath: CHROMIUM });
  // Playwright starts the browser as a child of this process (next to the embedded PostgreSQL, if any): its
  // memory is that of the children whose command is the browser's, with all their descendants.
  const browserRss = () => {
    let total = 0;
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        if (parent === process.pid && /chrom|headless/i.test(command)) total += treeRss(Number(name));
      } catch {
        // gone
      }
    }
    return total;
  };
  const rows: string[] = [];
  for (const { label, caseId } of cases) {
    const vigil: { ms: number; rssBeforeMb: number; peakMb: number; pages: number; zipMb: number }[] = [];
    const pdfOnly: { ms: number; peakMb: number }[] = [];
    const chrome: { ms: number; peakMb: number; pages: number }[] = [];
    const bundleIds: string[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      const request = await services.bundles.request(session, caseId, randomUUID(), {
        purpose: 'court',
        from: null,
        to: null,
        behaviours: [],
        perpetratorId: null,
        withAttachments: true,
        redactContact: true,
        consent: null,
      });
      if (request.kind !== 'ok' || request.value.kind !== 'queued') throw new Error('not queued');
      bundleIds.push(request.value.bundleId);
    }
    for (const job of await jobsInOwnProcess(organisationId, bundleIds)) {
      const done = await inOrganisation(database.db, organisationId, (trx) =>
        trx
          .selectFrom('bundle_jobs')
          .select(['pages', 'zip_size', 'status'])
          .where('bundle_id', '=', job.bundleId)
          .executeTakeFirstOrThrow(),
      );
      if (done.status !== 'done') throw new Error(`bundle ${done.status}`);
      vigil.push({
        ms: job.ms,
        rssBeforeMb: job.rssBeforeMb,
        peakMb: job.peakRssMb,
        pages: done.pages ?? 0,
        zipMb: Number(done.zip_size) / 1024 / 1024,
      });
    }
    for (const bundleId of bundleIds) {
      let onlyPdf = { ms: 0, peakMb: 0 };
      let printed = { ms: 0, peakMb: 0, pages: 0 };
      await services.bundles.withDocument(organisationId, bundleId, async (spec) => {
        onlyPdf = await peak(
          () => process.memoryUsage.rss(),
          () => writePdf(spec, new Writable({ write: (_chunk, _encoding, next) => next() })),
        );
        const page = await browser.newPage();
        const result = await peak(browserRss, async () => {
          await page.setContent(await html(spec), { waitUntil: 'load', timeout: 600_000 });
          return page.pdf({
            format: 'A4',
            margin: { top: '20mm', bottom: '25mm', left: '20mm', right: '20mm' },
            displayHeaderFooter: true,
            headerTemplate: '<span></span>',
            footerTemplate: `<div style="font-size:8pt;width:100%;padding:0 20mm">Page <span class="pageNumber"></span> of <span class="totalPages"></span> <span style="float:right">${escape(spec.documentId)}</span></div>`,
            tagged: true,
            outline: true,
          });
        });
        await page.close();
        const pages = (result.value.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
        printed = { ms: result.ms, peakMb: result.peakMb, pages };
      });
      pdfOnly.push(onlyPdf);
      chrome.push(printed);
    }
    const best = <T extends { ms: number }>(list: T[]) => list.reduce((a, b) => (b.ms < a.ms ? b : a));
    const v = best(vigil);
    const p = best(pdfOnly);
    const c = best(chrome);
    rows.push(
      `| ${label} | ${v.pages} | ${(v.ms / 1000).toFixed(2)} s (${v.zipMb.toFixed(1)} MB ZIP) | ${(p.ms / 1000).toFixed(2)} s | ${(c.ms / 1000).toFixed(2)} s (${c.pages} pages) | ${(c.ms / v.ms).toFixed(1)}x | ${(c.ms / p.ms).toFixed(1)}x | ${Math.round(Math.min(...vigil.map((r) => r.rssBeforeMb)))} → ${Math.round(Math.max(...vigil.map((r) => r.peakMb)))} MB | ${Math.round(Math.max(...chrome.map((r) => r.peakMb)))} MB |`,
    );
  }
  await browser.close();
  process.stdout.write(
    [
      '',
      `Best of ${RUNS} runs each; Node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(1)}.`,
      '',
      '| case | pages | Vigil: whole bundle job | Vigil: PDF alone | Chromium page.pdf | Chromium / Vigil job | Chromium / Vigil PDF | Vigil job process RSS (before → peak) | Chromium peak RSS |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...rows,
      '',
    ].join('\n'),
  );
} finally {
  await database.close();
  rmSync(dataDir, { recursive: true, force: true });
}
