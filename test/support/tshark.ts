/** tshark as an independent reference, when installed (it is not on CI: tests using it skip themselves). */
import { execFileSync, spawnSync } from 'node:child_process';

export const hasTshark = spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;

/**
 * One row per frame, one string per field (repeated occurrences joined with commas). Extra arguments go
 * before `-T fields`, e.g. ['-o', 'tcp.analyze_sequence_numbers:FALSE'].
 */
export function tsharkFields(file: string, fields: string[], extra: string[] = []): string[][] {
  const args = ['-r', file, '-n', ...extra, '-T', 'fields'];
  for (const f of fields) args.push('-e', f);
  const out = execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 30 });
  return out
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => line.split('\t'));
}
