import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { ContentInspector, looksLikeEmail, RefusedFileError, type Inspection } from './content-type.ts';
import { formatSize } from './evidence-view.ts';
import { capturedAtFrom } from './image-metadata.ts';

async function inspect(chunks: Buffer[], maxBytes = 10 * 1024 * 1024): Promise<Inspection> {
  const inspector = new ContentInspector(maxBytes);
  await pipeline(
    Readable.from(chunks),
    inspector,
    new Writable({ write: (_chunk, _encoding, done) => done() }),
  );
  return inspector.result;
}

const refusal = async (chunks: Buffer[], maxBytes?: number) => {
  try {
    await inspect(chunks, maxBytes);
  } catch (error) {
    if (error instanceof RefusedFileError) return error.refusal;
    throw error;
  }
  return null;
};

describe('ContentInspector', () => {
  it('hashes and measures a file as it streams past, in chunks of any size', async () => {
    const bytes = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(300_000)]);
    const result = await inspect([bytes.subarray(0, 5), bytes.subarray(5, 70_001), bytes.subarray(70_001)]);
    assert.equal(result.mediaType, 'application/pdf');
    assert.equal(result.size, bytes.length);
    assert.deepEqual(result.sha256, createHash('sha256').update(bytes).digest());
  });

  it('takes text as text only when it is UTF-8 throughout, with no NUL bytes', async () => {
    assert.equal(
      (await inspect([Buffer.from('Café at 19:30, he was there again\n')])).mediaType,
      'text/plain',
    );
    // A multi-byte character split across two chunks is still valid.
    const euro = Buffer.from('€');
    assert.equal((await inspect([euro.subarray(0, 1), euro.subarray(1)])).mediaType, 'text/plain');
    assert.equal(await refusal([Buffer.from('text'), Buffer.of(0xff, 0xfe, 0x41)]), 'not_accepted');
    assert.equal(await refusal([Buffer.from('text with a \0 in it')]), 'not_accepted');
  });

  it('recognises a saved email by its header fields', async () => {
    const mail =
      'Received: from mx.example.org\r\nFrom: A <a@example.org>\r\nTo: b@example.org\r\nSubject: hello\r\n\r\nBody\r\n';
    assert.equal((await inspect([Buffer.from(mail)])).mediaType, 'message/rfc822');
    assert.equal(looksLikeEmail(Buffer.from('Dear Sam,\nFrom: my diary\n')), false);
  });

  it('refuses programs whatever they are called, empty files, and files over the limit', async () => {
    assert.equal(await refusal([Buffer.from('MZ'), randomBytes(100)]), 'not_accepted');
    assert.equal(
      await refusal([Buffer.from('\x7fELF\x02\x01\x01', 'latin1'), randomBytes(100)]),
      'not_accepted',
    );
    assert.equal(await refusal([Buffer.from('PK\x03\x04', 'latin1'), randomBytes(100)]), 'not_accepted');
    assert.equal(await refusal([]), 'empty');
    assert.equal(await refusal([Buffer.alloc(600, 0x41), Buffer.alloc(600, 0x41)], 1000), 'too_large');
  });
});

describe('capturedAtFrom', () => {
  it('reads EXIF time with its offset, or as UK time when it has none', () => {
    assert.equal(capturedAtFrom('2026:10:05 19:31:12', '+01:00')?.toISOString(), '2026-10-05T18:31:12.000Z');
    assert.equal(capturedAtFrom('2026:12:05 19:31:12', null)?.toISOString(), '2026-12-05T19:31:12.000Z');
    assert.equal(capturedAtFrom('2026:07:05 19:31:12', null)?.toISOString(), '2026-07-05T18:31:12.000Z');
    assert.equal(capturedAtFrom('0000:00:00 00:00:00', null), null);
    assert.equal(capturedAtFrom(null, null), null);
  });
});

describe('formatSize', () => {
  it('says sizes as file managers do', () => {
    assert.equal(formatSize(1), '1 byte');
    assert.equal(formatSize(820), '820 bytes');
    assert.equal(formatSize(14 * 1024), '14 KB');
    assert.equal(formatSize(2.34 * 1024 * 1024), '2.3 MB');
    assert.equal(formatSize(100 * 1024 * 1024), '100 MB');
  });
});
