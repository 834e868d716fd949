/**
 * Terminal column arithmetic for the table: how wide text is on screen, and how to wrap or shorten it
 * to a column. Data from captures (file names above all) can hold anything, so it is made printable
 * first: a control character in a file name must not move the cursor or start an escape sequence.
 */

// ANSI CSI/OSC sequences this module itself may have added (colours); they take no columns.
const ANSI = /\u001b\[[0-9;]*m/g;

/** C0/C1 controls, DEL, and the bidirectional overrides that can make a terminal line lie about its order. */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/** Replaces characters a terminal would act on instead of showing with a visible `\xNN` / `\u{NNNN}`. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const code = c.codePointAt(0) ?? 0;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** Columns a string takes in a terminal: East Asian wide and emoji take two, combining marks none. */
export function displayWidth(text: string): number {
  // Most cells are plain ASCII (addresses, numbers, times): their width is their length.
  if (/^[\x20-\x7e]*$/.test(text)) return text.length;
  let width = 0;
  for (const char of stripAnsi(text)) width += charWidth(char.codePointAt(0) ?? 0);
  return width;
}

function charWidth(code: number): number {
  if (code < 0x20 || (code >= 0x7f && code < 0xa0)) return 0;
  if ((code >= 0x300 && code <= 0x36f) || (code >= 0x200b && code <= 0x200f) || code === 0xfeff || (code >= 0xfe00 && code <= 0xfe0f)) return 0;
  return isWide(code) ? 2 : 1;
}

function isWide(code: number): boolean {
  return (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0x303e) ||
    (code >= 0x3041 && code <= 0x33ff) ||
    (code >= 0x3400 && code <= 0x4dbf) ||
    (code >= 0x4e00 && code <= 0x9fff) ||
    (code >= 0xa000 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1f64f) ||
    (code >= 0x1f900 && code <= 0x1f9ff) ||
    (code >= 0x20000 && code <= 0x3fffd)
  );
}

/** Pads with spaces on the right (or left) to `width` columns. */
export function pad(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return align === 'left' ? text + fill : fill + text;
}

/** Shortens to `width` columns with an ellipsis in the middle, keeping the start and the end (a path's file name). */
export function truncateMiddle(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width <= 1) return '…'.slice(0, width);
  const chars = [...text];
  const headWidth = Math.ceil((width - 1) / 2);
  const tailWidth = width - 1 - headWidth;
  let head = '';
  for (const c of chars) {
    if (displayWidth(head + c) > headWidth) break;
    head += c;
  }
  let tail = '';
  for (let i = chars.length - 1; i >= 0; i--) {
    if (displayWidth(chars[i] + tail) > tailWidth) break;
    tail = chars[i] + tail;
  }
  return `${head}…${tail}`;
}

/**
 * Splits a word into pieces that may end a line when the whole word does not fit: inside addresses and
 * paths after ':' '/' '\\' ',' '-' '_' and before '[', so an IPv6 address wraps at its groups and a
 * path at its directories rather than in the middle of a number.
 */
function wordPieces(word: string): string[] {
  const pieces: string[] = [];
  let current = '';
  for (const c of word) {
    if (c === '[' && current !== '') {
      pieces.push(current);
      current = '';
    }
    // `]:port` stays with the last group of an IPv6 address.
    const afterBracket = c === ':' && current.endsWith(']');
    current += c;
    if (afterBracket) continue;
    if (c === ':' || c === '/' || c === '\\' || c === ',' || c === '-' || c === '_') {
      pieces.push(current);
      current = '';
    }
  }
  if (current !== '') pieces.push(current);
  return pieces;
}

/**
 * Wraps to lines of at most `width` columns: at spaces first; a word wider than a whole line is split at
 * the points above, and a piece wider than a line is cut.
 */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    const push = (): void => {
      out.push(line);
      line = '';
    };
    for (const word of paragraph.split(' ')) {
      const joined = line === '' ? word : `${line} ${word}`;
      if (displayWidth(joined) <= width) {
        line = joined;
        continue;
      }
      if (line !== '') push();
      if (displayWidth(word) <= width) {
        line = word;
        continue;
      }
      for (const piece of wordPieces(word)) {
        if (displayWidth(line + piece) > width && line !== '') push();
        line += piece;
        while (displayWidth(line) > width) {
          const head = cut(line, width);
          out.push(head);
          line = line.slice(head.length);
        }
      }
    }
    out.push(line);
  }
  return out;
}

/** The longest prefix of at most `width` columns (at least one character, so wrapping always advances). */
function cut(text: string, width: number): string {
  let head = '';
  for (const c of text) {
    if (displayWidth(head + c) > width) break;
    head += c;
  }
  return head === '' ? [...text][0] : head;
}
