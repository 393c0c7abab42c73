import { createHash, randomBytes } from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * Secrets handed to a browser (session cookies, setup and invitation links) carry the organisation they
 * belong to, so the server can set the organisation before it looks anything up. Only a hash is stored.
 */
export function newScopedToken(organisationId: string): { token: string; hash: Buffer } {
  const secret = randomBytes(32).toString('base64url');
  const token = `${organisationId}.${secret}`;
  return { token, hash: hashToken(token) };
}

export function parseScopedToken(token: string | undefined): { organisationId: string; hash: Buffer } | null {
  if (!token || token.length > 200) return null;
  const [organisationId, secret, extra] = token.split('.');
  if (
    !organisationId ||
    !secret ||
    extra !== undefined ||
    !isUuid(organisationId) ||
    !/^[\w-]{43}$/.test(secret)
  ) {
    return null;
  }
  return { organisationId, hash: hashToken(token) };
}

export function newToken(): { token: string; hash: Buffer } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
