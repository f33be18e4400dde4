/**
 * What every child process gets from certfleet's own environment, when set: enough to find
 * programs and to print dates and text the way the host does. Nothing else is inherited, so the
 * secrets certfleet reads from its environment (CERTFLEET_PDNS_API_KEY, CERTFLEET_STORE_KEY, …)
 * never reach a hook, an exec provider or openssl unless the config names them in `pass_env`.
 */
export const INHERITED_ENV = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ'] as const;

/** A variable name `env:` and `pass_env:` accept. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface ChildEnvOptions {
  /** Names copied from certfleet's environment on purpose (`pass_env`). */
  passEnv?: readonly string[];
  /** Values the config sets (`env`). */
  env?: Readonly<Record<string, string>>;
  /** certfleet's documented variables for this child; set last, so a config cannot fake them. */
  own?: Readonly<Record<string, string>>;
  /** certfleet's environment; process.env unless a test gives one. */
  from?: NodeJS.ProcessEnv;
}

/** The whole environment of one child: the allow-list, then `pass_env`, `env` and certfleet's own variables. */
export function childEnv(opts: ChildEnvOptions = {}): Record<string, string> {
  const from = opts.from ?? process.env;
  const out: Record<string, string> = {};
  for (const name of [...INHERITED_ENV, ...(opts.passEnv ?? [])]) {
    const value = from[name];
    if (value !== undefined) out[name] = value;
  }
  return { ...out, ...opts.env, ...opts.own };
}
