/**
 * Spotting where someone lives (or works, or studies) in words meant for a shared or printed plan. A printed
 * plan can be found, and the client's own view of it read over their shoulder: an address or a postcode there
 * tells the person stalking them where to go. This is a safety net, not a guarantee, so it leans towards
 * asking: a caseworker told to rephrase loses a minute; a missed address can cost far more.
 */

export type AddressFinding = { kind: 'postcode' | 'street_address' };

/**
 * A full UK postcode: the outward code (area letters, district number, sometimes a letter) and the inward code
 * (a digit and two letters), with or without the space, in any case. GIR 0AA is the one odd one out.
 */
const POSTCODE =
  /(?<![A-Za-z0-9])(?:GIR\s*0AA|[A-PR-UWYZ](?:[A-HK-Y]?\d[A-Z\d]?|\d[A-HJKPS-UW])\s*\d[ABD-HJLNP-UW-Z]{2})(?![A-Za-z0-9])/i;

/** The words that end the name of a street, written as addresses usually are (Road, ROAD, Rd). */
const ROAD_WORDS = [
  'Road',
  'Rd',
  'Street',
  'St',
  'Lane',
  'Ln',
  'Avenue',
  'Ave',
  'Close',
  'Drive',
  'Dr',
  'Way',
  'Crescent',
  'Cres',
  'Court',
  'Ct',
  'Place',
  'Pl',
  'Gardens',
  'Gdns',
  'Terrace',
  'Grove',
  'Square',
  'Mews',
  'Row',
  'Walk',
  'Rise',
  'Parade',
  'Hill',
  'Park',
  'View',
];
const roadWords = ROAD_WORDS.flatMap((word) => [word, word.toUpperCase()]).join('|');

/**
 * A house number (perhaps with a letter, perhaps "Flat 2, 14") then one to four capitalised words ending in a
 * road word, as an address is normally written: "14 Acacia Avenue", "3a Mill Lane", "22 The Close",
 * "7 NORTH ROAD".
 */
const STREET = new RegExp(
  String.raw`(?<![\w-])\d{1,4}[A-Za-z]?,?\s+(?:[A-Z][\w'’.-]*\s+){0,3}(?:${roadWords})\b\.?`,
);

/**
 * The same written all in lower case, for the road words that are seldom anything else ("14 acacia avenue",
 * "lives at 3 mill lane"), unless a word between the number and the road word shows it is a distance or a
 * count ("2 miles down the road", "5 minutes up the lane").
 */
const LOWER_STREET =
  /(?<![\w-])\d{1,4}[a-z]?,?\s+((?:[a-z][\w'’.-]*\s+){1,3})(?:road|rd|street|avenue|lane|crescent|terrace|gardens|mews)\b/i;
const NOT_A_STREET_NAME = new Set([
  'the',
  'a',
  'an',
  'of',
  'to',
  'up',
  'down',
  'along',
  'across',
  'from',
  'on',
  'in',
  'at',
  'off',
  'by',
  'near',
  'round',
  'around',
  'past',
  'other',
  'more',
  'minutes',
  'minute',
  'mins',
  'min',
  'hours',
  'hour',
  'miles',
  'mile',
  'yards',
  'metres',
  'meters',
  'doors',
  'houses',
  'streets',
  'roads',
  'times',
  'days',
  'weeks',
  'or',
  'and',
]);

/** Whether `text` seems to hold a UK postcode or a street address; null when it does not. */
export function findAddress(text: string): AddressFinding | null {
  if (POSTCODE.test(text)) return { kind: 'postcode' };
  if (STREET.test(text)) return { kind: 'street_address' };
  for (const match of text.matchAll(new RegExp(LOWER_STREET.source, 'gi'))) {
    const between = (match[1] ?? '').trim().toLowerCase().split(/\s+/);
    if (!between.some((word) => NOT_A_STREET_NAME.has(word.replace(/[^a-z]/g, ''))))
      return { kind: 'street_address' };
  }
  return null;
}

/**
 * Whether `text` names any of these people: a whole name (or alias) anywhere, ignoring case and accents; or any
 * single part of one, of three letters or more, written as a name is, with a capital ("Alex Sample" is found in
 * "if Sample calls", but "Will Stone" is not found in "she will call").
 */
export function namesAnyone(text: string, names: string[]): boolean {
  const unaccented = (value: string) => value.normalize('NFKD').replace(/\p{M}/gu, '');
  const spaced = (value: string) =>
    unaccented(value)
      .replace(/[^\p{L}\p{N}'’-]+/gu, ' ')
      .trim();
  const textWords = spaced(text).split(' ').filter(Boolean);
  const folded = ` ${textWords.join(' ').toLowerCase()} `;
  const capitalised = new Set(
    textWords.filter((word) => /^\p{Lu}/u.test(word)).map((word) => word.toLowerCase()),
  );
  return names.some((name) => {
    const whole = spaced(name).toLowerCase();
    if (!whole) return false;
    if (folded.includes(` ${whole} `)) return true;
    return whole.split(' ').some((part) => part.length >= 3 && capitalised.has(part));
  });
}
