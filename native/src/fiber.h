// User-level threads for the CUDA threads of a block.
#pragma once

#include <csetjmp>
#include <cstddef>

namespace emu {

// A stack of its own, entered from the OS thread's scheduler and yielding back to it. The stack
// is set up once with makecontext; every switch after that is a _setjmp/_longjmp pair, with no
// system call (swapcontext saves the signal mask with one). A fiber belongs to the OS thread that
// created it and must only run there.
class Fiber {
public:
    // body runs each time the fiber is started, until it returns or yields.
    explicit Fiber(void (*body)());
    ~Fiber();
    Fiber(const Fiber&) = delete;
    Fiber& operator=(const Fiber&) = delete;

    // Runs body from the top (also after an earlier run was abandoned mid-way); returns when body
    // returns or yields.
    void start();
    // Continues after the fiber's last yield.
    void resume();
    // Called on a running fiber's stack: back to where start or resume was called.
    static void yield();

private:
    [[noreturn]] static void entry();

    void (*body_)();
    void* mapping_;
    std::jmp_buf top_;     // entry's frame, where every start begins
    std::jmp_buf resume_;  // where the fiber last yielded
    std::jmp_buf caller_;  // where start or resume was called
};

}  // namespace emu
