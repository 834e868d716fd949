/** A file to analyse: its position in the run's list, its path and size (for largest-first). */
export interface FileTask {
  index: number;
  path: string;
  size: number;
}

/**
 * The files of a parallel run, largest first (so one big file started last does not leave the other
 * threads idle at the end), shared by the worker threads and the main thread, which take the next one
 * whenever they are free. Closed on abort: nothing new starts.
 */
export class TaskQueue {
  private readonly tasks: FileTask[];
  private closed = false;

  constructor(tasks: readonly FileTask[]) {
    this.tasks = [...tasks].sort((a, b) => b.size - a.size || a.index - b.index);
  }

  get length(): number {
    return this.closed ? 0 : this.tasks.length;
  }

  take(): FileTask | undefined {
    return this.closed ? undefined : this.tasks.shift();
  }

  close(): void {
    this.closed = true;
  }
}
