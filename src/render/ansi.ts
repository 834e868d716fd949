/**
 * ANSI styling for the terminal table. A Painter built with `enabled: false` returns text unchanged, so
 * renderers call it unconditionally and output without colour has no escape code at all.
 */
import type { Verdict } from '../verdict/types.js';
import { severity, type Severity } from '../verdict/catalogue.js';

const CODES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  yellow: [33, 39],
  cyan: [36, 39],
  green: [32, 39],
  blue: [34, 39],
} as const;

type Style = keyof typeof CODES;

const SEVERITY_STYLE: Record<Severity, Style[]> = {
  critical: ['bold', 'red'],
  error: ['red'],
  warning: ['yellow'],
  notice: ['cyan'],
  normal: ['green'],
  live: ['blue'],
};

export interface Painter {
  style: (text: string, ...styles: Style[]) => string;
  /** A verdict name coloured by its severity. */
  verdict: (text: string, verdict: Verdict) => string;
}

export function painter(enabled: boolean): Painter {
  const style = (text: string, ...styles: Style[]): string => {
    if (!enabled || text === '') return text;
    return styles.reduce((t, s) => `\u001b[${CODES[s][0]}m${t}\u001b[${CODES[s][1]}m`, text);
  };
  return { style, verdict: (text, verdict) => style(text, ...SEVERITY_STYLE[severity(verdict)]) };
}
