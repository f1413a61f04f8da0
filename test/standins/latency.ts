// A loopback TCP relay that puts a stand-in a round trip away, so the bench measures what a runner sees
// from GitHub's token endpoint or STS. Server-side delays would only delay each answer; a distant server
// also costs a round trip to connect, and the bytes a client writes reach it half a round trip later.
// The relay models both: the client's first byte reaches the server no earlier than one round trip (the
// TCP handshake) plus half a round trip after it connected, every later byte half a round trip after it
// was written, and every byte back half a round trip after the server wrote it. Bytes keep their order.
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface Relay {
  /** host:port of the relay, to use instead of the target's. */
  host: string;
  close(): Promise<void>;
}

/** Writes chunks to `to` at their due times, in order; `null` ends it. */
function delayedPipe(to: net.Socket) {
  const queue: { at: number; chunk: Buffer | null }[] = [];
  let timer: NodeJS.Timeout | undefined;
  const pump = () => {
    timer = undefined;
    while (queue.length > 0 && queue[0]!.at <= performance.now()) {
      const { chunk } = queue.shift()!;
      if (chunk === null) to.end();
      else to.write(chunk);
    }
    if (queue.length > 0) timer = setTimeout(pump, Math.max(0, queue[0]!.at - performance.now()));
  };
  return {
    push(at: number, chunk: Buffer | null) {
      queue.push({ at, chunk });
      timer ??= setTimeout(pump, Math.max(0, at - performance.now()));
    },
    cancel() {
      clearTimeout(timer);
    },
  };
}

/** Relays 127.0.0.1:<new port> to `target` (host:port) with `roundTripMs` of latency. */
export async function startRelay(target: string, roundTripMs: number): Promise<Relay> {
  const [host = '127.0.0.1', port = ''] = target.split(':');
  const half = roundTripMs / 2;
  const open = new Set<net.Socket>();
  // Half-open: each side's end is relayed with the same delay as its data, not applied at once.
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    const connectedAt = performance.now();
    const upstream = net.connect({ port: Number(port), host, allowHalfOpen: true });
    for (const s of [client, upstream]) {
      open.add(s);
      s.setNoDelay(true);
      s.on('close', () => open.delete(s));
    }
    const out = delayedPipe(upstream);
    const back = delayedPipe(client);
    const outAt = () => Math.max(performance.now(), connectedAt + roundTripMs) + half;
    client.on('data', (chunk: Buffer) => out.push(outAt(), chunk));
    client.on('end', () => out.push(outAt(), null));
    upstream.on('data', (chunk: Buffer) => back.push(performance.now() + half, chunk));
    upstream.on('end', () => back.push(performance.now() + half, null));
    const abort = () => {
      out.cancel();
      back.cancel();
      client.destroy();
      upstream.destroy();
    };
    client.on('error', abort);
    upstream.on('error', abort);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
