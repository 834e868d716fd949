/**
 * The content of the document reports (markdown and HTML), chosen once so both say the same thing:
 * which captures, which counts, which services, and per verdict which rows and which examples (with a
 * ladder) to show. The formats only decide how it looks.
 */
import type { ConnectionRecord, Verdict } from '../verdict/types.js';
import { adviceFor, isResetCause, RESET_CAUSES, type Advice, type ResetCause } from './advice.js';
import type { CaptureFacts, Report, ServiceSummary } from './model.js';
import type { RenderOptions } from './render.js';
import { capRows, moreText } from './row-cap.js';
import { rowContext, type RowContext } from './row-columns.js';
import { listedServices } from './service-text.js';
import { groupByVerdict, isFinding, REPORT_ORDER } from './verdict-order.js';

/** Examples with a ladder diagram per verdict. */
const EXAMPLES_PER_VERDICT = 3;

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
}

export function reportSections(report: Report, options: RenderOptions): ReportSections {
  const numbered = report.captures.length > 1;
  const captureList = capRows(
    report.captures.map((facts, i) => ({ index: numbered ? i + 1 : null, facts })),
    options.limit,
  );
  const present = REPORT_ORDER.filter((v) => report.summary.verdicts[v] > 0).map((verdict) => ({ verdict, count: report.summary.verdicts[verdict] }));
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
    verdicts: groupByVerdict(report.connections).map(({ verdict, records }) => {
      const { shown, hidden } = capRows(records, options.limit);
      return {
        verdict,
        advice: adviceFor(verdict),
        count: records.length,
        shown,
        more: hidden > 0 ? moreText(hidden, options.all) : null,
        causes: verdict === 'reset' ? resetCauses(records) : [],
        examples: exampleRecords(records),
      };
    }),
  };
}

function resetCauses(records: readonly ConnectionRecord[]): { cause: ResetCause; count: number }[] {
  return RESET_CAUSES.map((cause) => ({ cause, count: records.filter((r) => isResetCause(r.cause) && r.cause === cause).length })).filter(
    (c) => c.count > 0,
  );
}

/**
 * The first records with a ladder, in list order, except that an idle close-wait (a leak) comes before
 * one still sending (possibly a half-close that was not finished): the example should show the problem.
 */
function exampleRecords(records: readonly ConnectionRecord[]): ConnectionRecord[] {
  const withLadder = records.filter((r) => r.ladder.length > 0);
  const rank = (r: ConnectionRecord): number => (r.verdict === 'close-wait' && r.activity === 'sending' ? 1 : 0);
  return [...withLadder].sort((a, b) => rank(a) - rank(b)).slice(0, EXAMPLES_PER_VERDICT);
}
