package dev.emerald.backend.cpu;

import jdk.incubator.vector.FloatVector;

/**
 * tanh as a (13, 6) rational function on [-7.9988, 7.9988] (the coefficients Eigen uses for float),
 * accurate to a few ulp. Only IEEE add, mul, div and min/max: unlike the Vector API's TANH, whose
 * intrinsic and fallback differ in the last bits, it gives the same result interpreted, compiled,
 * scalar or vector, so training stays bit-reproducible. The scalar and vector forms do the same ops in
 * the same order.
 */
final class Tanh {
    private Tanh() {
    }

    private static final float CLAMP = 7.99881172180175781f;
    private static final float A1 = 4.89352455891786e-03f, A3 = 6.37261928875436e-04f, A5 = 1.48572235717979e-05f,
            A7 = 5.12229709037114e-08f, A9 = -8.60467152213735e-11f, A11 = 2.00018790482477e-13f,
            A13 = -2.76076847742355e-16f;
    private static final float B0 = 4.89352518554385e-03f, B2 = 2.26843463243900e-03f, B4 = 1.18534705686654e-04f,
            B6 = 1.19825839466702e-06f;

    static float tanh(float x) {
        x = Math.max(-CLAMP, Math.min(CLAMP, x));
        float x2 = x * x;
        float p = x2 * A13 + A11;
        p = p * x2 + A9;
        p = p * x2 + A7;
        p = p * x2 + A5;
        p = p * x2 + A3;
        p = p * x2 + A1;
        p = p * x;
        float q = x2 * B6 + B4;
        q = q * x2 + B2;
        q = q * x2 + B0;
        return p / q;
    }

    static FloatVector tanh(FloatVector x) {
        x = x.min(CLAMP).max(-CLAMP);
        FloatVector x2 = x.mul(x);
        FloatVector p = x2.mul(A13).add(A11);
        p = p.mul(x2).add(A9);
        p = p.mul(x2).add(A7);
        p = p.mul(x2).add(A5);
        p = p.mul(x2).add(A3);
        p = p.mul(x2).add(A1);
        p = p.mul(x);
        FloatVector q = x2.mul(B6).add(B4);
        q = q.mul(x2).add(B2);
        q = q.mul(x2).add(B0);
        return p.div(q);
    }
}
