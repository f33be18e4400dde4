import { describe, expect, it } from 'vitest';
import type { RenewalInfo } from '../acme/renewal-info.js';
import { parseConfig } from '../config/load-config.js';
import { CertfleetError } from '../errors.js';
import { ARI_UNSUPPORTED, type IssuedCertificate, type Issuer, type IssueRequest } from '../issuer/issuer.js';
import { SelfSignedIssuer } from '../issuer/self-signed-issuer.js';
import type { DeployResult } from '../deploy/run-deploy.js';
import { recordDeploy } from '../scheduler/deploy-retry.js';
import { PendingTxtLedger } from '../solver/pending-txt.js';
import { StateUpdates } from '../solver/state-updates.js';
import { FakeCertificateStore } from '../../test/support/fake-certificate-store.js';
import { captureLog } from '../../test/support/test-log.js';
import { BEING_RENEWED, Renewer, type RenewerDeps, type RenewOutcome } from './renewer.js';

const config = parseConfig('acme: { directory: selfsigned }\nstore: { path: /nonexistent }\ndns:\n  providers:\n    none: { type: exec, command: [/bin/false] }\ncertificates:\n  - name: web\n    domains: [web.example.test]\n    dns: none\n', 'c.yaml');
const spec = config.certificates[0]!;

/** Signs with the real development CA, after an optional gate the test controls. */
class GatedIssuer implements Issuer {
  readonly key = 'test-ca';
  calls: IssueRequest[] = [];
  gate: ((req: IssueRequest, signal: AbortSignal) => Promise<void>) | undefined;
  ari: () => Promise<RenewalInfo | undefined | typeof ARI_UNSUPPORTED> = () => Promise.resolve(ARI_UNSUPPORTED);
  private readonly real: SelfSignedIssuer;

  constructor(store: FakeCertificateStore) {
    this.real = new SelfSignedIssuer({ accounts: store, log: captureLog().log });
  }

  async issue(req: IssueRequest, signal: AbortSignal): Promise<IssuedCertificate> {
    this.calls.push(req);
    await this.gate?.(req, signal);
    return this.real.issue(req, signal);
  }

  renewalInfo(): Promise<RenewalInfo | undefined | typeof ARI_UNSUPPORTED> {
    return this.ari();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

function pipeline(o: { store?: FakeCertificateStore; claim?: RenewerDeps['claim']; issuanceTimeoutMs?: number } = {}) {
  const store = o.store ?? new FakeCertificateStore();
  const issuer = new GatedIssuer(store);
  const cap = captureLog();
  const deployed: string[] = [];
  const notified: RenewOutcome[] = [];
  const clock = { t: Date.now(), now() { return this.t; } };
  const updates = new StateUpdates(store);
  /** What the deploy runner answers; recorded in the state as the real one does (deploy-runner.ts). */
  const deploy = { results: [] as DeployResult[] };
  /** Certificates whose leftover TXT values the solver was asked to remove. */
  const removed: string[] = [];
  const renewer = new Renewer({
    acme: config.acme, store, updates, local: store, issuer, clock, log: cap.log,
    solver: { removeLeftovers: (name) => { removed.push(name); return Promise.resolve(0); } },
    deploy: { run: async (_s, event, _c, signal) => {
      deployed.push(event);
      if (deploy.results.length > 0) await updates.update('web', (st) => recordDeploy(st, deploy.results, clock.now(), (t) => t), 'compare-and-set', signal);
      return deploy.results;
    } },
    notifier: { notify: (_s, out) => { notified.push(out); return Promise.resolve(); } },
    claim: o.claim, issuanceTimeoutMs: o.issuanceTimeoutMs,
  });
  return { store, issuer, cap, deployed, notified, clock, renewer, deploy, removed, updates };
}

/** Holds the issuance inside the issuer: `inIssuer` resolves once it is there, `open()` lets it go on. */
function holdInIssuer(issuer: GatedIssuer): { inIssuer: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((r) => { open = r; });
  let entered!: () => void;
  const inIssuer = new Promise<void>((r) => { entered = r; });
  issuer.gate = () => { entered(); return opened; };
  return { inIssuer, open };
}

/** Resolves when the issuer is first called; the gate then waits for the issuance's signal. */
function blockUntilAborted(issuer: GatedIssuer): Promise<void> {
  return new Promise((entered) => {
    issuer.gate = (_req, signal) => new Promise((_resolve, reject) => {
      signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
      entered();
    });
  });
}

const never = () => new AbortController().signal;

/**
 * An issuer that, `afterMs` after its signal aborts (0: at once), hands a TXT cleanup to the
 * pipeline (as AcmeIssuer's finally does) and fails with the signal's reason; `finish` ends the cleanup.
 */
function cleanupOnAbort(issuer: GatedIssuer, afterMs: number): { entered: Promise<void>; finish: () => void } {
  let finish: () => void = () => undefined;
  let entered!: () => void;
  const inIssuer = new Promise<void>((r) => { entered = r; });
  issuer.gate = (req, signal) => new Promise<void>((_resolve, reject) => {
    const unwind = () => {
      req.background(new Promise((r) => { finish = r; }));
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', () => (afterMs === 0 ? unwind() : setTimeout(unwind, afterMs)), { once: true });
    entered();
  });
  return { entered: inIssuer, finish: () => finish() };
}

/** The lease is still held after the outcome, and released once the background cleanup ends (close() waits for it). */
async function expectLeaseHeldUntilCleanup(p: ReturnType<typeof pipeline>, finish: () => void): Promise<void> {
  expect(p.store.isLocked('web')).toBe(true);
  const closed = p.renewer.close();
  finish();
  await closed;
  expect(p.store.isLocked('web')).toBe(false);
}

describe('Renewer (the pipeline) with fakes', () => {
  it('issues, saves under the lease, records success under it, deploys and notifies', async () => {
    const p = pipeline();
    const out = await p.renewer.process(spec, {}, never());
    expect(out).toMatchObject({ name: 'web', result: 'issued', detail: '/fake/live/web' });
    expect(p.store.saves).toHaveLength(1);
    expect(p.store.stateWrites.map((w) => [w.guard, w.state.lastResult])).toEqual([['lease', 'issued']]);
    expect(p.deployed).toEqual(['issued']);
    expect(p.notified.map((o) => o.result)).toEqual(['issued']);
    expect(p.store.isLocked('web')).toBe(false);
  });

  it('lock contention: the waiter decides again under the lock and does not issue a second time', async () => {
    const p = pipeline();
    const { inIssuer, open } = holdInIssuer(p.issuer);
    const first = p.renewer.process(spec, {}, never());
    await inIssuer;
    const second = p.renewer.process(spec, {}, never());
    // The second is waiting for the lock, not issuing beside the first.
    await new Promise((r) => setImmediate(r));
    expect(p.issuer.calls).toHaveLength(1);
    open();
    const outs = await Promise.all([first, second]);
    expect(outs.map((o) => o.result)).toEqual(['issued', 'skipped']);
    expect(outs[1].detail).toMatch(/renewed meanwhile/);
    expect(p.issuer.calls).toHaveLength(1);
    expect(p.store.saves).toHaveLength(1);
  });

  it('a lease lost mid-issuance aborts the issuance: nothing saved, nothing deployed', async () => {
    const p = pipeline();
    const entered = blockUntilAborted(p.issuer);
    const running = p.renewer.process(spec, {}, never());
    await entered;
    p.store.loseLease('web');
    const out = await running;
    // The issuer saw the lease's own reason (not a fenced save after it went on regardless).
    expect(out).toMatchObject({ result: 'failed', detail: expect.stringMatching(/lock of web taken over/) });
    expect(p.store.saves).toEqual([]);
    expect(p.deployed).toEqual([]);
    // The failure record is refused too (the lease is stale) and logged, not written over the successor's state.
    expect(p.store.stateWrites).toEqual([]);
    expect(p.cap.records().some((r) => r.msg === 'state_write_failed')).toBe(true);
  });

  it('an ARI failure is advice lost, not a failed certificate: skipped, nothing issued, asked again later', async () => {
    const p = pipeline();
    p.issuer.ari = () => Promise.resolve({ start: p.clock.t + 30 * 86_400_000, end: p.clock.t + 31 * 86_400_000 });
    expect((await p.renewer.process(spec, {}, never())).result).toBe('issued');
    // A certificate's window is asked for at its first look; the answer is stored by compare-and-set.
    expect((await p.renewer.process(spec, {}, never())).result).toBe('skipped');
    expect(p.store.stateWrites.at(-1)).toMatchObject({ guard: 'version', state: { ari: expect.any(Object) as unknown } });
    p.clock.t = Date.parse(p.store.states.get('web')!.state.ari!.nextCheck) + 1;
    p.issuer.ari = () => Promise.reject(new CertfleetError('ACME_UNREACHABLE', 'renewalInfo: connection refused'));
    const out = await p.renewer.process(spec, {}, never());
    expect(out.result).toBe('skipped');
    expect(out.next).toBeGreaterThan(p.clock.t);
    expect(p.issuer.calls).toHaveLength(1);
    expect(p.cap.records().filter((r) => r.msg === 'ari_failed')).toHaveLength(1);
  });

  it('an abort stops the issuance: reported interrupted, no failure recorded, lock released', async () => {
    const p = pipeline();
    const entered = blockUntilAborted(p.issuer);
    const ac = new AbortController();
    const running = p.renewer.process(spec, {}, ac.signal);
    await entered;
    ac.abort(new Error('SIGTERM'));
    const out = await running;
    expect(out).toMatchObject({ result: 'failed', detail: 'interrupted: SIGTERM' });
    expect(p.store.saves).toEqual([]);
    expect(p.store.stateWrites).toEqual([]);
    expect(p.notified).toEqual([]);
    expect(p.store.isLocked('web')).toBe(false);
  });

  it('a save failure is a failed attempt recorded under the lease; nothing is deployed', async () => {
    const p = pipeline();
    p.store.failSave = new CertfleetError('STORE_IO', 'disk full');
    const out = await p.renewer.process(spec, {}, never());
    expect(out).toMatchObject({ result: 'failed', detail: 'disk full' });
    expect(p.store.certs.size).toBe(0);
    expect(p.store.stateWrites.map((w) => [w.guard, w.state.failures, w.state.lastError])).toEqual([['lease', 1, 'disk full']]);
    expect(p.deployed).toEqual([]);
    expect(p.notified.map((o) => o.result)).toEqual(['failed']);
    expect(p.store.isLocked('web')).toBe(false);
  });

  it('the failure line says when the next attempt comes; the retry after it says it is one, not "no certificate yet"', async () => {
    const p = pipeline();
    p.store.failSave = new CertfleetError('STORE_IO', 'disk full');
    const out = await p.renewer.process(spec, {}, never());
    const failed = p.cap.records().find((r) => r.msg === 'failed');
    const nextAttempt = p.store.stateWrites.at(-1)!.state.nextAttempt;
    expect(nextAttempt).toBeDefined();
    expect(failed).toMatchObject({ cert: 'web', error: 'disk full', failures: 1, next_attempt_at: nextAttempt });
    expect(out.next).toBe(Date.parse(nextAttempt!));

    p.store.failSave = undefined;
    p.clock.t = Date.parse(nextAttempt!) + 1;
    expect((await p.renewer.process(spec, {}, never())).result).toBe('issued');
    const reasons = p.cap.records().filter((r) => r.msg === 'obtaining' || r.msg === 'issued').map((r) => [r.msg, r.reason]);
    expect(reasons).toEqual([['obtaining', 'no certificate yet'], ['obtaining', 'retry after failure 1'], ['issued', 'retry after failure 1']]);
  });

  it('holds the lease until the issuer\'s background work (DNS cleanup) is done; close() waits for it', async () => {
    const p = pipeline();
    let finish!: () => void;
    p.issuer.gate = (req) => {
      req.background(new Promise((r) => { finish = r; }));
      return Promise.resolve();
    };
    expect((await p.renewer.process(spec, {}, never())).result).toBe('issued');
    expect(p.store.isLocked('web')).toBe(true);
    const closed = p.renewer.close();
    finish();
    await closed;
    expect(p.store.isLocked('web')).toBe(false);
  });
});

describe('the deadline of one attempt', () => {
  it('ends an issuance that waits on something that never settles and ignores its signal: failure recorded with backoff, lease released', async () => {
    // What a CA that stops answering looked like from the job: an await that never ends.
    const p = pipeline({ issuanceTimeoutMs: 50 });
    let seen: AbortSignal | undefined;
    p.issuer.gate = (_req, signal) => { seen = signal; return new Promise<void>(() => undefined); };
    const out = await p.renewer.process(spec, {}, never());
    expect(out).toMatchObject({ result: 'failed', detail: expect.stringMatching(/^web: the issuance did not finish within 50 ms and was stopped/) });
    // The issuer's own signal was aborted too, with the typed reason.
    expect(seen?.reason).toMatchObject({ code: 'ISSUANCE_TIMEOUT', retryable: true });
    const written = p.store.stateWrites.at(-1)!;
    expect([written.guard, written.state.failures, written.state.lastResult]).toEqual(['lease', 1, 'failed']);
    expect(Date.parse(written.state.nextAttempt!)).toBeGreaterThan(p.clock.now());
    expect(p.store.saves).toEqual([]);
    expect(p.deployed).toEqual([]);
    expect(p.store.isLocked('web')).toBe(false);
  });

  it('aborts an issuance that heeds its signal, and releases the lease only once its TXT cleanup is done', async () => {
    const p = pipeline({ issuanceTimeoutMs: 50 });
    const cleanup = cleanupOnAbort(p.issuer, 0);
    const out = await p.renewer.process(spec, {}, never());
    expect(out).toMatchObject({ result: 'failed', detail: expect.stringMatching(/did not finish within 50 ms/) });
    await expectLeaseHeldUntilCleanup(p, cleanup.finish);
  });

  it('an issuer that unwinds a few ticks after the abort still hands over its TXT cleanup before the lease goes', async () => {
    const p = pipeline();
    // As a real request does: its error comes on a later tick, and the issuer's finally hands the cleanup over then.
    const cleanup = cleanupOnAbort(p.issuer, 20);
    const ac = new AbortController();
    const running = p.renewer.process(spec, {}, ac.signal);
    await cleanup.entered;
    ac.abort(new Error('SIGTERM'));
    expect((await running).detail).toBe('interrupted: SIGTERM');
    await expectLeaseHeldUntilCleanup(p, cleanup.finish);
  });

  it('does not cut an issuance that finishes in time (the timer is cleared)', async () => {
    const p = pipeline({ issuanceTimeoutMs: 60_000 });
    expect((await p.renewer.process(spec, {}, never())).result).toBe('issued');
  });
});

describe('state writes of an issuance', () => {
  const txt = { provider: 'p', zone: 'example.test', name: '_acme-challenge.web.example.test', value: 'v', ttl: 60 };
  /** The issuer notes a TXT value in the ledger, then cleans it up in the background once `cleaned` resolves. */
  function withLedger(p: ReturnType<typeof pipeline>, cleaned: Promise<void>): void {
    p.issuer.gate = async (req, signal) => {
      const ledger = new PendingTxtLedger(p.updates, req.name, req.lease);
      await ledger.record([txt], signal);
      req.background(cleaned.then(() => ledger.clear([txt], never())));
    };
  }

  it('a TXT cleanup done before the result goes with the result\'s write: two state writes, not three', async () => {
    const p = pipeline();
    withLedger(p, Promise.resolve());
    expect((await p.renewer.process(spec, {}, never())).result).toBe('issued');
    await p.renewer.close();
    expect(p.store.stateWrites.map((w) => [w.guard, w.state.lastResult, w.state.pendingTxt?.length ?? 0])).toEqual([['lease', undefined, 1], ['lease', 'issued', 0]]);
  });

  it('a TXT cleanup done after the result is written on its own before the lease goes', async () => {
    const p = pipeline();
    let finish!: () => void;
    withLedger(p, new Promise((r) => { finish = r; }));
    expect((await p.renewer.process(spec, {}, never())).result).toBe('issued');
    finish();
    await p.renewer.close();
    expect(p.store.stateWrites.map((w) => [w.state.lastResult, w.state.pendingTxt?.length ?? 0])).toEqual([[undefined, 1], ['issued', 1], ['issued', 0]]);
    expect(p.store.isLocked('web')).toBe(false);
    expect((await p.store.readState('web')).state.pendingTxt).toBeUndefined();
  });
});

describe('fleet mode (claim: skip)', () => {
  const claim = { mode: 'skip' as const, retryMs: 30_000 };

  it('a certificate another host holds is skipped at once, looked at again after the lease TTL, and never issued twice', async () => {
    const holder = pipeline({ claim });
    const other = pipeline({ store: holder.store, claim });
    const { inIssuer, open } = holdInIssuer(holder.issuer);
    const first = holder.renewer.process(spec, {}, never());
    await inIssuer;
    // Not waiting for the lock: the other host's look ends while the holder is still issuing.
    const skipped = await other.renewer.process(spec, {}, never());
    expect(skipped).toMatchObject({ result: 'skipped', detail: BEING_RENEWED, next: other.clock.t + 30_000 });
    expect(other.issuer.calls).toEqual([]);
    expect(other.deployed).toEqual([]);
    expect(other.notified).toEqual([]);
    open();
    expect((await first).result).toBe('issued');
    // The next look (after the holder's save) decides again under the lease: nothing is due.
    const later = await other.renewer.process(spec, {}, never());
    expect(later.result).toBe('skipped');
    expect(later.detail).not.toBe(BEING_RENEWED);
    expect(other.issuer.calls).toEqual([]);
    expect(holder.store.saves).toHaveLength(1);
  });

  it('the start sweep of leftover TXT values claims without waiting: a name another host holds is left to it', async () => {
    const p = pipeline({ claim });
    const leftover = { provider: 'none', zone: 'example.test', name: '_acme-challenge.web.example.test', value: 'v', ttl: 60 };
    await p.store.writeState('web', { failures: 0, pendingTxt: [leftover] }, { expectedVersion: 0 }, never());
    const held = await p.store.lock('web', never());
    // Resolves while the other host still holds the lease (a waiting lock would hang here).
    await p.renewer.sweepLeftoverTxt(['web'], never());
    expect(p.removed).toEqual([]);
    await held.release();
    // The holder is gone (released or expired): the next sweep claims the lease and cleans up.
    await p.renewer.sweepLeftoverTxt(['web'], never());
    expect(p.removed).toEqual(['web']);
    expect(p.store.isLocked('web')).toBe(false);
  });

  it('a free certificate is claimed and issued as with a waiting lock', async () => {
    const p = pipeline({ claim });
    expect((await p.renewer.process(spec, {}, never())).result).toBe('issued');
    expect(p.store.isLocked('web')).toBe(false);
  });
});

describe('a failed required deploy', () => {
  const failed: DeployResult = { kind: 'hook', describe: 'hook reload', required: true, result: 'failed', ms: 1, error: 'exit 1' };
  const ok: DeployResult = { ...failed, result: 'ok', ms: 1 };
  delete ok.error;

  it('is retried at its backoff on a later look, without reissuing, until it succeeds; the wake-up comes for it', async () => {
    const p = pipeline();
    p.deploy.results = [failed];
    const first = await p.renewer.process(spec, {}, never());
    expect(first).toMatchObject({ result: 'issued', deploy: [failed] });
    // Not the renewal, weeks away: the deploy retry a minute on (or sooner: the first ARI look).
    expect(first.next).toBeLessThanOrEqual(p.clock.t + 60_000);

    p.clock.t += 30_000;
    const early = await p.renewer.process(spec, {}, never());
    expect(early.deploy).toBeUndefined();
    expect(early.next).toBe(p.clock.t + 30_000);

    p.clock.t += 30_000;
    const second = await p.renewer.process(spec, {}, never());
    expect(second).toMatchObject({ result: 'skipped', deploy: [failed] });
    expect(second.next).toBe(p.clock.t + 300_000);
    expect(p.cap.records().filter((r) => r.msg === 'deploy_retry')).toMatchObject([{ cert: 'web', attempt: 2, failed: ['hook reload: exit 1'] }]);

    p.deploy.results = [ok];
    p.clock.t += 300_000;
    const third = await p.renewer.process(spec, {}, never());
    expect(third).toMatchObject({ result: 'skipped', deploy: [ok] });
    expect(third.next! - p.clock.t).toBeGreaterThan(86_400_000);
    expect(p.issuer.calls).toHaveLength(1);
    expect(p.deployed).toEqual(['issued', 'issued', 'issued']);
    expect((await p.store.readState('web', never())).state.deploy).toMatchObject({ failures: 0, actions: [{ result: 'ok' }] });
    expect((await p.store.readState('web', never())).state.deploy?.nextAttempt).toBeUndefined();

    p.clock.t += 3_600_000;
    expect((await p.renewer.process(spec, {}, never())).deploy).toBeUndefined();
  });
});

describe('plan: the first look from the store\'s bulk read', () => {
  const row = async (p: ReturnType<typeof pipeline>) => ({ meta: await p.store.readMeta('web'), state: await p.store.readState('web', never()) });

  it('gives the next look process would give when nothing is due, and undefined (run it) when something is', async () => {
    const p = pipeline();
    const outcomes: RenewOutcome[] = [];
    (p.renewer as unknown as { deps: { hooks: unknown } }).deps.hooks = { onOutcome: (o: RenewOutcome) => outcomes.push(o) };
    // Never stored: due.
    expect(p.renewer.plan(spec, await row(p))).toBeUndefined();
    p.deploy.results = [{ kind: 'hook', describe: 'hook reload', required: true, result: 'failed', ms: 1, error: 'exit 1' }];
    expect((await p.renewer.process(spec, {}, never())).result).toBe('issued');
    p.deploy.results = [];
    // A look that finds the CA has no renewal info (an ARI check is due right after an issuance).
    expect(p.renewer.plan(spec, await row(p))).toBeUndefined();
    p.clock.t += 10_000;
    await p.renewer.process(spec, {}, never());
    // A failed required deploy retried in a minute: before then plan answers as process would.
    p.clock.t += 20_000;
    const planned = p.renewer.plan(spec, await row(p));
    expect(outcomes.at(-1)).toMatchObject({ name: 'web', result: 'skipped', next: planned });
    const processed = await p.renewer.process(spec, {}, never());
    expect(processed).toMatchObject({ result: 'skipped', next: planned });
    expect(planned).toBe(p.clock.t + 30_000);
    // The retry is due: run it (it succeeds).
    p.deploy.results = [{ kind: 'hook', describe: 'hook reload', required: true, result: 'ok', ms: 1 }];
    p.clock.t += 30_000;
    expect(p.renewer.plan(spec, await row(p))).toBeUndefined();
    expect((await p.renewer.process(spec, {}, never())).deploy).toMatchObject([{ result: 'ok' }]);
    // Nothing due: weeks away, as process says.
    const later = p.renewer.plan(spec, await row(p));
    expect(later).toBe((await p.renewer.process(spec, {}, never())).next);
    expect(later! - p.clock.t).toBeGreaterThan(86_400_000);
    // TXT values an interrupted run left, a renewal forced, a renewal due: run them.
    const { state, meta } = await row(p);
    expect(p.renewer.plan(spec, { meta, state: { ...state, state: { ...state.state, pendingTxt: [{ provider: 'none', zone: 'example.test', name: '_acme-challenge.web.example.test', value: 'v', ttl: 60 }] } } })).toBeUndefined();
    expect(p.renewer.plan(spec, { meta, state }, { force: true })).toBeUndefined();
    p.clock.t = Date.parse(meta!.notAfter);
    expect(p.renewer.plan(spec, { meta, state })).toBeUndefined();
    expect(p.issuer.calls).toHaveLength(1);
  });

  it('a CA an earlier process found without ARI (prepare) is not asked: nothing is due right after an issuance', async () => {
    const p = pipeline();
    await p.renewer.process(spec, {}, never());
    expect(p.renewer.plan(spec, await row(p))).toBeUndefined();
    (p.issuer as unknown as { knownWithoutRenewalInfo: () => Promise<boolean> }).knownWithoutRenewalInfo = () => Promise.resolve(true);
    await p.renewer.prepare(never());
    expect(p.renewer.plan(spec, await row(p))).toBeGreaterThan(p.clock.t + 86_400_000);
  });

  it('an ARI check that is due runs it (the CA may want the certificate renewed early)', async () => {
    const p = pipeline();
    p.issuer.ari = () => Promise.resolve({ start: p.clock.t + 30 * 86_400_000, end: p.clock.t + 31 * 86_400_000 });
    await p.renewer.process(spec, {}, never());
    // Right after the issuance the CA is asked (the next process does).
    expect(p.renewer.plan(spec, await row(p))).toBeUndefined();
    await p.renewer.process(spec, {}, never());
    const fresh = await row(p);
    expect(fresh.state.state.ari).toBeDefined();
    expect(p.renewer.plan(spec, fresh)).toBeTypeOf('number');
    p.clock.t += 86_400_000 * 2;
    expect(p.renewer.plan(spec, fresh)).toBeUndefined();
  });
});

describe('force_renew through the pipeline', () => {
  const forced = { ...spec, force_renew: true };
  const HOUR = 3_600_000;

  it('one issue run (run: once) renews every time; the daemon at most every 12 hours and schedules itself 12 hours on', async () => {
    const p = pipeline();
    expect((await p.renewer.process(forced, { run: 'once' }, never())).result).toBe('issued');
    p.clock.t += 1000;
    expect((await p.renewer.process(forced, { run: 'once' }, never())).result).toBe('renewed');
    expect(p.store.saves).toHaveLength(2);

    // The daemon's view of the same certificate, just renewed: not due, next look in 12 hours (no loop).
    const now = p.clock.t;
    const skipped = await p.renewer.process(forced, {}, never());
    expect(skipped).toMatchObject({ result: 'skipped', detail: expect.stringMatching(/^force_renew \(every 12 h\) at /), next: now + 12 * HOUR });
    p.clock.t = now + 12 * HOUR;
    const renewed = await p.renewer.process(forced, {}, never());
    expect(renewed).toMatchObject({ result: 'renewed', next: p.clock.t + 12 * HOUR });
    expect(p.store.saves).toHaveLength(3);
    // Without force_renew the same store is left alone by either.
    expect((await p.renewer.process(spec, { run: 'once' }, never())).result).toBe('skipped');
  });
});
