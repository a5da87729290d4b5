package dev.emerald.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.emerald.model.Models;
import dev.emerald.train.LossPlot;
import dev.emerald.train.Metrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlotCommandTest {
    @TempDir
    Path run;

    private List<Metrics> writeMetrics() throws Exception {
        List<Metrics> metrics = List.of(new Metrics(0, 4.3f, 4.31f, 1e-4f, 2f, 900, 1), new Metrics(250, 2.4f, 2.45f, 1e-3f, 1f, 950, 20),
                new Metrics(500, 2.1f, 2.2f, 9e-4f, 0.8f, 940, 40));
        List<String> lines = new ArrayList<>();
        for (Metrics m : metrics) {
            lines.add(json(m));
        }
        Files.write(run.resolve("metrics.jsonl"), lines);
        return metrics;
    }

    private static String json(Metrics m) throws JsonProcessingException {
        return Models.JSON.writeValueAsString(m);
    }

    @Test
    void chartHoldsTheRunsLossesByStep() throws Exception {
        List<Metrics> metrics = writeMetrics();
        XYChart chart = LossPlot.chart("run", LossPlot.read(run));
        assertArrayEquals(new double[] {0, 250, 500}, chart.getSeriesMap().get("val").getXData());
        assertArrayEquals(metrics.stream().mapToDouble(Metrics::trainLoss).toArray(), chart.getSeriesMap().get("train").getYData());
        assertArrayEquals(metrics.stream().mapToDouble(Metrics::valLoss).toArray(), chart.getSeriesMap().get("val").getYData());
    }

    @Test
    void writesPngAndSvgAndKeepsExistingFiles() throws Exception {
        writeMetrics();
        assertEquals(0, Main.run("plot", "--model", run.toString()));
        BufferedImage png = ImageIO.read(run.resolve("loss.png").toFile());
        assertEquals(900, png.getWidth());
        assertEquals(540, png.getHeight());

        Path svg = run.resolve("loss.svg");
        assertEquals(0, Main.run("plot", "--model", run.toString(), "--out", svg.toString()));
        assertTrue(Files.readString(svg).contains("<svg"), "an SVG document");

        byte[] before = Files.readAllBytes(run.resolve("loss.png"));
        assertEquals(Main.EXIT_INPUT, Main.run("plot", "--model", run.toString()));
        assertArrayEquals(before, Files.readAllBytes(run.resolve("loss.png")), "an existing plot is kept without --overwrite");
        assertEquals(0, Main.run("plot", "--model", run.toString(), "--overwrite"));
    }

    @Test
    void aRunWithoutMetricsOrAnUnknownFormatIsRefused() throws Exception {
        assertEquals(Main.EXIT_INPUT, Main.run("plot", "--model", run.toString()));
        writeMetrics();
        assertEquals(Main.EXIT_INPUT, Main.run("plot", "--model", run.toString(), "--out", run.resolve("loss.jpg").toString()));
        Files.writeString(run.resolve("metrics.jsonl"), "{not json\n");
        assertEquals(Main.EXIT_INPUT, Main.run("plot", "--model", run.toString(), "--out", run.resolve("x.png").toString()));
    }
}
