package dev.emerald.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.time.Duration;

/** Progress bars for long work: shown on a terminal only, so that piped or logged output stays clean. */
final class ProgressBars {
    private ProgressBars() {
    }

    /** A bar from start to max, or null when output is not a terminal. */
    static ProgressBar create(String task, String unit, long start, long max) {
        if (System.console() == null || !System.console().isTerminal()) {
            return null;
        }
        return new ProgressBarBuilder().setTaskName(task).setInitialMax(max).startsFrom(start, Duration.ZERO)
                .setStyle(ProgressBarStyle.ASCII).setUnit(unit, 1).showSpeed().setUpdateIntervalMillis(500).build();
    }
}
