// emu_launch: checks the configuration against CUDA's limits, then spreads the blocks over the pool.
#include "launch.h"

#include "emerald_emu.h"
#include "error.h"
#include "pool.h"
#include "registry.h"

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <new>
#include <sched.h>

namespace emu {

namespace {

constexpr unsigned MAX_THREADS_PER_BLOCK = 1024;
constexpr unsigned MAX_SHARED_BYTES = 48 * 1024;  // without opting in to more, as CUDA

// 0 when EMERALD_EMU_THREADS is set but not a number from 1 to 4096.
unsigned configured_threads() {
    const char* text = std::getenv("EMERALD_EMU_THREADS");
    if (text == nullptr || *text == '\0') {
        cpu_set_t cpus;  // the cores this process may use, as nproc
        return sched_getaffinity(0, sizeof cpus, &cpus) == 0 ? static_cast<unsigned>(CPU_COUNT(&cpus))
                                                              : std::max(1u, std::thread::hardware_concurrency());
    }
    char* end = nullptr;
    long n = std::strtol(text, &end, 10);
    return *end == '\0' && n > 0 && n <= 4096 ? static_cast<unsigned>(n) : 0;
}

// Created on the first launch and never destroyed: its threads live as long as the process.
Pool* pool(std::string& error) {
    static unsigned threads = configured_threads();
    if (threads == 0) {
        error = std::string("EMERALD_EMU_THREADS='") + std::getenv("EMERALD_EMU_THREADS") +
                "' is not a number from 1 to 4096: set it to the number of threads the emulator may use, or unset it";
        return nullptr;
    }
    static Pool* instance = new Pool(threads);
    if (instance->size() == 0) {
        error = "could not start any thread for the emulator";
        return nullptr;
    }
    return instance;
}

std::string str(unsigned x, unsigned y, unsigned z) {
    return "(" + std::to_string(x) + ", " + std::to_string(y) + ", " + std::to_string(z) + ")";
}

// "" when the configuration is within CUDA's limits.
std::string check(const Launch& launch) {
    const dim3& g = launch.grid;
    const dim3& b = launch.block;
    std::string at = std::string("kernel ") + launch.kernel + ": ";
    if (g.x == 0 || g.y == 0 || g.z == 0 || b.x == 0 || b.y == 0 || b.z == 0) {
        return at + "empty launch, grid " + str(g.x, g.y, g.z) + " block " + str(b.x, b.y, b.z);
    }
    if (g.x > 0x7fffffffu || g.y > 65535 || g.z > 65535) {
        return at + "grid " + str(g.x, g.y, g.z) + " over CUDA's limits (2^31 - 1, 65535, 65535)";
    }
    if (b.x > MAX_THREADS_PER_BLOCK || b.y > MAX_THREADS_PER_BLOCK || b.z > 64 ||
        static_cast<unsigned long long>(b.x) * b.y * b.z > MAX_THREADS_PER_BLOCK) {
        return at + "block " + str(b.x, b.y, b.z) + " over CUDA's limits (1024 threads; 1024, 1024, 64)";
    }
    if (launch.shared_bytes > MAX_SHARED_BYTES) {
        return at + std::to_string(launch.shared_bytes) + " bytes of dynamic shared memory, over the " +
               std::to_string(MAX_SHARED_BYTES) + " a block may have";
    }
    return "";
}

// Blocks are handed out one at a time; after a fault the others stop taking new ones. Of the blocks
// that faulted, the lowest-numbered one is reported, whichever OS thread got there first.
int run(const Launch& launch, Pool& threads) {
    unsigned long long total = static_cast<unsigned long long>(launch.grid.x) * launch.grid.y * launch.grid.z;
    std::atomic<unsigned long long> next{0};
    std::atomic<bool> failed{false};
    std::mutex mutex;
    std::string fault;
    unsigned long long fault_block = 0;
    int code = EMU_SUCCESS;
    threads.run([&] {
        std::string error;
        unsigned long long b;
        while (!failed.load(std::memory_order_relaxed) && (b = next.fetch_add(1)) < total) {
            uint3 idx{static_cast<unsigned>(b % launch.grid.x),
                      static_cast<unsigned>(b / launch.grid.x % launch.grid.y),
                      static_cast<unsigned>(b / launch.grid.x / launch.grid.y)};
            int status = EMU_SUCCESS;
            try {
                if (!run_block(launch, idx, error)) {
                    status = EMU_ERROR_LAUNCH_FAILED;
                }
            } catch (const std::bad_alloc&) {
                error = std::string("kernel ") + launch.kernel + ": out of memory for the emulator's fiber stacks";
                status = EMU_ERROR_INTERNAL;
            }
            if (status != EMU_SUCCESS) {
                std::lock_guard lock(mutex);
                if (!failed.exchange(true) || b < fault_block) {
                    fault = error;
                    fault_block = b;
                    code = status;
                }
            }
        }
    });
    if (code != EMU_SUCCESS) {
        set_error(fault);
    }
    return code;
}

}  // namespace

}  // namespace emu

int emu_launch(const char* name, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
               unsigned sharedBytes, void** kernelParams) {
    static std::mutex serial;  // the pool runs one launch at a time
    std::lock_guard lock(serial);
    const emu::Kernel* kernel = emu::find_kernel(name);
    if (kernel == nullptr) {
        emu::set_error(std::string("no kernel '") + name + "' in the emulator library");
        return EMU_ERROR_NOT_FOUND;
    }
    emu::Launch launch{kernel->name, kernel->thunk, kernelParams, {gx, gy, gz}, {bx, by, bz}, sharedBytes};
    std::string error = emu::check(launch);
    if (!error.empty()) {
        emu::set_error(error);
        return EMU_ERROR_INVALID_VALUE;
    }
    emu::Pool* threads = emu::pool(error);
    if (threads == nullptr) {
        emu::set_error(error);
        return EMU_ERROR_INTERNAL;
    }
    return emu::run(launch, *threads);
}

void emu_synchronize(void) {
}

int emu_thread_count(void) {
    std::string error;
    emu::Pool* threads = emu::pool(error);
    if (threads == nullptr) {
        emu::set_error(error);
        return 0;
    }
    return static_cast<int>(threads->size());
}
