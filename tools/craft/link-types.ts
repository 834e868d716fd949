/**
 * Numbers that name link layers and the protocols inside them. LINKTYPE_* values are what capture files
 * store; the raw-IP family has several because BSDs disagreed on DLT_RAW (12 on most, 14 on OpenBSD)
 * before LINKTYPE_RAW (101) was assigned.
 */
export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  RAW_DLT12: 12,
  RAW_DLT14: 14,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

export const ETHERTYPE = {
  IPV4: 0x0800,
  ARP: 0x0806,
  VLAN: 0x8100,
  IPV6: 0x86dd,
  QINQ: 0x88a8,
} as const;

/**
 * Address families for BSD null/loop headers. AF_INET6 differs per OS, and captures from all of them are
 * read on any machine, so a reader must accept every one.
 */
export const AF = {
  INET: 2,
  /** NetBSD, OpenBSD, BSD/OS. */
  INET6_BSD: 24,
  INET6_FREEBSD: 28,
  /** macOS / Darwin. */
  INET6_DARWIN: 30,
} as const;

export const IPPROTO = {
  HOPOPTS: 0,
  ICMP: 1,
  TCP: 6,
  UDP: 17,
  ROUTING: 43,
  FRAGMENT: 44,
  ICMPV6: 58,
  NONE: 59,
  DSTOPTS: 60,
} as const;
