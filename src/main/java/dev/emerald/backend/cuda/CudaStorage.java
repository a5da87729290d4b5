package dev.emerald.backend.cuda;

import dev.emerald.tensor.Storage;

/** A device allocation of size values (floats, bf16 values of 2 bytes, or int8 values) at a device address; freed once, on close. */
public final class CudaStorage implements Storage, AutoCloseable {
    private final DeviceApi device;
    private final long address;
    private final long size;
    private final int valueBytes;
    private boolean freed;

    CudaStorage(DeviceApi device, long address, long size, int valueBytes) {
        this.device = device;
        this.address = address;
        this.size = size;
        this.valueBytes = valueBytes;
    }

    public long address() {
        if (freed) {
            throw new IllegalStateException("device storage used after it was freed");
        }
        return address;
    }

    @Override
    public long size() {
        return size;
    }

    /** 4 for floats, 2 for bf16. */
    public int valueBytes() {
        return valueBytes;
    }

    @Override
    public void close() {
        if (!freed) {
            freed = true;
            device.free(address);
        }
    }
}
