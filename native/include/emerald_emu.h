/*
 * C API of the CUDA emulator (libemerald_emu.so), the only header Java binds
 * (dev.emerald.backend.cuda.Emulator). Shaped like the CUDA driver API: host memory serves as
 * device memory, and launches are synchronous. Every function is safe to call from any thread;
 * launches are serialised.
 */
#ifndef EMERALD_EMU_H
#define EMERALD_EMU_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EMU_API __attribute__((visibility("default")))

/* Return codes of emu_launch; emu_last_error() says more. */
#define EMU_SUCCESS 0
#define EMU_ERROR_NOT_FOUND 1      /* no kernel of that name in this library */
#define EMU_ERROR_INVALID_VALUE 2  /* launch configuration out of CUDA's limits */
#define EMU_ERROR_LAUNCH_FAILED 3  /* the kernel misused a barrier or a shuffle */
#define EMU_ERROR_INTERNAL 4       /* the emulator itself failed (out of memory, bad EMERALD_EMU_THREADS) */

/* 256-byte aligned memory, not initialised; NULL when out of memory (see emu_last_error). */
EMU_API void* emu_malloc(size_t bytes);
EMU_API void emu_free(void* ptr);
/* Any direction: host and device memory are the same; the ranges may overlap. */
EMU_API void emu_memcpy(void* dst, const void* src, size_t bytes);
EMU_API void emu_memset(void* dst, int value, size_t bytes);

/*
 * Runs kernel `name` on a grid of (gx, gy, gz) blocks of (bx, by, bz) threads with sharedBytes of
 * dynamic shared memory; kernelParams[i] points at the i-th argument, as for cuLaunchKernel.
 * Returns EMU_SUCCESS once every block has finished.
 */
EMU_API int emu_launch(const char* name, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                       unsigned bz, unsigned sharedBytes, void** kernelParams);

/* A kernel's parameter types, one letter each: p pointer, i int, l long long, f float; NULL if unknown. */
EMU_API const char* emu_kernel_signature(const char* name);

/* The registered kernels, sorted by name. */
EMU_API int emu_kernel_count(void);
EMU_API const char* emu_kernel_name(int i);

/* The message of the most recent failure, "" if none; valid until the next failure. */
EMU_API const char* emu_last_error(void);

/* Launches are synchronous: returns at once. */
EMU_API void emu_synchronize(void);

/* OS threads that run blocks: $EMERALD_EMU_THREADS, else the number of hardware threads. */
EMU_API int emu_thread_count(void);

#ifdef __cplusplus
}
#endif

#endif
