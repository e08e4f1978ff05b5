// Which addresses a user-directed request may reach: public unicast only. The classification is
// ipaddr.js's (IANA special-purpose registries), not ranges written here; what is ours is the rule
// "only `unicast` passes", the unwrapping of IPv6 forms that carry an IPv4 address, the host names
// that name the machine or the cloud's metadata service, and the local stack's allow-list.
import ipaddr from "ipaddr.js";

/** Why an address is refused: ipaddr.js's range name ("loopback", "private", "linkLocal", ...). */
export type AddressRange = string;

/**
 * The range that makes `address` internal, or null when it is a public unicast address.
 * IPv4 inside IPv6 (mapped ::ffff:a.b.c.d, translated ::ffff:0:a.b.c.d, NAT64 64:ff9b::/96 and
 * 64:ff9b:1::/48, 6to4 2002::/16) is judged by the IPv4 address it carries; other IPv6 must be
 * global unicast (2000::/3), which leaves out IPv4-compatible ::a.b.c.d, site-local and the rest.
 * An address that does not parse is refused as "invalid".
 */
export function internalRange(address: string): AddressRange | null {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address.replace(/^\[|\]$/g, ""));
  } catch {
    return "invalid";
  }
  if (parsed.kind() === "ipv4") {
    const range = parsed.range();
    return range === "unicast" ? null : range;
  }
  const ipv6 = parsed as ipaddr.IPv6;
  const range = ipv6.range();
  const carried = carriedIpv4(ipv6, range);
  if (carried) {
    const inner = carried.range();
    return inner === "unicast" ? null : `${range}(${inner})`;
  }
  if (range !== "unicast") return range;
  return ipv6.match(globalUnicast) ? null : "reserved";
}

const globalUnicast = ipaddr.parseCIDR("2000::/3") as [ipaddr.IPv6, number];

// The IPv4 address an IPv6 form stands for, when it is one of the forms that carry one.
function carriedIpv4(address: ipaddr.IPv6, range: string): ipaddr.IPv4 | null {
  const bytes = address.toByteArray();
  const ipv4 = (offset: number) => new ipaddr.IPv4(bytes.slice(offset, offset + 4));
  switch (range) {
    case "ipv4Mapped":
    case "rfc6145":
      return ipv4(12);
    case "rfc6052":
      // 64:ff9b::/96 puts it in the last 32 bits; 64:ff9b:1::/48 is local-use NAT64 (RFC 8215),
      // whose layout depends on the prefix length: refuse it as a whole.
      return bytes[4] === 0 && bytes[5] === 0 ? ipv4(12) : new ipaddr.IPv4([0, 0, 0, 0]);
    case "6to4":
      return ipv4(2);
    default:
      return null;
  }
}

/**
 * Names that are internal whatever DNS says: the machine itself (RFC 6761 `localhost`), mDNS
 * (`.local`), the `.internal` names clouds give their own services (metadata.google.internal,
 * *.ec2.internal), and the metadata aliases some platforms resolve (`metadata`, `instance-data`).
 */
export function isInternalName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.+$/, "");
  if (name === "" || name === "localhost" || name === "metadata" || name === "instance-data") return true;
  return /\.(localhost|local|internal|localdomain|home\.arpa)$/.test(name) || !name.includes(".");
}

/** An IP address with an inclusive port range that the local stack lets through. */
export interface AllowedEndpoint {
  address: string;
  firstPort: number;
  lastPort: number;
}

/**
 * EGRESS_ALLOW_PRIVATE as the local stack sets it: `127.0.0.1:57230-57269,[::1]:8080` — IP
 * literals with a port or an inclusive port range. Anything else in it is a configuration
 * mistake and throws, so a typo never widens what is allowed. Production leaves it unset.
 */
export function parseAllowList(value: string | undefined): AllowedEndpoint[] {
  if (!value || value.trim() === "") return [];
  return value.split(",").map((entry) => entry.trim()).filter(Boolean).map((entry) => {
    const match = /^(\[[0-9a-fA-F:.]+\]|\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})(?:-(\d{1,5}))?$/.exec(entry);
    if (!match || !ipaddr.isValid(match[1].replace(/^\[|\]$/g, ""))) {
      throw new Error(`EGRESS_ALLOW_PRIVATE: "${entry}" is not an IP address with a port or port range`);
    }
    const firstPort = Number(match[2]);
    const lastPort = Number(match[3] ?? match[2]);
    if (firstPort < 1 || lastPort > 65535 || lastPort < firstPort) {
      throw new Error(`EGRESS_ALLOW_PRIVATE: "${entry}" has an invalid port range`);
    }
    return { address: normalizeAddress(match[1]), firstPort, lastPort };
  });
}

export function isAllowListed(address: string, port: number, allowList: readonly AllowedEndpoint[]): boolean {
  const normalized = normalizeAddress(address);
  return allowList.some((entry) => entry.address === normalized && port >= entry.firstPort && port <= entry.lastPort);
}

function normalizeAddress(address: string): string {
  try {
    return ipaddr.parse(address.replace(/^\[|\]$/g, "")).toNormalizedString();
  } catch {
    return address;
  }
}
