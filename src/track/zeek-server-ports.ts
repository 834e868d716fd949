/**
 * Ports Zeek's default analyzers register (its `likely_server_ports`), used by Zeek to decide who
 * originated a connection whose first packet is not a SYN. The real set depends on the scripts a Zeek
 * installation loads; these are the ones the base scripts register for TCP.
 */
export const ZEEK_LIKELY_SERVER_PORTS: ReadonlySet<number> = new Set([
  21, 22, 23, 25, 53, 80, 81, 88, 110, 111, 113, 135, 139, 143, 389, 443, 445, 502, 512, 513, 514, 543, 544, 563,
  585, 587, 614, 631, 636, 750, 989, 990, 992, 993, 995, 1080, 1723, 1812, 1883, 2811, 3128, 3268, 3306, 3389, 5060,
  5222, 5223, 5269, 6379, 6666, 6667, 6668, 6669, 8000, 8080, 8888, 20000,
]);
