/** Why a frame yielded no TCP segment. Counted per capture and reported with its facts. */
export const enum Reason {
  Decoded = 0,
  UnsupportedLinkType = 1,
  NotIp = 2,
  NotTcp = 3,
  Fragment = 4,
  Truncated = 5,
  Malformed = 6,
  TooDeep = 7,
}

export const REASON_COUNT = 8;

export const REASON_NAMES: readonly string[] = [
  'decoded',
  'unsupported-link-type',
  'not-ip',
  'not-tcp',
  'ip-fragment',
  'truncated-header',
  'malformed-header',
  'too-many-encapsulations',
];

/** The keys that can appear in a capture's `notDecoded` counts. */
export type NotDecodedReason =
  | 'unsupported-link-type'
  | 'not-ip'
  | 'not-tcp'
  | 'ip-fragment'
  | 'truncated-header'
  | 'malformed-header'
  | 'too-many-encapsulations';
