// A small binary container: a JSON header followed by 8-byte-aligned typed-array sections.
// Used for the dataset cache and for per-fold job data. A read allocates without zero-filling
// (every byte is then read from the file) and reads the data into one buffer that the arrays
// view, so a trainer's data is ready after one pass over the bytes; reads are chunked so
// arrays larger than one read (2 GiB) load fine.
import buffer from 'node:buffer';
import fs from 'node:fs';

const MAGIC = 'ARBIN001';
const CHUNK = 1 << 30;

type Dtype = 'u8' | 'i32' | 'f32' | 'f64';
export type BinArray = Uint8Array | Int32Array | Float32Array | Float64Array;

interface Section { name: string; dtype: Dtype; length: number; offset: number }

function dtypeOf(a: BinArray): Dtype {
  if (a instanceof Uint8Array) return 'u8';
  if (a instanceof Int32Array) return 'i32';
  if (a instanceof Float32Array) return 'f32';
  return 'f64';
}

/** Largest buffer that the arrays of one read share; larger files get one buffer per section. */
const MAX_SHARED = Math.min(2 ** 32 - 8, buffer.constants.MAX_LENGTH);

function view(dtype: Dtype, buf: ArrayBuffer, offset: number, length: number): BinArray {
  switch (dtype) {
    case 'u8': return new Uint8Array(buf, offset, length);
    case 'i32': return new Int32Array(buf, offset, length);
    case 'f32': return new Float32Array(buf, offset, length);
    case 'f64': return new Float64Array(buf, offset, length);
  }
}

/** Fills `bytes` from `fd` at `position`, in reads of at most CHUNK bytes. */
function readFully(fd: number, bytes: Uint8Array, position: number, path: string, what: string): void {
  for (let done = 0; done < bytes.length; ) {
    const n = fs.readSync(fd, bytes, done, Math.min(CHUNK, bytes.length - done), position + done);
    if (n <= 0) throw new Error(`${path} is truncated (${what})`);
    done += n;
  }
}

/** Fresh memory that is not zero-filled first: every byte of it is about to be read from the file. */
function uninitialized(byteLength: number): ArrayBuffer {
  const b = Buffer.allocUnsafeSlow(byteLength);
  return b.buffer as ArrayBuffer;
}

const align8 = (n: number) => Math.ceil(n / 8) * 8;
const BYTES: Record<Dtype, number> = { u8: 1, i32: 4, f32: 4, f64: 8 };

/** Writes header + named arrays to `path` atomically (temp file, fsync, rename). */
export function writeBin(path: string, header: unknown, arrays: Record<string, BinArray>): void {
  const sections: Section[] = [];
  let offset = 0;
  for (const [name, a] of Object.entries(arrays)) {
    sections.push({ name, dtype: dtypeOf(a), length: a.length, offset });
    offset = align8(offset + a.byteLength);
  }
  const head = Buffer.from(JSON.stringify({ header, sections }), 'utf8');
  const prefix = Buffer.alloc(16);
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(head.length, 8);
  const dataStart = align8(16 + head.length);
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, prefix, 0, 16, 0);
    fs.writeSync(fd, head, 0, head.length, 16);
    for (const s of sections) {
      const a = arrays[s.name];
      const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
      for (let done = 0; done < bytes.length; ) {
        const n = Math.min(CHUNK, bytes.length - done);
        done += fs.writeSync(fd, bytes, done, n, dataStart + s.offset + done);
      }
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, path);
}

/** Reads a file written by writeBin; `only` restricts which sections are loaded. */
export function readBin<H = unknown>(path: string, only?: string[]): { header: H; arrays: Record<string, BinArray> } {
  const fd = fs.openSync(path, 'r');
  try {
    const prefix = Buffer.alloc(16);
    fs.readSync(fd, prefix, 0, 16, 0);
    if (prefix.toString('latin1', 0, 8) !== MAGIC) throw new Error(`${path} is not an autoresearch binary file`);
    const headLen = prefix.readUInt32LE(8);
    const head = Buffer.alloc(headLen);
    fs.readSync(fd, head, 0, headLen, 16);
    const { header, sections } = JSON.parse(head.toString('utf8')) as { header: H; sections: Section[] };
    const dataStart = align8(16 + headLen);
    const size = fs.fstatSync(fd).size;
    const wanted = sections.filter((s) => !only || only.includes(s.name));
    for (const s of wanted) {
      // check the claimed length against the file before allocating: a hostile writer could claim terabytes
      if (!Number.isSafeInteger(s.length) || s.length < 0 || !Number.isSafeInteger(s.offset) || s.offset < 0 || dataStart + s.offset + s.length * BYTES[s.dtype] > size) {
        throw new Error(`${path} is truncated or corrupt (section ${s.name})`);
      }
    }
    const arrays: Record<string, BinArray> = {};
    const end = wanted.reduce((m, s) => Math.max(m, s.offset + s.length * BYTES[s.dtype]), 0);
    if (!only && end <= MAX_SHARED) {
      const buf = uninitialized(Math.max(end, 1));
      readFully(fd, new Uint8Array(buf, 0, end), dataStart, path, 'data');
      for (const s of wanted) {
        if (s.offset % BYTES[s.dtype] !== 0) throw new Error(`${path} is corrupt (section ${s.name} is misaligned)`);
        arrays[s.name] = view(s.dtype, buf, s.offset, s.length);
      }
    } else {
      for (const s of wanted) {
        const buf = uninitialized(Math.max(s.length * BYTES[s.dtype], 1));
        readFully(fd, new Uint8Array(buf, 0, s.length * BYTES[s.dtype]), dataStart + s.offset, path, `section ${s.name}`);
        arrays[s.name] = view(s.dtype, buf, 0, s.length);
      }
    }
    return { header, arrays };
  } finally {
    fs.closeSync(fd);
  }
}
