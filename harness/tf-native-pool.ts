// The native backend's memory: tfjs's cpu backend with output buffers recycled. Allocating a fresh
// Float32Array per op costs ~10x the arithmetic of a 1M-element multiply (page faults, zeroing,
// GC of external memory), and a training step disposes and re-creates the same sizes every step.
// A buffer goes back to the pool only when no tensor data references it any more, counted per
// ArrayBuffer so views (e.g. a contiguous slice) keep their parent alive; reads hand out copies,
// so an array returned by dataSync() can never be overwritten by a later op.
import type { TensorInfo } from '@tensorflow/tfjs';

type DataId = object;
type Values = Float32Array | Int32Array | Uint8Array | Uint8Array[];

/** The parts of tfjs-backend-cpu's MathBackendCPU (pinned 4.22.0) the pool and the kernels use. */
export interface CpuBackend {
  data: { get(id: DataId): { values: Values; dtype: string }; has(id: DataId): boolean };
  write(values: Values, shape: number[], dtype: string): DataId;
  move(id: DataId, values: Values, shape: number[], dtype: string, refCount: number): void;
  readSync(id: DataId): Values;
  disposeData(id: DataId, force?: boolean): boolean;
  makeTensorInfo(shape: number[], dtype: string, values?: Values): TensorInfo;
  dispose(): void;
}

/** A cpu backend whose kernels can take recycled output buffers. */
export interface PoolBackend extends CpuBackend {
  /** a Float32Array of exactly n elements with arbitrary contents; the kernel must write every element */
  take(n: number): Float32Array;
  /** how many buffers were reused and newly allocated since start-up */
  poolStats(): { reused: number; allocated: number; pooledBytes: number };
}

/** Arrays below this length are cheaper to allocate than to track. */
const MIN_POOLED = 256;
/** The pool never holds more than this many idle bytes. */
const MAX_IDLE_BYTES = 512 * 1024 * 1024;

interface Owned { array: Float32Array; refs: number }

/** Subclasses the given cpu backend class with a buffer pool. */
export function poolBackendClass(Cpu: new () => CpuBackend): new () => PoolBackend {
  return class NativeBackend extends Cpu implements PoolBackend {
    private owned = new Map<ArrayBufferLike, Owned>();
    private idle = new Map<number, Float32Array[]>();
    private idleBytes = 0;
    private stats = { reused: 0, allocated: 0 };

    take(n: number): Float32Array {
      const list = n >= MIN_POOLED ? this.idle.get(n) : undefined;
      const reused = list?.pop();
      if (reused) {
        this.idleBytes -= reused.byteLength;
        this.stats.reused++;
        this.owned.set(reused.buffer, { array: reused, refs: 0 });
        return reused;
      }
      const array = new Float32Array(n);
      this.stats.allocated++;
      if (n >= MIN_POOLED) this.owned.set(array.buffer, { array, refs: 0 });
      return array;
    }

    poolStats(): { reused: number; allocated: number; pooledBytes: number } {
      return { ...this.stats, pooledBytes: this.idleBytes };
    }

    override write(values: Values, shape: number[], dtype: string): DataId {
      this.retain(values);
      return super.write(values, shape, dtype);
    }

    override move(id: DataId, values: Values, shape: number[], dtype: string, refCount: number): void {
      const old = this.data.has(id) ? this.data.get(id).values : undefined;
      this.retain(values);
      super.move(id, values, shape, dtype, refCount);
      if (old) this.release(old);
    }

    override readSync(id: DataId): Values {
      const values = super.readSync(id);
      return values instanceof Float32Array && this.owned.has(values.buffer) ? values.slice() : values;
    }

    override disposeData(id: DataId, force = false): boolean {
      const values = this.data.has(id) ? this.data.get(id).values : undefined;
      const released = super.disposeData(id, force);
      if (values && !this.data.has(id)) this.release(values);
      return released;
    }

    override dispose(): void {
      this.idle.clear();
      this.owned.clear();
      this.idleBytes = 0;
      super.dispose();
    }

    private retain(values: Values): void {
      if (values instanceof Float32Array) {
        const o = this.owned.get(values.buffer);
        if (o) o.refs++;
      }
    }

    private release(values: Values): void {
      if (!(values instanceof Float32Array)) return;
      const o = this.owned.get(values.buffer);
      if (!o || --o.refs > 0) return;
      this.owned.delete(values.buffer);
      if (this.idleBytes + o.array.byteLength > MAX_IDLE_BYTES) return;
      const list = this.idle.get(o.array.length) ?? [];
      list.push(o.array);
      this.idle.set(o.array.length, list);
      this.idleBytes += o.array.byteLength;
    }
  };
}
