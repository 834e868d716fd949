/**
 * analyze() with textFormat: listed connections arrive as their text in the output format, rendered by
 * whichever thread analysed them (workers included), and the texts spilled and read back give exactly
 * the report rendered from records.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../src/batch/analyze.js';
import { BatchOptionError } from '../../src/batch/errors.js';
import { AnalyzeOptionError } from '../../src/batch/option-check.js';
import { RecordSpill } from '../../src/report/record-spill.js';
import { renderReport, type RenderOptions } from '../../src/render/render.js';
import { reportTexts, type ListingFormat } from '../../src/render/streamed-formats.js';
import { CAPTURES } from './helpers/archive.js';
import { ensureBuilt } from './helpers/dist.js';

beforeAll(() => ensureBuilt());

const OPTIONS: RenderOptions = { color: false, width: 100, limit: 20, all: true };

describe('textFormat', () => {
  for (const format of ['json', 'csv', 'ndjson', 'zeek'] as ListingFormat[]) {
    it(`${format}: texts from two threads, spilled and read back, are the report rendered from records`, async () => {
      const whole = await analyze([CAPTURES], { jobs: 1, all: true });
      const spill = new RecordSpill();
      const calls: { file: string; stream: number }[] = [];
      try {
        const report = await analyze([CAPTURES], {
          jobs: 2,
          workerPolicy: 'all',
          filter: { all: true },
          textFormat: format,
          onConnectionText: (file, stream, text) => {
            calls.push({ file, stream });
            spill.add(file, stream, text);
          },
        });
        expect(report.connections).toEqual([]);
        expect(calls.length).toBe(whole.connections.length);
        // Every file's connections came, with the stream each text is about.
        expect(calls.map((c) => `${c.file}#${c.stream}`).sort()).toEqual(whole.connections.map((c) => `${c.file}#${c.stream}`).sort());
        await spill.settle();
        const text = [...reportTexts(format, report, spill.texts())].join('');
        expect(text).toBe(renderReport(format, whole, OPTIONS));
      } finally {
        spill.remove();
      }
    }, 60_000);
  }

  it('needs its function, and is not given with onConnection or a listing', async () => {
    await expect(analyze([CAPTURES], { textFormat: 'json' })).rejects.toThrow(BatchOptionError);
    await expect(analyze([CAPTURES], { onConnectionText: () => undefined })).rejects.toThrow(BatchOptionError);
    await expect(analyze([CAPTURES], { textFormat: 'json', onConnectionText: () => undefined, onConnection: () => undefined })).rejects.toThrow(BatchOptionError);
    await expect(analyze([CAPTURES], { textFormat: 'table' as ListingFormat, onConnectionText: () => undefined })).rejects.toThrow(AnalyzeOptionError);
  });
});
