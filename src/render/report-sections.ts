/**
 * The content of the document reports (markdown and HTML), chosen once so both say the same thing:
 * which captures, which counts, which services, and per verdict which rows and which examples (with a
 * ladder) to show. The formats only decide how it looks.
 */
import type { ConnectionRecord, Verdict } from '../verdict/types.js';
import { type Advice, adviceFor, isFinding, type ResetCause, VERDICTS } from '../verdict/catalogue.js';
import type { Listing } from '../report/listing.js';
import type { CaptureFacts, Report, ServiceSummary } from '../report/model.js';
import type { RenderOptions } from './render.js';
import { capRows, moreText } from './row-cap.js';
import { rowContext, type RowContext } from './row-columns.js';
import { listedServices } from './service-text.js';
import { socketSections, type SocketSections } from './socket-sections.js';

export interface CaptureEntry {
  /** 1-based, as in `2:26` stream labels; null with a single capture. */
  index: number | null;
  facts: CaptureFacts;
}

export interface VerdictSection {
  verdict: Verdict;
  advice: Advice;
  /** Listed connections of this verdict (the report may count more: see the summary). */
  count: number;
  shown: ConnectionRecord[];
  /** "... N more" text, or null when every row is shown. */
  more: string | null;
  /** reset only: the causes present, each with its count. */
  causes: { cause: ResetCause; count: number }[];
  examples: ConnectionRecord[];
}

export interface ReportSections {
  ctx: RowContext;
  captures: CaptureEntry[];
  hiddenCaptures: number;
  /** Every capture that failed, even beyond the cap. */
  errors: CaptureFacts[];
  counts: { verdict: Verdict; count: number }[];
  /** Normal ends counted but not in the counts table (without --all). */
  otherCounts: { verdict: Verdict; count: number }[];
  services: ServiceSummary[];
  hiddenServices: number;
  verdicts: VerdictSection[];
  /** The host-level sections (sockets at the end, time-wait-pressure, TIME_WAIT reuse). */
  sockets: SocketSections;
}

export function reportSections(report: Report, listing: Listing, options: RenderOptions): ReportSections {
  const numbered = report.captures.length > 1;
  const captureList = capRows(
    report.captures.map((facts, i) => ({ index: numbered ? i + 1 : null, facts })),
    options.limit,
  );
  const present = VERDICTS.filter((v) => report.summary.verdicts[v] > 0).map((verdict) => ({ verdict, count: report.summary.verdicts[verdict] }));
  const serviceList = capRows(listedServices(report.services, options.all), options.limit);
  return {
    ctx: rowContext(report),
    captures: captureList.shown,
    hiddenCaptures: captureList.hidden,
    errors: report.captures.filter((c) => c.error !== null),
    counts: present.filter((c) => options.all || isFinding(c.verdict)),
    otherCounts: present.filter((c) => !options.all && !isFinding(c.verdict)),
    services: serviceList.shown,
    hiddenServices: serviceList.hidden,
    verdicts: listing.verdicts.map((v) => {
      const hidden = v.count - v.shown.length;
      return {
        verdict: v.verdict,
        advice: adviceFor(v.verdict),
        count: v.count,
        shown: v.shown,
        more: hidden > 0 ? moreText(hidden, options.all) : null,
        causes: v.causes,
        examples: v.examples,
      };
    }),
    sockets: socketSections(report, options),
  };
}
