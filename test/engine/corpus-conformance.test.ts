import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runConformance } from '../../scripts/conformance.js';

const corpus = join(import.meta.dirname, '..', '..', '..', 'shared', 'corpus');

/**
 * The differential check against tshark on the team's shared corpus of public captures (skipped where
 * ../shared is absent): every stream agrees in endpoints, frame range, packet count, FIN and RST frames,
 * including packets that arrive after a connection was judged (its record's `late`).
 */
describe.skipIf(!existsSync(join(corpus, 'index.tsv')))('agreement with tshark on ../shared/corpus', () => {
  it('frame and TCP segment counts on every file, and every stream', async () => {
    const result = await runConformance(corpus);
    expect(result.framesAgree, result.problems.slice(0, 10).join('\n')).toBe(result.files);
    expect(result.streamsAgree, result.problems.slice(0, 10).join('\n')).toBe(result.streams);
    expect(result.filesAgree).toBe(result.files);
    expect(result.streams).toBeGreaterThan(2600);
  }, 300_000);
});
