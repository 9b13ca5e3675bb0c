/** Parses the HMP `info ramblock` table (Block Name, PSize, Offset, Used, Total). */
export interface InfoRamblock {
  idstr: string;
  used: number;
  max: number;
}

export function parseInfoRamblock(text: string): InfoRamblock[] {
  // capture.ts stores the QMP human-monitor-command reply: a JSON string.
  const table = text.trimStart().startsWith('"') ? (JSON.parse(text) as string) : text;
  const out: InfoRamblock[] = [];
  for (const line of table.split(/\r?\n/)) {
    const m = /^\s*(\S+)\s+\d+ [KMG]iB\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s*$/.exec(line);
    if (m) out.push({ idstr: m[1]!, used: parseInt(m[2]!, 16), max: parseInt(m[3]!, 16) });
  }
  return out;
}
