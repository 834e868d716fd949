/** HTML text and attribute escaping: everything from a capture is shown as text, never as markup. */
import { printable } from './text-width.js';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text content or a quoted attribute value; control characters become visible `\xNN`. */
export function html(text: string): string {
  return printable(text).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** Our own prose with `code` marked by backticks (advice.ts): escaped, then the code spans become <code>. */
export function htmlProse(text: string): string {
  return html(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}
