/*
 * Apart from schema.ts so that a reader of names (`list`'s worker thread) does not load zod and
 * evaluate the schema: about 100 ms of that thread's start at 100,000 certificates.
 */

/** Lineage name: `name`, else the first domain without its wildcard label (as DNSroboCert does). */
export function certificateName(c: { name?: string | undefined; domains: readonly string[] }): string {
  return c.name ?? c.domains[0]!.replace(/^\*\./, '');
}
