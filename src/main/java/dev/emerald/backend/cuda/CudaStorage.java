package dev.emerald.backend.cuda;

import dev.emerald.tensor.Storage;

/** A device allocation of size floats at a device address; freed once, on close. */
public final class CudaStorage implements Storage, AutoCloseable {
    private final DeviceApi device;
    private final long address;
    private final long size;
    private boolean freed;

    CudaStorage(DeviceApi device, long address, long size) {
        this.device = device;
        this.address = address;
        this.size = size;
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
