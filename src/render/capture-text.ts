/** How the document reports describe a capture file beyond its name: format, link types, frames left out. */
import type { CaptureFacts, Report } from '../report/model.js';

/** `pcapng, gzip; ethernet, linux-sll2`, or `unreadable` when not even the format was recognised. */
export function formatText(c: CaptureFacts): string {
  if (c.format === null) return 'unreadable';
  const container = c.compressed ? `${c.format}, ${c.compression ?? 'compressed'}` : c.format;
  return c.linkTypes.length === 0 ? container : `${container}; ${c.linkTypes.join(', ')}`;
}

/** `12 frames without a TCP segment: not-tcp 10, truncated-header 2`, or null when every frame was TCP. */
export function notDecodedText(c: CaptureFacts): string | null {
  const entries = Object.entries(c.notDecoded).filter((e): e is [string, number] => typeof e[1] === 'number' && e[1] > 0);
  if (entries.length === 0) return null;
  const total = entries.reduce((n, [, count]) => n + count, 0);
  return `${total} frame${total === 1 ? '' : 's'} without a TCP segment: ${entries.map(([reason, count]) => `${reason} ${count}`).join(', ')}`;
}

/** `3 files in the input directories are not captures and were skipped.`, or null. */
export function skippedText(report: Report): string | null {
  const n = report.summary.skippedFiles ?? 0;
  if (n === 0) return null;
  return `${n} file${n === 1 ? '' : 's'} in the input directories ${n === 1 ? 'is' : 'are'} not a capture and ${n === 1 ? 'was' : 'were'} skipped.`;
}

/** A capture's findings count, or '-' from a report made before captures carried one. */
export function findingsText(c: CaptureFacts): string {
  return c.findings === undefined ? '-' : String(c.findings);
}
