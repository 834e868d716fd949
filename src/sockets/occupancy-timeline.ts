/**
 * How many sockets of one kind a host held through the capture, in a fixed number of buckets whatever
 * the capture's length: when a socket's interval runs past the last bucket, the buckets double in
 * width (pairs merged). An interval costs O(1): each bucket keeps how many intervals start and end in
 * it and by how much they fall short of its end, so a bucket's occupancy (socket-seconds) is
 * `active at its start x width + start slack - end slack`.
 */
export const TIMELINE_BUCKETS = 120;
/** A 64th of a second: fine enough for a capture of a second, widened (doubled) as longer ones need. */
const INITIAL_WIDTH = 1 / 64;

export class OccupancyTimeline {
  /** Start of bucket 0 (capture seconds) and the width of a bucket. */
  width = INITIAL_WIDTH;
  /** One array for the four per-bucket sums: starts, ends, start slack, end slack (TIMELINE_BUCKETS each). */
  private readonly sums = new Float64Array(4 * TIMELINE_BUCKETS);
  private readonly starts = this.sums.subarray(0, TIMELINE_BUCKETS);
  private readonly ends = this.sums.subarray(TIMELINE_BUCKETS, 2 * TIMELINE_BUCKETS);
  private readonly startSlack = this.sums.subarray(2 * TIMELINE_BUCKETS, 3 * TIMELINE_BUCKETS);
  private readonly endSlack = this.sums.subarray(3 * TIMELINE_BUCKETS);

  constructor(readonly origin: number) {}

  /** A socket held from `from` to `to` (capture seconds; clipped to the origin). */
  add(from: number, to: number): void {
    const s = Math.max(from, this.origin);
    const e = Math.max(to, s);
    while (e - this.origin >= this.width * TIMELINE_BUCKETS) this.widen();
    const sb = Math.floor((s - this.origin) / this.width);
    const eb = Math.floor((e - this.origin) / this.width);
    this.starts[sb]++;
    this.startSlack[sb] += this.bucketEnd(sb) - s;
    this.ends[eb]++;
    this.endSlack[eb] += this.bucketEnd(eb) - e;
  }

  /**
   * Average sockets held in each bucket up to `end` (the capture's end: the last bucket is averaged over
   * the part of it the capture covers), and the most held at once, as far as the buckets tell: the count
   * at a bucket's start, or the average rounded up (an average above n means more than n at some moment).
   */
  figures(end: number): { averages: number[]; peak: number; peakBucket: number } {
    const averages: number[] = [];
    let active = 0;
    let peak = 0;
    let peakBucket = -1;
    let last = -1;
    for (let b = 0; b < TIMELINE_BUCKETS; b++) if (this.starts[b] > 0 || this.ends[b] > 0) last = b;
    for (let b = 0; b <= last; b++) {
      // Socket-seconds of the bucket: those held all along, plus the part of it each arrival and departure covers.
      const occupancy = active * this.width + this.startSlack[b] - this.endSlack[b];
      const start = this.origin + b * this.width;
      const covered = Math.min(this.width, Math.max(end - start, 1e-9));
      // Sockets still held at the capture's end count as held to the bucket's end: take that part off.
      const beyond = this.width - covered;
      const held = active + this.starts[b] - this.ends[b];
      const average = Math.max(0, occupancy - beyond * Math.max(0, held)) / covered;
      averages.push(Math.round(average * 10) / 10);
      const reached = Math.max(active, Math.ceil(average - 1e-9));
      if (reached > peak) {
        peak = reached;
        peakBucket = b;
      }
      active += this.starts[b] - this.ends[b];
    }
    return { averages, peak, peakBucket };
  }

  private bucketEnd(b: number): number {
    return this.origin + (b + 1) * this.width;
  }

  private widen(): void {
    const w = this.width;
    for (let b = 0; b < TIMELINE_BUCKETS; b++) {
      const first = 2 * b;
      const second = first + 1;
      if (first >= TIMELINE_BUCKETS) {
        this.starts[b] = this.ends[b] = this.startSlack[b] = this.endSlack[b] = 0;
        continue;
      }
      const hasSecond = second < TIMELINE_BUCKETS;
      // A start in the first half falls short of the merged bucket's end by a further width.
      const starts = this.starts[first] + (hasSecond ? this.starts[second] : 0);
      const ends = this.ends[first] + (hasSecond ? this.ends[second] : 0);
      const startSlack = this.startSlack[first] + this.starts[first] * w + (hasSecond ? this.startSlack[second] : 0);
      const endSlack = this.endSlack[first] + this.ends[first] * w + (hasSecond ? this.endSlack[second] : 0);
      this.starts[b] = starts;
      this.ends[b] = ends;
      this.startSlack[b] = startSlack;
      this.endSlack[b] = endSlack;
    }
    this.width = w * 2;
  }
}
