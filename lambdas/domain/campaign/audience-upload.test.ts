import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isValidId } from '../ids.ts';
import {
  audienceLine,
  audienceShardOf,
  MAX_LINE_BYTES,
  shardsOfSegment,
  streamLines,
  type StreamLine,
} from './audience-upload.ts';

const bytes = (s: string) => new TextEncoder().encode(s);
async function* chunked(data: Uint8Array, sizes: number[]): AsyncIterable<Uint8Array> {
  let at = 0;
  for (let i = 0; at < data.length; i++) {
    const n = Math.max(1, sizes[i % sizes.length] ?? 1);
    yield data.subarray(at, at + n);
    at += n;
  }
}
const collect = async (it: AsyncIterable<StreamLine>) => {
  const out: StreamLine[] = [];
  for await (const l of it) out.push(l);
  return out;
};

const idArb = fc.stringMatching(/^[A-Za-z0-9_:-][A-Za-z0-9._:-]{0,63}$/);

describe('audience upload lines', () => {
  it('takes one id per line, a header, CRLF, a BOM and quotes; rejects the rest', () => {
    expect(audienceLine('\uFEFFcustomerId', 1)).toBe('skip');
    expect(audienceLine('customer_id\r', 1)).toBe('skip');
    expect(audienceLine('customerId', 2)).toEqual({ id: 'customerId' });
    expect(audienceLine('\uFEFF27820000001', 1)).toEqual({ id: '27820000001' });
    expect(audienceLine('27820000001\r', 5)).toEqual({ id: '27820000001' });
    expect(audienceLine('  "27820000001" ', 5)).toEqual({ id: '27820000001' });
    expect(audienceLine('', 3)).toBe('skip');
    expect(audienceLine('   \r', 3)).toBe('skip');
    expect(audienceLine('a,b', 3)).toBe('reject');
    expect(audienceLine('..', 3)).toBe('reject');
    expect(audienceLine('../../etc/passwd', 3)).toBe('reject');
    expect(audienceLine('x'.repeat(65), 3)).toBe('reject');
  });

  it('accepts exactly what the id rule accepts (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.integer({ min: 2, max: 1e6 }), (text, lineNo) => {
        const v = audienceLine(text, lineNo);
        if (v === 'skip') return text.replace(/\r$/, '').trim() === '';
        const bare = text.replace(/\r$/, '').trim();
        const unquoted = bare.length >= 2 && bare.startsWith('"') && bare.endsWith('"') ? bare.slice(1, -1) : bare;
        return v === 'reject' ? !isValidId(unquoted) : v.id === unquoted && isValidId(v.id);
      }),
    );
  });
});

describe('streamLines', () => {
  it('splits however the bytes arrive, with the offset after each line (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(idArb, { maxLength: 40 }),
        fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        async (ids, sizes, trailingNewline) => {
          const text = ids.join('\n') + (trailingNewline && ids.length ? '\n' : '');
          const data = bytes(text);
          const lines = await collect(streamLines(chunked(data, sizes), 0));
          const expected = text === '' ? [] : text.split('\n').slice(0, trailingNewline ? -1 : undefined);
          expect(lines.map((l) => l.text)).toEqual(expected);
          // each offset is where the next line starts in the bytes
          let at = 0;
          for (const [i, l] of lines.entries()) {
            at += bytes(expected[i]!).length + (at + bytes(expected[i]!).length < data.length ? 1 : 0);
            expect(l.next).toBe(at);
          }
        },
      ),
    );
  });

  it('resumes at any line offset and reads the same lines from there (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(idArb, { minLength: 1, maxLength: 30 }), fc.nat(), async (ids, pick) => {
        const data = bytes(`${ids.join('\n')}\n`);
        const all = await collect(streamLines(chunked(data, [7]), 0));
        const cut = pick % all.length;
        const from = all[cut]!.next;
        const rest = await collect(streamLines(chunked(data.subarray(from), [5]), from));
        expect(rest).toEqual(all.slice(cut + 1));
      }),
    );
  });

  it('gives an overlong line no text, holding none of it, and goes on after it', async () => {
    const long = 'x'.repeat(MAX_LINE_BYTES * 3);
    const lines = await collect(streamLines(chunked(bytes(`a\n${long}\nb`), [100]), 0));
    expect(lines.map((l) => l.text)).toEqual(['a', undefined, 'b']);
    expect(lines.at(-1)!.next).toBe(2 + long.length + 1 + 1);
  });
});

describe('segments of an uploaded audience', () => {
  it('reads every partition in exactly one segment, for any segment count (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 128 }), (segments, shards) => {
        const seen = Array.from({ length: segments }, (_, s) => shardsOfSegment(s, segments, shards)).flat();
        expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: shards }, (_, k) => k));
      }),
    );
  });

  it('stores an id in one partition within range (property)', () => {
    fc.assert(
      fc.property(idArb, fc.integer({ min: 1, max: 128 }), (id, shards) => {
        const k = audienceShardOf(id, shards);
        return Number.isInteger(k) && k >= 0 && k < shards && k === audienceShardOf(id, shards);
      }),
    );
  });
});
