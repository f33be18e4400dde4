/**
 * `${VAR}`, `${VAR:-default}`, `${VAR:?message}` and the `$${` escape, as in Docker Compose.
 * Only variables whose names start with an allowed prefix are read: a config file cannot
 * pull arbitrary process environment (PATH, AWS keys...) into a provider option.
 */
export type Substitution = { value: string; used: boolean } | { error: string };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `secretOption`: the value is that secret option's. A default would put a credential in the
 * config file, so a missing variable is answered with the two right ways to give it.
 */
export function substituteEnv(text: string, env: NodeJS.ProcessEnv, prefixes: readonly string[], secretOption?: string): Substitution {
  let out = '';
  let used = false;
  for (let i = 0; i < text.length;) {
    if (text.startsWith('$${', i)) {
      out += '${';
      i += 3;
      used = true;
      continue;
    }
    if (!text.startsWith('${', i)) {
      out += text[i];
      i++;
      continue;
    }
    const end = text.indexOf('}', i + 2);
    if (end < 0) return { error: `unterminated "\${" at character ${i + 1}` };
    const body = text.slice(i + 2, end);
    // NAME, or NAME:-default, or NAME:?message (split by hand: no regex with nested quantifiers).
    const colon = body.indexOf(':');
    const opChar = colon >= 0 ? body[colon + 1] : undefined;
    const m = colon >= 0 && (opChar === '-' || opChar === '?') ? [body, body.slice(0, colon), opChar, body.slice(colon + 2)] : colon >= 0 ? undefined : [body, body, undefined, undefined];
    const name = m?.[1] ?? (colon >= 0 ? body : '');
    if (!NAME.test(name)) return { error: `invalid variable name ${JSON.stringify(name)} in "\${${body}}"` };
    if (!prefixes.some((p) => name.startsWith(p))) {
      return { error: `variable ${name} is not allowed: names must start with ${prefixes.map((p) => JSON.stringify(p)).join(' or ')} (env_prefixes)` };
    }
    const value = env[name];
    const op = m?.[2];
    const arg = m?.[3] ?? '';
    if (value === undefined || (op !== undefined && value === '')) {
      if (op === '-') out += arg;
      else if (op === '?') return { error: `${name}: ${arg || 'required variable is not set'}` };
      else if (secretOption !== undefined) return { error: `variable ${name} is not set: set it in certfleet's environment, or give the secret as ${secretOption}_file: PATH (a file holding it)` };
      else return { error: `variable ${name} is not set (write \${${name}:-default} to give a default)` };
    } else {
      out += value;
    }
    used = true;
    i = end + 1;
  }
  return { value: out, used };
}
