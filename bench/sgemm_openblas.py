#!/usr/bin/python3
"""The OpenBLAS side of bench/sgemm_vs_openblas.sh: GFLOP/s of cblas_sgemm (libopenblas.so.0, called through
ctypes) on shapes written as `emerald bench sgemm` takes them: nt|nn|tn:MxNxK, row-major,
nt: C = A B^T, nn: C = A B, tn: C += A^T B. Same protocol: as long warming up as measuring."""
import argparse
import ctypes
import os
import re
import time

import numpy as np

ROW_MAJOR, NO_TRANS, TRANS = 101, 111, 112


def repeat_for(seconds, body):
    end, calls = time.perf_counter() + seconds, 0
    while True:
        body()
        calls += 1
        if time.perf_counter() >= end:
            return calls


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("shapes", nargs="+")
    p.add_argument("--seconds", type=float, default=1.0)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    a = p.parse_args()
    blas = ctypes.CDLL("libopenblas.so.0")
    blas.openblas_set_num_threads(a.threads)
    blas.openblas_get_corename.restype = ctypes.c_char_p
    print(f"OpenBLAS {blas.openblas_get_corename().decode()} kernels, {blas.openblas_get_num_threads()} threads", flush=True)
    f, i = ctypes.c_float, ctypes.c_int
    blas.cblas_sgemm.argtypes = [i, i, i, i, i, i, f, ctypes.c_void_p, i, ctypes.c_void_p, i, f, ctypes.c_void_p, i]
    rng = np.random.default_rng(1)
    for shape in a.shapes:
        op, M, N, K = re.fullmatch(r"(nt|nn|tn):(\d+)x(\d+)x(\d+)", shape).groups()
        M, N, K = int(M), int(N), int(K)
        A = rng.standard_normal(M * K, dtype=np.float32)
        B = rng.standard_normal(K * N, dtype=np.float32)
        C = np.zeros(M * N, dtype=np.float32)
        ta, tb = op == "tn", op == "nt"

        def call():
            blas.cblas_sgemm(ROW_MAJOR, TRANS if ta else NO_TRANS, TRANS if tb else NO_TRANS, M, N, K, 1.0,
                             A.ctypes.data, M if ta else K, B.ctypes.data, K if tb else N, 1.0 if ta else 0.0, C.ctypes.data, N)

        repeat_for(a.seconds, call)
        start = time.perf_counter()
        calls = repeat_for(a.seconds, call)
        s = time.perf_counter() - start
        print(f"{shape:<20} GFLOP/s: {2.0 * M * N * K * calls / s / 1e9:.1f} ({calls} calls)", flush=True)


if __name__ == "__main__":
    main()
