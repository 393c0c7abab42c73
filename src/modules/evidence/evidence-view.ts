import { paths } from '../../paths.ts';
import { formatDateTime } from '../../platform/http/views.ts';
import { ACCEPTED_TYPES } from './content-type.ts';
import type { Exhibit } from './evidence.service.ts';

/** One exhibit as evidence/_exhibits.njk shows it. */
export type ExhibitView = {
  evidenceId: string;
  exhibitNumber: number;
  label: string;
  fileName: string;
  type: string;
  size: string;
  capturedAt: string | null;
  uploadedBy: string;
  uploadedAt: string;
  sha256: string;
  sha256Short: string;
  thumbnailUrl: string | null;
  displayUrl: string | null;
  downloadUrl: string | null;
};

/** A size as people read it: "820 bytes", "14 KB", "2.3 MB" (1 KB = 1,024 bytes, as file managers show). */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes.toLocaleString('en-GB')} ${bytes === 1 ? 'byte' : 'bytes'}`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const shown = value < 10 ? value.toFixed(1).replace(/\.0$/, '') : Math.round(value).toLocaleString('en-GB');
  return `${shown} ${units[unit]}`;
}

/** A diary entry's exhibits for its pages: download links only when the viewer may download. */
export function exhibitViews(caseId: string, exhibits: Exhibit[], canDownload: boolean): ExhibitView[] {
  return exhibits.map((exhibit) => ({
    evidenceId: exhibit.evidenceId,
    exhibitNumber: exhibit.exhibitNumber,
    label: `Exhibit ${exhibit.exhibitNumber}`,
    fileName: exhibit.originalName,
    type: ACCEPTED_TYPES[exhibit.mediaType] ?? exhibit.mediaType,
    size: formatSize(exhibit.sizeBytes),
    capturedAt: exhibit.capturedAt ? formatDateTime(exhibit.capturedAt) : null,
    uploadedBy: exhibit.uploadedBy ?? 'The client',
    uploadedAt: formatDateTime(exhibit.uploadedAt),
    sha256: exhibit.sha256,
    sha256Short: `${exhibit.sha256.slice(0, 12)}…`,
    thumbnailUrl: exhibit.derivatives.includes('thumbnail')
      ? paths.caseEvidenceThumbnail(caseId, exhibit.evidenceId)
      : null,
    displayUrl: exhibit.derivatives.includes('display')
      ? paths.caseEvidenceDisplay(caseId, exhibit.evidenceId)
      : null,
    downloadUrl: canDownload ? paths.caseEvidenceOriginal(caseId, exhibit.evidenceId) : null,
  }));
}
