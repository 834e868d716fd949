/** LINKTYPE_* values (tcpdump.org link-layer header types) the decoder understands, and display names. */
export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_PPP = 9;
export const LINKTYPE_FDDI = 10;
/** DLT_RAW as some OSes numbered it in pcap files (libpcap maps these to LINKTYPE_RAW). */
export const LINKTYPE_RAW_12 = 12;
export const LINKTYPE_RAW_14 = 14;
export const LINKTYPE_PPP_HDLC = 50;
/** PPPoE (BSD's DLT_PPP_ETHER): each packet begins with the PPPoE header. */
export const LINKTYPE_PPP_ETHER = 51;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_C_HDLC = 104;
export const LINKTYPE_IEEE802_11 = 105;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IEEE802_11_RADIOTAP = 127;
export const LINKTYPE_ARCNET_LINUX = 129;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_NFLOG = 239;
export const LINKTYPE_IPOIB = 242;
export const LINKTYPE_LINUX_SLL2 = 276;

const NAMES: Record<number, string> = {
  0: 'null',
  1: 'ethernet',
  9: 'ppp',
  10: 'fddi',
  12: 'raw',
  14: 'raw',
  50: 'ppp-hdlc',
  51: 'ppp-ether',
  101: 'raw',
  104: 'c-hdlc',
  105: 'ieee802.11',
  108: 'loop',
  113: 'linux-sll',
  127: 'ieee802.11-radiotap',
  129: 'arcnet-linux',
  228: 'ipv4',
  229: 'ipv6',
  239: 'nflog',
  242: 'ipoib',
  276: 'linux-sll2',
};

/** A short name for reports ("ethernet", "linux-sll2"), or "linktype-N" for ones we do not name. */
export function linkTypeName(linkType: number): string {
  return NAMES[linkType] ?? `linktype-${linkType}`;
}
