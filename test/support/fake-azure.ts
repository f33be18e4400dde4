import { randomBytes, randomUUID } from 'node:crypto';
import { startFakeApiServer, type FakeAnswer, type FakeApiServer, type FakeRequest } from './fake-api-server.js';
import { registerSecret } from './secret-scan.js';

/**
 * Azure DNS on Resource Manager plus the Entra ID token endpoint, built from dns-lexicon's
 * recordings (test/cassettes/azure): the v1 client-credentials token answer (expires_in as a
 * string), `dnsZones` listed per resource group, record sets listed per type or all
 * (`recordsets`), PUT answering 201 for a new set and 200 for a replaced one, DELETE 200, the
 * recorded body shapes (id, name, type, etag, properties.fqdn/TTL/TXTRecords). From Resource
 * Manager's documentation: etag preconditions (412), the `{"error":{code,message}}` bodies,
 * nextLink pagination, 429 with Retry-After (by injection). Managed identity (IMDS, App Service)
 * and workload identity (v2.0 with a client assertion) are served as Microsoft documents them:
 * no recording has them.
 */
export interface FakeAzure {
  api: FakeApiServer;
  url: string;
  tenantId: string;
  subscriptionId: string;
  resourceGroup: string;
  clientId: string;
  clientSecret: string;
  /** A federated token the v2.0 endpoint accepts as client_assertion. */
  federatedToken: string;
  /** The IDENTITY_HEADER App Service's endpoint wants. */
  identityHeader: string;
  /** Lifetime of the tokens it issues, seconds. */
  tokenLifetime: number;
  /** Token requests answered, per flow. */
  tokensIssued: { client_secret: number; workload_identity: number; imds: number; app_service: number };
  txt(fqdn: string): string[];
  /** Sets a record set directly (as another writer would); returns its new etag. */
  put(zone: string, type: string, name: string, properties: Record<string, unknown>): string;
  /** Items per list page (unlimited by default, as in the recordings). */
  pageSize: number;
  stop(): Promise<void>;
}

interface StoredSet { zone: string; type: string; name: string; etag: string; properties: Record<string, unknown> }

const API_VERSION = '2018-05-01';

export async function startFakeAzure(zones: string[]): Promise<FakeAzure> {
  const secrets = {
    tenantId: randomUUID(), subscriptionId: randomUUID(), clientId: randomUUID(), resourceGroup: 'dns-test',
    clientSecret: `azs~${randomBytes(16).toString('base64url')}`, federatedToken: `eyJ${randomBytes(24).toString('base64url')}`, identityHeader: randomBytes(12).toString('hex'),
  };
  registerSecret(secrets.clientSecret);
  registerSecret(secrets.federatedToken);
  registerSecret(secrets.identityHeader);
  const tokens = new Map<string, number>();
  const sets: StoredSet[] = [];
  const fake = { ...secrets, tokenLifetime: 3599, pageSize: Number.POSITIVE_INFINITY, tokensIssued: { client_secret: 0, workload_identity: 0, imds: 0, app_service: 0 } } as FakeAzure;
  const group = `/subscriptions/${secrets.subscriptionId}/resourceGroups/${secrets.resourceGroup}/providers/Microsoft.Network`;

  const issue = (flow: keyof FakeAzure['tokensIssued']): FakeAnswer => {
    const token = `eyJ0eXAi.${randomBytes(24).toString('base64url')}`;
    registerSecret(token);
    tokens.set(token, Date.now() + fake.tokenLifetime * 1000);
    fake.tokensIssued[flow]++;
    const now = Math.floor(Date.now() / 1000);
    return { status: 200, body: { token_type: 'Bearer', expires_in: String(fake.tokenLifetime), ext_expires_in: String(fake.tokenLifetime), expires_on: String(now + fake.tokenLifetime), not_before: String(now), resource: 'https://management.azure.com', access_token: token } };
  };
  const aadError = (status: number, error: string, description: string): FakeAnswer => ({ status, body: { error, error_description: description, error_codes: [Number(/AADSTS(\d+)/.exec(description)?.[1] ?? 0)], timestamp: new Date().toISOString() } });
  const armError = (status: number, code: string, message: string): FakeAnswer => ({ status, body: { error: { code, message } } });
  const setBody = (s: StoredSet) => ({
    id: `${group}/dnszones/${s.zone}/${s.type}/${s.name}`, name: s.name, type: `Microsoft.Network/dnszones/${s.type}`, etag: s.etag,
    properties: { fqdn: `${s.name === '@' ? '' : `${s.name}.`}${s.zone}.`, ...s.properties, targetResource: {}, provisioningState: 'Succeeded' },
  });
  const list = (req: FakeRequest, items: unknown[]): FakeAnswer => {
    const skip = Number(req.url.searchParams.get('$skipToken') ?? 0);
    const page = items.slice(skip, skip + fake.pageSize);
    const more = skip + fake.pageSize < items.length;
    return { status: 200, body: { value: page, ...(more ? { nextLink: `${fake.url}${req.url.pathname}?api-version=${API_VERSION}&$skipToken=${skip + fake.pageSize}` } : {}) } };
  };

  const handle = (req: FakeRequest): FakeAnswer => {
    const path = req.url.pathname;
    const form = new URLSearchParams(req.body);
    if (req.method === 'POST' && path === `/${secrets.tenantId}/oauth2/token`) {
      if (form.get('grant_type') !== 'client_credentials' || form.get('resource') !== 'https://management.azure.com') return aadError(400, 'invalid_request', 'AADSTS900144: The request body must contain the following parameter: \'grant_type\'.');
      if (form.get('client_id') !== secrets.clientId) return aadError(400, 'unauthorized_client', `AADSTS700016: Application with identifier '${form.get('client_id')}' was not found in the directory.`);
      if (form.get('client_secret') !== secrets.clientSecret) return aadError(401, 'invalid_client', `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${secrets.clientId}'.`);
      return issue('client_secret');
    }
    if (req.method === 'POST' && path === `/${secrets.tenantId}/oauth2/v2.0/token`) {
      if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' || form.get('scope') !== 'https://management.azure.com/.default') return aadError(400, 'invalid_request', 'AADSTS90014: The required field \'client_assertion_type\' is missing from the credential.');
      if (form.get('client_id') !== secrets.clientId || form.get('client_assertion') !== secrets.federatedToken) return aadError(400, 'invalid_client', 'AADSTS700213: No matching federated identity record found for presented assertion subject.');
      return issue('workload_identity');
    }
    if (req.method === 'GET' && path === '/metadata/identity/oauth2/token') {
      if (req.headers.metadata !== 'true') return { status: 400, body: { error: 'invalid_request', error_description: 'Required metadata header not specified' } };
      return issue('imds');
    }
    if (req.method === 'GET' && path === '/msi/token') {
      if (req.headers['x-identity-header'] !== secrets.identityHeader) return { status: 401, body: { error: 'unauthorized', error_description: 'X-IDENTITY-HEADER is missing or invalid' } };
      return issue('app_service');
    }
    const auth = String(req.headers.authorization ?? '');
    const expires = tokens.get(auth.replace(/^Bearer /, ''));
    if (!auth.startsWith('Bearer ') || expires === undefined) return armError(401, 'InvalidAuthenticationToken', 'The access token is invalid.');
    if (expires < Date.now()) return armError(401, 'ExpiredAuthenticationToken', 'The access token expiry UTC time is earlier than current UTC time.');
    if (req.url.searchParams.get('api-version') !== API_VERSION) return armError(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.');
    if (!path.startsWith(`${group}/`)) return armError(404, 'ResourceGroupNotFound', `Resource group '${path.split('/')[4] ?? ''}' could not be found.`);
    const rest = path.slice(group.length + 1).split('/').map(decodeURIComponent);
    if (req.method === 'GET' && rest.length === 1 && rest[0] === 'dnsZones') {
      return list(req, zones.map((z) => ({ id: `${group}/dnszones/${z}`, name: z, type: 'Microsoft.Network/dnszones', etag: randomUUID(), location: 'global', tags: {}, properties: { maxNumberOfRecordSets: 10000, nameServers: ['ns1-05.azure-dns.com.'], numberOfRecordSets: sets.filter((s) => s.zone === z).length + 2, zoneType: 'Public' } })));
    }
    const [dnszones, zone, type, name] = rest;
    if (dnszones !== 'dnszones' || !zone || !zones.includes(zone)) return armError(404, 'ResourceNotFound', `The Resource 'Microsoft.Network/dnszones/${zone ?? ''}' under resource group '${secrets.resourceGroup}' was not found.`);
    if (req.method === 'GET' && type && !name) {
      return list(req, sets.filter((s) => s.zone === zone && (type === 'recordsets' || s.type === type)).map(setBody));
    }
    if (!type || !name) return armError(400, 'BadRequest', 'unsupported request');
    const i = sets.findIndex((s) => s.zone === zone && s.type === type && s.name.toLowerCase() === name.toLowerCase());
    const ifMatch = req.headers['if-match'];
    if (ifMatch !== undefined && (i < 0 || sets[i]!.etag !== ifMatch)) return armError(412, 'PreconditionFailed', `The Record set ${name} has been modified (etag mismatch).`);
    if (req.method === 'PUT') {
      if (req.headers['if-none-match'] === '*' && i >= 0) return armError(412, 'PreconditionFailed', `The Record set ${name} exists already and hence cannot be created again.`);
      const props = (JSON.parse(req.body) as { properties: Record<string, unknown> }).properties;
      const stored: StoredSet = { zone, type, name: i >= 0 ? sets[i]!.name : name, etag: randomUUID(), properties: props };
      if (i >= 0) sets[i] = stored;
      else sets.push(stored);
      return { status: i >= 0 ? 200 : 201, body: setBody(stored), headers: { etag: stored.etag } };
    }
    if (req.method === 'DELETE') {
      if (i < 0) return { status: 204 };
      sets.splice(i, 1);
      return { status: 200 };
    }
    return armError(405, 'MethodNotAllowed', 'method not allowed');
  };

  const api = await startFakeApiServer(handle);
  return Object.assign(fake, {
    api, url: api.url,
    txt: (fqdn: string) => {
      const f = fqdn.toLowerCase().replace(/\.$/, '');
      const zone = zones.filter((z) => f === z || f.endsWith(`.${z}`)).sort((a, b) => b.length - a.length)[0];
      const name = f === zone ? '@' : f.slice(0, -(String(zone).length + 1));
      const set = sets.find((s) => s.zone === zone && s.type === 'TXT' && s.name.toLowerCase() === name);
      return ((set?.properties.TXTRecords ?? []) as { value: string[] }[]).map((r) => r.value.join(''));
    },
    put: (zone: string, type: string, name: string, properties: Record<string, unknown>) => {
      const i = sets.findIndex((s) => s.zone === zone && s.type === type && s.name === name);
      const stored = { zone, type, name, etag: randomUUID(), properties };
      if (i >= 0) sets[i] = stored;
      else sets.push(stored);
      return stored.etag;
    },
    stop: () => api.stop(),
  });
}
