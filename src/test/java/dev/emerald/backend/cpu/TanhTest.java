package dev.emerald.backend.cpu;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TanhTest {

    @Test
    void closeToMathTanhAndIdenticalScalarAndVector() {
        var species = FloatVector.SPECIES_PREFERRED;
        float[] x = new float[species.length()], y = new float[species.length()];
        double worst = 0;
        for (int i = -200_000; i <= 200_000; i += species.length()) {
            for (int l = 0; l < x.length; l++) {
                x[l] = (i + l) * 5e-5f; // [-10, 10]
            }
            Tanh.tanh(FloatVector.fromArray(species, x, 0)).intoArray(y, 0);
            for (int l = 0; l < x.length; l++) {
                float scalar = Tanh.tanh(x[l]);
                assertEquals(Float.floatToIntBits(scalar), Float.floatToIntBits(y[l]), "scalar and vector differ at " + x[l]);
                worst = Math.max(worst, Math.abs(scalar - Math.tanh(x[l])));
            }
        }
        assertTrue(worst < 5e-7, "worst absolute error " + worst);
    }
}
