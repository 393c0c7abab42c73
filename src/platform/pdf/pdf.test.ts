import assert from 'node:assert/strict';
import { buffer } from 'node:stream/consumers';
import { describe, it } from 'node:test';
import { pdfInfo, pdfText, qpdfCheck } from '../../../test/support/pdf.ts';
import { pdfSha256, pdfStream, type PdfDocumentSpec } from './pdf.ts';
import { createHash } from 'node:crypto';

const incidents = Array.from({ length: 70 }, (_, i) => [
  String(i + 1),
  `${(i % 28) + 1} October 2026`,
  `Messages from a new number, number ${i + 1}`,
]);

const spec = (overrides: Partial<PdfDocumentSpec> = {}): PdfDocumentSpec => ({
  documentId: 'DOC-2026-0001',
  title: 'Test document',
  createdAt: new Date('2026-11-24T10:00:00Z'),
  blocks: [
    { kind: 'heading', level: 1, text: 'A document' },
    {
      kind: 'paragraph',
      text: 'Names as written: Ζωή Παπαδοπούλου, Анна Иванова, Zoë Ó Briain, Łukasz Żółć.',
    },
    {
      kind: 'facts',
      rows: [
        ['Name', 'Jordan Example'],
        ['Lives with', 'Two children'],
      ],
    },
    { kind: 'heading', level: 2, text: 'Incidents' },
    {
      kind: 'table',
      columns: [
        { header: 'No.', width: 0.1 },
        { header: 'Date', width: 0.3 },
        { header: 'What happened', width: 0.6 },
      ],
      rows: incidents,
    },
    { kind: 'heading', level: 2, text: 'Last part' },
    { kind: 'paragraph', text: 'The end.' },
  ],
  ...overrides,
});

describe('PDF documents', () => {
  it('prints names in Greek, Cyrillic and accented Latin script as written', async () => {
    const text = await pdfText(await buffer(pdfStream(spec())));
    for (const name of ['Ζωή Παπαδοπούλου', 'Анна Иванова', 'Zoë Ó Briain', 'Łukasz Żółć'])
      assert.ok(text.includes(name), `${name} is in the document`);
  });

  it('numbers every page "Page X of Y" with the document id, and repeats table headers on each page', async () => {
    const pdf = await buffer(pdfStream(spec()));
    const info = await pdfInfo(pdf);
    const pages = Number(info.Pages);
    assert.ok(pages >= 3, `70 rows take several pages (${pages})`);
    const text = await pdfText(pdf, 'layout');
    for (let page = 1; page <= pages; page += 1) assert.match(text, new RegExp(`Page ${page} of ${pages}`));
    assert.equal(text.match(/DOC-2026-0001/g)?.length, pages);
    assert.ok(
      (text.match(/What happened/g)?.length ?? 0) >= 2,
      'the header row is repeated on the next page',
    );
    assert.match(text, /70\s+\d+ October 2026\s+Messages from a new number, number 70/);
  });

  it('prints "Page X of Y" laid out once, the total written when the last page is known, the same every time', async () => {
    const pdf = await buffer(pdfStream(spec({ pageTotal: 'once' })));
    await qpdfCheck(pdf);
    const pages = Number((await pdfInfo(pdf)).Pages);
    assert.equal(pages, Number((await pdfInfo(await buffer(pdfStream(spec())))).Pages));
    const text = await pdfText(pdf, 'layout');
    for (let page = 1; page <= pages; page += 1) assert.match(text, new RegExp(`Page ${page} of ${pages}`));
    assert.ok(pdf.equals(await buffer(pdfStream(spec({ pageTotal: 'once' })))));
  });

  it('passes qpdf --check, is tagged PDF 1.7 with its title and the record’s date', async () => {
    const pdf = await buffer(pdfStream(spec()));
    await qpdfCheck(pdf);
    const info = await pdfInfo(pdf);
    assert.equal(info.Title, 'Test document');
    assert.equal(info.Tagged, 'yes');
    assert.equal(info['PDF version'], '1.7');
    assert.match(info.CreationDate ?? '', /Tue Nov 24 10:00:00 2026/);
    const raw = pdf.toString('latin1');
    assert.match(raw, /\/StructTreeRoot/);
    assert.match(raw, /\/Outlines/);
    assert.match(raw, /pdfuaid:part/);
  });

  it('gives the same bytes for the same description, and different ones when anything changes', async () => {
    const first = await buffer(pdfStream(spec()));
    const second = await buffer(pdfStream(spec()));
    assert.ok(first.equals(second));
    assert.equal(await pdfSha256(spec()), createHash('sha256').update(first).digest('hex'));
    assert.notEqual(await pdfSha256(spec({ documentId: 'DOC-2026-0002' })), await pdfSha256(spec()));
  });
});
