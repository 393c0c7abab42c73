import { deriveKey, hmac } from './envelope.ts';

/**
 * Keyed blind indexes (HMAC-SHA256) for identifiers matched across cases. The value is normalised first so
 * that the same phone number, email, handle or registration matches however it was typed.
 */
export type IdentifierKind = 'phone' | 'email' | 'handle' | 'vehicle' | 'name';

const normalisers: Record<IdentifierKind, (value: string) => string> = {
  phone: (value) => {
    const digits = value.replace(/[^\d+]/g, '');
    if (digits.startsWith('+44')) return `0${digits.slice(3)}`;
    if (digits.startsWith('0044')) return `0${digits.slice(4)}`;
    return digits.replace(/\+/g, '');
  },
  email: (value) => value.trim().toLowerCase(),
  handle: (value) => value.trim().toLowerCase().replace(/^@+/, ''),
  vehicle: (value) => value.toUpperCase().replace(/[^A-Z0-9]/g, ''),
  name: (value) => value.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, ' '),
};

export function normaliseIdentifier(kind: IdentifierKind, value: string): string {
  return normalisers[kind](value);
}

export function blindIndexKey(organisationKey: Buffer): Buffer {
  return deriveKey(organisationKey, 'blind-index');
}

export function blindIndex(indexKey: Buffer, kind: IdentifierKind, value: string): Buffer {
  return hmac(indexKey, `${kind}:${normaliseIdentifier(kind, value)}`);
}
