import { CholeskyDecomposition, Matrix } from 'ml-matrix';

/**
 * Logistic regression with an intercept by IRLS (Newton–Raphson on the log-likelihood), the textbook way credit
 * scorecards are fitted, with standard errors from the inverse Hessian at the optimum. (The npm
 * `ml-logistic-regression` is fixed-step gradient ascent without an intercept: not this.)
 */

export interface TLogisticOptions {
  /** Stop when no coefficient moves by this much in one step. */
  tolerance?: number;
  maxIterations?: number;
  /** Starting coefficients [β0, …, βk] (a warm start, e.g. the fit before a characteristic was dropped). */
  start?: readonly number[];
}

export interface TLogisticFit {
  /** [intercept, β1, …, βk]. */
  coefficients: number[];
  standardErrors: number[];
  /** (X'WX)⁻¹ at the optimum: the coefficients' covariance. */
  covariance: number[][];
  iterations: number;
  converged: boolean;
  logLikelihood: number;
  /** The ridge added to X'WX when Cholesky failed (collinear or separated data); 0 normally. */
  ridge: number;
}

/** ln(1 + e^x) without overflow. */
const log1pExp = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

/**
 * Cholesky of a symmetric positive (semi)definite matrix, and the solution of A·X = B. Rounding in X'WX leaves
 * A a hair off symmetric, which ml-matrix refuses, so A is symmetrised first ((A + A')/2). When A is not
 * positive definite (a pivot at or below 1e-12 of its diagonal entry), a ridge λ·I is added, from 1e-10 of the
 * mean diagonal upwards, until it is.
 */
export function solveSymmetric(a: number[][], b: number[][]): { solution: number[][]; ridge: number } {
  const p = a.length;
  const sym = a.map((row, i) => row.map((value, j) => (value + a[j]![i]!) / 2));
  const meanDiagonal = sym.reduce((s, row, i) => s + Math.abs(row[i]!), 0) / Math.max(p, 1) || 1;
  let ridge = 0;
  for (let attempt = 0; attempt < 12; attempt++) {
    const m = new Matrix(sym.map((row, i) => row.map((value, j) => (i === j ? value + ridge : value))));
    const cholesky = new CholeskyDecomposition(m);
    const lower = cholesky.lowerTriangularMatrix;
    let sound = cholesky.isPositiveDefinite();
    for (let j = 0; sound && j < p; j++) if (lower.get(j, j) ** 2 <= 1e-12 * Math.abs(m.get(j, j))) sound = false;
    if (sound) return { solution: cholesky.solve(new Matrix(b)).to2DArray(), ridge };
    ridge = ridge === 0 ? 1e-10 * meanDiagonal : ridge * 100;
  }
  throw new Error('X\'WX is not positive definite even with a ridge');
}

/**
 * X'WX and X'(y − μ) at the current linear predictor, as dot products of whole columns (the upper triangle,
 * mirrored): this is where the trainer spends its time, and sequential loops over typed arrays are what V8 runs fastest.
 */
function normalEquations(x: Float64Array[], eta: Float64Array, y: ArrayLike<number>): { h: number[][]; g: number[][] } {
  const n = eta.length;
  const p = x.length;
  const w = new Float64Array(n);
  const residual = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const mu = sigmoid(eta[i]!);
    w[i] = mu * (1 - mu);
    residual[i] = y[i]! - mu;
  }
  const h = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  const g = Array.from({ length: p }, () => [0]);
  const wxa = new Float64Array(n);
  for (let a = 0; a < p; a++) {
    const xa = x[a]!;
    let ga = 0;
    for (let i = 0; i < n; i++) {
      ga += xa[i]! * residual[i]!;
      wxa[i] = w[i]! * xa[i]!;
    }
    g[a]![0] = ga;
    // Four columns per pass: wxa is read once for four sums.
    let b = a;
    for (; b + 3 < p; b += 4) {
      const x0 = x[b]!;
      const x1 = x[b + 1]!;
      const x2 = x[b + 2]!;
      const x3 = x[b + 3]!;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let i = 0; i < n; i++) {
        const v = wxa[i]!;
        s0 += v * x0[i]!;
        s1 += v * x1[i]!;
        s2 += v * x2[i]!;
        s3 += v * x3[i]!;
      }
      h[a]![b] = h[b]![a] = s0;
      h[a]![b + 1] = h[b + 1]![a] = s1;
      h[a]![b + 2] = h[b + 2]![a] = s2;
      h[a]![b + 3] = h[b + 3]![a] = s3;
    }
    for (; b < p; b++) {
      const xb = x[b]!;
      let s = 0;
      for (let i = 0; i < n; i++) s += wxa[i]! * xb[i]!;
      h[a]![b] = h[b]![a] = s;
    }
  }
  return { h, g };
}

/**
 * Fits P(y = 1) = σ(β0 + Σ βj·xj). `columns` are the k predictors (each of length n); `y` is 0/1. Each Newton step
 * solves (X'WX)·Δ = X'(y − μ); a step that lowers the likelihood is halved. Converges when max |Δβ| < tolerance
 * (1e-8) or stops after maxIterations (50), e.g. under complete separation, with `converged: false`.
 */
export function fitLogistic(columns: readonly ArrayLike<number>[], y: ArrayLike<number>, options: TLogisticOptions = {}): TLogisticFit {
  const tolerance = options.tolerance ?? 1e-8;
  const maxIterations = options.maxIterations ?? 50;
  const n = y.length;
  const p = columns.length + 1;
  for (const column of columns) if (column.length !== n) throw new RangeError('every column must have one value per row');
  // The design's columns, the intercept's column of ones first.
  const x: Float64Array[] = [new Float64Array(n).fill(1), ...columns.map((column) => Float64Array.from(column))];
  const beta = new Float64Array(p);
  const eta = new Float64Array(n);
  const linear = (coefficients: Float64Array) => {
    eta.fill(0);
    for (let j = 0; j < p; j++) {
      const c = coefficients[j]!;
      const xj = x[j]!;
      for (let i = 0; i < n; i++) eta[i] += c * xj[i]!;
    }
    let ll = 0;
    for (let i = 0; i < n; i++) ll += y[i]! * eta[i]! - log1pExp(eta[i]!);
    return ll;
  };
  const hessian = () => normalEquations(x, eta, y);

  // Start from the intercept of the base rate: fewer steps, and a sane point when bads are rare.
  let events = 0;
  for (let i = 0; i < n; i++) events += y[i]!;
  const rate = Math.min(Math.max(events / Math.max(n, 1), 1e-6), 1 - 1e-6);
  beta[0] = Math.log(rate / (1 - rate));
  if (options.start) {
    if (options.start.length !== p) throw new RangeError('start must have one coefficient per column and the intercept');
    beta.set(options.start);
  }
  let logLikelihood = linear(beta);
  let iterations = 0;
  let converged = false;
  let ridge = 0;
  const identity = Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => (i === j ? 1 : 0)));
  // (X'WX)⁻¹ of the last step, solved along with the step itself (p more right-hand sides cost next to nothing).
  let inverse: number[][] = [];
  while (iterations < maxIterations) {
    iterations++;
    const { h, g } = hessian();
    const step = solveSymmetric(
      h,
      g.map((row, i) => [row[0]!, ...identity[i]!]),
    );
    ridge = Math.max(ridge, step.ridge);
    const delta = step.solution.map((row) => row[0]!);
    inverse = step.solution.map((row) => row.slice(1));
    let scale = 1;
    const trial = new Float64Array(p);
    let trialLikelihood = -Infinity;
    for (let halving = 0; halving < 30; halving++) {
      for (let j = 0; j < p; j++) trial[j] = beta[j]! + scale * delta[j]!;
      trialLikelihood = linear(trial);
      if (trialLikelihood >= logLikelihood - 1e-12 * Math.abs(logLikelihood)) break;
      scale /= 2;
    }
    let largest = 0;
    for (let j = 0; j < p; j++) largest = Math.max(largest, Math.abs(trial[j]! - beta[j]!));
    beta.set(trial);
    logLikelihood = trialLikelihood;
    if (largest < tolerance) {
      converged = true;
      break;
    }
  }
  // Converged, the last step moved no coefficient by `tolerance`: its Hessian is the optimum's to that precision.
  // Otherwise (the iteration cap), evaluate it at the coefficients reached.
  if (!converged) {
    linear(beta);
    const last = solveSymmetric(hessian().h, identity);
    ridge = Math.max(ridge, last.ridge);
    inverse = last.solution;
  }
  return {
    coefficients: Array.from(beta),
    standardErrors: inverse.map((row, j) => Math.sqrt(Math.max(row[j]!, 0))),
    covariance: inverse,
    iterations,
    converged,
    logLikelihood,
    ridge,
  };
}

/**
 * The coefficients and covariance after setting coefficient j to zero, by the quadratic approximation of the
 * log-likelihood around the fit (Lawless & Singhal 1978, the "fast backward" elimination of SAS):
 *   β' = β − V·e_j · βj / Vjj,   V' = V − V·e_j·e_j'·V / Vjj,   then index j removed.
 * No pass over the data: a backward elimination runs on it and refits exactly only once it stops.
 */
export function withoutCoefficient(coefficients: readonly number[], covariance: readonly (readonly number[])[], j: number): { coefficients: number[]; covariance: number[][] } {
  const vjj = covariance[j]![j]!;
  const bj = coefficients[j]!;
  const keep = coefficients.map((_, k) => k).filter((k) => k !== j);
  return {
    coefficients: keep.map((k) => coefficients[k]! - (covariance[k]![j]! * bj) / vjj),
    covariance: keep.map((a) => keep.map((b) => covariance[a]![b]! - (covariance[a]![j]! * covariance[j]![b]!) / vjj)),
  };
}

/** σ(β0 + Σ βj·xj) for one row. */
export function predictLogistic(coefficients: readonly number[], row: readonly number[]): number {
  let eta = coefficients[0]!;
  for (let j = 1; j < coefficients.length; j++) eta += coefficients[j]! * row[j - 1]!;
  return sigmoid(eta);
}
