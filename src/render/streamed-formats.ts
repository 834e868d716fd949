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
      return (record) => `    ${JSON.stringify(record, null, 2).replace(/\n/g, '\n    ')}`;
    case 'ndjson':
      return ndjsonLine;
    case 'csv':
      return csvRow;
    case 'zeek':
      return zeekRow;
  }
}

/** The whole output: `report` for everything but its connections, whose texts come in report order. */
export function* reportTexts(format: ListingFormat, report: Report, records: Iterable<string>): Generator<string> {
  switch (format) {
    case 'json': {
      // `connections` is the report's last key: open its array, list the elements, close it.
      const empty = renderJson({ ...report, connections: [] });
      const closing = '[]\n}\n';
      if (!empty.endsWith(closing)) throw new Error('the JSON report must end with its connections');
      yield `${empty.slice(0, -closing.length)}[`;
      let first = true;
      for (const text of records) {
        yield `${first ? '\n' : ',\n'}${text}`;
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
