import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PassThrough, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import PDFDocument from 'pdfkit';
import { forgetWordLayouts, WrittenPages } from './flat-memory.ts';

/**
 * Vigil's documents as PDF: a document is described as data (a list of blocks) and laid out the same way every
 * time, so the same description always gives the same bytes. What this engine gives every document:
 *
 * - DejaVu Sans, embedded (subset), so names in Latin, Greek or Cyrillic script print as written;
 * - headings (levels 1 to 3, each a bookmark in the outline), paragraphs, label/value lists and simple tables
 *   whose rows never split across a page and whose header row repeats on each page;
 * - a footer on every page, "Page X of Y" and the document's id;
 * - metadata: a title that must carry no personal data, the creation date given (never the clock), no random
 *   ids (pdfkit derives the file id from the metadata);
 * - a tagged PDF (PDF 1.7, marked as PDF/UA): headings, paragraphs, lists and tables are structure elements
 *   (H1-H3, P, L/LI/Lbl/LBody, Table/TR/TH/TD), the footer is a pagination artifact, the language is set and
 *   viewers show the title rather than the file name.
 *
 * "Page X of Y" needs the number of pages before the first page is written, and the document is streamed
 * rather than held whole in memory, so each document is laid out twice: once into nothing to count its pages,
 * then for real. Layout depends only on the description, so both passes break pages in the same places.
 */

export type PdfBlock =
  | { kind: 'heading'; level: 1 | 2 | 3; text: string }
  | { kind: 'paragraph'; text: string; emphasis?: 'strong' | 'quiet' }
  /** Label and value pairs, one under the other (a definition list). */
  | { kind: 'facts'; rows: readonly (readonly [string, string])[] }
  /** A table: column headers with their share of the width (fractions that add up to 1) and rows of cells. */
  | {
      kind: 'table';
      columns: readonly { header: string; width: number }[];
      rows: readonly (readonly string[])[];
    }
  /** Starts a new page (a new part of a bundle, say). */
  | { kind: 'page_break' }
  /**
   * A bar chart drawn as vector graphics (one bar per label, a scale on the left), tagged as a figure whose
   * alternative text is `description`. Labels are printed under every `labelEvery`th bar.
   */
  | {
      kind: 'chart';
      description: string;
      bars: readonly { label: string; value: number }[];
      labelEvery?: number;
    }
  /**
   * Images in a grid of `columns`, each fitted in its cell above its caption and tagged as a figure with its
   * alternative text. `load` gives a JPEG or PNG; it is called only on the pass that writes the document, so
   * counting pages reads no image.
   */
  | { kind: 'image_grid'; columns: number; images: readonly PdfImage[] };

export type PdfImage = {
  caption: string;
  alt: string;
  /** The image's size in pixels, for its place on the page before it is read. */
  width: number;
  height: number;
  load: () => Promise<Buffer>;
};

/**
 * The blocks of a document: a list, or a function giving them as they are read (from a database, say), called
 * once for each of the two layout passes, which must both see the same blocks. Memory then stays that of a few
 * blocks however long the document is.
 */
export type PdfBlocks = readonly PdfBlock[] | (() => AsyncIterable<PdfBlock>);

export type PdfDocumentSpec = {
  /** Printed in every page's footer and kept in the metadata: a reference, never a name. */
  documentId: string;
  /** The document's title in its metadata and the viewer's title bar: never personal data. */
  title: string;
  subject?: string;
  author?: string;
  /** The creation date written into the file: from the record, so the same record gives the same bytes. */
  createdAt: Date;
  blocks: PdfBlocks;
  /**
   * How headings become bookmarks: all at the top level (`flat`, the default), or each level under the heading
   * above it (`nested`), for long documents whose parts hold many headings.
   */
  outline?: 'flat' | 'nested';
  /**
   * How "Page X of Y" learns Y. `two_passes` (the default) lays the document out twice, once into nothing to
   * count its pages; every document made so far was made this way, and a recorded hash of one (a MARAC
   * referral's) only checks if it is made the same way again. `once` lays it out a single time and prints Y
   * from one small drawing (a form XObject) that every footer shows and that is written when the last page is
   * known: about half the work, for long documents such as evidence bundles. The text reads the same either
   * way; the bytes differ.
   */
  pageTotal?: 'two_passes' | 'once';
};

const require = createRequire(import.meta.url);
const FONT_FOLDER = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const FONTS = {
  regular: path.join(FONT_FOLDER, 'DejaVuSans.ttf'),
  bold: path.join(FONT_FOLDER, 'DejaVuSans-Bold.ttf'),
};

/** How many blocks are laid out before pdfkit's store of word layouts is started afresh (memory stays flat). */
const FORGET_WORDS_EVERY = 500;
const MARGIN = 56;
const FOOTER_HEIGHT = 28;
const SIZES = { 1: 18, 2: 14, 3: 12 } as const;
const BODY = 10.5;
const SMALL = 9;
const CELL_PADDING = 4;
const INK = '#0b0c0c';
const QUIET = '#505a5f';
const RULE = '#b1b4b6';

type Doc = InstanceType<typeof PDFDocument>;
type Struct = ReturnType<Doc['struct']>;
type Outline = ReturnType<Doc['outline']['addItem']>;
type Font = 'regular' | 'bold';

/**
 * Heights of text as laid out, kept by text, font, size and width: measuring wraps the text word by word, and
 * the same labels come back on every entry, the same cells on both passes. Forgotten when it grows too big, so
 * that a long document's memory stays flat; a height given from here is the one measuring would give.
 */
class Measurements {
  private readonly heights = new Map<string, number>();
  private readonly limit = 5_000;
  height(doc: Doc, text: string, font: Font, size: number, width: number): number {
    const key = `${font}\u0000${size}\u0000${width}\u0000${text}`;
    let height = this.heights.get(key);
    if (height === undefined) {
      doc.font(font).fontSize(size);
      height = doc.heightOfString(text, { width });
      if (this.heights.size >= this.limit) this.heights.clear();
      this.heights.set(key, height);
    }
    return height;
  }
}

/** The name of the drawing that prints the number of pages, in every page's resources. */
const PAGE_TOTAL = 'PageTotal';

function newDocument(spec: PdfDocumentSpec): Doc {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, left: MARGIN, right: MARGIN, bottom: MARGIN + FOOTER_HEIGHT },
    autoFirstPage: false,
    bufferPages: false,
    compress: true,
    pdfVersion: '1.7',
    tagged: true,
    // pdfkit accepts 'PDF/UA' (it adds the pdfuaid metadata), though its type definitions list only PDF/A.
    subset: 'PDF/UA' as never,
    lang: 'en-GB',
    displayTitle: true,
    info: {
      Title: spec.title,
      Subject: spec.subject ?? spec.title,
      Author: spec.author ?? 'Vigil',
      Creator: 'Vigil',
      Producer: 'Vigil',
      Keywords: spec.documentId,
      CreationDate: spec.createdAt,
      ModDate: spec.createdAt,
    },
  });
  doc.registerFont('regular', FONTS.regular);
  doc.registerFont('bold', FONTS.bold);
  doc.font('regular').fontSize(BODY);
  inPieces(doc);
  return doc;
}

/**
 * Lays the document out into `doc`; returns how many pages it took. `pause` is awaited between blocks, so the
 * bytes written so far can drain before more are made. `totalPages` is null on the counting pass, which also
 * reads no images.
 */
async function layOut(
  doc: Doc,
  spec: PdfDocumentSpec,
  totalPages: number | PdfReference | null,
  pause: () => Promise<void>,
  measurements: Measurements,
  readImages: boolean,
): Promise<number> {
  let pageNumber = 0;
  const footer = () => {
    pageNumber += 1;
    const { x, y } = doc;
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.markContent('Artifact', { type: 'Pagination' });
    const footerY = doc.page.height - MARGIN - FOOTER_HEIGHT / 2 + 4;
    doc.font('regular').fontSize(SMALL).fillColor(QUIET);
    if (typeof totalPages === 'object' && totalPages !== null) {
      // "Page X of ", then the drawing of Y placed where the text would have gone on.
      const lead = `Page ${pageNumber} of `;
      doc.text(lead, MARGIN, footerY, { lineBreak: false });
      const fontData = (doc as unknown as { _font: { ascender: number } })._font;
      const baseline = doc.page.height - footerY - (fontData.ascender / 1000) * SMALL;
      const across = MARGIN + doc.widthOfString(lead);
      (doc.page as unknown as { xobjects: Record<string, PdfReference> }).xobjects[PAGE_TOTAL] = totalPages;
      doc.save();
      doc.transform(1, 0, 0, -1, 0, doc.page.height);
      doc.transform(1, 0, 0, 1, across, baseline);
      addContent(doc, `/${PAGE_TOTAL} Do`);
      doc.restore();
    } else doc.text(`Page ${pageNumber} of ${totalPages ?? 0}`, MARGIN, footerY, { lineBreak: false });
    doc.text(spec.documentId, MARGIN, footerY, {
      width: doc.page.width - 2 * MARGIN,
      align: 'right',
      lineBreak: false,
    });
    doc.endMarkedContent();
    doc.page.margins.bottom = bottom;
    doc.font('regular').fontSize(BODY).fillColor(INK);
    doc.x = x;
    doc.y = y;
  };
  doc.on('pageAdded', footer);
  doc.addPage();
  doc.fillColor(INK);
  const document = doc.struct('Document', { title: spec.title });
  doc.addStructure(document);
  const writtenPages = new WrittenPages(doc, document);
  writtenPages.pageAdded();
  doc.on('pageAdded', () => writtenPages.pageAdded());
  const width = doc.page.width - 2 * MARGIN;
  const bottomLimit = () => doc.page.height - doc.page.margins.bottom;
  const room = (height: number) => {
    if (doc.y + height > bottomLimit()) doc.addPage();
  };
  const para = (parent: Struct, tag: string, text: string, font: 'regular' | 'bold', size: number) => {
    const element = doc.struct(tag, {}, () => {
      doc.font(font).fontSize(size).text(text, MARGIN, doc.y, { width });
    });
    parent.add(element);
    element.end();
  };

  // Nested bookmarks: the latest heading of each level, under which the next level's go.
  const parents: { 1?: Outline; 2?: Outline } = {};
  const bookmark = (level: 1 | 2 | 3, text: string) => {
    if (spec.outline !== 'nested') {
      writtenPages.bookmarked(doc.outline.addItem(text));
      return;
    }
    const parent =
      (level === 3 ? (parents[2] ?? parents[1]) : level === 2 ? parents[1] : undefined) ?? doc.outline;
    const item = parent.addItem(text);
    writtenPages.bookmarked(item);
    if (level === 1) {
      parents[1] = item;
      delete parents[2];
    } else if (level === 2) parents[2] = item;
  };

  let blocksLaidOut = 0;
  const source: Iterable<PdfBlock> | AsyncIterable<PdfBlock> =
    typeof spec.blocks === 'function' ? spec.blocks() : spec.blocks;
  for await (const block of source) {
    switch (block.kind) {
      case 'heading': {
        const size = SIZES[block.level];
        room(measurements.height(doc, block.text, 'bold', size, width) + 6 * BODY);
        doc.font('bold').fontSize(size);
        if (doc.y > doc.page.margins.top) doc.moveDown(block.level === 1 ? 0.2 : 0.6);
        bookmark(block.level, block.text);
        para(document, `H${block.level}`, block.text, 'bold', size);
        doc.moveDown(0.3);
        break;
      }
      case 'paragraph': {
        doc
          .font(block.emphasis === 'strong' ? 'bold' : 'regular')
          .fontSize(block.emphasis === 'quiet' ? SMALL : BODY);
        if (block.emphasis === 'quiet') doc.fillColor(QUIET);
        para(
          document,
          'P',
          block.text,
          block.emphasis === 'strong' ? 'bold' : 'regular',
          block.emphasis === 'quiet' ? SMALL : BODY,
        );
        doc.fillColor(INK);
        doc.moveDown(0.5);
        break;
      }
      case 'facts': {
        const list = doc.struct('L');
        document.add(list);
        const labelWidth = width * 0.35;
        const valueWidth = width - labelWidth - 8;
        for (const [label, value] of block.rows) {
          const labelHeight = measurements.height(doc, label, 'bold', BODY, labelWidth);
          const valueHeight = measurements.height(doc, value || ' ', 'regular', BODY, valueWidth);
          doc.font('regular').fontSize(BODY);
          const height = Math.max(labelHeight, valueHeight);
          // A long value may run on; a short pair is kept together.
          room(Math.min(height, 4 * BODY));
          const top = doc.y;
          const item = doc.struct('LI');
          list.add(item);
          item.add(
            doc.struct('Lbl', {}, () => {
              doc.font('bold').fontSize(BODY).text(label, MARGIN, top, { width: labelWidth });
            }),
          );
          const afterLabel = doc.y;
          const labelPage = pageNumber;
          item.add(
            doc.struct('LBody', {}, () => {
              doc
                .font('regular')
                .fontSize(BODY)
                .text(value || ' ', MARGIN + labelWidth + 8, top, { width: valueWidth });
            }),
          );
          item.end();
          if (pageNumber === labelPage) doc.y = Math.max(doc.y, afterLabel);
          doc.y += 4;
        }
        list.end();
        doc.x = MARGIN;
        doc.moveDown(0.5);
        break;
      }
      case 'table': {
        const table = doc.struct('Table');
        document.add(table);
        const widths = block.columns.map((column) => column.width * width);
        const heightOf = (cells: readonly string[], font: Font) => {
          const height =
            Math.max(
              ...cells.map((cell, i) =>
                measurements.height(doc, cell || ' ', font, SMALL, (widths[i] ?? 0) - 2 * CELL_PADDING),
              ),
            ) +
            2 * CELL_PADDING;
          doc.font(font).fontSize(SMALL);
          return height;
        };
        const drawRow = (cells: readonly string[], header: boolean) => {
          const font = header ? 'bold' : 'regular';
          const top = doc.y;
          const height = heightOf(cells, font);
          const row = doc.struct('TR');
          table.add(row);
          let x = MARGIN;
          cells.forEach((cell, i) => {
            const cellWidth = widths[i] ?? 0;
            row.add(
              doc.struct(header ? 'TH' : 'TD', {}, () => {
                doc
                  .font(font)
                  .fontSize(SMALL)
                  .fillColor(INK)
                  .text(cell || ' ', x + CELL_PADDING, top + CELL_PADDING, {
                    width: cellWidth - 2 * CELL_PADDING,
                  });
              }),
            );
            x += cellWidth;
          });
          row.end();
          doc.markContent('Artifact', { type: 'Layout' });
          doc
            .strokeColor(RULE)
            .lineWidth(header ? 1 : 0.5)
            .moveTo(MARGIN, top + height)
            .lineTo(MARGIN + width, top + height)
            .stroke();
          doc.endMarkedContent();
          doc.x = MARGIN;
          doc.y = top + height;
        };
        const headers = block.columns.map((column) => column.header);
        const headerHeight = heightOf(headers, 'bold');
        room(headerHeight + heightOf(block.rows[0] ?? headers, 'regular'));
        drawRow(headers, true);
        for (const cells of block.rows) {
          const height = heightOf(cells, 'regular');
          if (doc.y + height > bottomLimit()) {
            doc.addPage();
            drawRow(headers, true);
          }
          drawRow(cells, false);
        }
        table.end();
        doc.moveDown(0.8);
        break;
      }
      case 'page_break':
        doc.addPage();
        break;
      case 'chart':
        drawChart(doc, document, block, width, room);
        break;
      case 'image_grid':
        await drawImageGrid(doc, document, block, width, room, readImages, measurements);
        break;
    }
    writtenPages.blockDone();
    blocksLaidOut += 1;
    if (blocksLaidOut % FORGET_WORDS_EVERY === 0) forgetWordLayouts(doc);
    await pause();
  }
  document.end();
  doc.font('regular').fontSize(BODY);
  return pageNumber;
}

const CHART_HEIGHT = 150;
const CHART_BAR = '#1d70b8';

/** A tidy step for the scale, so that there are at most about five lines. */
function axisStep(max: number): number {
  for (const step of [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000]) if (max / step <= 5) return step;
  return Math.ceil(max / 5 / 1000) * 1000;
}

function drawChart(
  doc: Doc,
  document: Struct,
  block: Extract<PdfBlock, { kind: 'chart' }>,
  width: number,
  room: (height: number) => void,
): void {
  const labelSpace = 14;
  room(CHART_HEIGHT + labelSpace + BODY);
  const top = doc.y;
  const left = MARGIN + 28;
  const plotWidth = width - 28;
  const highest = Math.max(1, ...block.bars.map((bar) => bar.value));
  const step = axisStep(highest);
  const axisMax = Math.ceil(highest / step) * step;
  const y = (value: number) => top + CHART_HEIGHT - (value / axisMax) * CHART_HEIGHT;
  const slot = plotWidth / Math.max(1, block.bars.length);
  const barWidth = Math.max(0.5, slot * 0.75);
  const every = Math.max(1, block.labelEvery ?? Math.ceil(block.bars.length / 8));
  const figure = doc.struct('Figure', { alt: block.description }, () => {
    doc.lineWidth(0.5).strokeColor(RULE);
    doc
      .font('regular')
      .fontSize(SMALL - 1)
      .fillColor(QUIET);
    for (let value = 0; value <= axisMax; value += step) {
      doc
        .moveTo(left, y(value))
        .lineTo(left + plotWidth, y(value))
        .stroke();
      doc.text(String(value), MARGIN, y(value) - 3.5, { width: 24, align: 'right', lineBreak: false });
    }
    doc.fillColor(CHART_BAR);
    block.bars.forEach((bar, index) => {
      if (bar.value > 0)
        doc
          .rect(left + index * slot + (slot - barWidth) / 2, y(bar.value), barWidth, y(0) - y(bar.value))
          .fill();
    });
    doc.fillColor(QUIET);
    block.bars.forEach((bar, index) => {
      if (index % every === 0)
        doc.text(bar.label, left + index * slot, top + CHART_HEIGHT + 3, { width: 60, lineBreak: false });
    });
  });
  document.add(figure);
  figure.end();
  doc.font('regular').fontSize(BODY).fillColor(INK);
  doc.x = MARGIN;
  doc.y = top + CHART_HEIGHT + labelSpace;
  doc.moveDown(0.5);
}

async function drawImageGrid(
  doc: Doc,
  document: Struct,
  block: Extract<PdfBlock, { kind: 'image_grid' }>,
  width: number,
  room: (height: number) => void,
  readImages: boolean,
  measurements: Measurements,
): Promise<void> {
  const gap = 10;
  const cellWidth = (width - gap * (block.columns - 1)) / block.columns;
  const box = cellWidth;
  for (let start = 0; start < block.images.length; start += block.columns) {
    const row = block.images.slice(start, start + block.columns);
    const captionHeight = Math.max(
      ...row.map((image) => measurements.height(doc, image.caption, 'regular', SMALL, cellWidth)),
    );
    doc.font('regular').fontSize(SMALL);
    room(box + 4 + captionHeight);
    const top = doc.y;
    for (const [index, image] of row.entries()) {
      const x = MARGIN + index * (cellWidth + gap);
      const scale = Math.min(box / Math.max(1, image.width), box / Math.max(1, image.height), 1);
      const drawnWidth = Math.max(1, image.width * scale);
      const drawnHeight = Math.max(1, image.height * scale);
      const data = readImages ? await image.load() : null;
      const figure = doc.struct('Figure', { alt: image.alt }, () => {
        if (data) doc.image(data, x, top, { width: drawnWidth, height: drawnHeight });
      });
      document.add(figure);
      figure.end();
      const caption = doc.struct('P', {}, () => {
        doc
          .font('regular')
          .fontSize(SMALL)
          .fillColor(INK)
          .text(image.caption, x, top + box + 4, { width: cellWidth });
      });
      document.add(caption);
      caption.end();
    }
    doc.x = MARGIN;
    doc.y = top + box + 4 + captionHeight + gap;
  }
  doc.font('regular').fontSize(BODY).fillColor(INK);
}

type PdfReference = ReturnType<Doc['ref']>;

const addContent = (doc: Doc, operators: string) =>
  (doc as unknown as { addContent: (data: string) => Doc }).addContent(operators);

/** The drawing of the number of pages, its content written by `endPageTotalDrawing` once it is known. */
function pageTotalDrawing(doc: Doc): PdfReference {
  return doc.ref({
    Type: 'XObject',
    Subtype: 'Form',
    BBox: [0, -SMALL, 20 * SMALL, 2 * SMALL],
    Resources: {},
  });
}

/** Writes the number of pages into its drawing, in the footer's font and size, from its baseline. */
function endPageTotalDrawing(doc: Doc, drawing: PdfReference, pages: number): void {
  doc.font('regular').fontSize(SMALL);
  const font = (
    doc as unknown as { _font: { id: string; ref: () => PdfReference; encode: (text: string) => [string[]] } }
  )._font;
  const [glyphs] = font.encode(String(pages));
  (drawing.data as unknown as { Resources: object }).Resources = { Font: { [font.id]: font.ref() } };
  drawing.end(`BT\n/${font.id} ${SMALL} Tf\n<${glyphs.join('')}> Tj\nET`);
}

/** The size of the pieces the document's bytes are handed on in. */
const PIECE_BYTES = 64 * 1024;

/**
 * Hands the document's bytes on in pieces of 64 KB rather than as pdfkit writes them (a few bytes at a time, an
 * object's header, its dictionary, its stream, each a chunk of its own): every stream the bytes then go through
 * (hashing, zipping, encrypting) pays per chunk, and a long document is hundreds of thousands of them. The
 * bytes are the same.
 */
function inPieces(doc: Doc): void {
  const readable = doc as unknown as { push: (chunk: Uint8Array | null) => boolean };
  const push = readable.push.bind(doc);
  let piece = Buffer.allocUnsafe(PIECE_BYTES);
  let used = 0;
  const handOn = () => {
    if (!used) return;
    push(piece.subarray(0, used));
    piece = Buffer.allocUnsafe(PIECE_BYTES);
    used = 0;
  };
  readable.push = (chunk) => {
    if (chunk === null) {
      handOn();
      return push(null);
    }
    if (used + chunk.length > PIECE_BYTES) handOn();
    if (chunk.length >= PIECE_BYTES) return push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    piece.set(chunk, used);
    used += chunk.length;
    return true;
  };
}

const nowhere = () =>
  new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });

/** Bytes pdfkit may hold before layout stops to let them flow on. */
const HELD_BYTES = 256 * 1024;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Lets what the document has written so far flow on: awaiting resolved promises alone would never let the
 * stream's own callbacks run, and the whole document would pile up in memory.
 */
const letFlow = async (doc: Doc) => {
  if (doc.readableLength > HELD_BYTES) await nextTurn();
};

/** How many pages the document takes (a layout into nothing). */
async function countPages(spec: PdfDocumentSpec, measurements: Measurements): Promise<number> {
  const doc = newDocument(spec);
  const done = pipeline(doc, nowhere());
  const pages = await layOut(doc, spec, null, () => letFlow(doc), measurements, false);
  doc.end();
  await done;
  return pages;
}

/**
 * Writes the document into `out` as it is laid out, waiting for `out` to drain whenever it asks to, and ends
 * it. Resolves with the number of pages once every byte has been handed to `out`.
 */
export async function writePdf(spec: PdfDocumentSpec, out: Writable): Promise<{ pages: number }> {
  const measurements = new Measurements();
  const once = spec.pageTotal === 'once';
  const doc = newDocument(spec);
  const total = once ? pageTotalDrawing(doc) : await countPages(spec, measurements);
  let full = false;
  doc.on('data', (chunk: Buffer) => {
    if (!out.write(chunk)) full = true;
  });
  const ended = new Promise<void>((resolve, reject) => {
    doc.once('end', resolve);
    doc.once('error', reject);
  });
  const pause = async () => {
    await letFlow(doc);
    if (!full) return;
    full = false;
    await new Promise<void>((resolve, reject) => {
      const done = () => {
        out.off('drain', done);
        out.off('close', done);
        out.off('error', failed);
        resolve();
      };
      const failed = (error: Error) => {
        out.off('drain', done);
        out.off('close', done);
        reject(error);
      };
      out.once('drain', done);
      out.once('close', done);
      out.once('error', failed);
    });
  };
  const pages = await layOut(doc, spec, total, pause, measurements, true);
  if (typeof total !== 'number') endPageTotalDrawing(doc, total, pages);
  doc.end();
  await ended;
  out.end();
  return { pages };
}

/**
 * The document as a stream of PDF bytes, written as it is laid out. Pipe it to a response or a file; it is the
 * same bytes every time for the same description.
 */
export function pdfStream(spec: PdfDocumentSpec): Readable {
  const out = new PassThrough();
  writePdf(spec, out).catch((error: unknown) => out.destroy(error as Error));
  return out;
}

/** The SHA-256 (hex) of the document's bytes, computed as it streams: nothing is kept. */
export async function pdfSha256(spec: PdfDocumentSpec): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(
    pdfStream(spec),
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        done();
      },
    }),
  );
  return hash.digest('hex');
}
