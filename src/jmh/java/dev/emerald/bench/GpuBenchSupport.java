package dev.emerald.bench;

import dev.emerald.backend.cuda.CudaBackend;
import dev.emerald.tensor.Tensor;
import jcuda.driver.CUdevice;

import java.util.Random;

import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;

/** What the GPU benchmarks share: random device tensors and GPU 0's attributes. */
final class GpuBenchSupport {
    private GpuBenchSupport() {
    }

    /** n floats from N(0, std^2), uploaded. */
    static Tensor gaussian(CudaBackend cuda, Random rnd, long n, double std) {
        float[] host = new float[Math.toIntExact(n)];
        for (int i = 0; i < host.length; i++) {
            host[i] = (float) (std * rnd.nextGaussian());
        }
        Tensor t = cuda.alloc(n);
        cuda.upload(t, host);
        return t;
    }

    /** A CU_DEVICE_ATTRIBUTE_* of GPU 0. */
    static int attribute(int attribute) {
        CUdevice dev = new CUdevice();
        cuDeviceGet(dev, 0);
        int[] value = new int[1];
        cuDeviceGetAttribute(value, attribute, dev);
        return value[0];
    }
}
