import { readFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load-config.js';
import { issueAll } from '../src/daemon/issue-run.js';
import { FileStore } from '../src/store/file-store.js';
import { chromiumMissing, startChromium, type Chromium } from './support/chromium.js';
import { DaemonProcess } from './support/daemon-process.js';
import { freePort } from './support/free-port.js';
import { registerSecret } from './support/secret-scan.js';
import { captureLog } from './support/test-log.js';

// The dashboard in real headless Chromium, from a daemon managing 20 certificates: 18 seeded in
// the store, one the daemon issues (and deploys) at start, one whose last attempt failed with an
// error text full of HTML. The listener is not loopback, so everything is behind the token.
// UPDATE_SCREENSHOTS=1 rewrites docs/images/dashboard-*.png.

const DAY = 86_400_000;
const TOKEN = 'dashboard-test-token-9f3c1e7a5b2d4f60';
const ERROR_TEXT = 'DNS_AUTH: PowerDNS answered 401 <script>alert("pwned")</script> & <b>not bold</b>';
const SEEDED = Array.from({ length: 18 }, (_, i) => `site${String(i + 1).padStart(2, '0')}`);
const ISSUED_BY_DAEMON = 'api';
const FAILING = 'broken';
const NAMES = [...SEEDED, ISSUED_BY_DAEMON, FAILING];
const IMAGES = path.resolve(import.meta.dirname, '../docs/images');
const AXE = path.resolve(import.meta.dirname, '../node_modules/axe-core/axe.min.js');

let dir: string;
let daemon: DaemonProcess | undefined;
let chromium: Chromium | undefined;
let base: string;
const cspViolations: string[] = [];

const certYaml = (name: string, extra = '') => `  - name: ${name}\n    domains: [${name}.example.test, www.${name}.example.test]\n    dns: none\n${extra}`;
const configText = (store: string, certs: string, server = '') => `acme: { directory: selfsigned }\nstore: { path: ${store} }\n${server}dns:\n  providers:\n    none: { type: exec, command: [/bin/false] }\ncertificates:\n${certs}`;

async function screenshot(page: Page, file: string): Promise<void> {
  const target = process.env.UPDATE_SCREENSHOTS ? path.join(IMAGES, file) : path.join(dir, file);
  await page.screenshot({ path: target, fullPage: true });
  expect((await readFile(target)).subarray(1, 4).toString()).toBe('PNG');
}

/** The browser globals the page functions below use (the project compiles without the DOM library). */
interface Dom {
  document: { cookie: string; scripts: { length: number }; documentElement: { scrollWidth: number }; querySelector(s: string): unknown; querySelectorAll(s: string): { length: number } };
  innerWidth: number;
  getComputedStyle(e: unknown): { borderCollapse: string; display: string };
}

/** Signs in through the login form, as a person would. */
async function signIn(page: Page, token: string): Promise<number | undefined> {
  await page.goto(`${base}/login`);
  await page.type('#token', token);
  const [res] = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  return res?.status();
}

/** A page of the signed-in browser context. */
async function newPage(): Promise<Page> {
  const page = await chromium!.browser.newPage();
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text()); });
  return page;
}

/** axe-core's serious and critical findings (evaluated over the DevTools protocol: the CSP allows no injected script). */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(await readFile(AXE, 'utf8'));
  const results = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string | null; nodes: unknown[] }[] }> } }).axe;
    return (await axe.run()).violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
  });
  return results.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}, ${v.nodes} nodes)`);
}

beforeAll(async () => {
  if (chromiumMissing) return;
  registerSecret(TOKEN);
  dir = await mkdtemp(path.join(tmpdir(), 'certfleet-dashboard-'));
  const store = path.join(dir, 'store');
  // The seeded certificates: issued the way `certfleet issue` does, by the development CA.
  await issueAll(parseConfig(configText(store, SEEDED.map((n) => certYaml(n)).join('')), path.join(dir, 'seed.yaml')), captureLog().log, {}, AbortSignal.timeout(60_000));
  const fs = new FileStore({ root: store });
  const signal = AbortSignal.timeout(10_000);
  // The failing one: what the pipeline records after a failed attempt, next try tomorrow.
  const now = Date.now();
  await fs.writeState(FAILING, { failures: 1, lastResult: 'failed', lastAttempt: new Date(now - 60_000).toISOString(), nextAttempt: new Date(now + DAY).toISOString(), lastError: ERROR_TEXT }, { expectedVersion: 0 }, signal);
  // An ARI window for the first one, as the CA's renewalInfo would have given it.
  const meta = (await fs.readMeta(SEEDED[0]!, signal))!;
  const current = await fs.readState(SEEDED[0]!, signal);
  await fs.writeState(SEEDED[0]!, { ...current.state, ari: { serial: meta.serial, nextCheck: new Date(now + DAY).toISOString(), window: { start: new Date(now + 50 * DAY).toISOString(), end: new Date(now + 52 * DAY).toISOString(), chosen: new Date(now + 51 * DAY).toISOString() } } }, { expectedVersion: current.version }, signal);

  const tokenFile = path.join(dir, 'token');
  await writeFile(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
  const port = await freePort();
  const file = path.join(dir, 'certfleet.yaml');
  const certs = [...SEEDED.map((n) => certYaml(n)), certYaml(ISSUED_BY_DAEMON, '    deploy:\n      - hook: [/bin/true]\n'), certYaml(FAILING)].join('');
  await writeFile(file, configText(store, certs, `server: { listen: "0.0.0.0:${port}", token_file: ${tokenFile} }\n`));
  daemon = DaemonProcess.start(file);
  await daemon.waitFor(daemon.msg('http_listening'));
  await daemon.waitFor(daemon.msg('deploy_ok', { cert: ISSUED_BY_DAEMON }));
  base = `http://127.0.0.1:${port}`;
  if (process.env.UPDATE_SCREENSHOTS) await mkdir(IMAGES, { recursive: true });
  chromium = await startChromium();
  const page = await newPage();
  expect(await signIn(page, TOKEN)).toBe(200);
  await page.close();
});

afterAll(async () => {
  await chromium?.stop();
  await daemon?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

// Skipped only without a browser, and the test name says why.
describe.skipIf(chromiumMissing)(`the dashboard in headless Chromium${chromiumMissing ? ` (skipped: ${chromiumMissing})` : ''}`, () => {
  it('is behind the token off loopback: login page, a wrong token is 401, the right one sets a session cookie', async () => {
    const anonymous = await chromium!.browser.createBrowserContext();
    const page = await anonymous.newPage();
    await page.goto(`${base}/`);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await page.$eval('h2', (e) => e.textContent)).toBe('Sign in');
    expect(await page.$('table')).toBeNull();
    await screenshot(page, 'dashboard-login.png');

    expect(await signIn(page, 'not-the-token')).toBe(401);
    expect(await page.$eval('[role=alert]', (e) => e.textContent)).toBe('The token was not accepted.');
    expect(await page.browserContext().cookies()).toEqual([]);

    expect(await signIn(page, TOKEN)).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/');
    const [cookie] = await page.browserContext().cookies();
    expect(cookie).toMatchObject({ name: 'certfleet_session', httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(cookie!.value).not.toContain(TOKEN);
    expect(await page.evaluate(() => (globalThis as unknown as Dom).document.cookie)).toBe('');
    expect(await page.$$eval('table.certificates tbody tr', (trs) => trs.length)).toBe(20);
    await anonymous.close();
  });

  it('shows all 20 certificates with the failing one\'s error text, escaped, and no script on the page', async () => {
    const page = await newPage();
    await page.setViewport({ width: 1280, height: 900 });
    const res = await page.goto(`${base}/`);
    expect(res!.headers()['content-security-policy']).toMatch(/^default-src 'none'/);
    const rows = await page.$$eval('table.certificates tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    expect(rows.map((r) => r[0]).sort()).toEqual([...NAMES].sort());
    const failing = rows.find((r) => r[0] === FAILING)!;
    expect(failing[1]).toBe('failing');
    expect(failing[5]).toBe(ERROR_TEXT);
    expect(rows.find((r) => r[0] === SEEDED[1])![1]).toBe('valid');
    expect(rows.find((r) => r[0] === SEEDED[1])![3]).toMatch(/\(89 days left\)/);
    expect(await page.evaluate(() => {
      const { document } = globalThis as unknown as Dom;
      return { scripts: document.scripts.length, bold: document.querySelectorAll('main b').length };
    })).toEqual({ scripts: 0, bold: 0 });
    // The stylesheet applied (served from 'self'), and nothing on the page broke the policy.
    expect(await page.evaluate(() => {
      const w = globalThis as unknown as Dom;
      return w.getComputedStyle(w.document.querySelector('table')).borderCollapse;
    })).toBe('collapse');
    expect(cspViolations).toEqual([]);
    const events = await page.$$eval('ol.events li', (lis) => lis.map((li) => li.textContent ?? ''));
    expect(events.some((e) => /\bissued api: serial /.test(e))).toBe(true);
    expect(events.some((e) => /\bdeployed api: hook/.test(e))).toBe(true);
    await screenshot(page, 'dashboard-overview.png');
    await page.close();
  });

  it('draws the 90-day timeline on the server: one bar per stored certificate, soonest first', async () => {
    const page = await newPage();
    await page.goto(`${base}/#timeline`);
    const chart = await page.$eval('svg.chart', (svg) => ({
      title: svg.querySelector(':scope > title')?.textContent,
      labels: [...svg.querySelectorAll('g > title')].map((t) => t.textContent ?? ''),
      widths: [...svg.querySelectorAll('rect')].map((r) => Number(r.getAttribute('width'))),
      renewTicks: svg.querySelectorAll('line.renew').length,
      box: svg.getBoundingClientRect().width,
    }));
    expect(chart.title).toMatch(/^Expiry of 19 certificates over the next 90 days/);
    expect(chart.labels).toHaveLength(19);
    expect(chart.labels.some((l) => l.startsWith(`${FAILING}:`))).toBe(false);
    expect(chart.widths.every((w) => w > 500)).toBe(true);
    expect(chart.renewTicks).toBe(19);
    expect(chart.box).toBeGreaterThan(300);
    await page.close();
  });

  it('has a page per certificate: chain, SANs, key type, serial, validity, ARI window, deploy history', async () => {
    const page = await newPage();
    await page.goto(`${base}/`);
    await Promise.all([page.waitForNavigation(), page.click(`a[href="/certificates/${SEEDED[0]}"]`)]);
    const facts = await page.$$eval('dl.facts', (dls) => dls.map((dl) => Object.fromEntries([...dl.querySelectorAll('dt')].map((dt) => [dt.textContent, dt.nextElementSibling?.textContent ?? '']))));
    expect(facts[0]!['ARI window']).toMatch(/renewal chosen at/);
    const leaf = facts[1]!;
    expect(leaf.Subject).toBe(`CN=${SEEDED[0]}.example.test`);
    expect(leaf['Names (SAN)']).toBe(`${SEEDED[0]}.example.testwww.${SEEDED[0]}.example.test`);
    expect(leaf.Key).toBe('ECDSA prime256v1');
    expect(leaf.Serial).toMatch(/^[0-9A-F]{32}$/);
    expect(facts[2]!.Subject).toBe(leaf.Issuer);
    await screenshot(page, 'dashboard-certificate.png');
    await page.goto(`${base}/certificates/${ISSUED_BY_DAEMON}`);
    expect(await page.$eval('#deploys + ol', (e) => e.textContent)).toMatch(/deployed: hook/);
    await page.goto(`${base}/certificates/${FAILING}`);
    expect(await page.$eval('dd.error', (e) => e.textContent)).toBe(ERROR_TEXT);
    expect(await page.$('#chain')).toBeNull();
    await page.close();
  });

  it('is readable on a phone: no sideways scrolling, one card per certificate', async () => {
    const page = await newPage();
    await page.setViewport({ width: 390, height: 844, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await page.goto(`${base}/`);
    const layout = await page.evaluate(() => {
      const w = globalThis as unknown as Dom;
      return { scroll: w.document.documentElement.scrollWidth, inner: w.innerWidth, display: w.getComputedStyle(w.document.querySelector('table.certificates tbody tr')).display };
    });
    expect(layout.scroll).toBeLessThanOrEqual(layout.inner);
    expect(layout.display).toBe('block');
    await page.setViewport({ width: 390, height: 844, isMobile: true, hasTouch: true, deviceScaleFactor: 1 });
    await screenshot(page, 'dashboard-phone.png');
    await page.close();
  });

  it('has no serious or critical accessibility violations (axe-core) on the table, a detail page and the login page', async () => {
    const page = await newPage();
    const found: Record<string, string[]> = {};
    for (const route of ['/', `/certificates/${SEEDED[0]}`, `/certificates/${FAILING}`]) {
      await page.goto(`${base}${route}`);
      found[route] = await seriousViolations(page);
    }
    const anonymous = await chromium!.browser.createBrowserContext();
    const login = await anonymous.newPage();
    await login.goto(`${base}/login`);
    found['/login'] = await seriousViolations(login);
    await anonymous.close();
    expect(found).toEqual({ '/': [], [`/certificates/${SEEDED[0]}`]: [], [`/certificates/${FAILING}`]: [], '/login': [] });
    await page.close();
  });
});
