package dev.emerald.cli;

/** Thrown to end with exit code 130 after a Ctrl-C was handled cleanly. */
final class Interrupted extends RuntimeException {
    Interrupted() {
        super("interrupted", null, false, false);
    }
}
