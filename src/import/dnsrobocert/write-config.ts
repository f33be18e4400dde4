import { Document, isMap, isNode, isPair, isScalar, isSeq, type Node, type YAMLSeq } from 'yaml';
import type { Path } from './validate-schema.js';

/**
 * The certfleet config as YAML, each comment on the line before the field it explains and the
 * header at the top. Hooks are written as flow lists, so `[/bin/sh, -c, "..."]` reads as the
 * argv it is.
 */
export function writeConfig(config: Record<string, unknown>, comments: readonly { path: Path; text: string }[], header: readonly string[]): string {
  const doc = new Document(config);
  doc.commentBefore = header.map((l) => (l ? ` ${l}` : '')).join('\n');
  for (const { path, text } of comments) {
    const target = commentTarget(doc, path);
    const lines = wrap(text).map((l) => ` ${l}`).join('\n');
    if (target) target.commentBefore = target.commentBefore ? `${target.commentBefore}\n${lines}` : lines;
  }
  forEachHook(doc, (seq) => {
    seq.flow = true;
    // Quoted, so a shell command reads as one argument whatever it contains.
    for (const item of seq.items) if (isScalar(item) && typeof item.value === 'string' && /\s/.test(item.value)) item.type = 'QUOTE_DOUBLE';
  });
  return doc.toString({ lineWidth: 0 });
}

/** Comment text per line: with "# " and some indentation, about 100 columns. */
const WIDTH = 92;

function wrap(text: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  return [...lines, line];
}

/**
 * A field's key (a comment before a key prints above it), or a list item itself; for the first
 * key of a list item, the item (above its `- `, not between the dash and the key).
 */
function commentTarget(doc: Document, path: Path): Node | undefined {
  const last = path.at(-1);
  if (last === undefined) return undefined;
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  if (typeof last === 'number') {
    const item = isSeq(parent) ? parent.items[last] : undefined;
    return isNode(item) ? item : undefined;
  }
  if (!isMap(parent)) return undefined;
  const pair = parent.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === last);
  if (!pair) return undefined;
  if (pair === parent.items[0] && typeof path.at(-2) === 'number') return parent;
  if (!isNode(pair.key)) pair.key = doc.createNode(pair.key);
  return pair.key as Node;
}

function forEachHook(doc: Document, apply: (seq: YAMLSeq) => void): void {
  const certs = doc.get('certificates', true);
  if (!isSeq(certs)) return;
  for (const cert of certs.items) {
    const deploy = isMap(cert) ? cert.get('deploy', true) : undefined;
    if (!isSeq(deploy)) continue;
    for (const item of deploy.items) {
      const hook = isMap(item) ? item.get('hook', true) : undefined;
      if (isSeq(hook)) apply(hook);
    }
  }
}
