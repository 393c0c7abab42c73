import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import type { CurrentSession } from '../../src/platform/auth/sessions.ts';
import type { BundleRequest } from '../../src/modules/bundles/bundles.service.ts';
import type { TestApp } from './app.ts';

/** A small synthetic photo (a plain colour), as a phone would save it. */
export function photo(
  colour: { r: number; g: number; b: number } = { r: 30, g: 120, b: 200 },
): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 48, channels: 3, background: colour } })
    .jpeg()
    .toBuffer();
}

/** Files attached to a diary entry through the evidence service, as the upload form does. */
export async function givenExhibits(
  test: TestApp,
  session: CurrentSession,
  caseId: string,
  entryId: string,
  files: { name: string; body: Buffer }[],
): Promise<number[]> {
  const begun = await test.services.evidence.beginUpload(session, caseId, entryId);
  if (begun.kind !== 'ok' || !begun.value) throw new Error('upload not begun');
  const upload = begun.value;
  try {
    for (const file of files) await upload.receive(Readable.from([file.body]), file.name);
    const result = await upload.commit(randomUUID());
    if (result.kind !== 'ok' || result.value?.kind !== 'recorded') throw new Error('upload not recorded');
    return result.value.exhibitNumbers;
  } finally {
    await upload.discard();
  }
}

/** What a bundle form asks for, with traits for what a test cares about. */
export function bundleRequest(overrides: Partial<BundleRequest> = {}): BundleRequest {
  return {
    purpose: 'court',
    from: null,
    to: null,
    behaviours: [],
    perpetratorId: null,
    withAttachments: true,
    redactContact: true,
    consent: null,
    ...overrides,
  };
}

/** A bundle asked for on a case by this person: its id. */
export async function givenBundle(
  test: TestApp,
  session: CurrentSession,
  caseId: string,
  overrides: Partial<BundleRequest> = {},
): Promise<string> {
  const result = await test.services.bundles.request(session, caseId, randomUUID(), bundleRequest(overrides));
  if (result.kind !== 'ok' || result.value.kind !== 'queued') throw new Error('bundle not queued');
  return result.value.bundleId;
}
