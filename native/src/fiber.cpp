// _FORTIFY_SOURCE turns _longjmp into __longjmp_chk, which aborts on a jump to another stack.
#undef _FORTIFY_SOURCE

#include "fiber.h"

#include <new>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

namespace emu {

namespace {

// Enough for kernels' locals and libm; a guard page below turns an overflow into a crash, not corruption.
constexpr std::size_t STACK_BYTES = 64 * 1024;

thread_local Fiber* running;
// The hand-over from the constructor to entry, on the fiber's first switch.
thread_local ucontext_t creator;
thread_local Fiber* creating;

std::size_t page_bytes() {
    static const std::size_t bytes = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    return bytes;
}

}  // namespace

Fiber::Fiber(void (*body)()) : body_(body) {
    std::size_t guard = page_bytes();
    mapping_ = mmap(nullptr, guard + STACK_BYTES, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (mapping_ == MAP_FAILED) {
        throw std::bad_alloc();
    }
    if (mprotect(mapping_, guard, PROT_NONE) != 0) {
        munmap(mapping_, guard + STACK_BYTES);
        throw std::bad_alloc();
    }
    ucontext_t context;
    getcontext(&context);
    context.uc_stack.ss_sp = static_cast<char*>(mapping_) + guard;
    context.uc_stack.ss_size = STACK_BYTES;
    context.uc_link = nullptr;
    makecontext(&context, entry, 0);
    creating = this;
    swapcontext(&creator, &context);  // entry records top_ and comes straight back
}

Fiber::~Fiber() {
    munmap(mapping_, page_bytes() + STACK_BYTES);
}

void Fiber::entry() {
    if (_setjmp(creating->top_) == 0) {
        setcontext(&creator);
    }
    // Each start lands here, with no locals live: the fiber to run is in `running`.
    running->body_();
    _longjmp(running->caller_, 1);
}

void Fiber::start() {
    running = this;
    if (_setjmp(caller_) == 0) {
        _longjmp(top_, 1);
    }
}

void Fiber::resume() {
    running = this;
    if (_setjmp(caller_) == 0) {
        _longjmp(resume_, 1);
    }
}

void Fiber::yield() {
    Fiber* self = running;
    if (_setjmp(self->resume_) == 0) {
        _longjmp(self->caller_, 1);
    }
}

}  // namespace emu
