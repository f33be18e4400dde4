import { readFile } from 'node:fs/promises';
import { XMLParser } from 'fast-xml-parser';
import { CertfleetError } from '../../errors.js';
import type { FetchLike } from '../../http/pool-fetch.js';
import { ExpiringCredential } from '../expiring-credential.js';
import { ProviderHttp } from '../provider-http.js';

export interface AwsCredentials { accessKeyId: string; secretAccessKey: string; sessionToken?: string }

export interface AwsCredentialOptions {
  label: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  profile?: string;
  env: Record<string, string | undefined>;
  home: string;
  stsUrl?: string;
  fetch?: FetchLike;
}

/**
 * The AWS SDK's default credential chain, as far as certfleet needs it: keys in the config, then
 * AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY(/AWS_SESSION_TOKEN), then a profile of the shared
 * credentials file, then a web identity token (Kubernetes IRSA: AWS_ROLE_ARN and
 * AWS_WEB_IDENTITY_TOKEN_FILE) exchanged at STS for temporary keys, kept until five minutes
 * before they expire. The token file is read again at every exchange (the kubelet rotates it).
 */
export class AwsCredentialChain {
  private readonly cached: ExpiringCredential<AwsCredentials>;
  private readonly known = new Set<string>();

  constructor(private readonly opts: AwsCredentialOptions) {
    this.cached = new ExpiringCredential((signal) => this.resolve(signal));
  }

  get(signal: AbortSignal): Promise<AwsCredentials> {
    return this.cached.get(signal);
  }

  /** Every secret value seen so far, for scrubbing messages. */
  secrets(): string[] {
    return [...this.known];
  }

  private keep(c: AwsCredentials, expiresAt = Number.POSITIVE_INFINITY) {
    this.known.add(c.secretAccessKey);
    if (c.sessionToken) this.known.add(c.sessionToken);
    return { value: c, expiresAt };
  }

  private async resolve(signal: AbortSignal) {
    const { opts } = this;
    const env = opts.env;
    if (opts.accessKeyId && opts.secretAccessKey) return this.keep(keys(opts.accessKeyId, opts.secretAccessKey, opts.sessionToken));
    if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) return this.keep(keys(env.AWS_ACCESS_KEY_ID, env.AWS_SECRET_ACCESS_KEY, env.AWS_SESSION_TOKEN));
    const fromFile = await this.sharedFile();
    if (fromFile) return this.keep(fromFile);
    if (env.AWS_ROLE_ARN && env.AWS_WEB_IDENTITY_TOKEN_FILE) return this.webIdentity(env.AWS_ROLE_ARN, env.AWS_WEB_IDENTITY_TOKEN_FILE, signal);
    throw new CertfleetError('DNS_AUTH', `${opts.label}: no AWS credentials: give access_key_id and secret_access_key, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, `
      + `or a profile in ${this.credentialsFile()}, or AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE (Kubernetes IRSA)`);
  }

  private credentialsFile(): string {
    return this.opts.env.AWS_SHARED_CREDENTIALS_FILE ?? `${this.opts.home}/.aws/credentials`;
  }

  /** The profile's keys; undefined when there is no file, or no such profile and none was asked for by name. */
  private async sharedFile(): Promise<AwsCredentials | undefined> {
    const file = this.credentialsFile();
    const profile = this.opts.profile ?? this.opts.env.AWS_PROFILE ?? 'default';
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && this.opts.profile === undefined) return undefined;
      throw new CertfleetError('DNS_AUTH', `${this.opts.label}: cannot read the shared credentials file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    const section = iniSection(text, profile);
    if (section?.aws_access_key_id && section.aws_secret_access_key) return keys(section.aws_access_key_id, section.aws_secret_access_key, section.aws_session_token);
    if (this.opts.profile !== undefined || this.opts.env.AWS_PROFILE !== undefined) {
      throw new CertfleetError('DNS_AUTH', `${this.opts.label}: profile ${profile} in ${file} has no aws_access_key_id and aws_secret_access_key`);
    }
    return undefined;
  }

  private async webIdentity(roleArn: string, tokenFile: string, signal: AbortSignal) {
    const { env } = this.opts;
    let token: string;
    try {
      token = (await readFile(tokenFile, 'utf8')).trim();
    } catch (err) {
      throw new CertfleetError('DNS_AUTH', `${this.opts.label}: cannot read AWS_WEB_IDENTITY_TOKEN_FILE ${tokenFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    this.known.add(token);
    const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    const sts = new ProviderHttp({
      label: this.opts.label, baseUrl: this.opts.stsUrl ?? (region ? `https://sts.${region}.amazonaws.com` : 'https://sts.amazonaws.com'),
      ...(this.opts.fetch ? { fetch: this.opts.fetch } : {}),
      secrets: () => this.known, errorDetail: awsErrorDetail,
      authHint: `the role ${roleArn} must trust this web identity (sts:AssumeRoleWithWebIdentity for the service account's OIDC provider)`,
    });
    // AssumeRoleWithWebIdentity is not signed: the web identity token is the credential.
    const form = new URLSearchParams({
      Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15', RoleArn: roleArn,
      RoleSessionName: env.AWS_ROLE_SESSION_NAME ?? `certfleet-${Date.now()}`, WebIdentityToken: token,
    });
    const res = await sts.request('POST', '/', { signal, raw: { body: form.toString(), contentType: 'application/x-www-form-urlencoded' } });
    const c = (xml.parse(res.text) as StsAnswer).AssumeRoleWithWebIdentityResponse?.AssumeRoleWithWebIdentityResult?.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new CertfleetError('DNS_AUTH', `${this.opts.label}: STS answered AssumeRoleWithWebIdentity without credentials`);
    const expiresAt = Date.parse(c.Expiration ?? '');
    return this.keep(keys(c.AccessKeyId, c.SecretAccessKey, c.SessionToken), Number.isFinite(expiresAt) ? expiresAt : Date.now() + 15 * 60_000);
  }
}

interface StsAnswer {
  AssumeRoleWithWebIdentityResponse?: { AssumeRoleWithWebIdentityResult?: { Credentials?: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string; Expiration?: string } } };
}

const xml = new XMLParser({ ignoreAttributes: true, parseTagValue: false });

/** `Code: Message` of an AWS XML error answer (Route 53 and STS share the shape). */
export function awsErrorDetail(_status: number, body: string): string | undefined {
  try {
    const e = (xml.parse(body) as { ErrorResponse?: { Error?: { Code?: string; Message?: string } } }).ErrorResponse?.Error;
    return e?.Code ? `${e.Code}${e.Message ? `: ${e.Message}` : ''}` : undefined;
  } catch {
    return undefined;
  }
}

function keys(accessKeyId: string, secretAccessKey: string, sessionToken?: string): AwsCredentials {
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}

/** The keys of one `[profile]` section of an INI file (`#` and `;` start comments). */
function iniSection(text: string, name: string): Record<string, string> | undefined {
  let current: string | undefined;
  const sections = new Map<string, Record<string, string>>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/^\s*[#;].*$/, '').trim();
    if (line.startsWith('[') && line.endsWith(']')) {
      current = line.slice(1, -1).trim().replace(/^profile\s+/, '');
      if (!sections.has(current)) sections.set(current, {});
      continue;
    }
    const kv = /^([\w.-]+)\s*=\s*(.*)$/.exec(line);
    if (kv && current !== undefined) sections.get(current)![kv[1]!.toLowerCase()] = kv[2]!;
  }
  return sections.get(name);
}
