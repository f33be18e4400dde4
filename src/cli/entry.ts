// The first module Node runs. It imports nothing statically: main.js's imports (node:module's
// enableCompileCache, …) fail to link on an older Node with a SyntaxError that names no reason.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(`certfleet needs Node.js 24 or later; this is Node.js ${process.version}.\n`
    + 'Install Node.js 24 LTS (https://nodejs.org), or use the single executable or the .deb, which carry their own.\n');
  process.exitCode = 1;
} else {
  await import('./main.js');
}
