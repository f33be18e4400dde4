import { Rfc2136Provider } from '../../src/dns/rfc2136/rfc2136-provider.js';
import { describeProviderConformance } from '../support/provider-conformance.js';
import { startBind, startKnot, type UpdateDnsServer } from '../support/update-dns-servers.js';

function fixture(start: () => Promise<UpdateDnsServer>) {
  return async () => {
    const s = await start();
    return {
      provider: new Rfc2136Provider({ id: `${s.kind}-test`, server: s.address, key: { name: s.key.name, algorithm: s.key.algorithm, secret: Buffer.from(s.key.secret, 'base64') } }),
      zone: 'example.test',
      txt: s.txt,
      stop: s.stop,
    };
  };
}

describeProviderConformance('rfc2136 against BIND 9 (hmac-sha256)', fixture(() => startBind(['example.test'])));
describeProviderConformance('rfc2136 against BIND 9 (hmac-sha512)', fixture(() => startBind(['example.test'], 'hmac-sha512')));
describeProviderConformance('rfc2136 against Knot (hmac-sha256)', fixture(() => startKnot(['example.test'])));
describeProviderConformance('rfc2136 against Knot (hmac-sha1)', fixture(() => startKnot(['example.test'], 'hmac-sha1')));
