// Parses `qemu-system-x86_64 -machine help` into names, aliases and flags,
// for comparing a simulated build's machine list with a real binary's.

export interface HelpEntry {
  name: string;
  description: string;
  aliasOf?: string;
  isDefault: boolean;
  deprecated: boolean;
}

export function parseMachineHelp(text: string): HelpEntry[] {
  const out: HelpEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+(.*)$/.exec(line.trimEnd());
    if (m === null || line.startsWith('Supported machines')) continue;
    const name = m[1] ?? '';
    let rest = m[2] ?? '';
    const alias = /\(alias of ([^)]+)\)/.exec(rest);
    const entry: HelpEntry = {
      name,
      description: '',
      isDefault: rest.includes('(default)'),
      deprecated: rest.includes('(deprecated)'),
      ...(alias?.[1] === undefined ? {} : { aliasOf: alias[1] }),
    };
    rest = rest.replace(/\s*\((alias of [^)]+|default|deprecated)\)/g, '');
    entry.description = rest.trim();
    out.push(entry);
  }
  return out;
}
