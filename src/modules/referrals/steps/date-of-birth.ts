/** A date of birth typed as day, month and year, checked the GOV.UK way. */
export type DateParts = { day?: string; month?: string; year?: string };

export type DateOutcome =
  | { kind: 'date'; date: string }
  | { kind: 'empty' }
  | { kind: 'error'; message: string; parts: ('day' | 'month' | 'year')[] };

const PARTS = ['day', 'month', 'year'] as const;

function listed(parts: readonly string[]): string {
  return parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)!}`;
}

/** Checks a typed date of birth against today (YYYY-MM-DD, UK time): it must be real and in the past. */
export function parseDateOfBirth(input: DateParts, today: string): DateOutcome {
  const values = {
    day: input.day?.trim() ?? '',
    month: input.month?.trim() ?? '',
    year: input.year?.trim() ?? '',
  };
  const missing = PARTS.filter((part) => values[part] === '');
  if (missing.length === 3) return { kind: 'empty' };
  if (missing.length)
    return { kind: 'error', message: `Date of birth must include a ${listed(missing)}`, parts: missing };
  const notNumbers = PARTS.filter((part) => !/^\d+$/.test(values[part]));
  if (notNumbers.length)
    return { kind: 'error', message: 'Date of birth must be a real date', parts: notNumbers };
  if (values.year.length !== 4)
    return { kind: 'error', message: 'Year must include 4 numbers', parts: ['year'] };
  const day = Number(values.day);
  const month = Number(values.month);
  const year = Number(values.year);
  const date = new Date(Date.UTC(year, month - 1, day));
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day
  )
    return { kind: 'error', message: 'Date of birth must be a real date', parts: ['day', 'month', 'year'] };
  const iso = date.toISOString().slice(0, 10);
  if (iso > today)
    return { kind: 'error', message: 'Date of birth must be in the past', parts: ['day', 'month', 'year'] };
  if (year < 1900)
    return {
      kind: 'error',
      message: 'Date of birth must be after 1 January 1900',
      parts: ['day', 'month', 'year'],
    };
  return { kind: 'date', date: iso };
}
