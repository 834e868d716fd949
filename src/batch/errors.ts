/**
 * Options that cannot work together or a report file that cannot be used, described in one line for the
 * user (the command line prints the message and exits 2; no stack trace is wanted for these).
 */
export class BatchOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BatchOptionError';
  }
}
