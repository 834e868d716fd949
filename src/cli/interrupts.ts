/**
 * Ctrl-C (SIGINT) and SIGTERM while closetrace runs. The first one stops reading: the report covers
 * what was read, says it is partial, and the exit code tells the shell the run was interrupted (128 +
 * the signal number: 130, 143). A second one ends the process at once: the first one gives the signal
 * back to its default action, so the kernel kills the process even while it is busy (writing a big
 * report to a full pipe, say) and no handler has to run.
 */
const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

export type InterruptSignal = keyof typeof EXIT_CODES;

export class Interrupts {
  readonly controller = new AbortController();
  private received: InterruptSignal | null = null;
  private readonly handlers = new Map<InterruptSignal, () => void>();
  private readonly listeners: (() => void)[] = [];

  constructor() {
    for (const name of Object.keys(EXIT_CODES) as InterruptSignal[]) {
      const handler = (): void => this.receive(name);
      this.handlers.set(name, handler);
      process.on(name, handler);
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The signal that interrupted the run, or null. */
  get interruptedBy(): InterruptSignal | null {
    return this.received;
  }

  /** 130 or 143 once interrupted, else null. */
  get exitCode(): number | null {
    return this.received === null ? null : EXIT_CODES[this.received];
  }

  /** Also called on the first signal (to stop a live capture's child, say). */
  onInterrupt(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Stops listening (the process then reacts to the signals in the default way). */
  dispose(): void {
    for (const [name, handler] of this.handlers) process.off(name, handler);
    this.handlers.clear();
  }

  private receive(name: InterruptSignal): void {
    if (this.received !== null) return;
    this.received = name;
    // No listener left: the next SIGINT or SIGTERM takes its default action and ends the process.
    this.dispose();
    this.controller.abort();
    for (const listener of this.listeners) listener();
  }
}
