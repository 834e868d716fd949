/**
 * Markdown (CommonMark + GitHub tables) for text that comes from captures: file names can hold anything,
 * and a ticket must show them as text, never as links, emphasis, HTML or broken tables.
 */
import { printable } from './text-width.js';

/**
 * Plain text with every inline construct disarmed: backslash-escapes what could start emphasis, code,
 * links, HTML, entities or strikethrough, and what would start a block at the beginning of a line.
 * Control characters (a newline would end a table row) become visible `\xNN`.
 */
export function mdText(text: string): string {
  // Trackers act on `@name` (a mention that notifies someone) and `#123` (a cross-reference that links
  // back) even after a backslash escape; inside a code span they are only text.
  const parts = text.split(TRACKER_REFERENCE);
  return parts.map((part, i) => (i % 2 === 1 ? mdCode(part) : escapeText(part, i === 0))).join('');
}

/** `@user`, `@org/team`, `#123`. */
const TRACKER_REFERENCE = /((?<![\w@#`])(?:@[A-Za-z0-9][\w.\/-]*|#\d+\b))/;

function escapeText(text: string, atLineStart: boolean): string {
  let escaped = text
    .replace(/[\\`*[\]<>~&]/g, (c) => `\\${c}`)
    // `_` between two letters or digits cannot emphasise (CommonMark's flanking rules): SO_LINGER stays readable.
    .replace(/_/g, (c, offset: number, whole: string) => (isWordChar(whole[offset - 1]) && isWordChar(whole[offset + 1]) ? c : '\\_'));
  // Block starts matter only at the beginning of a line: `# `, `- `, `+ `, `1. `, `1) `, a run of `=`.
  if (atLineStart) {
    escaped = escaped
      .replace(/^([#+-])(?=\s|$)/, '\\$1')
      .replace(/^(\d+)([.)])(?=\s|$)/, '$1\\$2')
      .replace(/^=/, '\\=');
  }
  return printable(escaped);
}

function isWordChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9]/.test(c);
}

/** An inline code span holding `text` verbatim, whatever backticks it contains. */
export function mdCode(text: string): string {
  const content = printable(text);
  if (content === '') return '` `';
  const longest = Math.max(0, ...(content.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  // A space each side when the content starts or ends with a backtick, so the fence stays separate.
  const spaced = content.startsWith('`') || content.endsWith('`') ? ` ${content} ` : content;
  return `${fence}${spaced}${fence}`;
}

/**
 * A GitHub table cell from already formatted markdown: `|` must be escaped everywhere in a row, even
 * inside code spans (GFM unescapes `\|` before parsing the cell).
 */
function mdCell(markdown: string): string {
  return markdown.replace(/\|/g, '\\|');
}

/** A whole table: header, alignment row, and rows of formatted markdown cells. */
export function mdTable(headers: readonly string[], aligns: readonly ('left' | 'right')[], rows: readonly string[][]): string[] {
  const line = (cells: readonly string[]): string => `| ${cells.map(mdCell).join(' | ')} |`;
  return [line(headers), `|${aligns.map((a) => (a === 'right' ? ' ---: ' : ' --- ')).join('|')}|`, ...rows.map(line)];
}

/** A fence longer than any run of backticks in `body`, so the block cannot be closed early. */
export function mdFence(body: string): string {
  const longest = Math.max(0, ...(body.match(/`{3,}/g) ?? []).map((run) => run.length));
  return '`'.repeat(Math.max(3, longest + 1));
}
