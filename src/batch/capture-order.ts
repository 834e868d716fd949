import type { CaptureFacts } from '../report/model.js';
import type { ReportBuilder } from '../report/report-builder.js';

/**
 * Puts per-file facts into the report in input order however the files finish (parallel workers finish
 * in any order): each is held until every earlier file is in, then added and announced (onCapture), so
 * `captures` and the onCapture calls are the same whatever the number of workers.
 */
export class CaptureOrder {
  private next = 0;
  private readonly waiting = new Map<number, CaptureFacts>();

  constructor(
    private readonly builder: ReportBuilder,
    private readonly count: number,
    private readonly onCapture?: (facts: CaptureFacts) => void,
  ) {}

  put(index: number, facts: CaptureFacts): void {
    this.waiting.set(index, facts);
    this.flush();
  }

  /** Adds what is left after a stop: files never started leave gaps, skipped over. */
  finish(): void {
    while (this.next < this.count) {
      this.flush();
      if (this.next < this.count && !this.waiting.has(this.next)) this.next++;
    }
  }

  private flush(): void {
    for (let facts = this.waiting.get(this.next); facts !== undefined; facts = this.waiting.get(this.next)) {
      this.waiting.delete(this.next);
      this.next++;
      this.builder.addCapture(facts);
      this.onCapture?.(facts);
    }
  }
}
