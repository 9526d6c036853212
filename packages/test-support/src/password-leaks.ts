/**
 * Whether a run printed a password, whole or in part: every run of 4 or more characters of it, as
 * written, percent-encoded, or escaped in JSON text, is looked for in what the run printed.
 *
 * A run of 4 characters can also occur in a CLI's own words by chance (`": "`, `tion`); tests that
 * draw passwords at random therefore put one of PASSWORD_MARKERS in every run of 4 (see
 * `markedPassword`): no output of ours holds `~` or `^`, so a match is a leak, never a coincidence.
 */
export const PASSWORD_MARKERS = ['~', '^'] as const;

/** Joins drawn pieces (each 1-3 characters) with a marker before each, so that any 4 consecutive characters hold a marker. */
export function markedPassword(lead: string, pieces: readonly { marker: 0 | 1; text: string }[]): string {
  return lead.slice(0, 3) + pieces.map((p) => PASSWORD_MARKERS[p.marker] + p.text.slice(0, 3)).join('');
}

/**
 * The runs of 4 characters of `password` found in `printed`; also of its percent-encoded and
 * JSON-escaped forms, there only runs that hold a marker (escapes alone, `%2F)` or `\"\"`, occur in
 * ordinary output).
 */
export function passwordLeaks(password: string, printed: string): string[] {
  const leaks = new Set<string>();
  const look = (form: string, onlyMarked: boolean) => {
    for (let i = 0; i + 4 <= form.length; i++) {
      const run = form.slice(i, i + 4);
      if (onlyMarked && !/[~^]|%5E/.test(run)) continue;
      if (printed.includes(run)) leaks.add(run);
    }
  };
  look(password, false);
  look(encodeURIComponent(password), true);
  look(JSON.stringify(password).slice(1, -1), true);
  return [...leaks];
}
