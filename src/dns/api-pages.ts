/**
 * Every page of a listing, for the ways REST DNS APIs link pages (a page number, a `next` link,
 * a cursor): `get` fetches the page at a position (undefined: the first), `next` names the one
 * after it, or nothing when it was the last. A position named twice ends the listing, so a
 * server that repeats itself cannot loop us forever.
 */
export async function allPages<T, P>(get: (at: P | undefined) => Promise<T>, next: (page: T) => P | undefined | null): Promise<T[]> {
  const out: T[] = [];
  const asked = new Set<P>();
  for (let at: P | undefined; ;) {
    const page = await get(at);
    out.push(page);
    const n = next(page);
    if (n === undefined || n === null || n === '' || asked.has(n)) return out;
    asked.add(n);
    at = n;
  }
}
