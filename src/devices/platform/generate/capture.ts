/**
 * Captures the real streams the generator reads, one QEMU at a time:
 *
 *   node dist/src/devices/platform/generate/capture.js OUT_DIR [qemu-system-x86_64]
 *
 * For every machine type `-machine help` lists (aliases, `none` and
 * `x-remote` left out): plain-M.bin (a paused `-nodefaults -m 32M` guest
 * migrated to a socket) with plain-M.rb (`info ramblock` after it), and for
 * the PC machine types devs-M.bin / devs-M.rb with OPTIONAL_DEVICE_ARGS, and
 * boot-M.bin, the plain machine after 2 s of firmware (SeaBIOS / qboot),
 * whose extra subsections (cpu/msr_smi_count ...) give real layouts for
 * subsections the paused machine does not send, and for the PC machine
 * types poke-M.bin, the paused machine after POKES (HMP port writes).
 * suppress-vmdesc.json records `qom-get /machine suppress-vmdesc`; machine
 * types where it is on are captured with suppress-vmdesc=off so their stream
 * still has a vmdesc to measure sections by (nothing else changes: the
 * stream is the default one plus the trailing vmdesc).
 *
 * Self-contained (src/ must not import harness/); the harness has its own
 * QEMU target for users.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createServer, connect, type Socket } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The optional devices, as -device / -object arguments, in the order the generator expects them. */
export const OPTIONAL_DEVICE_ARGS = [
  '-device', 'e1000',
  '-device', 'virtio-net-pci',
  '-device', 'virtio-rng-pci',
  '-device', 'pvpanic-pci',
  // master=on: without it ivshmem blocks migration ("peer mode").
  '-object', 'memory-backend-ram,id=hmem,size=4M,share=on', '-device', 'ivshmem-plain,memdev=hmem,master=on',
];
const VMGENID_ARGS = ['-device', 'vmgenid'];
const TIMEOUT_MS = 30_000;
const BOOT_MS = 2000;
const POKES = ['o 0xcf9 0x02', 'o 0x60 0xed', 'o 0x60 0x07'];

export function listMachines(qemu: string): string[] {
  const text = execFileSync(qemu, ['-machine', 'help'], { encoding: 'utf8' });
  return text
    .split('\n')
    .slice(1)
    .map((l) => l.split(/\s+/)[0] ?? '')
    .filter((m) => m !== '' && !['pc', 'q35', 'none', 'x-remote'].includes(m));
}

/** Line-delimited QMP over a unix socket; events are skipped. */
class Qmp {
  private buf = '';
  private waiters: ((msg: Record<string, unknown>) => void)[] = [];
  constructor(private readonly sock: Socket) {
    sock.setEncoding('utf8');
    // QEMU that exits (e.g. a -device it refuses after opening QMP) must fail pending commands, not leave them hanging.
    sock.on('close', () => {
      for (const w of this.waiters.splice(0)) w({ error: { desc: 'QMP connection closed' } });
    });
    sock.on('data', (chunk: string) => {
      this.buf += chunk;
      for (let i = this.buf.indexOf('\n'); i >= 0; i = this.buf.indexOf('\n')) {
        const msg = JSON.parse(this.buf.slice(0, i)) as Record<string, unknown>;
        this.buf = this.buf.slice(i + 1);
        if ('event' in msg || 'QMP' in msg) continue;
        this.waiters.shift()?.(msg);
      }
    });
  }
  execute(cmd: string, args?: Record<string, unknown>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.waiters.push((msg) => ('error' in msg ? reject(new Error(`${cmd}: ${JSON.stringify(msg.error)}`)) : resolve(msg.return)));
      this.sock.write(JSON.stringify({ execute: cmd, ...(args ? { arguments: args } : {}) }) + '\n');
    });
  }
  close(): void {
    this.sock.destroy();
  }
}

async function connectRetry(path: string, child: ChildProcess): Promise<Socket> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) break;
    try {
      return await new Promise<Socket>((resolve, reject) => {
        const s = connect(path);
        s.once('connect', () => resolve(s));
        s.once('error', reject);
      });
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`QEMU did not open its QMP socket (exit ${child.exitCode})`);
}

export interface Capture {
  stream: Uint8Array;
  infoRamblock: string;
  suppressVmdesc: boolean;
}

/** Boots `machineArg` paused, migrates it into a socket, returns the bytes and `info ramblock`. */
export async function captureOne(qemu: string, machineArg: string, extra: string[] = [], runMs = 0, hmp: string[] = []): Promise<Capture> {
  const dir = mkdtempSync(join(tmpdir(), 'migcompat-platform-'));
  const qmpPath = join(dir, 'qmp.sock');
  const migPath = join(dir, 'mig.sock');
  const args = ['-machine', machineArg, '-accel', 'tcg', '-nodefaults', '-display', 'none', '-m', '32M', '-S', '-qmp', `unix:${qmpPath},server=on,wait=off`, ...extra];
  const child = spawn(qemu, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
  try {
    const qmp = new Qmp(await connectRetry(qmpPath, child).catch((e: Error) => { throw new Error(`${e.message}: ${stderr.trim()}`); }));
    await qmp.execute('qmp_capabilities');
    const suppressVmdesc = (await qmp.execute('qom-get', { path: '/machine', property: 'suppress-vmdesc' })) === true;
    // Port writes (`o 0xcf9 0x02` ...) put devices in states that need more subsections.
    for (const line of hmp) await qmp.execute('human-monitor-command', { 'command-line': line });
    if (runMs > 0) {
      // Let the firmware run (SeaBIOS sets up PCI, PS/2, RTC, ACPI ...), then stop and migrate that state.
      await qmp.execute('cont');
      await new Promise((r) => setTimeout(r, runMs));
      await qmp.execute('stop');
    }
    const chunks: Buffer[] = [];
    const received = new Promise<void>((resolve, reject) => {
      const server = createServer((c) => {
        c.on('data', (d: Buffer) => chunks.push(d));
        c.on('end', () => { server.close(); resolve(); });
        c.on('error', reject);
      });
      server.listen(migPath);
    });
    await new Promise((r) => setTimeout(r, 20));
    await qmp.execute('migrate', { uri: `unix:${migPath}` });
    await received;
    const infoRamblock = (await qmp.execute('human-monitor-command', { 'command-line': 'info ramblock' })) as string;
    await qmp.execute('quit').catch(() => undefined);
    qmp.close();
    await new Promise<void>((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));
    return { stream: new Uint8Array(Buffer.concat(chunks)), infoRamblock, suppressVmdesc };
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

async function captureTo(out: string, name: string, qemu: string, machineArg: string, extra: string[], runMs = 0, hmp: string[] = []): Promise<Capture> {
  const c = await captureOne(qemu, machineArg, extra, runMs, hmp);
  writeFileSync(join(out, `${name}.bin`), c.stream);
  writeFileSync(join(out, `${name}.rb`), JSON.stringify(c.infoRamblock));
  return c;
}

async function main(out: string, qemu: string): Promise<void> {
  const suppressed: Record<string, boolean> = {};
  for (const m of listMachines(qemu)) {
    const plain = await captureTo(out, `plain-${m}`, qemu, m, []);
    suppressed[m] = plain.suppressVmdesc;
    const arg = plain.suppressVmdesc ? `${m},suppress-vmdesc=off` : m;
    if (plain.suppressVmdesc) await captureTo(out, `plain-${m}`, qemu, arg, []);
    // The same after 2 s of firmware: only its subsection layouts are used (see build-data.ts).
    await captureTo(out, `boot-${m}`, qemu, arg, [], BOOT_MS);
    // And with a few port writes a guest makes: reset control 0xcf9 (ICH9 rst_cnt / PIIX3 rcr),
    // a keyboard LED command left unanswered (ps2 command reply queue).
    if (m.startsWith('pc-')) await captureTo(out, `poke-${m}`, qemu, arg, [], 0, POKES);
    if (m.startsWith('pc-')) {
      // vmgenid needs fw_cfg DMA, which old machine types lack: then without it.
      await captureTo(out, `devs-${m}`, qemu, arg, [...OPTIONAL_DEVICE_ARGS, ...VMGENID_ARGS]).catch(() =>
        captureTo(out, `devs-${m}`, qemu, arg, OPTIONAL_DEVICE_ARGS),
      );
    }
    console.log(`captured ${m}`);
  }
  writeFileSync(join(out, 'suppress-vmdesc.json'), JSON.stringify(suppressed, null, 1) + '\n');
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'))) {
  const [out = '/tmp/migcompat-platform-captures', qemu = 'qemu-system-x86_64'] = process.argv.slice(2);
  if (!existsSync(out)) throw new Error(`${out} does not exist`);
  await main(out, qemu);
}
