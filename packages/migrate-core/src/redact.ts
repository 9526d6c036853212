/**
 * Passwords never reach a terminal or a log: every message that leaves the CLI passes through
 * `redactSecrets`, and URLs shown on purpose go through `redactUrl`.
 *
 * Redaction never depends on a URL parsing. A password with an unencoded `/`, `?`, `#`, `@` or a
 * space makes `new URL` fail (or read another host and port), and that is exactly when a message
 * quotes the URL. So everything between `scheme://` and the last `@` before the host is taken as
 * the secret, whatever it holds; the user name (up to the first `:`) stays.
 * Test: test/redaction.test.ts (property test over every printable ASCII password),
 * reliability/test/password-property.test.ts (the four CLIs).
 */

const SCHEME = /[a-z][a-z0-9+.-]*:\/\//gi;
/**
 * Where a second URL starts in the same line: a database scheme at the start of a word. A URL ends
 * there (a message may name the main and the shadow URL), not at the first `/`, space or quote,
 * which a password may hold.
 */
const NEXT_URL = /(?<=^|[\s"'`(=,<[{])(?:postgres(?:ql)?|file|sqlite|mysql|mariadb|sqlserver|cockroachdb|mongodb(?:\+srv)?|prisma(?:\+postgres)?|https?):\/\//gi;
// A URL mangled enough to lose its `scheme://` still shows `user:password@host`.
const BARE_CREDENTIALS = /(^|[\s"'(=/])([^\s:/@"'()]+):([^\s@/"']+)@/g;
const PASSWORD_PARAM = /([?&](?:password|pass|pwd|sslpassword)=)([^&\s]+)/gi;

/** `postgresql://user:secret@host/db` -> `postgresql://user:***@host/db`, also when the URL does not parse (and `?password=`). */
export function redactUrl(text: string): string {
  return redactSchemeCredentials(text).replace(BARE_CREDENTIALS, '$1$2:***@').replace(PASSWORD_PARAM, '$1***');
}

function redactSchemeCredentials(text: string): string {
  let out = '';
  let copiedUpTo = 0;
  for (const scheme of text.matchAll(SCHEME)) {
    const start = scheme.index + scheme[0].length;
    if (scheme.index < copiedUpTo) continue; // inside a span already redacted
    const end = urlEnd(text, start);
    const at = text.lastIndexOf('@', end - 1);
    if (at < start) continue;
    const colon = text.indexOf(':', start);
    if (colon === -1 || colon > at) continue; // `user@host`: a user name, no password
    out += `${text.slice(copiedUpTo, colon + 1)}***`;
    copiedUpTo = at;
  }
  return out + text.slice(copiedUpTo);
}

/** The end of the line, or where the next URL starts on it. */
function urlEnd(text: string, start: number): number {
  const newline = text.indexOf('\n', start);
  const lineEnd = newline === -1 ? text.length : newline;
  NEXT_URL.lastIndex = start;
  const next = NEXT_URL.exec(text);
  return next && next.index < lineEnd ? next.index : lineEnd;
}

/** Redacts URL credentials anywhere in free text, and every known secret verbatim. */
export function redactSecrets(text: string, knownSecrets: readonly string[] = registeredSecrets): string {
  // Known secrets first: the patterns of redactUrl could cut one (`(*:0@` reads as `user:password@`) and leave the rest.
  let out = text;
  for (const secret of knownSecrets) {
    if (secret.length >= 3) out = out.split(secret).join('***');
  }
  return redactUrl(out);
}

/**
 * A value about to be printed as JSON, with every string in it redacted. Strings are redacted
 * before they are escaped: a password holding `"` or `\` reads differently once in JSON text.
 */
export function redactJsonValue<T>(value: T, knownSecrets: readonly string[] = registeredSecrets): T {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? redactSecrets(v, knownSecrets) : v))) as T;
}

/** Longest first, so that a password is replaced whole before any piece of it. */
const registeredSecrets: string[] = [];

/** Characters where a URL parser (ours, `pg`'s, the engine's) cuts a URL; a piece of a password between two of them can be printed as a host, port, path or parameter. */
const URL_DELIMITERS = /[@/?#:&=]/;

/**
 * Remembers the password of a URL the process uses, so that it is redacted even when a driver
 * echoes it bare, percent-encoded, or in pieces.
 */
export function registerUrlSecret(url: string | undefined): void {
  for (const secret of secretsOfUrl(url)) {
    if (registeredSecrets.includes(secret)) continue;
    const at = registeredSecrets.findIndex((s) => s.length < secret.length);
    registeredSecrets.splice(at === -1 ? registeredSecrets.length : at, 0, secret);
  }
}

/**
 * What to hide of a URL, longest first: its password as written, decoded and encoded, and every
 * run of it between two URL delimiters (`a1b2` and `c3d4` of `a1b2/c3d4`: a parser that cut the URL
 * there prints them as a host or a port). Does not need the URL to parse: the password is what lies
 * between the first `:` after `scheme://` and the last `@`, and, where the URL parses, also what the
 * URL parser calls the password.
 */
export function secretsOfUrl(url: string | undefined): string[] {
  if (!url) return [];
  const passwords: string[] = [];
  const start = /^[a-z][a-z0-9+.-]*:(?:\/\/)?/i.exec(url)?.[0].length ?? 0;
  const at = url.lastIndexOf('@');
  if (at <= start) return [];
  const userinfo = url.slice(start, at);
  const colon = userinfo.indexOf(':');
  if (colon !== -1) passwords.push(userinfo.slice(colon + 1));
  try {
    const parsed = new URL(url).password;
    if (parsed) passwords.push(parsed);
  } catch {
    // the span above is all there is
  }
  const secrets = new Set<string>();
  for (const written of passwords) {
    const decoded = decodeLeniently(written);
    for (const form of [written, decoded, encodeURIComponent(decoded), encodeURIComponent(written)]) {
      if (form.length >= 3) secrets.add(form);
      const cuts = [0];
      for (let i = 0; i < form.length; i++) if (URL_DELIMITERS.test(form[i]!)) cuts.push(i, i + 1);
      cuts.push(form.length);
      for (let i = 0; i < cuts.length; i += 2) {
        for (let j = i + 1; j < cuts.length; j += 2) if (cuts[j]! - cuts[i]! >= 4) secrets.add(form.slice(cuts[i], cuts[j]));
      }
    }
  }
  return [...secrets].sort((a, b) => b.length - a.length);
}

/** `%40` -> `@`, leaving a `%` that starts no valid escape as it is (`decodeURIComponent` would throw). */
function decodeLeniently(text: string): string {
  return text.replace(/(?:%[0-9a-f]{2})+/gi, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

/**
 * Remembers the password of every URL given on the command line or in the environment, before
 * anything is loaded: a config file that throws, or an error raised before the connection is
 * resolved, may quote one.
 */
export function registerSecretsOfInputs(argv: readonly string[], env: NodeJS.ProcessEnv): void {
  for (const value of [...argv, ...Object.values(env)]) {
    if (!value || !value.includes('@')) continue;
    const url = value.replace(/^--?[\w-]+=/, '');
    if (/^[a-z][a-z0-9+.-]*:/i.test(url)) registerUrlSecret(url);
  }
}
