package dev.emerald.backend;

/** Naive double-precision versions of the model's ops: the independent reference the tests check against. */
public final class ReferenceOps {
    private ReferenceOps() {
    }

    public static double[] refLayernorm(double[] x, double[] w, double[] b, int N, int C) {
        double[] out = new double[N * C];
        for (int i = 0; i < N; i++) {
            double mean = 0, var = 0;
            for (int c = 0; c < C; c++) {
                mean += x[i * C + c];
            }
            mean /= C;
            for (int c = 0; c < C; c++) {
                var += (x[i * C + c] - mean) * (x[i * C + c] - mean);
            }
            var /= C;
            for (int c = 0; c < C; c++) {
                out[i * C + c] = (x[i * C + c] - mean) / Math.sqrt(var + 1e-5) * w[c] + b[c];
            }
        }
        return out;
    }

    public static double[] refMatmul(double[] x, double[] w, double[] bias, int N, int C, int OC) {
        double[] out = new double[N * OC];
        for (int i = 0; i < N; i++) {
            for (int o = 0; o < OC; o++) {
                double s = bias == null ? 0 : bias[o];
                for (int c = 0; c < C; c++) {
                    s += x[i * C + c] * w[o * C + c];
                }
                out[i * OC + o] = s;
            }
        }
        return out;
    }

    /** Causal attention over qkv (B, T, 3C) with an explicit keep-mask (1/(1-p) or 0) on the probabilities. */
    public static double[] refAttention(double[] qkv, int B, int T, int C, int NH, double[] mask) {
        int hs = C / NH;
        double[] out = new double[B * T * C];
        for (int b = 0; b < B; b++) {
            for (int h = 0; h < NH; h++) {
                for (int t = 0; t < T; t++) {
                    double[] s = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int u = 0; u <= t; u++) {
                        for (int i = 0; i < hs; i++) {
                            s[u] += qkv[(b * T + t) * 3 * C + h * hs + i] * qkv[(b * T + u) * 3 * C + C + h * hs + i];
                        }
                        s[u] /= Math.sqrt(hs);
                        max = Math.max(max, s[u]);
                    }
                    for (int u = 0; u <= t; u++) {
                        s[u] = Math.exp(s[u] - max);
                        sum += s[u];
                    }
                    for (int u = 0; u <= t; u++) {
                        double p = s[u] / sum * mask[((b * NH + h) * T + t) * T + u];
                        for (int i = 0; i < hs; i++) {
                            out[(b * T + t) * C + h * hs + i] += p * qkv[(b * T + u) * 3 * C + 2 * C + h * hs + i];
                        }
                    }
                }
            }
        }
        return out;
    }

    public static double[] refGelu(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = 0.5 * x[i] * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x[i] + 0.044715 * Math.pow(x[i], 3))));
        }
        return y;
    }

    public static double[] refRelu(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.max(x[i], 0);
        }
        return y;
    }

    public static double[] refEncoder(double[] wte, double[] wpe, int[] tokens, int B, int T, int C) {
        double[] out = new double[B * T * C];
        for (int bt = 0; bt < B * T; bt++) {
            for (int c = 0; c < C; c++) {
                out[bt * C + c] = wte[tokens[bt] * C + c] + wpe[(bt % T) * C + c];
            }
        }
        return out;
    }

    public static double refMeanLoss(double[] logits, int[] targets, int N, int V) {
        double total = 0;
        int count = 0;
        for (int i = 0; i < N; i++) {
            if (targets[i] < 0) {
                continue;
            }
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int v = 0; v < V; v++) {
                max = Math.max(max, logits[i * V + v]);
            }
            for (int v = 0; v < V; v++) {
                sum += Math.exp(logits[i * V + v] - max);
            }
            total += Math.log(sum) + max - logits[i * V + targets[i]];
            count++;
        }
        return total / count;
    }
}
