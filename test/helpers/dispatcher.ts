import { createServer, type Server } from 'node:http';

type Update = { update_id: number };

/** Update numbers, unique across the whole run (Redis remembers handled ones). */
let nextUpdateId = 1;

/**
 * A stand-in for Telegram's webhook delivery, in front of bot replicas: the
 * emulator posts each update here, and the dispatcher delivers it to one
 * replica (or to both, as a duplicate delivery), and again, to the next
 * replica, when a delivery is not acknowledged.
 */
export class Dispatcher {
  private server?: Server;
  replicas: string[] = [];
  /** Which replica gets the next update: round robin, a chosen one, or both at once (a duplicate delivery). */
  route: 'round-robin' | 'both' | number = 'round-robin';
  private turn = 0;
  /** update_id → the replicas that acknowledged it. */
  readonly acknowledged = new Map<number, number[]>();
  /** update_id → the replicas a delivery of it failed on (down, or busy with it elsewhere). */
  readonly failed = new Map<number, number[]>();
  readonly pending = new Set<Promise<void>>();

  async listen(port: number): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        res.writeHead(200).end();
        // Telegram numbers updates itself (the emulator repeats numbers in webhook mode): so does the dispatcher.
        const update = { ...(JSON.parse(body) as Update), update_id: nextUpdateId++ };
        const delivery = this.deliver(update);
        this.pending.add(delivery);
        void delivery.finally(() => this.pending.delete(delivery));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
  }

  private async deliver(update: Update): Promise<void> {
    if (this.route === 'both') {
      await Promise.all(this.replicas.map((_, i) => this.attempt(update, i)));
      return;
    }
    let replica = typeof this.route === 'number' ? this.route : this.turn++ % this.replicas.length;
    for (let attempt = 0; attempt < 200; attempt++) {
      if (await this.attempt(update, replica)) return;
      await new Promise((r) => setTimeout(r, 250));
      replica = (replica + 1) % this.replicas.length; // Telegram's next try may reach another replica
    }
  }

  private async attempt(update: Update, replica: number): Promise<boolean> {
    try {
      const res = await fetch(this.replicas[replica], {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(update),
      });
      if (res.status !== 200) {
        this.failed.set(update.update_id, [...(this.failed.get(update.update_id) ?? []), replica]);
        return false;
      }
      this.acknowledged.set(update.update_id, [...(this.acknowledged.get(update.update_id) ?? []), replica]);
      return true;
    } catch {
      // connection refused or reset: the replica is down
      this.failed.set(update.update_id, [...(this.failed.get(update.update_id) ?? []), replica]);
      return false;
    }
  }

  async idle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()));
  }
}
