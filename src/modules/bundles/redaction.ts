/**
 * Taking the client's address and contact details out of what a bundle prints. The words people write about
 * an incident often say where it happened ("he was outside 14 Larch Road again") or quote a number or email
 * the client uses; when a bundle is redacted, every piece of text it prints passes through here, and each
 * occurrence is replaced by a marker saying what was taken out.
 */

export type ContactTerms = {
  /** Lines of the client's address (each matched on its own, whatever its case and spacing). */
  address: readonly string[];
  /** The address's postcode, matched with or without its space. */
  postcodes: readonly string[];
  /** Phone numbers, current and earlier. */
  phones: readonly string[];
  /** Email addresses, current and earlier. */
  emails: readonly string[];
};

export const REDACTED = {
  address: '[address redacted]',
  phone: '[phone number redacted]',
  email: '[email address redacted]',
} as const;

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A phrase matched whatever its case and however it is spaced. */
function phrasePattern(phrase: string): string | null {
  const words = phrase
    .trim()
    .split(/[\s,]+/)
    .filter(Boolean);
  if (words.join('').length < 3) return null;
  return words.map(escape).join('[\\s,]*');
}

/** A postcode matched with or without its space ("AL1 2AB", "al12ab"). */
function postcodePattern(postcode: string): string | null {
  const compact = postcode.replace(/\s+/g, '');
  if (compact.length < 5) return null;
  return `${escape(compact.slice(0, -3))}\\s*${escape(compact.slice(-3))}`;
}

/**
 * A phone number matched however it is written: its digits with any spaces, dashes, dots or brackets between
 * them, and a UK number starting 0 also as +44 or 0044 without the 0.
 */
function phonePattern(phone: string): string | null {
  let digits = phone.replace(/\D/g, '');
  if (digits.startsWith('0044')) digits = `0${digits.slice(4)}`;
  else if (digits.startsWith('44') && phone.trim().startsWith('+')) digits = `0${digits.slice(2)}`;
  if (digits.length < 6) return null;
  const spaced = (text: string) => text.split('').map(escape).join('[\\s\\-.()]*');
  const national = spaced(digits);
  if (!digits.startsWith('0')) return `(?<!\\d)${national}(?!\\d)`;
  const international = `(?:\\+|00)\\s*4\\s*4[\\s\\-.()]*(?:\\(?0\\)?[\\s\\-.()]*)?${spaced(digits.slice(1))}`;
  return `(?<!\\d)(?:${international}|${national})(?!\\d)`;
}

/** A function that redacts every given term from a text; the identity when there is nothing to redact. */
export function contactRedactor(terms: ContactTerms): (text: string) => string {
  const rules: { pattern: RegExp; marker: string }[] = [];
  const add = (source: string | null, marker: string) => {
    if (source) rules.push({ pattern: new RegExp(source, 'giu'), marker });
  };
  for (const email of terms.emails) add(email.trim() ? escape(email.trim()) : null, REDACTED.email);
  for (const phone of terms.phones) add(phonePattern(phone), REDACTED.phone);
  for (const postcode of terms.postcodes) add(postcodePattern(postcode), REDACTED.address);
  for (const line of terms.address) add(phrasePattern(line), REDACTED.address);
  if (rules.length === 0) return (text) => text;
  return (text) => rules.reduce((result, rule) => result.replace(rule.pattern, rule.marker), text);
}
