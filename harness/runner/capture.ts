// Bounded capture of a job's stdout or stderr: the first bytes and the last bytes, with an
// explicit marker for what was dropped, so a job printing gigabytes costs a fixed 40 KB.

export const HEAD_BYTES = 8 * 1024;
export const TAIL_BYTES = 32 * 1024;

export class OutputCapture {
  private readonly head: Buffer;
  private headLen = 0;
  private readonly ring: Buffer;
  private ringStart = 0;
  private ringLen = 0;
  private total = 0;

  constructor(headBytes = HEAD_BYTES, tailBytes = TAIL_BYTES) {
    this.head = Buffer.alloc(headBytes);
    this.ring = Buffer.alloc(tailBytes);
  }

  /** Appends a chunk; memory stays at headBytes + tailBytes however much is pushed. */
  push(chunk: Uint8Array): void {
    this.total += chunk.length;
    let rest = chunk;
    if (this.headLen < this.head.length) {
      const n = Math.min(this.head.length - this.headLen, rest.length);
      this.head.set(rest.subarray(0, n), this.headLen);
      this.headLen += n;
      rest = rest.subarray(n);
    }
    const cap = this.ring.length;
    if (rest.length === 0 || cap === 0) return;
    if (rest.length >= cap) {
      this.ring.set(rest.subarray(rest.length - cap));
      this.ringStart = 0;
      this.ringLen = cap;
      return;
    }
    const end = (this.ringStart + this.ringLen) % cap;
    const first = Math.min(rest.length, cap - end);
    this.ring.set(rest.subarray(0, first), end);
    this.ring.set(rest.subarray(first), 0);
    const overflow = Math.max(0, this.ringLen + rest.length - cap);
    this.ringLen = Math.min(cap, this.ringLen + rest.length);
    this.ringStart = (this.ringStart + overflow) % cap;
  }

  /** Bytes pushed so far, including those dropped. */
  get totalBytes(): number {
    return this.total;
  }

  /** Head, then "[... N bytes truncated ...]" when anything was dropped, then tail. */
  text(): string {
    const tail = Buffer.concat([
      this.ring.subarray(this.ringStart, Math.min(this.ringStart + this.ringLen, this.ring.length)),
      this.ring.subarray(0, Math.max(0, this.ringStart + this.ringLen - this.ring.length)),
    ]);
    const head = this.head.subarray(0, this.headLen).toString('utf8');
    const dropped = this.total - this.headLen - this.ringLen;
    if (dropped === 0) return head + tail.toString('utf8');
    return `${head}\n[... ${dropped} bytes truncated ...]\n${tail.toString('utf8')}`;
  }
}
