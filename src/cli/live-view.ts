/**
 * The refreshed terminal view of a live capture (`-i` with stderr on a terminal): which connections are
 * in CLOSE_WAIT now and for how long, and the latest abortive closes and resets. Drawn once a second on
 * the terminal's alternate screen, which is left on exit so the report prints on a clean screen.
 */
import type { OpenConnectionsPeek } from '../engine/analysis-stages.js';
import type { ConnectionSummary } from '../verdict/judged-connection.js';
import type { Verdict } from '../verdict/types.js';
import { epochSeconds, humanDuration } from '../time/time-text.js';
import { renderTextTable, type TextColumn } from '../render/text-table.js';
import { printable } from '../render/text-width.js';

const REFRESH_MS = 1000;
const RECENT = 10;
/** The findings that end a connection with a RST: what "recent resets" lists. */
const RESET_VERDICTS = new Set<Verdict>(['abortive-close', 'reset-after-close', 'keepalive-timeout', 'late-fin-reset', 'reset']);

interface Recent {
  stream: number;
  at: Date;
  verdict: Verdict;
  endpoint: string;
  peer: string;
}

export class LiveView {
  private peek: OpenConnectionsPeek | null = null;
  /** Newest first, at most RECENT. */
  private recent: Recent[] = [];
  private frames = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly title: string,
  ) {}

  start(): void {
    this.stream.write('\x1b[?1049h\x1b[?25l');
    this.draw();
    this.timer = setInterval(() => this.draw(), REFRESH_MS);
  }

  stop(): void {
    if (this.timer === null) return;
    clearInterval(this.timer);
    this.timer = null;
    this.stream.write('\x1b[?25h\x1b[?1049l');
  }

  setPeek(peek: OpenConnectionsPeek): void {
    this.peek = peek;
  }

  setFrames(frames: number): void {
    this.frames = frames;
  }

  /**
   * Every judged connection: resets are remembered (a summary is reused by the caller: copy now). A
   * reset connection is also seen by the peek before it is judged (it waits out the grace period in
   * capture time, which stands still on a quiet link), so each stream is listed once.
   */
  judged(c: ConnectionSummary): void {
    if (!RESET_VERDICTS.has(c.verdict) || this.recent.some((r) => r.stream === c.stream)) return;
    const endpoint = c.endpoint === 'server' ? c.server : c.client;
    const peer = c.endpoint === 'server' ? c.client : c.server;
    this.recent = [{ stream: c.stream, at: new Date(), verdict: c.verdict, endpoint, peer }, ...this.recent].slice(0, RECENT);
  }

  /** The view's text (drawn by draw(); separate so it can be tested without a terminal). */
  text(width: number, rows: number, now: number): string {
    const stuck: { seconds: number; since: string; endpoint: string; side: string; peer: string }[] = [];
    let open = 0;
    this.peek?.((connection, record) => {
      open++;
      this.judged(connection);
      // A CLOSE_WAIT younger than --slow-close is judged open (closing) at the capture's end; live, it is
      // in CLOSE_WAIT now all the same, and ages with the wall clock.
      const inCloseWait = connection.verdict === 'close-wait' || (connection.verdict === 'open' && connection.stuckSeconds !== null);
      if (!inCloseWait) return;
      const r = record();
      const endpoint = r.endpoint === 'server' ? r.server : r.client;
      const peer = r.endpoint === 'server' ? r.client : r.server;
      // Live, the capture's clock is the wall clock: a close-wait keeps aging while the link is quiet.
      const since = r.since ?? r.end;
      const seconds = Math.max(r.stuckSeconds ?? 0, now / 1000 - epochSeconds(since));
      stuck.push({ seconds, since, endpoint, side: r.endpoint ?? '-', peer });
    });
    stuck.sort((a, b) => b.seconds - a.seconds);
    const lines = [`${this.title}: ${this.frames} frames, ${open} connections open. Ctrl-C stops and prints the report.`, ''];
    const room = Math.max(3, rows - 8 - Math.min(this.recent.length, RECENT));
    lines.push(`In CLOSE_WAIT now: ${stuck.length}`);
    if (stuck.length > 0) {
      const columns: TextColumn[] = [
        { header: 'stuck', align: 'right', wraps: false },
        { header: 'since (UTC)', align: 'left', wraps: false },
        { header: 'in CLOSE_WAIT', align: 'left', wraps: true, minWidth: 21 },
        { header: 'side', align: 'left', wraps: false },
        { header: 'peer (closed)', align: 'left', wraps: true, minWidth: 21 },
      ];
      const shown = stuck.slice(0, room);
      lines.push(renderTextTable(columns, shown.map((s) => [humanDuration(s.seconds), s.since.slice(11, 23), printable(s.endpoint), s.side, printable(s.peer)]), { width }));
      if (stuck.length > shown.length) lines.push(`... ${stuck.length - shown.length} more`);
    }
    lines.push('', `Recent abortive closes and resets: ${this.recent.length === 0 ? 'none' : ''}`);
    if (this.recent.length > 0) {
      const columns: TextColumn[] = [
        { header: 'at', align: 'left', wraps: false },
        { header: 'verdict', align: 'left', wraps: false },
        { header: 'by', align: 'left', wraps: true, minWidth: 21 },
        { header: 'peer', align: 'left', wraps: true, minWidth: 21 },
      ];
      lines.push(renderTextTable(columns, this.recent.map((r) => [r.at.toISOString().slice(11, 19), r.verdict, printable(r.endpoint), printable(r.peer)]), { width }));
    }
    return lines.join('\n');
  }

  private draw(): void {
    // A terminal that does not know its size (0) gets a common one.
    const width = this.stream.columns || 100;
    const rows = this.stream.rows || 30;
    const text = this.text(width, rows, Date.now())
      .split('\n')
      .slice(0, rows - 1)
      .join('\n');
    this.stream.write(`\x1b[H\x1b[J${text}`);
  }
}
