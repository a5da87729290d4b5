package dev.emerald.backend.cpu;

import dev.emerald.util.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Layernorm over rows of C, vectorised. A row's sums are kept in lanes and the lanes then added in lane
 * order (reduceLanes' order may differ once compiled, which would make runs irreproducible); the weight
 * and bias gradients run down columns a vector wide, over the rows in order.
 */
final class CpuLayernorm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final float EPS = 1e-5f;

    private CpuLayernorm() {
    }

    /** out (N, C) = (x - mean) * rstd * w + b, saving mean and rstd (N). */
    static void forward(float[] o, int oo, float[] m, int mo, float[] r, int ro, float[] x, int xo, float[] w, int wo,
                        float[] b, int bo, int N, int C) {
        int cv = S.loopBound(C);
        Parallel.range(N, 16, (from, to) -> {
            float[] lanes = new float[L];
            for (int i = from; i < to; i++) {
                int xi = xo + i * C, oi = oo + i * C;
                FloatVector acc = FloatVector.zero(S);
                for (int c = 0; c < cv; c += L) {
                    acc = acc.add(FloatVector.fromArray(S, x, xi + c));
                }
                float sum = sumLanes(acc, lanes);
                for (int c = cv; c < C; c++) {
                    sum += x[xi + c];
                }
                float mu = sum / C;
                acc = FloatVector.zero(S);
                for (int c = 0; c < cv; c += L) {
                    FloatVector dx = FloatVector.fromArray(S, x, xi + c).sub(mu);
                    acc = dx.fma(dx, acc);
                }
                float var = sumLanes(acc, lanes);
                for (int c = cv; c < C; c++) {
                    float dx = x[xi + c] - mu;
                    var = Math.fma(dx, dx, var);
                }
                float rs = (float) (1.0 / Math.sqrt(var / C + EPS));
                for (int c = 0; c < cv; c += L) {
                    FloatVector.fromArray(S, x, xi + c).sub(mu).mul(rs).fma(FloatVector.fromArray(S, w, wo + c), FloatVector.fromArray(S, b, bo + c))
                            .intoArray(o, oi + c);
                }
                for (int c = cv; c < C; c++) {
                    o[oi + c] = Math.fma((x[xi + c] - mu) * rs, w[wo + c], b[bo + c]);
                }
                m[mo + i] = mu;
                r[ro + i] = rs;
            }
        });
    }

    /** dinp (N, C) +=, dw (C) +=, db (C) +=, given dout and the forward's input, mean and rstd. */
    static void backward(float[] di, int dio, float[] dw, int dwo, float[] db, int dbo, float[] d, int dOff, float[] x, int xo,
                         float[] w, int wo, float[] m, int mo, float[] r, int ro, int N, int C) {
        int cv = S.loopBound(C);
        Parallel.range(N, 16, (from, to) -> {
            float[] lanes = new float[L];
            for (int i = from; i < to; i++) {
                int row = i * C;
                float mu = m[mo + i], rs = r[ro + i];
                FloatVector accMean = FloatVector.zero(S), accNorm = FloatVector.zero(S);
                for (int c = 0; c < cv; c += L) {
                    FloatVector norm = FloatVector.fromArray(S, x, xo + row + c).sub(mu).mul(rs);
                    FloatVector dnorm = FloatVector.fromArray(S, w, wo + c).mul(FloatVector.fromArray(S, d, dOff + row + c));
                    accMean = accMean.add(dnorm);
                    accNorm = dnorm.fma(norm, accNorm);
                }
                float dnormMean = sumLanes(accMean, lanes), dnormNormMean = sumLanes(accNorm, lanes);
                for (int c = cv; c < C; c++) {
                    float norm = (x[xo + row + c] - mu) * rs;
                    float dnorm = w[wo + c] * d[dOff + row + c];
                    dnormMean += dnorm;
                    dnormNormMean = Math.fma(dnorm, norm, dnormNormMean);
                }
                float meanTerm = dnormMean / C, normTerm = dnormNormMean / C;
                for (int c = 0; c < cv; c += L) {
                    FloatVector norm = FloatVector.fromArray(S, x, xo + row + c).sub(mu).mul(rs);
                    FloatVector dnorm = FloatVector.fromArray(S, w, wo + c).mul(FloatVector.fromArray(S, d, dOff + row + c));
                    dnorm.sub(meanTerm).sub(norm.mul(normTerm)).mul(rs).add(FloatVector.fromArray(S, di, dio + row + c))
                            .intoArray(di, dio + row + c);
                }
                for (int c = cv; c < C; c++) {
                    float norm = (x[xo + row + c] - mu) * rs;
                    float dnorm = w[wo + c] * d[dOff + row + c];
                    di[dio + row + c] += (dnorm - meanTerm - norm * normTerm) * rs;
                }
            }
        });
        Parallel.range((C + L - 1) / L, 1, (v0, v1) -> {
            for (int c = v0 * L; c < Math.min(C, v1 * L); c += L) {
                VectorMask<Float> in = S.indexInRange(c, C);
                FloatVector gb = FloatVector.fromArray(S, db, dbo + c, in), gw = FloatVector.fromArray(S, dw, dwo + c, in);
                for (int i = 0; i < N; i++) {
                    FloatVector g = FloatVector.fromArray(S, d, dOff + i * C + c, in);
                    gb = gb.add(g);
                    gw = gw.add(FloatVector.fromArray(S, x, xo + i * C + c, in).sub(m[mo + i]).mul(r[ro + i]).mul(g));
                }
                gb.intoArray(db, dbo + c, in);
                gw.intoArray(dw, dwo + c, in);
            }
        });
    }

    /** v's lanes added in lane order. */
    private static float sumLanes(FloatVector v, float[] lanes) {
        v.intoArray(lanes, 0);
        float s = 0;
        for (float lane : lanes) {
            s += lane;
        }
        return s;
    }
}
