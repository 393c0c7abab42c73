import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { fileTypeFromBuffer } from 'file-type';

/** The kinds of file an exhibit may be, by what the content says it is, with the words a page shows. */
export const ACCEPTED_TYPES: Record<string, string> = {
  'image/jpeg': 'JPEG image',
  'image/png': 'PNG image',
  'image/gif': 'GIF image',
  'image/webp': 'WebP image',
  'image/heic': 'HEIC image',
  'image/heif': 'HEIF image',
  'image/avif': 'AVIF image',
  'image/tiff': 'TIFF image',
  'image/bmp': 'Bitmap image',
  'audio/mpeg': 'MP3 audio',
  'audio/mp4': 'MP4 audio',
  'audio/x-m4a': 'M4A audio',
  'audio/aac': 'AAC audio',
  'audio/wav': 'WAV audio',
  'audio/ogg': 'Ogg audio',
  'audio/opus': 'Opus audio',
  'audio/amr': 'AMR audio',
  'audio/flac': 'FLAC audio',
  'audio/webm': 'WebM audio',
  'video/mp4': 'MP4 video',
  'video/quicktime': 'QuickTime video',
  'video/webm': 'WebM video',
  'video/x-matroska': 'Matroska video',
  'video/3gpp': '3GP video',
  'video/x-msvideo': 'AVI video',
  'application/pdf': 'PDF document',
  'message/rfc822': 'Email (.eml)',
  'text/plain': 'Text',
};

/** Images the display copies are made from (HEIC and the rest are kept as originals only). */
export const IMAGES_WITH_DERIVATIVES = new Set([
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'image/tiff',
]);

/** What a file's name ends with when it is downloaded, from its type (never from the name it came with). */
export const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/heic': 'heic',
  'image/heif': 'heif',
  'image/avif': 'avif',
  'image/tiff': 'tif',
  'image/bmp': 'bmp',
  'audio/mpeg': 'mp3',
  'audio/mp4': 'm4a',
  'audio/x-m4a': 'm4a',
  'audio/aac': 'aac',
  'audio/wav': 'wav',
  'audio/ogg': 'ogg',
  'audio/opus': 'opus',
  'audio/amr': 'amr',
  'audio/flac': 'flac',
  'audio/webm': 'weba',
  'video/mp4': 'mp4',
  'video/quicktime': 'mov',
  'video/webm': 'webm',
  'video/x-matroska': 'mkv',
  'video/3gpp': '3gp',
  'video/x-msvideo': 'avi',
  'application/pdf': 'pdf',
  'message/rfc822': 'eml',
  'text/plain': 'txt',
};

export type Refusal = 'empty' | 'too_large' | 'not_accepted';

/** A file refused while it streamed in: nothing of it is kept. */
export class RefusedFileError extends Error {
  readonly refusal: Refusal;
  constructor(refusal: Refusal) {
    super(`File refused: ${refusal}`);
    this.refusal = refusal;
  }
}

/** Enough of the start of a file for the magic-byte detectors (ID3 tags and the like need more than 4 KB). */
const DETECTION_BYTES = 64 * 1024;
/** The start of a file kept for reading EXIF, which sits near the start of the formats that carry it. */
export const HEAD_BYTES = 256 * 1024;

const HEADER_LINE = /^([A-Za-z0-9-]+):[ \t]?[^\r\n]*\r?\n(?:[ \t][^\r\n]*\r?\n)*/;
const MAIL_HEADERS = new Set([
  'from',
  'to',
  'cc',
  'subject',
  'date',
  'message-id',
  'received',
  'return-path',
  'mime-version',
  'delivered-to',
  'reply-to',
  'sender',
]);

/**
 * A saved email (.eml): the file starts with RFC 5322 header fields (name, colon, value, folded lines), and at
 * least three of them are ones every mail carries, including From or Received.
 */
export function looksLikeEmail(head: Buffer): boolean {
  let text = head.subarray(0, 16 * 1024).toString('latin1');
  const names = new Set<string>();
  for (let fields = 0; fields < 200; fields += 1) {
    const match = HEADER_LINE.exec(text);
    if (!match) break;
    names.add(match[1]!.toLowerCase());
    text = text.slice(match[0].length);
    if (/^\r?\n/.test(text)) break;
  }
  const known = [...names].filter((name) => MAIL_HEADERS.has(name));
  return known.length >= 3 && (names.has('from') || names.has('received'));
}

/** What the content's first bytes say it is: an accepted binary type, a text candidate, or refused. */
async function detect(
  head: Buffer,
): Promise<{ kind: 'binary'; mediaType: string } | { kind: 'text' | 'email' }> {
  if (head.length === 0) throw new RefusedFileError('empty');
  const found = await fileTypeFromBuffer(head);
  if (found) {
    if (ACCEPTED_TYPES[found.mime] && found.mime !== 'text/plain' && found.mime !== 'message/rfc822')
      return { kind: 'binary', mediaType: found.mime };
    throw new RefusedFileError('not_accepted');
  }
  return looksLikeEmail(head) ? { kind: 'email' } : { kind: 'text' };
}

export type Inspection = { sha256: Buffer; size: number; mediaType: string; head: Buffer };

/**
 * Passes a file through unchanged while it computes the SHA-256 and size, refuses it once it passes
 * `maxBytes`, and decides its type from the content: magic bytes first; otherwise a saved email (header fields,
 * no NUL bytes) or text (valid UTF-8 throughout, no NUL bytes); anything else is refused. Keeps only the
 * first HEAD_BYTES, so memory stays flat whatever the size.
 */
export class ContentInspector extends Transform {
  private readonly maxBytes: number;
  private readonly hash = createHash('sha256');
  private size = 0;
  private readonly headChunks: Buffer[] = [];
  private headBytes = 0;
  private verdict: { kind: 'binary'; mediaType: string } | { kind: 'text' | 'email' } | null = null;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private validUtf8 = true;
  private hasNul = false;
  private outcome: Inspection | null = null;

  constructor(maxBytes: number) {
    super();
    this.maxBytes = maxBytes;
  }

  get result(): Inspection {
    if (!this.outcome) throw new Error('The file has not been read to its end');
    return this.outcome;
  }

  private head(): Buffer {
    return Buffer.concat(this.headChunks, this.headBytes);
  }

  private checkText(chunk: Buffer, end: boolean): void {
    if (this.verdict?.kind === 'binary') return;
    if (!this.hasNul && chunk.includes(0)) this.hasNul = true;
    if (!this.validUtf8) return;
    try {
      this.decoder.decode(chunk, { stream: !end });
    } catch {
      this.validUtf8 = false;
    }
  }

  override _transform(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      callback(new RefusedFileError('too_large'));
      return;
    }
    this.hash.update(chunk);
    if (this.headBytes < HEAD_BYTES) {
      const kept = chunk.subarray(0, HEAD_BYTES - this.headBytes);
      this.headChunks.push(Buffer.from(kept));
      this.headBytes += kept.length;
    }
    this.checkText(chunk, false);
    this.push(chunk);
    if (this.verdict || this.headBytes < DETECTION_BYTES) {
      callback();
      return;
    }
    detect(this.head()).then(
      (verdict) => {
        this.verdict = verdict;
        callback();
      },
      (error: unknown) => callback(error as Error),
    );
  }

  override _flush(callback: (error?: Error | null) => void): void {
    this.checkText(Buffer.alloc(0), true);
    const finish = (verdict: NonNullable<ContentInspector['verdict']>) => {
      if (verdict.kind !== 'binary' && (this.hasNul || (verdict.kind === 'text' && !this.validUtf8)))
        throw new RefusedFileError('not_accepted');
      const mediaType =
        verdict.kind === 'binary'
          ? verdict.mediaType
          : verdict.kind === 'email'
            ? 'message/rfc822'
            : 'text/plain';
      this.outcome = { sha256: this.hash.digest(), size: this.size, mediaType, head: this.head() };
    };
    (this.verdict ? Promise.resolve(this.verdict) : detect(this.head())).then(
      (verdict) => {
        try {
          finish(verdict);
          callback();
        } catch (error) {
          callback(error as Error);
        }
      },
      (error: unknown) => callback(error as Error),
    );
  }
}
