/**
 * TIME_WAIT sockets from one local address to one remote ip:port: each holds one local port of that
 * 4-tuple family for TIME_WAIT's length, so a client that closes first and connects faster than
 * ports free up runs out of ephemeral ports (connect() fails with EADDRNOTAVAIL). The peak number
 * held at once, found with a sliding window over the times they entered TIME_WAIT (which arrive
 * nearly in order: connections are judged a few seconds after they close).
 */
interface Pair {
  /** Entry times inside the current window, oldest first. */
  times: number[];
  head: number;
  peak: number;
  peakAt: number;
  connections: number;
  first: number;
  last: number;
}

export interface PressurePeak {
  /** The pair's key (see TimeWaitPressure.key). */
  key: number;
  peak: number;
  /** Capture time (seconds) of the peak. */
  at: number;
  /** Connections from local to remote that left a TIME_WAIT, and the span (seconds) they closed over. */
  connections: number;
  spanSeconds: number;
}

/** Pairs followed at most (memory): pairs are forgotten as their window empties, so only a flood of distinct ones hits this. */
const MAX_PAIRS = 65_536;

export class TimeWaitPressure {
  /** Pairs by local and remote host (one small number), then by remote port: keys V8 keeps unboxed. */
  private readonly pairs = new Map<number, Map<number, Pair>>();
  private count = 0;
  private nextPrune = -Infinity;

  /** One number for a local host and a remote host and port (host numbers below 2^13: 42 bits in all). */
  static key(localHost: number, remoteHost: number, remotePort: number): number {
    return (localHost * 8192 + remoteHost) * 65536 + remotePort;
  }

  constructor(
    /** How long TIME_WAIT lasts (the window). */
    private readonly windowSeconds: number,
    /** Pairs whose peak stays below this are forgotten once their window empties (memory). */
    private readonly keepAbove: number,
  ) {}

  /**
   * `local` entered TIME_WAIT at `at` for a connection to `remote`: each is one connection closed, so
   * their count over their span is the connection rate that fills the ports.
   */
  timeWait(key: number, at: number): void {
    const pair = this.pair(key);
    if (pair === null) return;
    pair.connections++;
    if (at < pair.first) pair.first = at;
    if (at > pair.last) pair.last = at;
    const times = pair.times;
    // Insert in time order from the back (arrivals are nearly sorted).
    let i = times.length;
    times.push(at);
    while (i > pair.head && times[i - 1] > at) {
      times[i] = times[i - 1];
      i--;
    }
    times[i] = at;
    const newest = times[times.length - 1];
    while (pair.head < times.length && times[pair.head] <= newest - this.windowSeconds) pair.head++;
    // Entries that left the window are dropped once they are half the array: memory follows the window.
    if (pair.head > 16 && pair.head * 2 > times.length) {
      times.splice(0, pair.head);
      pair.head = 0;
    }
    const held = times.length - pair.head;
    if (held > pair.peak) {
      pair.peak = held;
      pair.peakAt = newest;
    }
  }

  /**
   * Forgets pairs whose window has emptied by `now` without ever reaching `keepAbove`. Runs at most once
   * per window of capture time (a pass visits every pair; forEach makes no entry arrays, as for-of would).
   */
  prune(now: number): void {
    if (now < this.nextPrune) return;
    this.nextPrune = now + this.windowSeconds;
    const limit = now - this.windowSeconds;
    this.pairs.forEach((byPort, hosts) => {
      byPort.forEach((pair, port) => {
        const newest = pair.times.length > 0 ? pair.times[pair.times.length - 1] : pair.last;
        if (pair.peak < this.keepAbove && newest <= limit) {
          byPort.delete(port);
          this.count--;
        }
      });
      if (byPort.size === 0) this.pairs.delete(hosts);
    });
  }

  /** Pairs whose peak reached `threshold`, highest first. */
  peaks(threshold: number): PressurePeak[] {
    const out: PressurePeak[] = [];
    for (const [hosts, byPort] of this.pairs) for (const [port, pair] of byPort) {
      if (pair.peak < threshold) continue;
      out.push({ key: hosts * 65536 + port, peak: pair.peak, at: pair.peakAt, connections: pair.connections, spanSeconds: Math.max(0, pair.last - pair.first) });
    }
    return out.sort((a, b) => b.peak - a.peak || a.key - b.key);
  }

  private pair(key: number): Pair | null {
    const hosts = Math.floor(key / 65536);
    const port = key % 65536;
    let byPort = this.pairs.get(hosts);
    if (byPort === undefined) {
      byPort = new Map();
      this.pairs.set(hosts, byPort);
    }
    let pair = byPort.get(port);
    if (pair === undefined) {
      if (this.count >= MAX_PAIRS) return null;
      this.count++;
      pair = { times: [], head: 0, peak: 0, peakAt: 0, connections: 0, first: Infinity, last: -Infinity };
      byPort.set(port, pair);
    }
    return pair;
  }
}
