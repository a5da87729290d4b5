#include "pool.h"

#include <csignal>
#include <system_error>

namespace emu {

Pool::Pool(unsigned threads) {
    // The JVM handles the process's signals; they must not land on a fiber's small stack, so the
    // threads start with all of them blocked.
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    try {
        while (threads_.size() < threads) {
            threads_.emplace_back([this] { loop(); });
        }
    } catch (const std::system_error&) {
        // Fewer threads than asked for (size() says how many); they still run every block.
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

void Pool::run(const std::function<void()>& work) {
    std::unique_lock lock(mutex_);
    work_ = &work;
    busy_ = size();
    generation_++;
    wake_.notify_all();
    idle_.wait(lock, [this] { return busy_ == 0; });
    work_ = nullptr;
}

void Pool::loop() {
    std::uint64_t seen = 0;
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [&] { return generation_ != seen; });
        seen = generation_;
        const std::function<void()>& work = *work_;
        lock.unlock();
        work();
        lock.lock();
        if (--busy_ == 0) {
            idle_.notify_one();
        }
    }
}

}  // namespace emu
