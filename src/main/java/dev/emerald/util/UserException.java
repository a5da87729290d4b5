package dev.emerald.util;

/**
 * A problem the user can fix (bad input, missing file, wrong option). The CLI prints only its message, as
 * one line, and exits non-zero, so the message must say what is wrong and what to do about it.
 */
public final class UserException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UserException(String message) {
        super(message);
    }

    public UserException(String message, Throwable cause) {
        super(message, cause);
    }
}
