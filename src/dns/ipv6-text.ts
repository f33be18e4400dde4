/** RFC 5952 text of an IPv6 address (lower case, longest zero run as ::), as Go and the WHATWG URL parser write it. */
export function canonicalIpv6(text: string): string {
  try {
    return new URL(`http://[${text}]/`).hostname.slice(1, -1);
  } catch {
    return text;
  }
}
