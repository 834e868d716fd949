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

/** The one-line error for a capture whose reading stopped at `offset` (decompressed bytes). */
export function describeReadError(file: string, error: unknown, offset: number): string {
  if (error instanceof CaptureError) return `${file}: ${error.message}`;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (code.startsWith('Z_') || code === 'ZSTD_ERROR')) {
    return `${file}: at byte ${offset} of the decompressed data: the compressed stream is corrupt or truncated (${(error as Error).message})`;
  }
  if (typeof code === 'string') return `${file}: read failed at byte ${offset}: ${describeSystemError(error)}`;
  const message = error instanceof Error ? error.message : String(error);
  return `${file}: at byte ${offset}: internal error while reading: ${message}`;
}

/** A system error as a few words (no errno names for the user to look up). */
export function describeSystemError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
