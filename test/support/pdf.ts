import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * What a PDF says, read with poppler's pdftotext: in the order it was written (`raw`, so a table cell's lines
 * stay together), or laid out as on the page (`layout`, so a table row's cells stay on one line).
 */
export async function pdfText(pdf: Buffer, mode: 'raw' | 'layout' = 'raw'): Promise<string> {
  return withFile(pdf, async (file) => (await run('pdftotext', [`-${mode}`, file, '-'])).stdout);
}

/** qpdf's structural check of a PDF: resolves when it passes, rejects with qpdf's complaint when not. */
export async function qpdfCheck(pdf: Buffer): Promise<string> {
  return withFile(pdf, async (file) => (await run('qpdf', ['--check', file])).stdout);
}

/** pdfinfo's fields (Title, Pages, Tagged, PDF version...). */
export async function pdfInfo(pdf: Buffer): Promise<Record<string, string>> {
  return withFile(pdf, async (file) => {
    const { stdout } = await run('pdfinfo', [file]);
    return Object.fromEntries(
      stdout
        .split('\n')
        .map((line) => /^([^:]+):\s*(.*)$/.exec(line))
        .filter((match): match is RegExpExecArray => match !== null)
        .map((match) => [match[1]!, match[2]!]),
    );
  });
}

async function withFile<T>(pdf: Buffer, work: (file: string) => Promise<T>): Promise<T> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'vigil-pdf-'));
  try {
    const file = path.join(folder, 'document.pdf');
    await writeFile(file, pdf);
    return await work(file);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
