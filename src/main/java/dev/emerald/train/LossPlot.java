package dev.emerald.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.emerald.model.Models;
import dev.emerald.util.UserException;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Train and validation loss by step, from a run's metrics.jsonl, as a PNG or SVG chart. */
public final class LossPlot {
    private LossPlot() {
    }

    /** The evaluations of a run directory, in order. */
    public static List<Metrics> read(Path runDir) {
        Path file = runDir.resolve(Checkpoint.METRICS);
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (NoSuchFileException e) {
            throw new UserException(runDir + " has no " + Checkpoint.METRICS + ": give the --out directory of a training run", e);
        } catch (IOException e) {
            throw new UserException("cannot read " + file + ": " + e.getMessage(), e);
        }
        List<Metrics> metrics = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            try {
                metrics.add(Models.JSON.readValue(lines.get(i), Metrics.class));
            } catch (JsonProcessingException e) {
                throw new UserException(file + " line " + (i + 1) + " is not a metrics record: the file is damaged", e);
            }
        }
        if (metrics.isEmpty()) {
            throw new UserException(file + " holds no evaluations yet: plot after the first evaluation");
        }
        return metrics;
    }

    public static XYChart chart(String title, List<Metrics> metrics) {
        XYChart chart = new XYChartBuilder().width(900).height(540).title(title).xAxisTitle("step").yAxisTitle("loss").build();
        double[] steps = metrics.stream().mapToDouble(Metrics::step).toArray();
        chart.addSeries("train", steps, metrics.stream().mapToDouble(Metrics::trainLoss).toArray()).setMarker(SeriesMarkers.NONE);
        chart.addSeries("val", steps, metrics.stream().mapToDouble(Metrics::valLoss).toArray()).setMarker(SeriesMarkers.NONE);
        return chart;
    }

    /** Writes the chart as PNG or SVG, by the file's extension. */
    public static void write(XYChart chart, Path file) {
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        try {
            if (name.endsWith(".png")) {
                BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
            } else if (name.endsWith(".svg")) {
                VectorGraphicsEncoder.saveVectorGraphic(chart, file.toString(), VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
            } else {
                throw new UserException("cannot plot to " + file + ": give a file ending in .png or .svg");
            }
        } catch (IOException e) {
            throw new UserException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
