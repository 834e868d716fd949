/** Parses "90", "1.5s", "500ms", "2m", "1h", "1d" into seconds; null when it is not a duration. */
export function parseDuration(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|sec|m|min|h|d)?\s*$/i.exec(text);
  if (match === null) return null;
  const value = Number(match[1]);
  switch ((match[2] ?? 's').toLowerCase()) {
    case 'ms':
      return value / 1000;
    case 'm':
    case 'min':
      return value * 60;
    case 'h':
      return value * 3600;
    case 'd':
      return value * 86400;
    default:
      return value;
  }
}
