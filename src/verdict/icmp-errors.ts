import type { IcmpEvent } from '../track/evidence.js';

/** What an ICMP error says, in words ("port unreachable"). */
export function describeIcmp(e: IcmpEvent): string {
  if (e.ipVersion === 4) {
    switch (e.type) {
      case 3:
        return (
          [
            'network unreachable',
            'host unreachable',
            'protocol unreachable',
            'port unreachable',
            'fragmentation needed',
            'source route failed',
            'destination network unknown',
            'destination host unknown',
            'source host isolated',
            'network administratively prohibited',
            'host administratively prohibited',
            'network unreachable for TOS',
            'host unreachable for TOS',
            'communication administratively prohibited',
            'host precedence violation',
            'precedence cutoff in effect',
          ][e.code] ?? `destination unreachable (code ${e.code})`
        );
      case 4:
        return 'source quench';
      case 5:
        return 'redirect';
      case 11:
        return 'time exceeded';
      case 12:
        return 'parameter problem';
    }
  } else {
    switch (e.type) {
      case 1:
        return (
          [
            'no route to destination',
            'communication administratively prohibited',
            'beyond scope of source address',
            'address unreachable',
            'port unreachable',
            'source address failed ingress/egress policy',
            'reject route to destination',
          ][e.code] ?? `destination unreachable (code ${e.code})`
        );
      case 2:
        return 'packet too big';
      case 3:
        return 'time exceeded';
      case 4:
        return 'parameter problem';
    }
  }
  return `ICMP type ${e.type} code ${e.code}`;
}

/**
 * A destination-unreachable that refuses the connection outright: port unreachable (what a host or
 * `iptables -j REJECT` sends; Linux connect() then fails with ECONNREFUSED) or administratively
 * prohibited (a firewall's reject).
 */
export function isRefusal(e: IcmpEvent): boolean {
  if (e.ipVersion === 4) return e.type === 3 && (e.code === 3 || e.code === 9 || e.code === 10 || e.code === 13);
  return e.type === 1 && (e.code === 1 || e.code === 4 || e.code === 5 || e.code === 6);
}
