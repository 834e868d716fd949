/**
 * One colour per verdict for the HTML report's chips, charts and legends: reds and oranges for the
 * findings that hurt most, blues and teals for the milder ones, greens for normal ends. Dark enough
 * for white text on a chip and for a black-and-white printout to still tell bars apart by shade.
 */
import type { Verdict } from '../verdict/types.js';

const PALETTE: Record<Verdict, string> = {
  'close-wait': '#b71c1c',
  'late-fin-reset': '#d84315',
  'abortive-close': '#ad1457',
  'reset-after-close': '#ef6c00',
  'keepalive-timeout': '#6a1b9a',
  reset: '#795548',
  'fin-unacked': '#9e7700',
  'slow-close': '#00838f',
  refused: '#1565c0',
  unanswered: '#3949ab',
  orderly: '#2e7d32',
  'simultaneous-close': '#558b2f',
  open: '#607d8b',
};

export function verdictColour(verdict: Verdict): string {
  return PALETTE[verdict];
}
