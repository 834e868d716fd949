/**
 * A capture that cannot be read further. `offset` is the byte offset in the (decompressed) capture stream
 * where the problem starts, so the one-line message can point at it.
 */
export class CaptureError extends Error {
  readonly offset: number;
  readonly reason: string;

  constructor(offset: number, reason: string) {
    super(`at byte ${offset}: ${reason}`);
    this.name = 'CaptureError';
    this.offset = offset;
    this.reason = reason;
  }
}
