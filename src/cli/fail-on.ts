/**
 * --fail-on: the verdicts of connections, and `time-wait-pressure`, the finding about hosts (TIME_WAIT
 * sockets holding a large share of a client's ephemeral ports), which no connection carries.
 */
import { failOnMatched } from '../batch/index.js';
import type { Report } from '../report/model.js';
import { VERDICTS, type Verdict } from '../verdict/types.js';
import { UsageError } from './cli-options.js';

export const TIME_WAIT_PRESSURE = 'time-wait-pressure';

export interface FailOn {
  verdicts: Verdict[];
  timeWaitPressure: boolean;
}

export function parseFailOn(text: string): FailOn {
  const list = text
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
  const verdicts: Verdict[] = [];
  let timeWaitPressure = false;
  for (const v of list) {
    if (v === TIME_WAIT_PRESSURE) timeWaitPressure = true;
    else if (VERDICTS.includes(v as Verdict)) verdicts.push(v as Verdict);
    else throw new UsageError(`--fail-on: unknown verdict "${v}" (expected ${VERDICTS.join(', ')}, or ${TIME_WAIT_PRESSURE})`);
  }
  return { verdicts, timeWaitPressure };
}

/** Whether the finished report holds what --fail-on names (close-waits only when stuck at least `minStuckSeconds`). */
export function failOnHit(report: Report, failOn: FailOn, minStuckSeconds: number): boolean {
  if (failOn.timeWaitPressure && (report.timeWaitPressure ?? []).length > 0) return true;
  return failOnMatched(report, failOn.verdicts, minStuckSeconds);
}
