import { CertfleetError } from '../errors.js';
import type { Logger } from '../log.js';
import type { CertificateEvent, DeployAction } from './deploy-action.js';
import { EngineApi } from './engine-api.js';

/** A container chosen by name, or by label: `label=com.example.reload` or `label=key=value`. */
export type ContainerSelector = string;

export interface ContainerActionOptions {
  socket: string;
  restart?: ContainerSelector[];
  /** Signal name → containers, e.g. { SIGHUP: [nginx] }. */
  signal?: Record<string, ContainerSelector[]>;
  exec?: { containers: ContainerSelector[]; command: string[] };
  /** Swarm services to update with a forced rolling update. */
  services?: string[];
}

interface ContainerSummary { Id: string; Names?: string[] }
interface ServiceSummary { ID: string; Version: { Index: number }; Spec: { Name: string; TaskTemplate: { ForceUpdate?: number } & Record<string, unknown> } & Record<string, unknown> }

/**
 * Restarts, signals or execs into containers through the Docker or Podman Engine API on its
 * unix socket or a socket proxy's TCP address (no docker CLI, no shell), and force-updates Swarm services. A selector that
 * matches nothing is an error: a typo must not pass for a reload.
 */
export class ContainerAction implements DeployAction {
  readonly kind = 'container';
  readonly describe: string;
  private readonly api: EngineApi;

  constructor(private readonly opts: ContainerActionOptions, readonly timeoutMs: number, readonly required: boolean) {
    this.api = new EngineApi(opts.socket);
    const parts = [
      ...(opts.restart?.length ? [`restart ${opts.restart.join(',')}`] : []),
      ...Object.entries(opts.signal ?? {}).map(([s, c]) => `${s} ${c.join(',')}`),
      ...(opts.exec ? [`exec in ${opts.exec.containers.join(',')}`] : []),
      ...(opts.services?.length ? [`update service ${opts.services.join(',')}`] : []),
    ];
    this.describe = `container ${parts.join('; ')}`;
  }

  async run(_event: CertificateEvent, ctx: { log: Logger; signal: AbortSignal }): Promise<void> {
    await this.api.check(ctx.signal);
    for (const id of await this.resolve(this.opts.restart ?? [], ctx.signal)) {
      await this.api.call('POST', `/containers/${id}/restart?t=10`, undefined, ctx.signal);
      ctx.log.info({ container: id.slice(0, 12) }, 'container_restarted');
    }
    for (const [sig, selectors] of Object.entries(this.opts.signal ?? {})) {
      for (const id of await this.resolve(selectors, ctx.signal)) {
        await this.api.call('POST', `/containers/${id}/kill?signal=${encodeURIComponent(sig)}`, undefined, ctx.signal);
        ctx.log.info({ container: id.slice(0, 12), signal: sig }, 'container_signalled');
      }
    }
    if (this.opts.exec) {
      for (const id of await this.resolve(this.opts.exec.containers, ctx.signal)) await this.exec(id, this.opts.exec.command, ctx);
    }
    for (const name of this.opts.services ?? []) await this.updateService(name, ctx);
  }

  private async resolve(selectors: ContainerSelector[], signal: AbortSignal): Promise<string[]> {
    const ids: string[] = [];
    for (const sel of selectors) {
      const label = /^label=(.+)$/.exec(sel)?.[1];
      const filters = label ? { label: [label] } : { name: [`^/?${sel.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`] };
      const found = await this.api.call<ContainerSummary[]>('GET', `/containers/json?filters=${encodeURIComponent(JSON.stringify(filters))}`, undefined, signal);
      if (found.length === 0) throw new CertfleetError('DEPLOY_FAILED', `${this.describe}: no running container matches ${JSON.stringify(sel)}`);
      ids.push(...found.map((c) => c.Id));
    }
    return [...new Set(ids)];
  }

  private async exec(id: string, command: string[], ctx: { log: Logger; signal: AbortSignal }): Promise<void> {
    const created = await this.api.call<{ Id: string }>('POST', `/containers/${id}/exec`, { Cmd: command, AttachStdout: true, AttachStderr: true }, ctx.signal);
    const output = await this.api.execAttached(created.Id, ctx.signal);
    const log = ctx.log.child({ container: id.slice(0, 12), program: command[0] });
    for (const [stream, text] of Object.entries(output)) for (const line of text.split('\n')) if (line.trim()) log.info({ stream }, line);
    const s = await this.api.call<{ Running: boolean; ExitCode: number | null }>('GET', `/exec/${created.Id}/json`, undefined, ctx.signal);
    if (s.ExitCode !== 0) throw new CertfleetError('DEPLOY_FAILED', `${this.describe}: ${command[0] ?? ''} exited with ${s.ExitCode ?? 'unknown'} in container ${id.slice(0, 12)}; its output is in the log`);
    log.info('container_exec_done');
  }

  private async updateService(name: string, ctx: { log: Logger; signal: AbortSignal }): Promise<void> {
    const found = await this.api.call<ServiceSummary[]>('GET', `/services?filters=${encodeURIComponent(JSON.stringify({ name: [name] }))}`, undefined, ctx.signal);
    const svc = found.find((s) => s.Spec.Name === name);
    if (!svc) throw new CertfleetError('DEPLOY_FAILED', `${this.describe}: no Swarm service named ${JSON.stringify(name)}`);
    const spec = { ...svc.Spec, TaskTemplate: { ...svc.Spec.TaskTemplate, ForceUpdate: (svc.Spec.TaskTemplate.ForceUpdate ?? 0) + 1 } };
    await this.api.call('POST', `/services/${svc.ID}/update?version=${svc.Version.Index}`, spec, ctx.signal);
    ctx.log.info({ service: name }, 'service_updated');
  }
}
