import { withoutTrailingDot } from '../dns-name.js';

/** RFC 1035: a name of at most 253 characters (without the trailing dot), labels of 1 to 63. */
export const MAX_NAME_LENGTH = 253;
export const MAX_LABEL_LENGTH = 63;

/**
 * What is wrong with an endpoint's dnsName, or undefined when it is a host name: letters, digits,
 * `-` and `_` (service and ownership labels), an optional leading `*.` and one trailing dot.
 * The length is checked first, so nothing slower than a length comparison ever sees a long
 * name; the operator's domain-filter patterns run only on names that pass.
 */
export function dnsNameProblem(name: string): string | undefined {
  const bare = withoutTrailingDot(name);
  if (bare.length === 0) return 'expected a DNS name, got an empty one';
  if (bare.length > MAX_NAME_LENGTH) return `expected a DNS name of at most ${MAX_NAME_LENGTH} characters, got ${bare.length}`;
  const labels = bare.split('.');
  for (const [i, label] of labels.entries()) {
    if (label.length === 0) return `expected a DNS name, got an empty label in ${JSON.stringify(name)}`;
    if (label.length > MAX_LABEL_LENGTH) return `label ${i + 1} has ${label.length} characters, more than ${MAX_LABEL_LENGTH}`;
    if (i === 0 && label === '*') continue;
    if (!/^[A-Za-z0-9_-]+$/.test(label)) return `label ${JSON.stringify(label)} may only hold letters, digits, - and _ (and a leading *.)`;
  }
  return undefined;
}
