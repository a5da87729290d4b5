package dev.emerald.generate;

import java.util.List;

/**
 * Streams text while watching for stop strings: text that could still turn out to be the start of a stop
 * string is held back until the next piece settles it, so no part of a stop string is ever emitted.
 */
final class StopStrings {
    private final List<String> stops;
    private final StringBuilder pending = new StringBuilder();
    private boolean stopped;

    StopStrings(List<String> stops) {
        this.stops = stops;
    }

    /** Takes the next piece of text and returns what can be emitted now. */
    String accept(String piece) {
        pending.append(piece);
        // the stop string that is complete first, as the tokens came, wins; of two ending together, the longer
        int cut = -1, end = Integer.MAX_VALUE;
        for (String s : stops) {
            int at = pending.indexOf(s);
            if (at >= 0 && (at + s.length() < end || (at + s.length() == end && at < cut))) {
                cut = at;
                end = at + s.length();
            }
        }
        if (cut >= 0) {
            stopped = true;
            String out = pending.substring(0, cut);
            pending.setLength(0);
            return out;
        }
        int keep = 0;
        for (String s : stops) {
            keep = Math.max(keep, overlap(pending, s));
        }
        String out = pending.substring(0, pending.length() - keep);
        pending.delete(0, pending.length() - keep);
        return out;
    }

    boolean stopped() {
        return stopped;
    }

    /** What was held back, once no more text comes. */
    String flush() {
        String out = pending.toString();
        pending.setLength(0);
        return out;
    }

    /** The length of the longest suffix of text that is a proper prefix of stop. */
    private static int overlap(CharSequence text, String stop) {
        for (int n = Math.min(text.length(), stop.length() - 1); n > 0; n--) {
            if (stop.regionMatches(0, text.toString(), text.length() - n, n)) {
                return n;
            }
        }
        return 0;
    }
}
