import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { WrittenPages } from './flat-memory.ts';
import { writePdf, type PdfBlock, type PdfDocumentSpec } from './pdf.ts';

const run = promisify(execFile);

/** A document whose paragraphs and lists run over page breaks, with bookmarks on every page. */
const longDocument = (pageTotal: PdfDocumentSpec['pageTotal']): PdfDocumentSpec => ({
  documentId: 'DOC-FLAT',
  title: 'Flat memory',
  createdAt: new Date('2026-12-01T09:00:00Z'),
  outline: 'nested',
  pageTotal,
  blocks: () =>
    (async function* (): AsyncIterable<PdfBlock> {
      yield { kind: 'heading', level: 1, text: 'Schedule' };
      for (let i = 1; i <= 120; i += 1) {
        yield { kind: 'heading', level: 3, text: `Incident ${i}` };
        yield {
          kind: 'facts',
          rows: [
            ['When', `${i} March 2026`],
            ['What happened', `Word ${i} and more words after it. `.repeat(i % 17 === 0 ? 160 : 3)],
          ],
        };
        if (i % 10 === 0) yield { kind: 'paragraph', text: `A long paragraph ${i}. `.repeat(400) };
      }
    })(),
});

async function sha256Of(spec: PdfDocumentSpec): Promise<{ sha256: string; pages: number }> {
  const hash = createHash('sha256');
  const { pages } = await writePdf(
    spec,
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        done();
      },
    }),
  );
  return { sha256: hash.digest('hex'), pages };
}

describe('Long documents in flat memory', () => {
  it('changes no byte of the document by forgetting what was written', async () => {
    for (const pageTotal of ['once', 'two_passes'] as const) {
      const forgetting = await sha256Of(longDocument(pageTotal));
      const blockDone = Object.getOwnPropertyDescriptor(WrittenPages.prototype, 'blockDone')!;
      let calls = 0;
      WrittenPages.prototype.blockDone = () => {
        calls += 1;
      };
      let remembering: { sha256: string; pages: number };
      try {
        remembering = await sha256Of(longDocument(pageTotal));
      } finally {
        Object.defineProperty(WrittenPages.prototype, 'blockDone', blockDone);
      }
      assert.ok(calls > 200, 'the blocks were laid out with forgetting turned off');
      assert.ok(forgetting.pages > 20, `a long document (${forgetting.pages} pages)`);
      assert.equal(forgetting.pages, remembering.pages);
      assert.equal(forgetting.sha256, remembering.sha256, `the same bytes (${pageTotal})`);
    }
  });

  it('keeps under 3 KB of heap for each incident laid out, however many there are', async () => {
    const { stdout } = await run(process.execPath, [
      '--expose-gc',
      path.join(import.meta.dirname, '../../../test/support/pdf-memory-probe.ts'),
      '2500',
    ]);
    const probe = JSON.parse(stdout) as { early: number; late: number; incidents: number; pages: number };
    const perIncident = (probe.late - probe.early) / probe.incidents;
    assert.ok(probe.pages > 400, `a long document (${probe.pages} pages)`);
    // Keeping pdfkit's page, parent tree, outline and element objects and its word layouts took about 12 KB.
    assert.ok(perIncident < 3 * 1024, `${Math.round(perIncident)} bytes of heap kept per incident`);
  });
});
