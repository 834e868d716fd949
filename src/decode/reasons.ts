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
  /** A pcapng record that is not a packet (custom block, systemd journal entry). */
  NotAPacket = 8,
  /** An ICMP error quoting a TCP header (numbered like tshark, recorded, not a segment). */
  IcmpError = 9,
  /** Internal: a later fragment completed a datagram and released its held TCP header. */
  FragmentCompleted = 10,
}

export const REASON_COUNT = 10;

export const REASON_NAMES: readonly string[] = [
  'decoded',
  'unsupported-link-type',
  'not-ip',
  'not-tcp',
  'ip-fragment',
  'truncated-header',
  'malformed-header',
  'too-many-encapsulations',
  'not-a-packet',
  'icmp-error',
];

/** The keys that can appear in a capture's `notDecoded` counts. */
export type NotDecodedReason =
  | 'unsupported-link-type'
  | 'not-ip'
  | 'not-tcp'
  | 'ip-fragment'
  | 'truncated-header'
  | 'malformed-header'
  | 'too-many-encapsulations'
  | 'not-a-packet'
  | 'icmp-error';
