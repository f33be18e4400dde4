// Seeds a store for the daemon benchmark and the memory probe.

/** Saves a seeded certificate the way the pipeline does: under its lease. */
export async function seedSave(store, cert) {
  const signal = AbortSignal.timeout(60_000);
  const lease = await store.lock(cert.meta.name, signal);
  try {
    await store.save(cert, lease, signal);
  } finally {
    await lease.release();
  }
}
