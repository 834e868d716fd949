/**
 * The formats that list every connection (JSON, ndjson, CSV, Zeek conn.log), written piece by piece:
 * each record's text is made on its own (and can wait on disk in a RecordSpill), and the pieces joined
 * give exactly what renderJson, renderNdjson, renderCsv and renderZeek give for the whole report.
 */
import type { ConnectionRecord } from '../verdict/types.js';
import { csvHeader, csvRow } from './format-csv.js';
import { renderJson } from './format-json.js';
import { ndjsonLine, ndjsonSummaryLine } from './format-ndjson.js';
import type { Format } from './formats.js';
import type { Report } from '../report/model.js';
import { zeekFooter, zeekHeader, zeekRow } from './format-zeek.js';

export type ListingFormat = 'json' | 'ndjson' | 'csv' | 'zeek';

export function isListingFormat(format: Format): format is ListingFormat {
  return format === 'json' || format === 'ndjson' || format === 'csv' || format === 'zeek';
}

/** A record's text in the format: a JSON array element at its indentation, an ndjson line, a CSV row. */
export function recordText(format: ListingFormat): (record: ConnectionRecord) => string {
  switch (format) {
    case 'json':
      return jsonElement;
    case 'ndjson':
      return ndjsonLine;
    case 'csv':
      return csvRow;
    case 'zeek':
      return zeekRow;
  }
}

const WRAP_OPEN = '{\n  "c": [\n';
const WRAP_CLOSE = '\n  ]\n}';

/**
 * A record as an element of the report's `connections` array, every line indented by four spaces: cut
 * out of the record stringified inside a two-level wrapper, which indents it so. (Indenting with a
 * regular expression afterwards took 50 % longer: 0.66 s against 0.45 s for the bench's 58,000 records.)
 */
function jsonElement(record: ConnectionRecord): string {
  const wrapped = JSON.stringify({ c: [record] }, null, 2);
  return wrapped.slice(WRAP_OPEN.length, wrapped.length - WRAP_CLOSE.length);
}

/**
 * The whole output: `report` for everything but its connections, whose texts come in report order (as
 * strings, or as their UTF-8 bytes straight from a RecordSpill, which are passed through as they are).
 */
export function* reportTexts<P extends string | Uint8Array>(format: ListingFormat, report: Report, records: Iterable<P>): Generator<string | P> {
  switch (format) {
    case 'json': {
      // `connections` is the report's last key: open its array, list the elements, close it.
      const empty = renderJson({ ...report, connections: [] });
      const closing = '[]\n}\n';
      if (!empty.endsWith(closing)) throw new Error('the JSON report must end with its connections');
      yield `${empty.slice(0, -closing.length)}[`;
      let first = true;
      for (const text of records) {
        yield first ? '\n' : ',\n';
        yield text;
        first = false;
      }
      yield first ? ']\n}\n' : '\n  ]\n}\n';
      return;
    }
    case 'ndjson':
      yield* records;
      yield ndjsonSummaryLine(report);
      return;
    case 'csv':
      yield csvHeader();
      yield* records;
      return;
    case 'zeek':
      yield zeekHeader(report);
      yield* records;
      yield zeekFooter(report);
      return;
  }
}
