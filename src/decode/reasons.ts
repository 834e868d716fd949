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
  /** An IP fragment not held: its datagram broke a reassembly limit (64 KiB, fragment count). */
  FragmentDropped = 10,
  /** Internal: a later fragment completed a datagram and released its held TCP header. */
  FragmentCompleted = 11,
}

export const REASON_COUNT = 11;

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
  'ip-fragment-dropped',
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
  | 'icmp-error'
  | 'ip-fragment-dropped';
