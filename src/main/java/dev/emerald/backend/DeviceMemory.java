package dev.emerald.backend;

import dev.emerald.util.Bytes;

/** A device's memory in bytes as the driver reports it (cuMemGetInfo): in use, by every process, and in all. */
public record DeviceMemory(long used, long total) {

    /** e.g. "1.2 GiB / 79.6 GiB". */
    public String describe() {
        return Bytes.gib(used) + " / " + Bytes.gib(total);
    }
}
