// dependency-cruiser's rules for src/, run by `make lint` (docs/architecture.md explains them):
// no import cycle, between modules or between folders, and every dependency points down the
// layers below. Type-only imports count: a cycle through types still ties two folders together.

/**
 * Top to bottom. A folder may import its own layer and the layers below it, never one above.
 * Today's and the planned folder names are both listed: src/issue/ holds the pipeline until it
 * is split into pipeline/, issuer/ and solver/. A new folder must be placed here.
 * @type {Array<[string, string[]]>}
 */
const LAYERS = [
  ['cli', ['cli']],
  ['daemon', ['daemon']], // the composition root: builds the collaborators and hands them in
  ['pipeline', ['pipeline', 'issue', 'externaldns', 'import']], // import: translating other tools' configs and stores
  ['scheduler', ['scheduler']],
  ['core', ['issuer', 'solver', 'store', 'deploy', 'server']],
  ['base', ['dns', 'acme', 'http', 'config', 'child', 'container']],
];
// Below them all: the files directly in src/ (errors, log, redaction, abort, dns-name, …).

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
    // The cycles the issue named were between folders (dns/ ↔ externaldns/, config/ ↔ deploy/):
    // no module cycle, but the folders were one knot.
    { name: 'no-circular-folders', comment: 'an import cycle between folders', severity: 'error', scope: 'folder', from: {}, to: { circular: true } },
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
    includeOnly: '^src/',
    // Tests may reach across layers to wire what they test; the rules are about product code.
    exclude: { path: TESTS },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
  },
};
