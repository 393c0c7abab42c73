// Renders a bundle's PDF from made-up content, with no database: for profiling the PDF engine alone
// (node --cpu-prof bench/pdf-profile.ts). PROFILE_INCIDENTS and PROFILE_IMAGES set the size.
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import sharp from 'sharp';
import {
  bundleDocument,
  type BundleContent,
  type ScheduleItem,
} from '../src/modules/bundles/bundle-document.ts';
import { writePdf } from '../src/platform/pdf/pdf.ts';

const incidents = Number(process.env.PROFILE_INCIDENTS ?? 1000);
const images = Number(process.env.PROFILE_IMAGES ?? 200);
const started = new Date('2026-01-01T00:00:00Z').getTime();
const thumbnail = await sharp({
  create: { width: 320, height: 240, channels: 3, background: { r: 40, g: 90, b: 120 } },
})
  .jpeg({ quality: 70 })
  .toBuffer();

async function* schedule(): AsyncIterable<ScheduleItem> {
  for (let i = 0; i < incidents; i += 1)
    yield {
      redacted: false,
      entryNumber: i + 1,
      when: `${(i % 28) + 1} March 2026, ${(i % 12) + 1}:15pm`,
      recordedAt: new Date(started + i * 3_600_000),
      recordedBy: 'Bench Manager',
      behaviours: 'Unwanted messages, Following',
      channel: 'Text message',
      perpetrator: null,
      where: i % 3 === 0 ? 'Near the station' : null,
      description: `Incident ${i + 1}: he sent messages from a new number and waited outside the shop again, then followed the bus to the gate at night.`,
      impact: i % 4 === 0 ? 'Alarm or distress. She did not go out for two days.' : 'Alarm or distress',
      witnesses: i % 7 === 0 ? 'A neighbour' : null,
      evidenceSaved: 'Screenshots',
      police: i % 5 === 0 ? 'Reported to police' : 'Not reported to police',
      earlier: [],
      latestVersion: 1,
      correctionReason: null,
      exhibits: i % 5 === 0 && i / 5 < images ? [i / 5 + 1] : [],
    };
}

const content: BundleContent = {
  cover: {
    bundleId: 'B-2026-0001',
    caseReference: 'CASE-0001',
    organisation: 'Benchmark Stalking Service',
    purpose: 'court',
    period: 'All incidents recorded',
    behaviours: 'All behaviours',
    perpetrator: 'Anyone (not chosen)',
    attachments: true,
    redacted: true,
    consent: null,
    createdBy: 'Bench Manager',
    createdAt: new Date('2026-06-01T10:00:00Z'),
    keyId: 'key-1',
    keyUrl: 'http://localhost/keys/key-1',
    verifyUrl: 'http://localhost/verify',
  },
  summary: {
    incidents,
    redactedEntries: 0,
    first: new Date(started),
    last: new Date(started + incidents * 3_600_000),
    byBehaviour: [
      { label: 'Unwanted messages', incidents },
      { label: 'Following', incidents: Math.round(incidents / 2) },
    ],
    weeks: Array.from({ length: Math.ceil(incidents / 20) }, (_, i) => ({
      weekStart: new Date(started + i * 7 * 86_400_000).toISOString().slice(0, 10),
      incidents: 10 + (i % 15),
    })),
    escalations: [],
  },
  schedule,
  exhibits: Array.from({ length: images }, (_, i) => ({
    exhibit: i + 1,
    file: `EX${i + 1}.jpg`,
    originalName: `photo-${i + 1}.jpg`,
    mediaType: 'image/jpeg',
    capturedAt: null,
    uploadedAt: new Date(started),
    sizeBytes: 120_000 + i,
    sha256: createHash('sha256').update(String(i)).digest('hex'),
    diaryEntry: i * 5 + 1,
  })),
  thumbnails: Array.from({ length: images }, (_, i) => ({
    exhibit: i + 1,
    caption: `EX${i + 1} (entry ${i * 5 + 1})`,
    alt: `Small copy of exhibit ${i + 1}`,
    width: 320,
    height: 240,
    load: async () => thumbnail,
  })),
};

const hash = createHash('sha256');
let bytes = 0;
const began = performance.now();
let highest = 0;
const timer = setInterval(() => (highest = Math.max(highest, process.memoryUsage.rss())), 10);
const { pages } = await writePdf(
  bundleDocument(content),
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done();
    },
  }),
);
clearInterval(timer);
process.stdout.write(
  `${incidents} incidents, ${images} images: ${pages} pages, ${(bytes / 1024).toFixed(0)} KB, ` +
    `${((performance.now() - began) / 1000).toFixed(2)} s, peak ${(Math.max(highest, process.resourceUsage().maxRSS * 1024) / 1048576).toFixed(0)} MB, sha256 ${hash.digest('hex').slice(0, 16)}\n`,
);
