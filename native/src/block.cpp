// The block scheduler: runs a block's threads as fibers, round-robin, each until it finishes or
// waits at __syncthreads or a shuffle; then releases the warps whose 32 lanes all wait at a
// shuffle or, failing that, the whole block from its barrier. Anything else is a kernel bug
// (a barrier or shuffle that some threads never reach) and fails the launch instead of hanging.
#include "fiber.h"
#include "launch.h"

#include <cstdio>
#include <memory>
#include <vector>

namespace emu {

constinit thread_local Builtins builtins{};
constinit thread_local void* dynamic_shared = nullptr;

namespace {

constexpr unsigned WARP = 32;
constexpr unsigned FULL_MASK = 0xffffffffu;

enum class State : unsigned char { New, Ready, Barrier, Shuffle, Done, Fault };

struct Lane {
    State state;
    uint3 idx;
    Fiber* fiber;  // from its start until it is done
    Shfl mode;     // of the shuffle it waits at
    int width;
};

// Shuffle slots, double-buffered: a lane that has read this round's values may write the next
// round's before its slower neighbours read this one.
struct Warp {
    unsigned arrived;
    unsigned parity;
    std::uint64_t slots[2][WARP];
};

// One OS thread's block in progress, and what it keeps for its next blocks.
struct Block {
    const Launch* launch;
    uint3 idx;
    unsigned size;
    unsigned current;  // the lane running now
    unsigned done;
    unsigned at_shuffle;
    std::string fault;
    std::vector<Lane> lanes;
    std::vector<Warp> warps;
    std::vector<std::unique_ptr<Fiber>> fibers;
    // Fibers free for a lane's start, last freed on top: threads that never wait run one after
    // another on the same, cache-warm stack.
    std::vector<Fiber*> idle;
    std::vector<std::max_align_t> shared;
};

// Allocated on the OS thread's first block and kept. A pointer, as a thread_local object with a
// constructor costs an initialisation check on every access.
thread_local Block* block;

std::string str(uint3 v) {
    char text[48];
    std::snprintf(text, sizeof text, "(%u, %u, %u)", v.x, v.y, v.z);
    return text;
}

const char* shuffle_name(Shfl mode) {
    switch (mode) {
        case Shfl::Idx: return "__shfl_sync";
        case Shfl::Up: return "__shfl_up_sync";
        case Shfl::Down: return "__shfl_down_sync";
        case Shfl::Xor: return "__shfl_xor_sync";
    }
    return "?";
}

std::string shuffle_desc(const Lane& lane) {
    return std::string(shuffle_name(lane.mode)) + " (width " + std::to_string(lane.width) + ")";
}

const char* doing(State state) {
    switch (state) {
        case State::Barrier: return "waits at __syncthreads()";
        case State::Shuffle: return "waits at a shuffle";
        case State::Done: return "has exited";
        default: return "is running";
    }
}

std::string where(const Block& b, unsigned lane) {
    return std::string("kernel ") + b.launch->kernel + ", block " + str(b.idx) + ", thread " + str(b.lanes[lane].idx);
}

// The body of every fiber.
void run_lane() {
    Block& b = *block;
    b.launch->thunk(b.launch->params);
    b.lanes[b.current].state = State::Done;
    b.done++;
}

// Called on the faulting fiber, which is never resumed.
[[noreturn]] void fault(const std::string& message) {
    Block& b = *block;
    b.fault = where(b, b.current) + ": " + message;
    b.lanes[b.current].state = State::Fault;
    Fiber::yield();
    __builtin_unreachable();
}

unsigned source_lane(Shfl mode, unsigned lane, unsigned arg, unsigned width) {
    unsigned first = lane & ~(width - 1);  // the lane's segment of width lanes
    unsigned end = first + width;
    switch (mode) {
        case Shfl::Idx: return first + (arg & (width - 1));
        case Shfl::Up: return arg <= lane - first ? lane - arg : lane;
        case Shfl::Down: return arg < end - lane ? lane + arg : lane;
        case Shfl::Xor: return (lane ^ arg) < end ? lane ^ arg : lane;  // earlier segments are readable
    }
    return lane;
}

// No lane is ready: releases every warp whose lanes all wait at the same shuffle.
bool release_shuffles(Block& b, std::string& error) {
    for (unsigned w = 0; w < b.warps.size(); w++) {
        Warp& warp = b.warps[w];
        if (warp.arrived == 0) {
            continue;
        }
        unsigned first = w * WARP;
        unsigned count = std::min(WARP, b.size - first);
        Lane* lanes = &b.lanes[first];
        unsigned waiting = first;
        while (lanes[waiting - first].state != State::Shuffle) {
            waiting++;
        }
        if (count < WARP) {
            error = where(b, waiting) + ": shuffle in warp " + std::to_string(w) + ", which has only " +
                    std::to_string(count) + " threads (block of " + std::to_string(b.size) +
                    "): blocks that shuffle need a multiple of 32 threads";
            return false;
        }
        for (unsigned i = 0; i < WARP; i++) {
            if (lanes[i].state != State::Shuffle) {
                error = where(b, waiting) + " waits at a shuffle while thread " + str(lanes[i].idx) +
                        " of its warp " + doing(lanes[i].state) + ": shuffles must be reached by the full warp";
                return false;
            }
            if (lanes[i].mode != lanes[0].mode || lanes[i].width != lanes[0].width) {
                error = where(b, first + i) + " waits at " + shuffle_desc(lanes[i]) + " while thread " +
                        str(lanes[0].idx) + " of its warp waits at " + shuffle_desc(lanes[0]) +
                        ": the lanes of a warp must reach the same shuffle";
                return false;
            }
        }
        for (unsigned i = 0; i < WARP; i++) {
            lanes[i].state = State::Ready;
        }
        warp.parity ^= 1;
        warp.arrived = 0;
        b.at_shuffle -= WARP;
    }
    return true;
}

// Every lane has exited or waits at the barrier.
bool release_barrier(Block& b, std::string& error) {
    if (b.done > 0) {
        unsigned waiting = 0, exited = 0;
        while (b.lanes[waiting].state != State::Barrier) {
            waiting++;
        }
        while (b.lanes[exited].state != State::Done) {
            exited++;
        }
        error = where(b, waiting) + " waits at __syncthreads() while thread " + str(b.lanes[exited].idx) +
                " has exited: every thread of the block must reach each __syncthreads()";
        return false;
    }
    for (Lane& lane : b.lanes) {
        lane.state = State::Ready;
    }
    return true;
}

void prepare(Block& b, const Launch& launch, uint3 block_idx) {
    b.launch = &launch;
    b.idx = block_idx;
    b.size = launch.block.x * launch.block.y * launch.block.z;
    b.done = 0;
    b.at_shuffle = 0;
    b.idle.clear();
    for (const std::unique_ptr<Fiber>& fiber : b.fibers) {
        b.idle.push_back(fiber.get());
    }
    b.lanes.resize(b.size);
    unsigned i = 0;
    for (unsigned z = 0; z < launch.block.z; z++) {
        for (unsigned y = 0; y < launch.block.y; y++) {
            for (unsigned x = 0; x < launch.block.x; x++) {
                b.lanes[i++] = Lane{State::New, uint3{x, y, z}, nullptr, Shfl::Idx, 0};
            }
        }
    }
    b.warps.resize((b.size + WARP - 1) / WARP);
    for (Warp& warp : b.warps) {
        warp.arrived = 0;
    }
    std::size_t words = (launch.shared_bytes + sizeof(std::max_align_t) - 1) / sizeof(std::max_align_t);
    if (b.shared.size() < words) {
        b.shared.resize(words);
    }
    dynamic_shared = b.shared.data();
    builtins.block_idx = block_idx;
    builtins.block_dim = launch.block;
    builtins.grid_dim = launch.grid;
}

Fiber* take_fiber(Block& b) {
    if (b.idle.empty()) {
        b.fibers.push_back(std::make_unique<Fiber>(run_lane));
        return b.fibers.back().get();
    }
    Fiber* fiber = b.idle.back();
    b.idle.pop_back();
    return fiber;
}

}  // namespace

bool run_block(const Launch& launch, uint3 block_idx, std::string& error) {
    if (block == nullptr) {
        block = new Block();
    }
    Block& b = *block;
    prepare(b, launch, block_idx);
    for (;;) {
        for (unsigned i = 0; i < b.size; i++) {
            Lane& lane = b.lanes[i];
            if (lane.state != State::New && lane.state != State::Ready) {
                continue;
            }
            b.current = i;
            builtins.thread_idx = lane.idx;
            if (lane.state == State::New) {
                lane.state = State::Ready;
                lane.fiber = take_fiber(b);
                lane.fiber->start();
            } else {
                lane.fiber->resume();
            }
            if (lane.state == State::Done) {
                b.idle.push_back(lane.fiber);
            } else if (lane.state == State::Fault) {
                error = b.fault;
                return false;
            }
        }
        if (b.done == b.size) {
            return true;
        }
        bool released = b.at_shuffle > 0 ? release_shuffles(b, error) : release_barrier(b, error);
        if (!released) {
            return false;
        }
    }
}

void syncthreads() {
    Block& b = *block;
    b.lanes[b.current].state = State::Barrier;
    Fiber::yield();
}

std::uint64_t shuffle_bits(unsigned mask, std::uint64_t bits, Shfl mode, int arg, int width) {
    if (mask != FULL_MASK) {
        char text[32];
        std::snprintf(text, sizeof text, "0x%08x", mask);
        fault(std::string(shuffle_name(mode)) + " with mask " + text +
              ": only the full-warp mask 0xffffffff is supported");
    }
    if (width < 1 || width > static_cast<int>(WARP) || (width & (width - 1)) != 0) {
        fault(std::string(shuffle_name(mode)) + " with width " + std::to_string(width) +
              ": the width must be a power of two up to 32");
    }
    Block& b = *block;
    unsigned id = b.current;
    unsigned lane = id % WARP;
    Lane& me = b.lanes[id];
    Warp& warp = b.warps[id / WARP];
    unsigned parity = warp.parity;
    warp.slots[parity][lane] = bits;
    warp.arrived++;
    b.at_shuffle++;
    me.state = State::Shuffle;
    me.mode = mode;
    me.width = width;
    unsigned src = source_lane(mode, lane, static_cast<unsigned>(arg), static_cast<unsigned>(width));
    Fiber::yield();
    return warp.slots[parity][src];
}

}  // namespace emu
