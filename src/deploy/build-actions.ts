import type { Config } from '../config/schema.js';
import { ContainerAction } from './container-action.js';
import { CopyAction } from './copy-action.js';
import type { DeployAction } from './deploy-action.js';
import { HookAction } from './hook-action.js';
import { PermissionsAction } from './permissions-action.js';
import { PfxAction } from './pfx-action.js';
import { WebhookAction } from './webhook-action.js';

type DeployItem = Config['certificates'][number]['deploy'][number];

/** The actions of a certificate's `deploy:` list, in order. */
export function buildActions(items: DeployItem[], containers: Config['containers']): DeployAction[] {
  return items.filter((item) => containers.enabled || !('container' in item)).map((item) => {
    if ('hook' in item) {
      const h = item.hook;
      return new HookAction({ argv: h.command, ...(h.cwd ? { cwd: h.cwd } : {}), env: h.env, passEnv: h.pass_env }, h.timeout, h.required);
    }
    if ('permissions' in item) {
      const p = item.permissions;
      return new PermissionsAction({
        ...(p.files_mode !== undefined ? { filesMode: p.files_mode } : {}), ...(p.dirs_mode !== undefined ? { dirsMode: p.dirs_mode } : {}),
        ...(p.user !== undefined ? { user: p.user } : {}), ...(p.group !== undefined ? { group: p.group } : {}),
      }, p.timeout, p.required);
    }
    if ('pfx' in item) return new PfxAction(item.pfx.passphrase?.reveal(), item.pfx.legacy, item.pfx.timeout, item.pfx.required);
    if ('copy' in item) {
      const c = item.copy;
      return new CopyAction({
        mode: c.mode, ...(c.fullchain ? { fullchain: c.fullchain } : {}), ...(c.privkey ? { privkey: c.privkey } : {}), ...(c.cert ? { cert: c.cert } : {}),
        ...(c.chain ? { chain: c.chain } : {}), ...(c.combined ? { combined: c.combined } : {}), ...(c.user !== undefined ? { user: c.user } : {}), ...(c.group !== undefined ? { group: c.group } : {}),
      }, c.timeout, c.required);
    }
    if ('container' in item) {
      const c = item.container;
      return new ContainerAction({
        sockets: containers.socket, ...(c.restart ? { restart: c.restart } : {}), ...(c.signal ? { signal: c.signal } : {}),
        ...(c.exec ? { exec: c.exec } : {}), ...(c.services ? { services: c.services } : {}),
      }, c.timeout, c.required);
    }
    return new WebhookAction(item.webhook.url, item.webhook.secret?.reveal(), item.webhook.timeout, item.webhook.required);
  });
}
