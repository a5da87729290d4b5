// The OS threads that run the blocks of a launch.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace emu {

class Pool {
public:
    explicit Pool(unsigned threads);

    // Runs work on every thread of the pool at once; returns when all have returned.
    void run(const std::function<void()>& work);

    unsigned size() const {
        return static_cast<unsigned>(threads_.size());
    }

private:
    void loop();

    std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable idle_;
    const std::function<void()>* work_ = nullptr;
    std::uint64_t generation_ = 0;
    unsigned busy_ = 0;
    std::vector<std::thread> threads_;
};

}  // namespace emu
