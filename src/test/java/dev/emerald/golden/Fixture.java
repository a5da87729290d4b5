package dev.emerald.golden;

import com.fasterxml.jackson.databind.JsonNode;
import dev.emerald.io.SafeTensors;
import dev.emerald.model.Models;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** A fixture directory written by tools/fixtures/make_fixtures.py, read from the test classpath. */
record Fixture(String name, Path dir, JsonNode config) {

    static Path resource(String relative) {
        try {
            var url = Fixture.class.getResource("/fixtures/" + relative);
            if (url == null) {
                throw new IllegalStateException("missing test resource fixtures/" + relative + ": run tools/fixtures/make_fixtures.py");
            }
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Fixture load(String name) {
        Path dir = resource(name);
        try {
            return new Fixture(name, dir, Models.JSON.readTree(dir.resolve("config.json").toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    SafeTensors.Reader tensors() {
        return SafeTensors.Reader.open(dir.resolve("fixture.safetensors"));
    }

    static float[] floats(SafeTensors.Reader r, String name) {
        float[] a = new float[Math.toIntExact(r.tensor(name).elements())];
        r.readFloats(name, a, 0);
        return a;
    }

    static int[] ints(SafeTensors.Reader r, String name) {
        int[] a = new int[Math.toIntExact(r.tensor(name).elements())];
        r.readInts(name, a, 0);
        return a;
    }
}
