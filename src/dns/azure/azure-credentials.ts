import { readFile } from 'node:fs/promises';
import { CertfleetError } from '../../errors.js';
import type { FetchLike } from '../../http/pool-fetch.js';
import { ExpiringCredential, type Expiring } from '../expiring-credential.js';
import { ProviderHttp } from '../provider-http.js';
import type { AzureAuth } from './azure-options.js';

export const AZURE_LOGIN = 'https://login.microsoftonline.com';
export const AZURE_IMDS = 'http://169.254.169.254';
/** The Resource Manager audience, as the recorded token request names it. */
const RESOURCE = 'https://management.azure.com';

export interface AzureTokenOptions {
  label: string;
  auth: AzureAuth;
  env: Record<string, string | undefined>;
  loginUrl?: string;
  imdsUrl?: string;
  fetch?: FetchLike;
}

interface TokenAnswer { access_token?: string; expires_in?: string | number; expires_on?: string | number }

/**
 * A Resource Manager bearer token, kept until five minutes before it expires: client credentials
 * at Entra ID's v1 token endpoint (as recorded), managed identity (App Service's
 * IDENTITY_ENDPOINT/IDENTITY_HEADER when set, else the VM metadata service), or AKS workload
 * identity (the federated token in AZURE_FEDERATED_TOKEN_FILE as a client assertion, read again
 * at every exchange because the kubelet rotates it).
 */
export class AzureToken {
  private readonly cached: ExpiringCredential<string>;
  private readonly known = new Set<string>();

  constructor(private readonly opts: AzureTokenOptions) {
    this.cached = new ExpiringCredential((signal) => this.fetchToken(signal));
    if (opts.auth.kind === 'client_secret') this.known.add(opts.auth.clientSecret);
  }

  get(signal: AbortSignal): Promise<string> {
    return this.cached.get(signal);
  }

  /** The client secret, federated tokens and access tokens seen so far, for scrubbing messages. */
  secrets(): string[] {
    return [...this.known];
  }

  private http(baseUrl: string, authHint: string): ProviderHttp {
    return new ProviderHttp({
      label: this.opts.label, baseUrl, authHint, secrets: () => this.known, errorDetail: tokenErrorDetail,
      ...(this.opts.fetch ? { fetch: this.opts.fetch } : {}),
    });
  }

  private async fetchToken(signal: AbortSignal): Promise<Expiring<string>> {
    const { auth, env } = this.opts;
    const login = (this.opts.loginUrl ?? env.AZURE_AUTHORITY_HOST ?? AZURE_LOGIN).replace(/\/+$/, '');
    if (auth.kind === 'client_secret') {
      const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: auth.clientId, client_secret: auth.clientSecret, resource: RESOURCE });
      const res = await this.http(login, `check tenant_id, client_id and client_secret of the app registration ${auth.clientId}`)
        .request('POST', `/${encodeURIComponent(auth.tenantId)}/oauth2/token`, { signal, raw: { body: form.toString(), contentType: 'application/x-www-form-urlencoded' } });
      return this.keep(res.json<TokenAnswer>());
    }
    if (auth.kind === 'workload_identity') {
      const tenantId = auth.tenantId ?? env.AZURE_TENANT_ID;
      const clientId = auth.clientId ?? env.AZURE_CLIENT_ID;
      const tokenFile = auth.tokenFile ?? env.AZURE_FEDERATED_TOKEN_FILE;
      if (!tenantId || !clientId || !tokenFile) {
        throw new CertfleetError('DNS_AUTH', `${this.opts.label}: workload identity needs tenant_id, client_id and a federated token file (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_FEDERATED_TOKEN_FILE, which the AKS webhook sets)`);
      }
      let assertion: string;
      try {
        assertion = (await readFile(tokenFile, 'utf8')).trim();
      } catch (err) {
        throw new CertfleetError('DNS_AUTH', `${this.opts.label}: cannot read the federated token file ${tokenFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      this.known.add(assertion);
      const form = new URLSearchParams({
        grant_type: 'client_credentials', client_id: clientId, scope: `${RESOURCE}/.default`,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion,
      });
      const res = await this.http(login, `the app registration ${clientId} needs a federated credential for this service account`)
        .request('POST', `/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`, { signal, raw: { body: form.toString(), contentType: 'application/x-www-form-urlencoded' } });
      return this.keep(res.json<TokenAnswer>());
    }
    const clientId = auth.clientId ? { client_id: auth.clientId } : {};
    if (env.IDENTITY_ENDPOINT && env.IDENTITY_HEADER) {
      this.known.add(env.IDENTITY_HEADER);
      const res = await this.http(env.IDENTITY_ENDPOINT, 'the App Service needs a managed identity (Identity → System assigned, or client_id of a user-assigned one)')
        .request('GET', '', { signal, query: { 'api-version': '2019-08-01', resource: RESOURCE, ...clientId }, headers: { 'x-identity-header': env.IDENTITY_HEADER } });
      return this.keep(res.json<TokenAnswer>());
    }
    const res = await this.http(this.opts.imdsUrl ?? AZURE_IMDS, 'the VM needs a managed identity (system assigned, or client_id of a user-assigned one)')
      .request('GET', '/metadata/identity/oauth2/token', { signal, query: { 'api-version': '2018-02-01', resource: RESOURCE, ...clientId }, headers: { metadata: 'true' } });
    return this.keep(res.json<TokenAnswer>());
  }

  /** expires_in (seconds from now: immune to clock skew) when given, else expires_on (epoch seconds); strings or numbers. */
  private keep(t: TokenAnswer): Expiring<string> {
    if (!t.access_token) throw new CertfleetError('DNS_AUTH', `${this.opts.label}: the token answer has no access_token`);
    this.known.add(t.access_token);
    const inSeconds = Number(t.expires_in);
    const on = Number(t.expires_on);
    const expiresAt = Number.isFinite(inSeconds) && inSeconds > 0 ? Date.now() + inSeconds * 1000 : Number.isFinite(on) && on > 0 ? on * 1000 : Date.now() + 3600_000;
    return { value: t.access_token, expiresAt };
  }
}

/** Entra ID's `error_description` (AADSTS… code and text), or an ARM-style `error.message`. */
function tokenErrorDetail(_status: number, body: string): string | undefined {
  try {
    const b = JSON.parse(body) as { error?: string | { message?: string }; error_description?: string };
    if (b.error_description) return b.error_description.split(/\r?\n/)[0];
    return typeof b.error === 'string' ? b.error : b.error?.message;
  } catch {
    return undefined;
  }
}
