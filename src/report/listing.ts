/**
 * What the table, markdown and HTML reports show of the listed connections, gathered as connections are
 * judged so that memory stays bounded however many there are: per verdict the count, the first `limit`
 * rows (worst first), the reset causes and three examples with a ladder; for the HTML charts every
 * stuck time and end time as numbers, and the close-waits that get a bar. A connection's full record
 * is asked for only when it may be shown (see offer()).
 *
 * Made from records (a report in memory, `merge`) or from judged connections (a streaming run) the
 * listing is the same: both give the same ListingEntry, and the kept sets are the best items under a
 * total order, so they do not depend on the order connections arrive in or on how the files were split
 * between worker threads (partials merge exactly).
 */
import type { JudgedConnection } from '../verdict/judged-connection.js';
import { epochSeconds, isoEpochSeconds } from '../time/time-text.js';
import { FINDINGS, VERDICTS, type Cause, type ConnectionRecord, type Verdict } from '../verdict/types.js';
import { isResetCause, RESET_CAUSES, type ResetCause } from '../verdict/catalogue.js';
import { BoundedHeap } from './bounded-heap.js';
import { NumberList } from './number-list.js';

/** Examples with a ladder diagram per verdict. */
export const EXAMPLES_PER_VERDICT = 3;
/** Up to this many close-waits get a bar each in the HTML chart; more become a histogram. */
export const MAX_STUCK_BARS = 24;

/** What the listing needs to know of a connection before (and without) its record. */
export interface ListingEntry {
  verdict: Verdict;
  file: string;
  stream: number;
  /** The worst-first weight: stuck time, else FIN delay, else 0. */
  weight: number;
  stuckSeconds: number | null;
  cause: Cause | null;
  /** A close-wait still sending (a half-close, maybe): shown as an example after idle ones. */
  sending: boolean;
  /** Findings have a ladder diagram, so they can be examples. */
  hasLadder: boolean;
  /** When it ended, seconds since 1970 (NaN when unknown). */
  end: number;
}

export function entryOfRecord(r: ConnectionRecord): ListingEntry {
  return {
    verdict: r.verdict,
    file: r.file,
    stream: r.stream,
    weight: r.stuckSeconds ?? r.delaySeconds ?? 0,
    stuckSeconds: r.stuckSeconds,
    cause: r.cause,
    sending: r.verdict === 'close-wait' && r.activity === 'sending',
    hasLadder: r.ladder.length > 0,
    end: epochSeconds(r.end),
  };
}

/** The entry of a judged connection, in `into` when given (a scratch entry: offer() copies what it keeps). */
export function entryOfJudged(c: JudgedConnection, into?: ListingEntry): ListingEntry {
  const j = c.judgement;
  const stuckSeconds = c.stuckSeconds;
  const e = into ?? newEntry();
  e.verdict = j.verdict;
  e.file = c.file;
  e.stream = c.stream;
  e.weight = stuckSeconds ?? c.delaySeconds ?? 0;
  e.stuckSeconds = stuckSeconds;
  e.cause = j.cause;
  e.sending = j.verdict === 'close-wait' && j.activity === 'sending';
  e.hasLadder = FINDINGS.has(j.verdict);
  e.end = isoEpochSeconds(c.endSeconds, c.endNanos, c.precision);
  return e;
}

export function newEntry(): ListingEntry {
  return { verdict: 'open', file: '', stream: 0, weight: 0, stuckSeconds: null, cause: null, sending: false, hasLadder: false, end: Number.NaN };
}

interface Kept {
  entry: ListingEntry;
  record: ConnectionRecord;
}

/** Worst first: the longest stuck or slowest, then capture order (file, then stream), as Wireshark lists them. */
export function compareWorstFirst(a: ListingEntry, b: ListingEntry): number {
  return b.weight - a.weight || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.stream - b.stream;
}

// The example should show the problem: an idle close-wait (a leak) before one still sending.
const exampleOrder = (a: ListingEntry, b: ListingEntry): number => Number(a.sending) - Number(b.sending) || compareWorstFirst(a, b);
const longestStuckFirst = (a: ListingEntry, b: ListingEntry): number => (b.stuckSeconds ?? 0) - (a.stuckSeconds ?? 0) || compareWorstFirst(a, b);
const entryOf = (k: Kept): ListingEntry => k.entry;

function keptHeap(capacity: number, compare: (a: ListingEntry, b: ListingEntry) => number): BoundedHeap<Kept, ListingEntry> {
  return new BoundedHeap<Kept, ListingEntry>(capacity, entryOf, compare);
}

/** One verdict's part of the listing. */
export interface ListedVerdict {
  verdict: Verdict;
  /** Listed connections of this verdict (the report may count more: see the summary). */
  count: number;
  /** The first rows, worst first (at most the limit). */
  shown: ConnectionRecord[];
  /** reset only: the causes present, in RESET_CAUSES order, each with its count. */
  causes: { cause: ResetCause; count: number }[];
  /** Up to EXAMPLES_PER_VERDICT records with a ladder, idle close-waits first, then worst first. */
  examples: ConnectionRecord[];
}

export interface Listing {
  /** Verdicts with listed connections, in VERDICTS. */
  verdicts: ListedVerdict[];
  /** Stuck time of every listed close-wait that has one. */
  stuckSeconds: number[];
  /** The longest stuck close-waits (at most MAX_STUCK_BARS), longest first. */
  longestStuck: ConnectionRecord[];
  /**
   * End time of every listed connection that ended (open ones left out), and its verdict (an index into
   * VERDICTS), for the closes chart: typed arrays, not an object per connection (hundreds of thousands).
   */
  ends: Float64Array;
  endVerdicts: Uint8Array;
}

/** A ListingBuilder's state as plain data (structured clone), for a worker thread to hand back. */
export interface ListingPartial {
  groups: { verdict: Verdict; count: number; causes: [ResetCause, number][]; shown: Kept[]; examples: Kept[] }[];
  longestStuck: Kept[];
  stuckSeconds: Float64Array;
  /** Indexes into VERDICTS and end times, pairwise. */
  endVerdicts: Uint8Array;
  ends: Float64Array;
}

class Group {
  count = 0;
  readonly causes = new Map<ResetCause, number>();
  readonly shown: BoundedHeap<Kept, ListingEntry>;
  readonly examples = keptHeap(EXAMPLES_PER_VERDICT, exampleOrder);

  constructor(limit: number) {
    this.shown = keptHeap(limit, compareWorstFirst);
  }
}

const VERDICT_INDEX = new Map<Verdict, number>(VERDICTS.map((v, i) => [v, i]));

export class ListingBuilder {
  private readonly groups = new Map<Verdict, Group>();
  private readonly longest = keptHeap(MAX_STUCK_BARS, longestStuckFirst);
  private readonly stuck = new NumberList();
  private readonly endVerdicts = new NumberList((capacity) => new Uint8Array(capacity));
  private readonly ends = new NumberList();

  /**
   * `limit`: rows per verdict (the reports' --limit). `charts`: keep the figures the charts draw (every
   * listed close-wait's stuck time, every ended connection's end), which only the HTML report shows:
   * 9 bytes per listed connection, 2.4 MB and a doubling on the 2.5 GB bench capture.
   */
  constructor(
    readonly limit: number,
    readonly charts = true,
  ) {}

  /**
   * Counts a listed connection; `record` is called (synchronously) only if the connection may be shown,
   * as a row, an example or a chart bar. `entry` may be a scratch object: what is kept is a copy.
   */
  offer(entry: ListingEntry, record: () => ConnectionRecord): void {
    const group = this.count(entry);
    const asRow = group.shown.accepts(entry);
    const asExample = entry.hasLadder && group.examples.accepts(entry);
    const asBar = entry.verdict === 'close-wait' && entry.stuckSeconds !== null && this.longest.accepts(entry);
    if (!asRow && !asExample && !asBar) return;
    const kept: Kept = { entry: { ...entry }, record: record() };
    if (asRow) group.shown.offer(kept);
    if (asExample) group.examples.offer(kept);
    if (asBar) this.longest.offer(kept);
  }

  /** Adds what another builder (a worker's, for one file) gathered, as if its connections came here. */
  addPartial(p: ListingPartial): void {
    for (const g of p.groups) {
      const group = this.group(g.verdict);
      group.count += g.count;
      for (const [cause, n] of g.causes) group.causes.set(cause, (group.causes.get(cause) ?? 0) + n);
      for (const kept of g.shown) group.shown.offer(kept);
      for (const kept of g.examples) group.examples.offer(kept);
    }
    for (const kept of p.longestStuck) this.longest.offer(kept);
    this.stuck.pushAll(p.stuckSeconds);
    this.endVerdicts.pushAll(p.endVerdicts);
    this.ends.pushAll(p.ends);
  }

  partial(): ListingPartial {
    return {
      groups: [...this.groups].map(([verdict, g]) => ({ verdict, count: g.count, causes: [...g.causes], shown: g.shown.sorted(), examples: g.examples.sorted() })),
      longestStuck: this.longest.sorted(),
      stuckSeconds: this.stuck.toArray(),
      endVerdicts: this.endVerdicts.toArray(),
      ends: this.ends.toArray(),
    };
  }

  build(): Listing {
    const verdicts: ListedVerdict[] = [];
    for (const verdict of VERDICTS) {
      const g = this.groups.get(verdict);
      if (g === undefined || g.count === 0) continue;
      verdicts.push({
        verdict,
        count: g.count,
        shown: g.shown.sorted().map((k) => k.record),
        causes: RESET_CAUSES.map((cause) => ({ cause, count: g.causes.get(cause) ?? 0 })).filter((c) => c.count > 0),
        examples: g.examples.sorted().map((k) => k.record),
      });
    }
    return {
      verdicts,
      stuckSeconds: Array.from(this.stuck.toArray()),
      longestStuck: this.longest.sorted().map((k) => k.record),
      ends: this.ends.toArray(),
      endVerdicts: this.endVerdicts.toArray(),
    };
  }

  private count(entry: ListingEntry): Group {
    const group = this.group(entry.verdict);
    group.count++;
    if (entry.verdict === 'reset' && isResetCause(entry.cause)) group.causes.set(entry.cause, (group.causes.get(entry.cause) ?? 0) + 1);
    if (!this.charts) return group;
    if (entry.verdict === 'close-wait' && entry.stuckSeconds !== null) this.stuck.push(entry.stuckSeconds);
    // Open connections did not end: their end is only their last packet.
    if (entry.verdict !== 'open' && Number.isFinite(entry.end)) {
      this.endVerdicts.push(VERDICT_INDEX.get(entry.verdict) ?? 0);
      this.ends.push(entry.end);
    }
    return group;
  }

  private group(verdict: Verdict): Group {
    let group = this.groups.get(verdict);
    if (group === undefined) {
      group = new Group(this.limit);
      this.groups.set(verdict, group);
    }
    return group;
  }
}

/** The listing of records already in memory (a report read back, or built with every record kept). */
export function listingOf(records: readonly ConnectionRecord[], limit: number): Listing {
  const builder = new ListingBuilder(limit);
  for (const r of records) builder.offer(entryOfRecord(r), () => r);
  return builder.build();
}
