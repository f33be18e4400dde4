import { issueMessage } from './load-config.js';
import { dottedPath, unknownKeysMessage } from './key-hints.js';
import { certificateName, certificateSchema, configSchema, crossFieldIssues, type CertificateConfig, type Config } from './schema.js';
import { SECRET_OPTIONS } from './secret.js';
import { shareDefaults } from './shared-defaults.js';

/**
 * One `certificates[]` entry given as data (the management API, `certfleet cert add`), checked
 * with the config file's schema and cross-field checks against a loaded config, so it gets the
 * file's messages. Paths are the config's field paths relative to the entry (`domains[1]`), the
 * spelling `check-config` prints, so a user sees one spelling for one problem wherever it is found.
 */
export interface EntryProblem { path: string; message: string }

export type EntryResult =
  | { ok: true; name: string; certificate: CertificateConfig }
  | { ok: false; problems: EntryProblem[] };

/**
 * Keys the API refuses although the file accepts them. A managed spec is stored as JSON in the
 * store (no secret may be), and whoever holds the API token must not gain a way to run programs
 * or write files as the daemon: deploy actions stay in the config file, which only its owner edits.
 */
function refusedKeys(entry: Record<string, unknown>): EntryProblem[] {
  const problems: EntryProblem[] = [];
  if ('deploy' in entry) problems.push({ path: 'deploy', message: 'deploy actions are not accepted through the API (they run programs and write files as the daemon); put this certificate in the config file, or deploy from live/' });
  const secretKeys = new Set<string>([...SECRET_OPTIONS, ...SECRET_OPTIONS.map((o) => `${o}_file`)]);
  const walk = (v: unknown, path: (string | number)[]) => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (isRecord(v)) {
      for (const [k, x] of Object.entries(v)) {
        if (secretKeys.has(k)) problems.push({ path: dottedPath([...path, k]), message: 'secrets are not accepted through the API (the spec is stored as plain JSON)' });
        else walk(x, [...path, k]);
      }
    }
  };
  if (!('deploy' in entry)) walk(entry, []);
  return problems;
}

/** Validates `entry` as the config file would validate it beside `config`'s providers. */
export function validateCertificateEntry(entry: unknown, config: Pick<Config, 'dns'>): EntryResult {
  if (!isRecord(entry)) return { ok: false, problems: [{ path: '', message: 'expected a JSON object: one certificates[] entry, like {"domains": ["example.com"], "dns": "home"}' }] };
  // Placed where it stands in a file, so the did-you-mean and dedent hints read the same schema.
  const raw = { dns: { providers: config.dns.providers }, certificates: [entry] };
  const at = ['certificates', 0] as const;
  const result = certificateSchema.safeParse(entry);
  const problems: EntryProblem[] = refusedKeys(entry);
  for (const issue of result.success ? [] : result.error.issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (path[0] === 'deploy') continue; // refused above as a whole
    const message = issue.code === 'unrecognized_keys'
      ? unknownKeysMessage(configSchema, raw, [...at, ...path], issue.keys)
      : issueMessage(raw, { path: [...at, ...path], message: issue.message });
    problems.push({ path: dottedPath(path), message });
  }
  for (const issue of crossFieldIssues(raw)) problems.push({ path: dottedPath(issue.path.slice(2)), message: issue.message });
  if (problems.length > 0 || !result.success) return { ok: false, problems };
  const name = certificateName(result.data);
  return { ok: true, name, certificate: shareDefaults({ ...result.data, name }) };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
