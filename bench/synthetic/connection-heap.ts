import type { Connection } from './connection.js';

/**
 * Min-heap of connections by (time, id): the next packet of the capture is at the top. Keys live in typed
 * arrays beside the connections, so sifting compares numbers in a few cache lines instead of chasing
 * thousands of scattered objects (this was the generator's single largest cost).
 */
export class ConnectionHeap {
  private conns: Connection[] = [];
  private times = new Float64Array(1024);
  private ids = new Float64Array(1024);
  private n = 0;

  get size(): number {
    return this.n;
  }

  top(): Connection {
    return this.conns[0];
  }

  push(c: Connection): void {
    if (this.n === this.times.length) {
      const times = new Float64Array(this.n * 2);
      const ids = new Float64Array(this.n * 2);
      times.set(this.times);
      ids.set(this.ids);
      this.times = times;
      this.ids = ids;
    }
    const { conns, times, ids } = this;
    const time = c.time;
    const id = c.id;
    let i = this.n++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (times[parent] < time || (times[parent] === time && ids[parent] < id)) break;
      conns[i] = conns[parent];
      times[i] = times[parent];
      ids[i] = ids[parent];
      i = parent;
    }
    conns[i] = c;
    times[i] = time;
    ids[i] = id;
  }

  /** Restores order after the top's time grew. */
  siftTop(): void {
    const { conns, times, ids } = this;
    const n = this.n;
    const c = conns[0];
    const time = c.time;
    const id = c.id;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && (times[right] < times[child] || (times[right] === times[child] && ids[right] < ids[child]))) child = right;
      if (time < times[child] || (time === times[child] && id < ids[child])) break;
      conns[i] = conns[child];
      times[i] = times[child];
      ids[i] = ids[child];
      i = child;
    }
    conns[i] = c;
    times[i] = time;
    ids[i] = id;
  }

  popTop(): void {
    const last = --this.n;
    if (last > 0) {
      this.conns[0] = this.conns[last];
      this.siftTop();
    }
    this.conns.length = this.n;
  }
}

