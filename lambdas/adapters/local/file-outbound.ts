import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OutboundQueue } from '#domain/ports/events.ts';
import type { OutboundMessage } from '#domain/triggers.ts';

/**
 * The local hand-off: one JSON object per line in `<dir>/outbound/<channel>.jsonl`. It plays the
 * sender that dedupes on messageId, so a repeated hand-off leaves one line.
 */
export class FileOutboundQueue implements OutboundQueue {
  private readonly written = new Map<string, Set<string>>();

  constructor(private readonly dir: string) {}

  private idsOf(channel: string, file: string): Set<string> {
    let ids = this.written.get(channel);
    if (!ids) {
      ids = new Set();
      if (existsSync(file)) {
        for (const line of readFileSync(file, 'utf8').split('\n')) {
          if (!line.trim()) continue;
          try {
            ids.add((JSON.parse(line) as { messageId: string }).messageId);
          } catch {
            /* a torn line from a crash; the message will be handed off again */
          }
        }
      }
      this.written.set(channel, ids);
    }
    return ids;
  }

  async send(messages: OutboundMessage[]): Promise<void> {
    const folder = join(this.dir, 'outbound');
    mkdirSync(folder, { recursive: true });
    for (const m of messages) {
      const file = join(folder, `${m.channel}.jsonl`);
      const ids = this.idsOf(m.channel, file);
      if (ids.has(m.messageId)) continue;
      appendFileSync(file, `${JSON.stringify(m)}\n`);
      ids.add(m.messageId);
    }
  }
}
