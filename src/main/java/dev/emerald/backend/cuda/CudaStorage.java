package dev.emerald.backend.cuda;

import dev.emerald.tensor.Storage;

/** A device allocation of size floats (or int8 values) at a device address; freed once, on close. */
public final class CudaStorage implements Storage, AutoCloseable {
    private final DeviceApi device;
    private final long address;
    private final long size;
    private final int elementBytes;
    private boolean freed;

    CudaStorage(DeviceApi device, long address, long size, int elementBytes) {
        this.device = device;
        this.address = address;
        this.size = size;
        this.elementBytes = elementBytes;
    }

    /** 4 for floats, 1 for int8 values. */
    int elementBytes() {
        return elementBytes;
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

    @Override
    public void close() {
        if (!freed) {
            freed = true;
            device.free(address);
        }
    }
}
