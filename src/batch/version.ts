import { readFileSync } from 'node:fs';

/** The package version, read once from package.json next to the build output. */
function readVersion(): string {
  for (const candidate of ['../../../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(candidate, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'closetrace' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // try the next layout (built dist/src/batch or source src/batch)
    }
  }
  return '0.0.0';
}

export const VERSION = readVersion();
