import exifr from 'exifr';
import sharp from 'sharp';
import { z } from 'zod';
import { ukInstant } from '../cases/case-view.ts';

/** What a photo says about itself. Sealed with the exhibit: where it was taken is as sensitive as it gets. */
export const imageMetadataShape = z.object({
  takenAt: z.string().nullable(),
  offset: z.string().nullable(),
  make: z.string().nullable(),
  model: z.string().nullable(),
  software: z.string().nullable(),
  latitude: z.number().nullable(),
  longitude: z.number().nullable(),
});
export type ImageMetadata = z.infer<typeof imageMetadataShape>;

const EXIF_DATE = /^(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2}):(\d{2})/;
const OFFSET = /^([+-])(\d{2}):(\d{2})$/;

/**
 * When a photo was taken, from EXIF's wall-clock time: with its recorded UTC offset when there is one,
 * otherwise read as UK time (where the people using Vigil live). Null when absent or not a real time.
 */
export function capturedAtFrom(takenAt: string | null, offset: string | null): Date | null {
  const match = takenAt ? EXIF_DATE.exec(takenAt) : null;
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null;
  const zone = offset ? OFFSET.exec(offset) : null;
  let at: Date;
  if (zone) {
    const sign = zone[1] === '-' ? -1 : 1;
    const minutes = sign * (Number(zone[2]) * 60 + Number(zone[3]));
    at = new Date(Date.UTC(year, month - 1, day, hour, minute, second) - minutes * 60_000);
  } else {
    const iso = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    at = new Date(ukInstant(iso, { hour, minute }).getTime() + second * 1000);
  }
  return Number.isNaN(at.getTime()) ? null : at;
}

const text = (value: unknown) =>
  typeof value === 'string' && value.trim() ? value.trim().slice(0, 200) : null;
const coordinate = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** EXIF from the start of an image; null when it carries none or cannot be read. */
export async function readImageMetadata(head: Buffer): Promise<ImageMetadata | null> {
  let tags: Record<string, unknown> | undefined;
  try {
    tags = (await exifr.parse(head, {
      tiff: true,
      exif: true,
      gps: true,
      reviveValues: false,
      translateValues: false,
      mergeOutput: true,
    })) as Record<string, unknown> | undefined;
  } catch {
    return null;
  }
  if (!tags) return null;
  const gps = await exifr.gps(head).catch(() => undefined);
  return {
    takenAt: text(tags.DateTimeOriginal) ?? text(tags.CreateDate),
    offset: text(tags.OffsetTimeOriginal) ?? text(tags.OffsetTime),
    make: text(tags.Make),
    model: text(tags.Model),
    software: text(tags.Software),
    latitude: coordinate(gps?.latitude),
    longitude: coordinate(gps?.longitude),
  };
}

export type Derivative = {
  kind: 'thumbnail' | 'display';
  mediaType: string;
  body: Buffer;
  width: number;
  height: number;
};

const SIZES = { thumbnail: 320, display: 1600 } as const;

/**
 * A thumbnail and a display copy of an image, upright and with its metadata stripped (sharp keeps none unless
 * asked). Images over `maxPixels` are not decoded at all. Empty when the image cannot be read.
 */
export async function imageDerivatives(original: Buffer, maxPixels: number): Promise<Derivative[]> {
  try {
    const image = sharp(original, { limitInputPixels: maxPixels, failOn: 'error' });
    const { format } = await image.metadata();
    const lossless = format === 'png' || format === 'gif';
    const made: Derivative[] = [];
    for (const kind of ['thumbnail', 'display'] as const) {
      const resized = image
        .clone()
        .rotate()
        .resize(SIZES[kind], SIZES[kind], { fit: 'inside', withoutEnlargement: true });
      const { data, info } = await (lossless ? resized.png() : resized.jpeg({ quality: 82 })).toBuffer({
        resolveWithObject: true,
      });
      made.push({
        kind,
        mediaType: lossless ? 'image/png' : 'image/jpeg',
        body: data,
        width: info.width,
        height: info.height,
      });
    }
    return made;
  } catch {
    return [];
  }
}
