/** Shell-style globs for `--machines 'pc-q35-*,isapc'`: `*` any run, `?` one character. */
export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** Whether `name` matches any of the comma-separated globs (no globs: everything matches). */
export function matchesAnyGlob(name: string, globs: readonly string[]): boolean {
  if (globs.length === 0) return true;
  return globs.some((g) => globToRegExp(g).test(name));
}

export function splitList(words: string | readonly string[] | undefined): string[] {
  if (words === undefined) return [];
  const list = typeof words === 'string' ? [words] : words;
  return list.flatMap((w) => w.split(',')).map((w) => w.trim()).filter((w) => w !== '');
}
