// Writes a long tagged document of made-up incidents (a heading and a list of facts each, as an evidence
// bundle's schedule is) and measures the heap as it goes: run with node --expose-gc, the number of incidents
// as the argument. Prints JSON: the heap in use after a full collection once 500 incidents are laid out and
// once all are, and the number of pages. For flat-memory.test.ts.
import { Writable } from 'node:stream';
import { writePdf, type PdfBlock } from '../../src/platform/pdf/pdf.ts';

const incidents = Number(process.argv[2] ?? 3000);
const collect = (globalThis as { gc?: () => void }).gc;
if (!collect) throw new Error('Run with node --expose-gc');
const heapNow = () => {
  collect();
  return process.memoryUsage().heapUsed;
};

let early = 0;
let late = 0;
async function* blocks(): AsyncIterable<PdfBlock> {
  yield { kind: 'heading', level: 1, text: 'Schedule of incidents' };
  for (let i = 1; i <= incidents; i += 1) {
    if (i === 501) early = heapNow();
    yield { kind: 'heading', level: 3, text: `Incident ${i} (diary entry ${i + 7})` };
    yield {
      kind: 'facts',
      rows: [
        [
          'When it happened',
          `${(i % 28) + 1} March 2026, ${(i % 12) + 1}:${String(i % 60).padStart(2, '0')}pm`,
        ],
        ['Behaviours', 'Unwanted messages, Following'],
        [
          'What happened',
          `Incident ${i}: messages from number 07700 ${String(900000 + i)}, then waiting outside the shop ` +
            `at ${(i % 12) + 1}pm and following the bus to gate ${i % 40}. `.repeat(1 + (i % 3)),
        ],
        ['Police', i % 5 === 0 ? `Reported to police, reference ${41000 + i}` : 'Not reported to police'],
      ],
    };
  }
  late = heapNow();
}

const { pages } = await writePdf(
  {
    documentId: 'PROBE',
    title: 'Memory probe',
    createdAt: new Date('2026-12-01T00:00:00Z'),
    outline: 'nested',
    pageTotal: 'once',
    blocks,
  },
  new Writable({ write: (_chunk, _encoding, done) => done() }),
);
process.stdout.write(JSON.stringify({ early, late, incidents: incidents - 500, pages }));
