import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QmpClient, QmpError } from '../../harness/qmp/index.js';

/**
 * The QMP client against a scripted server that speaks the protocol the way
 * QEMU does (greeting, one JSON object a line, `id` echoed, events at any
 * time), so every path, including the failure ones, runs without QEMU.
 */

const GREETING = { QMP: { version: { qemu: { micro: 22, minor: 2, major: 7 }, package: 'Debian' }, capabilities: ['oob'] } };

type Reply = (cmd: { execute: string; id?: string; arguments?: unknown }, sock: Socket) => void;

let dir: string;
let server: Server;
let clients: QmpClient[] = [];

function send(sock: Socket, msg: unknown): void {
  sock.write(JSON.stringify(msg) + '\r\n');
}

/** With `greet` false the server stays silent, as a QEMU that never got to its main loop would. */
async function startServer(reply: Reply, greet = true, seen: string[] = []): Promise<string> {
  const path = join(dir, 'qmp.sock');
  server = createServer((sock) => {
    if (greet) send(sock, GREETING);
    else return void sock.resume();
    let buf = '';
    sock.on('data', (c) => {
      buf += c.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const cmd = JSON.parse(line) as { execute: string; id?: string };
        seen.push(cmd.id === undefined ? cmd.execute : `${cmd.execute}#id`);
        if (cmd.execute === 'qmp_capabilities') send(sock, { return: {}, id: cmd.id });
        else reply(cmd, sock);
      }
    });
  });
  await new Promise<void>((r) => server.listen(path, r));
  return path;
}

async function connect(path: string, timeoutMs = 2_000): Promise<QmpClient> {
  const c = await QmpClient.connect(path, { timeoutMs });
  clients.push(c);
  return c;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'migcompat-qmp-test-'));
});

afterEach(async () => {
  for (const c of clients) c.close();
  clients = [];
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

describe('QmpClient', () => {
  it('reads the greeting and negotiates capabilities', async () => {
    const path = await startServer(() => undefined);
    const c = await connect(path);
    expect(c.greeting.version.qemu).toEqual({ micro: 22, minor: 2, major: 7 });
  });

  it('pipelines commands behind qmp_capabilities, without ids (QEMU reads QMP a byte at a time), and hands back their replies in order', async () => {
    const seen: string[] = [];
    const path = await startServer((cmd, sock) => {
      if (cmd.execute === 'bad') send(sock, { error: { class: 'GenericError', desc: 'no' }, id: cmd.id });
      else send(sock, { return: { was: cmd.execute }, id: cmd.id });
    }, true, seen);
    const socket = createConnection(path);
    const { client, replies } = await QmpClient.negotiate(socket, [{ execute: 'migrate-set-capabilities', arguments: { capabilities: [] } }, { execute: 'bad' }, { execute: 'migrate-incoming' }]);
    clients.push(client);
    const settled = await Promise.allSettled(replies);
    expect(seen).toEqual(['qmp_capabilities', 'migrate-set-capabilities', 'bad', 'migrate-incoming']);
    expect(settled.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as QmpError).errorClass))).toEqual([{ was: 'migrate-set-capabilities' }, 'GenericError', { was: 'migrate-incoming' }]);
    expect(client.greeting.version.qemu.major).toBe(7);
    // Commands after the negotiation carry ids again, and their replies are theirs.
    expect(await client.execute('query-status')).toEqual({ was: 'query-status' });
    expect(seen.at(-1)).toBe('query-status#id');
  });

  it('matches replies to commands by id even when answered out of order', async () => {
    const held: Array<{ id?: string; execute: string }> = [];
    const path = await startServer((cmd, sock) => {
      held.push(cmd);
      if (held.length === 2) for (const h of [...held].reverse()) send(sock, { return: { was: h.execute }, id: h.id });
    });
    const c = await connect(path);
    const [a, b] = await Promise.all([c.execute('query-status'), c.execute('query-migrate')]);
    expect(a).toEqual({ was: 'query-status' });
    expect(b).toEqual({ was: 'query-migrate' });
  });

  it('rejects with QMP error class and description', async () => {
    const path = await startServer((cmd, sock) =>
      send(sock, { error: { class: 'CommandNotFound', desc: `The command ${cmd.execute} has not been found` }, id: cmd.id }),
    );
    const c = await connect(path);
    const err = await c.execute('nope').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QmpError);
    expect(err).toMatchObject({ errorClass: 'CommandNotFound', message: 'The command nope has not been found' });
  });

  it('delivers events that arrived before and after the wait began', async () => {
    const path = await startServer((cmd, sock) => {
      send(sock, { event: 'MIGRATION', data: { status: 'setup' }, timestamp: { seconds: 1, microseconds: 0 } });
      send(sock, { return: {}, id: cmd.id });
      setTimeout(() => send(sock, { event: 'MIGRATION', data: { status: 'completed' } }), 20);
    });
    const c = await connect(path);
    await c.execute('migrate-incoming', { uri: 'unix:/x' });
    const setup = await c.waitForEvent((e) => e.event === 'MIGRATION' && e.data?.status === 'setup');
    expect(setup.timestamp).toEqual({ seconds: 1, microseconds: 0 });
    const done = await c.waitForEvent((e) => e.data?.status === 'completed');
    expect(done.event).toBe('MIGRATION');
    expect(c.events.map((e) => e.data?.status)).toEqual(['setup', 'completed']);
  });

  it('times out a command that is never answered', async () => {
    const path = await startServer(() => undefined);
    const c = await connect(path);
    await expect(c.execute('query-status', undefined, 50)).rejects.toMatchObject({ errorClass: 'timeout' });
    await expect(c.waitForEvent(() => true, 50)).rejects.toMatchObject({ errorClass: 'timeout' });
  });

  it('times out a server that never greets', async () => {
    const path = await startServer(() => undefined, false);
    await expect(QmpClient.connect(path, { timeoutMs: 50 })).rejects.toMatchObject({ errorClass: 'timeout' });
  });

  it('fails pending commands and waits when the peer hangs up', async () => {
    const path = await startServer((_cmd, sock) => sock.destroy());
    const c = await connect(path);
    const ev = c.waitForEvent(() => false, 5_000);
    await expect(c.execute('quit')).rejects.toMatchObject({ errorClass: 'closed' });
    await expect(ev).rejects.toMatchObject({ errorClass: 'closed' });
    expect(c.closed).toBe(true);
    await expect(c.execute('query-status')).rejects.toMatchObject({ errorClass: 'closed' });
  });

  it('refuses a peer that is not QMP', async () => {
    const path = join(dir, 'other.sock');
    server = createServer((sock) => sock.resume().write('220 smtp ready\r\n'));
    await new Promise<void>((r) => server.listen(path, r));
    await expect(QmpClient.connect(path, { timeoutMs: 500 })).rejects.toMatchObject({ errorClass: 'protocol' });
  });
});
