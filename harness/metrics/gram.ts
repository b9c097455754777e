// The Gram matrix AᵀA of A = [F | 1], the one O(n·k²) step of a least-squares fit. Numerai's
// features are integers 0..4, so every product and every sum over a tile of rows is a small exact
// integer: four partner columns are packed into the 13-bit lanes of one float64, and a single
// multiply-add then does four products, still exact (each lane stays below 2^13, all four below 2^52).
// Other feature values take a plain float64 kernel. Both give exact integers for integer features.

/** Rows per pass of the float kernel: 1024 rows of a few hundred float64 columns stay in L2. */
const ROW_TILE = 1024;
/** Lane base of the packed kernel: 2^13. */
const LANE = 8192;
/** Rows per packed tile: 255 products of at most 4·4 = 16 sum to 4080 < 2^13; 255 rows of a few hundred columns stay in L2. */
const PACKED_TILE = 255;
/** Largest feature value the packed kernel accepts. */
const PACKED_MAX = 4;

/** AᵀA of A = [columns of a | 1] (a column-major n × m), row-major k × k, both triangles filled. */
export function gram(a: Float64Array, n: number, m: number): Float64Array {
  return gramColumns(Array.from({ length: m }, (_, j) => a.subarray(j * n, (j + 1) * n)), n);
}

/** AᵀA of A = [cols | 1], each column's first n values used, row-major k × k, both triangles filled. */
export function gramColumns(cols: Float64Array[], n: number): Float64Array {
  const m = cols.length;
  const k = m + 1;
  const g = new Float64Array(k * k);
  if (cols.every((c) => smallIntegers(c, n))) gramPacked(cols, n, g);
  else gramFloat(cols, n, g);
  for (let c = 0; c < m; c++) {
    const col = cols[c];
    let s = 0;
    for (let i = 0; i < n; i++) s += col[i];
    g[c * k + m] = s;
  }
  g[m * k + m] = n;
  // the blocked kernels also wrote some entries below the diagonal; the upper triangle is the complete one
  for (let r = 0; r < k; r++) for (let c = r + 1; c < k; c++) g[c * k + r] = g[r * k + c];
  return g;
}

function smallIntegers(a: Float64Array, n: number): boolean {
  for (let i = 0; i < n; i++) {
    const v = a[i];
    if (!(v >= 0 && v <= PACKED_MAX && v === Math.floor(v))) return false;
  }
  return true;
}

/** Adds the four 13-bit lanes of an exact packed sum to g[at + 0..w). */
function unpack(s: number, g: Float64Array, at: number, w: number): void {
  let rest = s;
  for (let u = 0; u < w; u++) {
    const q = Math.floor(rest / LANE);
    g[at + u] += rest - q * LANE;
    rest = q;
  }
}

/**
 * Integer features 0..4: per tile of rows, each group of four columns c0..c0+3 is packed as
 * Σ a_c·LANE^(c−c0), and every column j ≤ c0+3 is dotted with it, four j at a time.
 */
function gramPacked(cols: Float64Array[], n: number, g: Float64Array): void {
  const m = cols.length;
  const k = m + 1;
  const groups = Math.ceil(m / 4);
  const packed = new Float64Array(groups * PACKED_TILE);
  for (let r0 = 0; r0 < n; r0 += PACKED_TILE) {
    const len = Math.min(PACKED_TILE, n - r0);
    packed.fill(0);
    for (let c = 0; c < m; c++) {
      const o = Math.floor(c / 4) * PACKED_TILE;
      const scale = LANE ** (c % 4);
      const col = cols[c];
      for (let i = 0; i < len; i++) packed[o + i] += col[r0 + i] * scale;
    }
    for (let grp = 0; grp < groups; grp++) {
      const c0 = grp * 4;
      const w = Math.min(4, m - c0);
      const op = grp * PACKED_TILE;
      const jEnd = c0 + w;
      let j = 0;
      for (; j + 3 < jEnd; j += 4) {
        const a0 = cols[j];
        const a1 = cols[j + 1];
        const a2 = cols[j + 2];
        const a3 = cols[j + 3];
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let i = 0; i < len; i++) {
          const v = packed[op + i];
          const r = r0 + i;
          s0 += a0[r] * v;
          s1 += a1[r] * v;
          s2 += a2[r] * v;
          s3 += a3[r] * v;
        }
        unpack(s0, g, j * k + c0, w);
        unpack(s1, g, (j + 1) * k + c0, w);
        unpack(s2, g, (j + 2) * k + c0, w);
        unpack(s3, g, (j + 3) * k + c0, w);
      }
      for (; j < jEnd; j++) {
        const a0 = cols[j];
        let s = 0;
        for (let i = 0; i < len; i++) s += a0[r0 + i] * packed[op + i];
        unpack(s, g, j * k + c0, w);
      }
    }
  }
}

/** Float64 products of any feature values, four columns against one partner per pass. */
function gramFloat(cols: Float64Array[], n: number, g: Float64Array): void {
  const m = cols.length;
  const k = m + 1;
  for (let r0 = 0; r0 < n; r0 += ROW_TILE) {
    const r1 = Math.min(n, r0 + ROW_TILE);
    let j = 0;
    // four columns at a time share every load of the partner column
    for (; j + 3 < m; j += 4) {
      const a0 = cols[j];
      const a1 = cols[j + 1];
      const a2 = cols[j + 2];
      const a3 = cols[j + 3];
      for (let c = j; c < m; c++) {
        const ac = cols[c];
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let i = r0; i < r1; i++) {
          const v = ac[i];
          s0 += a0[i] * v;
          s1 += a1[i] * v;
          s2 += a2[i] * v;
          s3 += a3[i] * v;
        }
        g[j * k + c] += s0;
        g[(j + 1) * k + c] += s1;
        g[(j + 2) * k + c] += s2;
        g[(j + 3) * k + c] += s3;
      }
    }
    for (; j < m; j++) {
      const a0 = cols[j];
      for (let c = j; c < m; c++) {
        const ac = cols[c];
        let s = 0;
        for (let i = r0; i < r1; i++) s += a0[i] * ac[i];
        g[j * k + c] += s;
      }
    }
  }
}
