import type { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';

export type Attachment = {
  /** The media type sent, e.g. `application/pdf`. */
  type: string;
  /** A name made by Vigil, never one the file came with: that can hold personal data. */
  fileName: string;
  /** Sent as Content-Length when known. */
  size?: number;
  body: Buffer | string | Readable;
};

/**
 * Sends a file to be saved rather than shown (SECURITY 18): as an attachment under Vigil's own name, never
 * sniffed into another type, never kept in a cache.
 */
export function sendAttachment(reply: FastifyReply, file: Attachment) {
  reply
    .header('Content-Type', file.type)
    .header('Content-Disposition', `attachment; filename="${file.fileName}"`)
    .header('X-Content-Type-Options', 'nosniff')
    .header('Cache-Control', 'no-store');
  if (file.size !== undefined) reply.header('Content-Length', String(file.size));
  return reply.send(file.body);
}
