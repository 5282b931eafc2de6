import {
  closeSync,
  existsSync,
  fdatasync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';

/** A local queue's message, as the journal keeps it. */
export interface JournalMessage {
  messageId: string;
  body: string;
  sentAt: number;
  receiveCount: number;
  visibleAt: number;
  attributes?: Record<string, string>;
}

/** One line of the journal: a message sent, its receive count and visibility changed, or its end. */
type Entry = { s: JournalMessage } | { u: string; c: number; v: number } | { d: string };

/**
 * The append-only file that makes a local queue durable: every send, receive, visibility change
 * and delete is a line; `durable()` resolves once what was appended so far is on disk (fdatasync,
 * shared by the sends of one moment), so a message answered 202 survives `kill -9` and a power
 * cut. Replayed on start; compacted to the live messages when it has grown well past them. A torn
 * last line (a crash mid-write) is ignored.
 */
export class QueueJournal {
  private fd: number;
  private lines = 0;
  private flushing: Promise<void> = Promise.resolve();
  private pending: Promise<void> | undefined;
  private closed = false;

  /** Opens (and replays) `file`; the messages it held are returned by `replay`. */
  constructor(private readonly file: string) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    this.fd = openSync(file, 'a', 0o600);
  }

  /** The messages the journal holds, in send order. */
  static replay(file: string): JournalMessage[] {
    if (!existsSync(file)) return [];
    const messages = new Map<string, JournalMessage>();
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      let entry: Entry;
      try {
        entry = JSON.parse(line) as Entry;
      } catch {
        continue; // a line cut short by a crash: its send was never acknowledged
      }
      if ('s' in entry) messages.set(entry.s.messageId, entry.s);
      else if ('u' in entry) {
        const m = messages.get(entry.u);
        if (m) Object.assign(m, { receiveCount: entry.c, visibleAt: entry.v });
      } else messages.delete(entry.d);
    }
    return [...messages.values()];
  }

  sent(m: JournalMessage): void {
    this.append({ s: m });
  }

  updated(m: JournalMessage): void {
    this.append({ u: m.messageId, c: m.receiveCount, v: m.visibleAt });
  }

  deleted(messageId: string): void {
    this.append({ d: messageId });
  }

  /** Resolves when every line appended before the call is on disk. */
  durable(): Promise<void> {
    if (!this.pending) {
      const fd = this.fd;
      this.pending = this.flushing.then(
        () =>
          new Promise<void>((resolve, reject) => {
            this.pending = undefined; // lines appended from here on wait for the next sync
            fdatasync(fd, (err) => (err ? reject(err) : resolve()));
          }),
      );
      this.flushing = this.pending.catch(() => undefined);
    }
    return this.pending;
  }

  /** Rewrites the journal as the live messages alone when it has grown past `factor` times their number. */
  compactIfLarge(live: Iterable<JournalMessage>, size: number, factor = 4): void {
    if (this.lines > Math.max(1000, size * factor)) this.compact(live);
  }

  /** Writes the live messages to a new file, synced, and renames it over the journal. */
  compact(live: Iterable<JournalMessage>): void {
    const tmp = `${this.file}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    let lines = 0;
    for (const m of live) {
      writeSync(fd, `${JSON.stringify({ s: m })}\n`);
      lines++;
    }
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, this.file);
    const old = this.fd;
    this.fd = openSync(this.file, 'a', 0o600);
    this.lines = lines;
    // a sync of the old file still running must finish before its descriptor goes
    void this.flushing.then(() => closeSync(old));
  }

  /** Compacts and closes (a clean stop). */
  async close(live: Iterable<JournalMessage>, size: number): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.flushing;
    if (size === 0) {
      closeSync(this.fd);
      rmSync(this.file, { force: true });
      return;
    }
    this.compact(live);
    await this.flushing;
    closeSync(this.fd);
  }

  private append(entry: Entry): void {
    writeSync(this.fd, `${JSON.stringify(entry)}\n`);
    this.lines++;
  }
}
