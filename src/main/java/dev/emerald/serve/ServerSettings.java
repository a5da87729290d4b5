package dev.emerald.serve;

import dev.emerald.generate.SamplingSettings;
import dev.emerald.util.UserException;

/**
 * How the server listens and what it takes: the address (port 0: any free one), how many generations run at once,
 * how many requests may wait, the largest request body, and the sampling settings of fields a request leaves out.
 */
public record ServerSettings(String host, int port, int parallel, int queue, int maxRequestBytes, SamplingSettings defaults) {
    /** Bodies are read whole into memory: 1 GiB is more than any prompt needs. */
    public static final int MAX_REQUEST_BYTES = 1 << 30;

    public ServerSettings {
        if (port < 0 || port > 65535) {
            throw new UserException("--port must be in 0..65535 (0: any free port), got " + port);
        }
        if (parallel < 1) {
            throw new UserException("--parallel must be at least 1, got " + parallel);
        }
        if (queue < 0) {
            throw new UserException("--queue must not be negative, got " + queue);
        }
        if (maxRequestBytes < 1 || maxRequestBytes > MAX_REQUEST_BYTES) {
            throw new UserException("--max-request-bytes must be in 1.." + MAX_REQUEST_BYTES + ", got " + maxRequestBytes);
        }
    }
}
