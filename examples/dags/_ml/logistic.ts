// Logistic regression in plain TypeScript for the ml_train_deploy example: standardize the
// features, fit by full-batch gradient descent with L2, score, and measure (AUC, accuracy, log
// loss). Deterministic: weights start at zero and every epoch sees every row in the same order.
// Folders starting with "_" are not scanned for DAGs.

export interface Example {
  x: number[];
  y: 0 | 1;
}

/** Everything needed to score a row, as stored in the model file. */
export interface LogisticModel {
  kind: "logistic_regression";
  features: string[];
  mean: number[];
  std: number[];
  weights: number[];
  bias: number;
}

export interface TrainOptions {
  epochs: number;
  learningRate: number;
  l2: number;
}

export interface Metrics {
  auc: number;
  accuracy: number;
  logLoss: number;
  rows: number;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

export function train(features: string[], examples: readonly Example[], o: TrainOptions): { model: LogisticModel; loss: number } {
  const n = examples.length;
  const k = features.length;
  const mean = Array.from({ length: k }, (_, j) => examples.reduce((s, e) => s + e.x[j]!, 0) / n);
  const std = Array.from({ length: k }, (_, j) => Math.sqrt(examples.reduce((s, e) => s + (e.x[j]! - mean[j]!) ** 2, 0) / n) || 1);
  const xs = examples.map((e) => e.x.map((v, j) => (v - mean[j]!) / std[j]!));
  const weights = new Array<number>(k).fill(0);
  let bias = 0;
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    const grad = new Array<number>(k).fill(0);
    let gradBias = 0;
    xs.forEach((x, i) => {
      const err = sigmoid(bias + dot(weights, x)) - examples[i]!.y;
      for (let j = 0; j < k; j++) grad[j]! += err * x[j]!;
      gradBias += err;
    });
    for (let j = 0; j < k; j++) weights[j]! -= o.learningRate * (grad[j]! / n + o.l2 * weights[j]!);
    bias -= o.learningRate * (gradBias / n);
  }
  const model: LogisticModel = { kind: "logistic_regression", features, mean, std, weights, bias };
  return { model, loss: evaluate(model, examples).logLoss };
}

/** The probability of the positive class. */
export function predict(model: LogisticModel, x: readonly number[]): number {
  return sigmoid(model.bias + x.reduce((s, v, j) => s + model.weights[j]! * ((v - model.mean[j]!) / model.std[j]!), 0));
}

export function evaluate(model: LogisticModel, examples: readonly Example[]): Metrics {
  const scored = examples.map((e) => ({ p: predict(model, e.x), y: e.y }));
  const eps = 1e-12;
  const logLoss = -scored.reduce((s, { p, y }) => s + (y === 1 ? Math.log(Math.max(p, eps)) : Math.log(Math.max(1 - p, eps))), 0) / scored.length;
  const accuracy = scored.filter(({ p, y }) => (p >= 0.5 ? 1 : 0) === y).length / scored.length;
  return { auc: auc(scored), accuracy: round(accuracy), logLoss: round(logLoss), rows: scored.length };
}

/** Area under the ROC curve: the chance a random positive scores above a random negative (ties count half). */
function auc(scored: readonly { p: number; y: 0 | 1 }[]): number {
  const sorted = [...scored].sort((a, b) => a.p - b.p);
  let rankSum = 0;
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j < sorted.length && sorted[j]!.p === sorted[i]!.p) j++;
    const avgRank = (i + 1 + j) / 2; // 1-based ranks i+1..j share their mean
    for (let t = i; t < j; t++) if (sorted[t]!.y === 1) rankSum += avgRank;
    i = j;
  }
  const pos = sorted.filter((s) => s.y === 1).length;
  const neg = sorted.length - pos;
  if (pos === 0 || neg === 0) return Number.NaN;
  return round((rankSum - (pos * (pos + 1)) / 2) / (pos * neg));
}

function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Six decimals: metrics compare and print stably. */
function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}
