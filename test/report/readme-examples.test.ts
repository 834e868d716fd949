import { describe, expect, it } from 'vitest';
import { rewriteReadme } from '../../scripts/readme-examples.js';

describe('readme-examples rewriteReadme', () => {
  const readme = ['# closetrace', '', '<!-- example:table -->', 'old table', '<!-- /example:table -->', 'middle', '<!-- example:markdown -->', '<!-- /example:markdown -->', 'end', ''].join('\n');

  it('replaces only what is between the markers, and is stable', () => {
    const once = rewriteReadme(readme, { table: '```text\nnew\n```', markdown: 'md' });
    expect(once).toBe(['# closetrace', '', '<!-- example:table -->', '```text\nnew\n```', '<!-- /example:table -->', 'middle', '<!-- example:markdown -->', 'md', '<!-- /example:markdown -->', 'end', ''].join('\n'));
    expect(rewriteReadme(once, { table: '```text\nnew\n```', markdown: 'md' })).toBe(once);
  });

  it('refuses a README without the markers', () => {
    expect(() => rewriteReadme('# closetrace\n', { table: 'x' })).toThrow(/lacks the markers <!-- example:table -->/);
  });
});
