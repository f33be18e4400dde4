import { EngineApi } from '../container/engine-api.js';
import { CertfleetError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { CertificateEvent, DeployAction } from './deploy-action.js';

/** A container chosen by name, or by label: `label=com.example.reload` or `label=key=value`. */
export type ContainerSelector = string;

export interface ContainerActionOptions {
  /** Every engine the containers are looked up on (Docker and Podman at once): a socket path, `unix://` or `tcp://` address each. */
  sockets: string[];
  restart?: ContainerSelector[];
  /** Signal name → containers, e.g. { SIGHUP: [nginx] }. */
  signal?: Record<string, ContainerSelector[]>;
  exec?: { containers: ContainerSelector[]; command: string[] };
  /** Swarm services to update with a forced rolling update. */
  services?: string[];
}

interface ContainerSummary { Id: string; Names?: string[] }
interface ServiceSummary { ID: string; Version: { Index: number }; Spec: { Name: string; TaskTemplate: { ForceUpdate?: number } & Record<string, unknown> } & Record<string, unknown> }
/** A container found on one engine. */
interface Found { engine: EngineApi; id: string }
type Ctx = { log: Logger; signal: AbortSignal };

/**
 * Restarts, signals or execs into containers through the Docker or Podman Engine API on its
 * unix socket or a socket proxy's TCP address (no docker CLI, no shell), and force-updates Swarm
 * services. With several engines, each name (or label) is looked up on every one and acted on
 * wherever it is found. A selector that matches nothing on any engine is an error: a typo must
 * not pass for a reload.
 */
export class ContainerAction implements DeployAction {
  readonly kind = 'container';
  readonly describe: string;
  /** One client per socket, in the configured order. */
  private readonly engines: EngineApi[];

  constructor(private readonly opts: ContainerActionOptions, readonly timeoutMs: number, readonly required: boolean) {
    if (opts.sockets.length === 0) throw new CertfleetError('CONFIG_INVALID', 'a container action needs at least one engine socket');
    this.engines = [...new Set(opts.sockets)].map((s) => new EngineApi(s));
    const parts = [
      ...(opts.restart?.length ? [`restart ${opts.restart.join(',')}`] : []),
      ...Object.entries(opts.signal ?? {}).map(([s, c]) => `${s} ${c.join(',')}`),
      ...(opts.exec ? [`exec in ${opts.exec.containers.join(',')}`] : []),
      ...(opts.services?.length ? [`update service ${opts.services.join(',')}`] : []),
    ];
    this.describe = `container ${parts.join('; ')}`;
  }

  async run(_event: CertificateEvent, ctx: Ctx): Promise<void> {
    // Every engine is checked before anything is done: an unusable socket must not leave half the reloads done.
    for (const engine of this.engines) await engine.check(ctx.signal);
    for (const c of await this.resolve(this.opts.restart ?? [], ctx.signal)) {
      await c.engine.call('POST', `/containers/${c.id}/restart?t=10`, undefined, ctx.signal);
      ctx.log.info({ container: c.id.slice(0, 12), ...this.where(c.engine) }, 'container_restarted');
    }
    for (const [sig, selectors] of Object.entries(this.opts.signal ?? {})) {
      for (const c of await this.resolve(selectors, ctx.signal)) {
        await c.engine.call('POST', `/containers/${c.id}/kill?signal=${encodeURIComponent(sig)}`, undefined, ctx.signal);
        ctx.log.info({ container: c.id.slice(0, 12), signal: sig, ...this.where(c.engine) }, 'container_signalled');
      }
    }
    if (this.opts.exec) {
      for (const c of await this.resolve(this.opts.exec.containers, ctx.signal)) await this.exec(c, this.opts.exec.command, ctx);
    }
    for (const name of this.opts.services ?? []) await this.updateService(name, ctx);
  }

  /** The engine's address for a log line, when there is more than one to tell apart. */
  private where(engine: EngineApi): { engine?: string } {
    return this.engines.length > 1 ? { engine: engine.address } : {};
  }

  private async resolve(selectors: ContainerSelector[], signal: AbortSignal): Promise<Found[]> {
    const found = new Map<string, Found>();
    for (const sel of selectors) {
      const label = /^label=(.+)$/.exec(sel)?.[1];
      const filters = label ? { label: [label] } : { name: [`^/?${sel.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`] };
      let matched = false;
      for (const engine of this.engines) {
        const list = await engine.call<ContainerSummary[]>('GET', `/containers/json?filters=${encodeURIComponent(JSON.stringify(filters))}`, undefined, signal);
        for (const c of list) found.set(`${engine.address}\0${c.Id}`, { engine, id: c.Id });
        matched ||= list.length > 0;
      }
      if (!matched) throw new CertfleetError('DEPLOY_FAILED', `${this.describe}: no running container matches ${JSON.stringify(sel)}${this.engines.length > 1 ? ` on any of ${this.engines.map((e) => e.address).join(', ')}` : ''}`);
    }
    return [...found.values()];
  }

  private async exec(c: Found, command: string[], ctx: Ctx): Promise<void> {
    const created = await c.engine.call<{ Id: string }>('POST', `/containers/${c.id}/exec`, { Cmd: command, AttachStdout: true, AttachStderr: true }, ctx.signal);
    const output = await c.engine.execAttached(created.Id, ctx.signal);
    const log = ctx.log.child({ container: c.id.slice(0, 12), program: command[0], ...this.where(c.engine) });
    for (const [stream, text] of Object.entries(output)) for (const line of text.split('\n')) if (line.trim()) log.info({ stream, line }, 'container_output');
    const s = await c.engine.call<{ Running: boolean; ExitCode: number | null }>('GET', `/exec/${created.Id}/json`, undefined, ctx.signal);
    if (s.ExitCode !== 0) throw new CertfleetError('DEPLOY_FAILED', `${this.describe}: ${command[0] ?? ''} exited with ${s.ExitCode ?? 'unknown'} in container ${c.id.slice(0, 12)}; its output is in the log`);
    log.info('container_exec_done');
  }

  /** Updated on every engine that has the service; Podman has no Swarm, so one engine without it is no error. */
  private async updateService(name: string, ctx: Ctx): Promise<void> {
    const reasons: string[] = [];
    let updated = false;
    for (const engine of this.engines) {
      let svc: ServiceSummary | undefined;
      try {
        const found = await engine.call<ServiceSummary[]>('GET', `/services?filters=${encodeURIComponent(JSON.stringify({ name: [name] }))}`, undefined, ctx.signal);
        svc = found.find((s) => s.Spec.Name === name);
      } catch (err) {
        // One engine's refusal (not a Swarm manager) is kept for the message, if none has the service.
        if (ctx.signal.aborted || this.engines.length === 1) throw err;
        reasons.push(errorMessage(err));
        continue;
      }
      if (!svc) continue;
      const spec = { ...svc.Spec, TaskTemplate: { ...svc.Spec.TaskTemplate, ForceUpdate: (svc.Spec.TaskTemplate.ForceUpdate ?? 0) + 1 } };
      await engine.call('POST', `/services/${svc.ID}/update?version=${svc.Version.Index}`, spec, ctx.signal);
      ctx.log.info({ service: name, ...this.where(engine) }, 'service_updated');
      updated = true;
    }
    if (!updated) throw new CertfleetError('DEPLOY_FAILED', `${this.describe}: no Swarm service named ${JSON.stringify(name)}${reasons.length ? ` (${reasons.join('; ')})` : ''}`);
  }
}
