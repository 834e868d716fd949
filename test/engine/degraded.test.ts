import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  analyzeBytes,
  buildVariant,
  expectationsFor,
  judgeRecords,
  loadManifest,
  readCaptureModel,
  sourceCaptures,
  variantBytes,
  VARIANTS,
  type CaptureModel,
  type ManifestCapture,
  type VariantName,
} from '../../tools/degrade/index.js';

/**
 * Degraded variants of every real-socket capture in captures/ (tools/degrade: dropped FIN or data, one
 * direction only, SPAN duplicates, late start, short snap lengths, reordering), each analysed by closetrace.
 * Every clean connection must get the verdict written down for that variant in tools/degrade/expected.ts
 * (or be absent from the report), and no other connection may appear.
 */
const root = join(import.meta.dirname, '..', '..', 'captures');
const captures = sourceCaptures(loadManifest(root));

const models = new Map<string, Promise<CaptureModel>>();
const model = (capture: ManifestCapture): Promise<CaptureModel> => {
  let m = models.get(capture.file);
  if (m === undefined) {
    m = readCaptureModel(join(root, capture.file));
    models.set(capture.file, m);
  }
  return m;
};

const runs = new Map<string, ReturnType<typeof judgeVariant>>();
async function judgeVariant(capture: ManifestCapture, variant: VariantName) {
  const m = await model(capture);
  const built = buildVariant(m, capture.connections, variant);
  const { records, error } = await analyzeBytes(variantBytes(m, built));
  return { error, ...judgeRecords(expectationsFor(capture, variant), records) };
}
const judged = (capture: ManifestCapture, variant: VariantName): ReturnType<typeof judgeVariant> => {
  const key = `${capture.file} ${variant}`;
  let run = runs.get(key);
  if (run === undefined) {
    run = judgeVariant(capture, variant);
    runs.set(key, run);
  }
  return run;
};

describe.each(captures.map((c) => [c.file, c] as const))('%s', (_file, capture) => {
  describe.each(VARIANTS.map((v) => [v] as const))('%s', (variant) => {
    it('is read without error and reports no connection the clean capture does not have', async () => {
      const { error, extra } = await judged(capture, variant);
      expect(error, `${capture.file} [${variant}]: read error`).toBeNull();
      expect(
        extra.map((r) => `${r.client} -> ${r.server}: ${r.verdict} endpoint=${r.endpoint}`),
        `${capture.file} [${variant}]: records matching no clean connection`,
      ).toEqual([]);
    });

    it.each(expectationsFor(capture, variant).map((e) => [e.scenario, e.connection.client, e.connection.server, e] as const))(
      '%s %s -> %s',
      async (scenario, client, server, { expected }) => {
        const { outcomes } = await judged(capture, variant);
        const outcome = outcomes.find((o) => o.connection.client === client && o.connection.server === server);
        expect(outcome).toBeDefined();
        expect(outcome?.got, `${capture.file} [${variant}] ${client} -> ${server} (${scenario}): expected ${outcome?.expected}; got ${outcome?.got} (rule: ${expected.rule})`).toBe(
          outcome?.expected,
        );
      },
    );
  });
});
