import type { Report } from '../report/model.js';

/** The JSON report (schema 1, schema/report.schema.json), indented for people and diffs. */
export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
