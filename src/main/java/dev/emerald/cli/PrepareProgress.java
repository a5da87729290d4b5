package dev.emerald.cli;

import dev.emerald.data.prep.Prepare;
import dev.emerald.data.prep.PrepareMeta;
import me.tongfei.progressbar.ProgressBar;

import java.io.PrintStream;

/**
 * Shows how a prepare goes: on a terminal a bar over the input (MB read, rate, ETA) with files, documents and
 * text throughput beside it; otherwise, for logs, a line every {@value #LOG_SECONDS} seconds. Skipped files
 * are named as they come.
 */
final class PrepareProgress implements Prepare.Listener, AutoCloseable {
    private static final long LOG_SECONDS = 30;

    private final PrintStream out;
    private String pass;
    private ProgressBar bar;
    private long lastLog = System.nanoTime();

    PrepareProgress(PrintStream out) {
        this.out = out;
    }

    @Override
    public void progress(Prepare.Progress p) {
        if (!p.pass().equals(pass)) {
            close();
            pass = p.pass();
            bar = ProgressBars.create("prepare " + pass, " MB", 0, Math.max(1, p.inputBytes() / 1_000_000));
        }
        String counts = String.format("%,d files, %,d documents, %,.1f MB of text at %,.1f MB/s", p.files(), p.documents(),
                p.textBytes() / 1e6, p.textBytes() / 1e6 / Math.max(p.seconds(), 1e-3));
        if (bar != null) {
            bar.stepTo(p.inputRead() / 1_000_000);
            bar.setExtraMessage(" " + counts);
        } else if (System.nanoTime() - lastLog >= LOG_SECONDS * 1_000_000_000L) {
            lastLog = System.nanoTime();
            double done = (double) p.inputRead() / Math.max(1, p.inputBytes());
            double eta = done > 0 ? p.seconds() * (1 - done) / done : Double.NaN;
            out.printf("prepare %s: %.1f%% of %,.1f MB read, %s, ETA %s%n", pass, 100 * Math.min(done, 1), p.inputBytes() / 1e6,
                    counts, Double.isNaN(eta) ? "unknown" : clock(eta));
        }
    }

    @Override
    public void skipped(PrepareMeta.Skip skip) {
        out.printf("%sskipped %s: %s%n", bar != null ? "\r\033[2K" : "", skip.name(), skip.reason());
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return String.format("%dh%02dm%02ds", s / 3600, s / 60 % 60, s % 60);
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
