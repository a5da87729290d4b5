#include "error.h"

#include "emerald_emu.h"

#include <mutex>

namespace emu {

namespace {

std::mutex mutex;
std::string last;  // one for the library: a Java thread may call from different OS threads

}  // namespace

void set_error(const std::string& message) {
    std::lock_guard lock(mutex);
    last = message;
}

}  // namespace emu

const char* emu_last_error(void) {
    std::lock_guard lock(emu::mutex);
    return emu::last.c_str();
}
