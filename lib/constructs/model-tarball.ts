import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * A minimal ustar archive of regular files (what SageMaker's `model.tar.gz` needs), built in
 * memory at synth time, offline and byte-for-byte reproducible (mtime 0, uid/gid 0), so the asset
 * hash changes only when the model does.
 */
export function tarOf(files: Array<{ name: string; content: Buffer }>): Buffer {
  const blocks: Buffer[] = [];
  for (const f of files) {
    if (Buffer.byteLength(f.name) > 100) throw new Error(`tar: name '${f.name}' is longer than 100 bytes`);
    const h = Buffer.alloc(512, 0);
    const field = (value: string, offset: number, length: number) => h.write(value, offset, length, 'ascii');
    const octal = (n: number, length: number) => `${n.toString(8).padStart(length - 1, '0')}\0`;
    field(f.name, 0, 100);
    field(octal(0o644, 8), 100, 8);
    field(octal(0, 8), 108, 8);
    field(octal(0, 8), 116, 8);
    field(octal(f.content.length, 12), 124, 12);
    field(octal(0, 12), 136, 12);
    field('        ', 148, 8); // checksum counts as spaces while it is computed
    field('0', 156, 1);
    field('ustar\u0000', 257, 6);
    field('00', 263, 2);
    let sum = 0;
    for (const b of h) sum += b;
    field(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
    blocks.push(h, f.content, Buffer.alloc((512 - (f.content.length % 512)) % 512, 0));
  }
  blocks.push(Buffer.alloc(1024, 0));
  return Buffer.concat(blocks);
}

/**
 * `model.tar.gz` for the built-in XGBoost container: one file, `xgboost-model.json`. The
 * container loads the first file it finds with `Booster.load_model`, and xgboost reads the JSON
 * format when the name ends in `.json`. Written under the OS temp dir by content hash.
 */
export function modelTarball(modelJson: Buffer): string {
  const gz = gzipSync(tarOf([{ name: 'xgboost-model.json', content: modelJson }]), { level: 9 });
  const hash = createHash('sha256').update(gz).digest('hex').slice(0, 32);
  const dir = path.join(tmpdir(), 'cvm-model-tarballs', hash);
  const file = path.join(dir, 'model.tar.gz');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, gz);
  }
  return file;
}
