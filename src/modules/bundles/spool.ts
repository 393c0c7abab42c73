import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';

/**
 * An uploaded bundle held only while it is checked. A ZIP is read from its end, so the upload cannot be checked
 * as it streams in; nor is it kept in memory (bundles with their exhibits are large). It goes to a temporary
 * file encrypted with AES-256-CTR under a random key that exists only in this object's memory, and the file is
 * deleted when the check ends: nothing readable is ever written, and even a file left by a crash is noise.
 * CTR lets any byte range be decrypted on its own, which is what a ZIP reader asks for.
 */
export class SealedSpool {
  private readonly key = randomBytes(32);
  private readonly iv = randomBytes(16);
  private readonly folder: string;
  readonly file: string;

  private constructor(folder: string) {
    this.folder = folder;
    this.file = path.join(folder, 'upload');
  }

  static async create(): Promise<SealedSpool> {
    return new SealedSpool(await mkdtemp(path.join(os.tmpdir(), 'vigil-verify-')));
  }

  /** The counter block for a byte offset: the IV plus the number of 16-byte blocks before it. */
  private counterAt(offset: number): Buffer {
    const counter = Buffer.from(this.iv);
    let carry = BigInt(Math.floor(offset / 16));
    for (let index = 15; index >= 0 && carry > 0n; index -= 1) {
      const sum = BigInt(counter[index]!) + (carry & 0xffn);
      counter[index] = Number(sum & 0xffn);
      carry = (carry >> 8n) + (sum >> 8n);
    }
    return counter;
  }

  /** Writes the upload, encrypting it as it streams in; resolves with its size. */
  async fill(source: Readable): Promise<number> {
    await pipeline(
      source,
      createCipheriv('aes-256-ctr', this.key, this.iv),
      createWriteStream(this.file, { mode: 0o600 }),
    );
    return (await stat(this.file)).size;
  }

  /** A reader of byte ranges of the plaintext, for yauzl. */
  reader(): yauzl.RandomAccessReader {
    const range = (start: number, end: number) => this.range(start, end);
    class SpoolReader extends yauzl.RandomAccessReader {
      override _readStreamForRange(start: number, end: number): Readable {
        return range(start, end);
      }
    }
    return new SpoolReader();
  }

  /** The plaintext from `start` up to (not including) `end`. */
  private range(start: number, end: number): Readable {
    {
      const blockStart = start - (start % 16);
      const decipher = createDecipheriv('aes-256-ctr', this.key, this.counterAt(blockStart));
      let skip = start - blockStart;
      const trim = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          if (skip >= chunk.length) {
            skip -= chunk.length;
            return done();
          }
          const rest = chunk.subarray(skip);
          skip = 0;
          done(null, rest);
        },
      });
      if (end <= start) return Readable.from([]);
      const source = createReadStream(this.file, { start: blockStart, end: end - 1 });
      source.once('error', (error) => trim.destroy(error));
      return source.pipe(decipher).pipe(trim);
    }
  }

  async remove(): Promise<void> {
    await rm(this.folder, { recursive: true, force: true });
  }
}
