import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';

/** A server that accepts TCP connections and never says a word (a stuck proxy or pooler); it notes when each arrived. */
export class SilentServer {
  readonly accepted: number[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly server: Server = createServer((socket) => {
    this.accepted.push(performance.now());
    this.sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => this.sockets.delete(socket));
  });

  static async start(): Promise<SilentServer> {
    const silent = new SilentServer();
    silent.server.listen(0, '127.0.0.1');
    await once(silent.server, 'listening');
    return silent;
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  close(): void {
    for (const socket of this.sockets) socket.destroy();
    this.server.close();
  }
}
