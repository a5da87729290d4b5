package dev.emerald.util;

/** A problem the user can fix (bad input, a missing file...): the CLI prints the message as one line. */
public final class UserException extends RuntimeException {
    public UserException(String message) {
        super(message);
    }

    public UserException(String message, Throwable cause) {
        super(message, cause);
    }
}
