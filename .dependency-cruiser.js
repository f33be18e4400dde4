// dependency-cruiser's rules for src/, run by `make lint` (docs/architecture.md explains them):
// no import cycle, between modules or between folders, and every dependency points down the
// layers below. Type-only imports count: a cycle through types still ties two folders together.
import path from 'node:path';

/**
 * Top to bottom. A folder may import its own layer and the layers below it, never one above.
 * Today's and the planned folder names are both listed: src/issue/ holds the pipeline until it
 * is split into pipeline/, issuer/ and solver/. A new folder must be placed here.
 * @type {Array<[string, string[]]>}
 */
const LAYERS = [
  ['cli', ['cli']],
  ['daemon', ['daemon']], // the composition root: builds the collaborators and hands them in
  ['pipeline', ['pipeline', 'issue', 'externaldns']],
  ['scheduler', ['scheduler']],
  ['core', ['issuer', 'solver', 'store', 'deploy', 'server']],
  ['base', ['dns', 'acme', 'http', 'config', 'child', 'container']],
];
// Below them all: the files directly in src/ (errors, log, redaction, abort, dns-name, …).

/**
 * Violations on this branch in files whose owners are removing them for issue 14. The lead
 * deletes both lists once those branches are merged; from then on the rules hold everywhere.
 * @type {Array<[rule: string, from: string, to: string, kind: 'type' | 'value']>}
 */
const KNOWN = [
  // i14-dns: the record capabilities (RecordBackend, RRset) move from externaldns/ into dns/.
  ['layer-base', 'src/dns/powerdns.ts', 'src/externaldns/record-backend.ts', 'type'],
  ['layer-base', 'src/dns/cloudflare/cloudflare-provider.ts', 'src/externaldns/record-backend.ts', 'type'],
  ['layer-base', 'src/dns/rfc2136/rfc2136-provider.ts', 'src/externaldns/record-backend.ts', 'type'],
  ['layer-base', 'src/dns/rfc2136/zone-transfer.ts', 'src/externaldns/record-backend.ts', 'type'],
  ['layer-base', 'src/dns/rfc2136/zone-transfer.ts', 'src/externaldns/endpoint.ts', 'value'],
  ['layer-base', 'src/dns/technitium/technitium-provider.ts', 'src/externaldns/record-backend.ts', 'type'],
  // i14-store: the persisted state types (RenewalState, PendingTxt) move from scheduler/ into store/.
  ['layer-core', 'src/store/file-store.ts', 'src/scheduler/renewal-policy.ts', 'value'],
  ['layer-core', 'src/store/certificate-store.ts', 'src/scheduler/renewal-policy.ts', 'type'],
];
// The same dns/ ↔ externaldns/ knot as a folder cycle: dependency-cruiser cannot list a folder
// violation as known, so these folders are left out of the folder rule instead (only a cycle
// made of them alone goes unseen; a longer one is still reported from its other folders).
const KNOWN_FOLDER_CYCLE = ['dns', 'externaldns'];

const TESTS = '\\.test\\.ts$';
/** @param {string[]} folders */
const under = (folders) => `^src/(${folders.join('|')})/`;

const layerRules = LAYERS.slice(1).map(([name, folders], i) => {
  const above = LAYERS.slice(0, i + 1).flatMap(([, f]) => f);
  return { name: `layer-${name}`, comment: `${folders.join(', ')} must not import ${above.join(', ')}`, severity: 'error', from: { path: under(folders) }, to: { path: under(above) } };
});

// eslint-disable-next-line no-restricted-syntax -- dependency-cruiser reads the default export
export default {
  forbidden: [
    { name: 'no-circular', comment: 'an import cycle between modules', severity: 'error', from: {}, to: { circular: true } },
    // The cycles the issue names are between folders (dns/powerdns.ts imports externaldns/ and
    // externaldns/webhook-service.ts imports dns/): no module cycle, but the folders are one knot.
    {
      name: 'no-circular-folders', comment: 'an import cycle between folders', severity: 'error', scope: 'folder',
      from: { pathNot: `^src/(${KNOWN_FOLDER_CYCLE.join('|')})$` }, to: { circular: true },
    },
    ...layerRules,
    {
      name: 'layer-root',
      comment: 'the files directly in src/ (errors, log, …) are the floor: they import no folder of src/',
      severity: 'error',
      from: { path: '^src/[^/]+\\.ts$' },
      to: { path: '^src/[^/]+/' },
    },
    {
      name: 'layer-unplaced',
      comment: 'a folder of src/ that is in no layer: add it to LAYERS in .dependency-cruiser.js',
      severity: 'error',
      from: { path: '^src/[^/]+/', pathNot: under(LAYERS.flatMap(([, f]) => f)) },
      to: {},
    },
  ],
  options: {
    knownViolations: KNOWN.map(([name, from, to, kind]) => ({
      type: 'dependency', from, to, rule: { severity: 'error', name },
      // Compared to tell a stale entry: the import as written, and whether it imports types only.
      unresolvedTo: path.posix.relative(path.posix.dirname(from), to).replace(/\.ts$/, '.js'),
      dependencyTypes: ['local', ...(kind === 'type' ? ['type-only'] : []), 'import'],
    })),
    // An entry whose violation is gone fails the lint, so the list cannot outlive what it excuses.
    baseline: { staleEntriesSeverity: 'error' },
    includeOnly: '^src/',
    // Tests may reach across layers to wire what they test; the rules are about product code.
    exclude: { path: TESTS },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
  },
};
