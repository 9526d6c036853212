/**
 * Passwords never reach a terminal or a log: every message that leaves the CLI passes through
 * `redactSecrets`, and URLs shown on purpose go through `redactUrl`.
 */

const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):([^@/?#\s]+)@/gi;
// A URL mangled enough to lose its `scheme://` still shows `user:password@host`.
const BARE_CREDENTIALS = /(^|[\s"'(=/])([^\s:/@"'()]+):([^\s@/"']+)@/g;
const PASSWORD_PARAM = /([?&](?:password|pass|pwd|sslpassword)=)([^&\s]+)/gi;

/** `postgresql://user:secret@host/db` -> `postgresql://user:***@host/db` (also `?password=`). */
export function redactUrl(url: string): string {
  return url.replace(URL_CREDENTIALS, '$1:***@').replace(BARE_CREDENTIALS, '$1$2:***@').replace(PASSWORD_PARAM, '$1***');
}

/** Redacts URL credentials anywhere in free text, and every known secret verbatim. */
export function redactSecrets(text: string, knownSecrets: readonly string[] = registeredSecrets): string {
  let out = redactUrl(text);
  for (const secret of knownSecrets) {
    if (secret.length >= 3) out = out.split(secret).join('***');
  }
  return out;
}

const registeredSecrets: string[] = [];

/** Remembers the password of a URL the process uses, so that it is redacted even when a driver echoes it bare. */
export function registerUrlSecret(url: string | undefined): void {
  if (!url) return;
  try {
    const password = decodeURIComponent(new URL(url).password);
    if (password && !registeredSecrets.includes(password)) registeredSecrets.push(password);
  } catch {
    // not a URL we can parse (a SQLite path, say): nothing secret in it
  }
}
