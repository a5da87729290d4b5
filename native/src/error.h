// The message behind emu_last_error.
#pragma once

#include <string>

namespace emu {

void set_error(const std::string& message);

}  // namespace emu
