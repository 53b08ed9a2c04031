/**
 * A deliberately simple real/bogus baseline on a few hand features (the autoscan-style ones that an
 * astronomer would look at first): L2-regularised logistic regression, trained by Newton's method
 * (IRLS) on standardised, asinh-compressed features. Output: P(real). Labels: 1 = real, 0 = artifact
 * (note: autoscan's OBJECT_TYPE is the opposite, 0 = real).
 */

export const BASELINE_FEATURES = [
  'SNR',
  'LACOSMIC',
  'SPREAD_MODEL',
  'N3SIG5',
  'NUMNEGRN',
  'GAUSS',
  'SCALE',
  'NN_DIST_RENORM',
  'FLUX_RATIO',
  'COLMEDS',
  'ELLIPTICITY',
  'MASKFRAC',
] as const;

export interface BaselineModel {
  features: string[];
  mean: number[];
  std: number[];
  /** Weights; the last one is the intercept. */
  w: number[];
}

type Row = Record<string, number>;

function raw(row: Row, names: readonly string[]): number[] {
  return names.map((k) => {
    const v = row[k];
    return Number.isFinite(v) ? Math.asinh(v) : Number.NaN;
  });
}

/** Fit on rows of features and labels (1 = real, 0 = artifact). */
export function trainBaseline(features: Row[], labels: number[], lambda = 1e-2): BaselineModel {
  const names = [...BASELINE_FEATURES];
  const p = names.length;
  const X0 = features.map((r) => raw(r, names));
  const mean = new Array<number>(p).fill(0);
  const std = new Array<number>(p).fill(0);
  for (let j = 0; j < p; j++) {
    let s = 0;
    let n = 0;
    for (const x of X0)
      if (!Number.isNaN(x[j])) {
        s += x[j];
        n++;
      }
    mean[j] = n ? s / n : 0;
    let v = 0;
    for (const x of X0) if (!Number.isNaN(x[j])) v += (x[j] - mean[j]) ** 2;
    std[j] = n > 1 ? Math.sqrt(v / (n - 1)) || 1 : 1;
  }
  const model: BaselineModel = { features: names, mean, std, w: new Array<number>(p + 1).fill(0) };
  const X = X0.map((x) => standardise(model, x));
  const q = p + 1;
  for (let it = 0; it < 25; it++) {
    const g = new Array<number>(q).fill(0);
    const H = Array.from({ length: q }, () => new Array<number>(q).fill(0));
    for (let i = 0; i < X.length; i++) {
      const x = X[i];
      const pr = sigmoid(dot(model.w, x));
      const r = pr - labels[i];
      const s = Math.max(pr * (1 - pr), 1e-9);
      for (let a = 0; a < q; a++) {
        g[a] += r * x[a];
        for (let b = 0; b <= a; b++) H[a][b] += s * x[a] * x[b];
      }
    }
    for (let a = 0; a < q; a++) {
      for (let b = 0; b < a; b++) H[b][a] = H[a][b];
      if (a < p) {
        g[a] += lambda * X.length * model.w[a];
        H[a][a] += lambda * X.length;
      }
    }
    const step = solve(H, g);
    let maxStep = 0;
    for (let a = 0; a < q; a++) {
      model.w[a] -= step[a];
      maxStep = Math.max(maxStep, Math.abs(step[a]));
    }
    if (maxStep < 1e-7) break;
  }
  return model;
}

/** P(real) per row. */
export function scoreBaseline(model: BaselineModel, features: Row[]): number[] {
  return features.map((r) => sigmoid(dot(model.w, standardise(model, raw(r, model.features)))));
}

function standardise(m: BaselineModel, x: number[]): number[] {
  const z = x.map((v, j) => (Number.isNaN(v) ? 0 : (v - m.mean[j]) / m.std[j]));
  z.push(1);
  return z;
}

function sigmoid(t: number): number {
  return 1 / (1 + Math.exp(-t));
}

function dot(a: number[], b: number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Gaussian elimination with partial pivoting (small dense systems). */
function solve(A0: number[][], b0: number[]): number[] {
  const n = b0.length;
  const A = A0.map((r) => r.slice());
  const b = b0.slice();
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(A[r][c]) > Math.abs(A[piv][c])) piv = r;
    [A[c], A[piv]] = [A[piv], A[c]];
    [b[c], b[piv]] = [b[piv], b[c]];
    const d = A[c][c] || 1e-12;
    for (let r = c + 1; r < n; r++) {
      const f = A[r][c] / d;
      if (f === 0) continue;
      for (let k = c; k < n; k++) A[r][k] -= f * A[c][k];
      b[r] -= f * b[c];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r];
    for (let k = r + 1; k < n; k++) s -= A[r][k] * x[k];
    x[r] = s / (A[r][r] || 1e-12);
  }
  return x;
}
