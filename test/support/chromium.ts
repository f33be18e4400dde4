import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';

/** Debian's chromium (scripts/setup-test-tools.sh installs it); puppeteer-core downloads no browser. */
export const CHROMIUM = process.env.CERTFLEET_CHROMIUM ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, or undefined when they can. */
export const chromiumMissing: string | undefined = existsSync(CHROMIUM) ? undefined : `chromium is not installed at ${CHROMIUM} (scripts/setup-test-tools.sh installs it, or set CERTFLEET_CHROMIUM)`;

export interface Chromium {
  browser: Browser;
  pid: number;
  /** Closes the browser, kills it by PID if it lingers, removes its profile. */
  stop(): Promise<void>;
}

/**
 * Headless chromium on a throwaway profile, driven over a pipe (no debugging port to pick).
 * Its sandbox refuses to start as root, so --no-sandbox is passed only then.
 */
export async function startChromium(): Promise<Chromium> {
  if (chromiumMissing) throw new Error(chromiumMissing);
  const profile = await mkdtemp(path.join(tmpdir(), 'certfleet-chromium-'));
  const root = process.getuid?.() === 0;
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      executablePath: CHROMIUM, headless: true, pipe: true, userDataDir: profile,
      args: [...(root ? ['--no-sandbox'] : []), '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-extensions', '--disable-background-networking'],
    });
  } catch (err) {
    await rm(profile, { recursive: true, force: true });
    throw err;
  }
  const child = browser.process()!;
  const pid = child.pid!;
  return {
    browser, pid,
    async stop() {
      const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => child.once('exit', () => r()));
      await Promise.race([browser.close().catch(() => undefined), new Promise((r) => setTimeout(r, 5_000))]);
      if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGKILL');
      await exited;
      await rm(profile, { recursive: true, force: true });
    },
  };
}
