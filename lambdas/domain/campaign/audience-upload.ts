import { isValidId } from '../ids.ts';
import { segmentOf } from './assignment.ts';

/**
 * An uploaded audience: a list of customer ids of any size, uploaded once to a URL the platform
 * signs, read in resumable steps into the tenant's table (one item per id, in `shards`
 * partitions), then read back a segment at a time by the campaign's parallel selection.
 *
 * The upload is a newline list: one customer id per line, which a one-column CSV also is. A first
 * line `customerId` is a header; blank lines are skipped; `\r\n` endings, a UTF-8 byte-order mark
 * and one pair of double quotes around an id are accepted. Any other line is rejected and counted.
 */
export type AudienceStatus = 'awaiting-upload' | 'processing' | 'ready' | 'failed';

/** Where a resumable read of the upload stands: the next line starts at `offset`. */
export interface AudienceCursor {
  offset: number;
  /** The upload read: a different object under the same key fails the audience. */
  etag: string;
  lines: number;
  rejected: number;
}

export interface AudienceRecord {
  audienceId: string;
  status: AudienceStatus;
  createdAt: string;
  updatedAt: string;
  /** When the upload URL stops being accepted. */
  expiresAt: string;
  /**
   * When the audience expires (market `retention.audienceDays` after its creation): it cannot be
   * used after it, and the table's TTL deletes the record and its ids. Absent on an audience
   * created before retention.
   */
  retainedUntil?: string;
  /** Partitions the ids are stored in (fixed when the audience is created). */
  shards: number;
  /** Distinct valid customer ids (ready). */
  size?: number;
  /** Lines that were not a customer id (ready, or so far while processing). */
  rejected?: number;
  /** The first rejected line numbers (1-based), to find them in the file. */
  rejectedLines?: number[];
  /** Why the audience failed. */
  reason?: string;
  cursor?: AudienceCursor;
  /** Until when one reader holds the processing (a reader that died loses it then). */
  leaseUntil?: string;
}

/** 64 partitions: writes of a large list spread, and any segment count up to 64 reads in parallel. */
export const AUDIENCE_SHARDS = 64;
/** How many rejected line numbers a ready audience keeps. */
export const REJECTED_LINES_KEPT = 20;
/** Longer lines are not ids (at most 64 characters), whatever else they hold: rejected unread. */
export const MAX_LINE_BYTES = 1024;

export type LineVerdict = { id: string } | 'skip' | 'reject';

const BOM = '\uFEFF';
const HEADER = /^"?customer_?id"?$/i;

/** What one line of the upload is (`lineNo` 1-based: only the first may be a header or carry a BOM). */
export function audienceLine(raw: string, lineNo: number): LineVerdict {
  let text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (lineNo === 1 && text.startsWith(BOM)) text = text.slice(1);
  text = text.trim();
  if (text === '') return 'skip';
  if (lineNo === 1 && HEADER.test(text)) return 'skip';
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) text = text.slice(1, -1);
  return isValidId(text) ? { id: text } : 'reject';
}

/** One line of a byte stream: its text (undefined when longer than MAX_LINE_BYTES) and where the next line starts. */
export interface StreamLine {
  text: string | undefined;
  /** Byte offset just past this line's newline (or the end of the stream). */
  next: number;
}

const NEWLINE = 0x0a;
const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * The lines of a byte stream that starts at byte `start`, with the offset after each: a read can
 * stop after any line and resume there. Holds at most one line in memory; a line longer than
 * MAX_LINE_BYTES is skipped to its end and given without text.
 */
export async function* streamLines(chunks: AsyncIterable<Uint8Array>, start: number): AsyncIterable<StreamLine> {
  let offset = start;
  let parts: Uint8Array[] = [];
  let length = 0;
  let overlong = false;
  const take = (): string | undefined => {
    const text = overlong ? undefined : decoder.decode(concat(parts, length));
    parts = [];
    length = 0;
    overlong = false;
    return text;
  };
  for await (const chunk of chunks) {
    let from = 0;
    while (from < chunk.length) {
      const nl = chunk.indexOf(NEWLINE, from);
      const end = nl === -1 ? chunk.length : nl;
      if (!overlong) {
        if (length + (end - from) > MAX_LINE_BYTES) overlong = true;
        else {
          parts.push(chunk.subarray(from, end));
          length += end - from;
        }
      }
      offset += end - from;
      if (nl === -1) break;
      offset += 1;
      yield { text: take(), next: offset };
      from = nl + 1;
    }
  }
  if (length > 0 || overlong) yield { text: take(), next: offset };
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The partition an id is stored in. */
export const audienceShardOf = (customerId: string, shards: number): number => segmentOf(customerId, shards);

/**
 * The partitions segment `segment` of `totalSegments` reads: every partition belongs to exactly
 * one segment, so the segments together read each stored id once, whatever their number.
 */
export function shardsOfSegment(segment: number, totalSegments: number, shards: number): number[] {
  const out: number[] = [];
  for (let k = segment; k < shards; k += totalSegments) out.push(k);
  return out;
}
