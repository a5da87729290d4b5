#include "registry.h"

#include "emerald_emu.h"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <vector>

namespace emu {

namespace {

// Filled during static initialisation, in link order; sorted by name on first use.
std::vector<Kernel>& registered() {
    static std::vector<Kernel> kernels;
    return kernels;
}

const std::vector<Kernel>& sorted() {
    static std::once_flag once;
    std::call_once(once, [] {
        std::sort(registered().begin(), registered().end(),
                  [](const Kernel& a, const Kernel& b) { return std::strcmp(a.name, b.name) < 0; });
    });
    return registered();
}

}  // namespace

bool register_kernel(const char* name, const char* signature, Thunk thunk) {
    registered().push_back(Kernel{name, signature, thunk});
    return true;
}

const Kernel* find_kernel(const char* name) {
    const std::vector<Kernel>& kernels = sorted();
    auto it = std::lower_bound(kernels.begin(), kernels.end(), name,
                               [](const Kernel& k, const char* n) { return std::strcmp(k.name, n) < 0; });
    return it != kernels.end() && std::strcmp(it->name, name) == 0 ? &*it : nullptr;
}

}  // namespace emu

const char* emu_kernel_signature(const char* name) {
    const emu::Kernel* kernel = emu::find_kernel(name);
    return kernel ? kernel->signature : nullptr;
}

int emu_kernel_count(void) {
    return static_cast<int>(emu::sorted().size());
}

const char* emu_kernel_name(int i) {
    const std::vector<emu::Kernel>& kernels = emu::sorted();
    return i >= 0 && static_cast<std::size_t>(i) < kernels.size() ? kernels[i].name : nullptr;
}
