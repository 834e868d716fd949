/**
 * Worker-thread entry: analyses the files the main thread sends, one at a time, each into a fresh
 * ReportBuilder, and answers with the file's facts and figures (see worker-protocol.ts). Memory is that of
 * a single-file run: records leave in small batches as they are made.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { VERSION } from './version.js';
import { entryOfJudged, ListingBuilder, newEntry } from '../report/listing.js';
import { ReportBuilder } from '../report/report-builder.js';
import { recordText } from '../render/streamed-formats.js';
import type { ConnectionRecord } from '../verdict/types.js';
import { analyzeFile } from './file-analysis.js';
import { filterPredicates } from './filter-spec.js';
import type { FromWorker, ToWorker, WorkerSetup } from './worker-protocol.js';

const RECORD_BATCH = 256;
const PROGRESS_INTERVAL_MS = 50;

const port = parentPort;
if (port === null) throw new Error('analysis-worker.js must run in a worker thread');
const setup = workerData as WorkerSetup;
const { scope, list, hidden } = filterPredicates(setup.filter);
let stopped = false;
let controller: AbortController | null = null;

const post = (message: FromWorker): void => port.postMessage(message);

port.on('message', (message: ToWorker) => {
  if (message.type === 'abort') {
    stopped = true;
    controller?.abort();
    return;
  }
  void analyze(message.index, message.path);
});

async function analyze(index: number, path: string): Promise<void> {
  controller = new AbortController();
  if (stopped) controller.abort();
  // Without records to send, the builder never asks for a record to be made (it still counts what is listed).
  const builder = new ReportBuilder(VERSION, list, { hidden, records: setup.records, rotatedSets: true });
  // A listing takes the records it may show itself; nothing else is sent then.
  const listing = setup.listLimit === null ? null : new ListingBuilder(setup.listLimit, setup.listCharts);
  const scratch = newEntry();
  let batch: ConnectionRecord[] = [];
  // Or, when the main thread wants texts, each record's text with its sort key.
  const render = setup.recordTexts === null ? null : recordText(setup.recordTexts);
  let files: string[] = [];
  let streams: number[] = [];
  let texts: string[] = [];
  const flush = (): void => {
    if (batch.length > 0) post({ type: 'records', index, json: JSON.stringify(batch) });
    if (texts.length > 0) post({ type: 'texts', index, files, streams, texts });
    batch = [];
    files = [];
    streams = [];
    texts = [];
  };
  let lastProgress = -Infinity;
  try {
    const facts = await analyzeFile(
      path,
      {
        scope,
        count: (c, record) => {
          if (!builder.addJudged(c)) return false;
          if (listing === null) return true;
          listing.offer(entryOfJudged(c, scratch), record);
          return false;
        },
        record: (r) => {
          if (render === null) batch.push(r);
          else {
            files.push(r.file);
            streams.push(r.stream);
            texts.push(render(r));
          }
          if (batch.length + texts.length >= RECORD_BATCH) flush();
        },
      },
      setup.settings,
      {
        signal: controller.signal,
        onProgress: (rawBytesRead, rawSize, frames) => {
          const now = performance.now();
          if (now - lastProgress < PROGRESS_INTERVAL_MS) return;
          lastProgress = now;
          post({ type: 'progress', index, rawBytesRead, rawSize, frames });
        },
      },
    );
    flush();
    post({ type: 'done', index, facts, partial: builder.partial(), listing: listing?.partial() ?? null });
  } catch (error) {
    flush();
    post({ type: 'failed', index, message: error instanceof Error ? error.message : String(error) });
  } finally {
    controller = null;
  }
}
