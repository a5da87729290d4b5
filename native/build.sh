#!/usr/bin/env bash
# Builds Emerald's native parts; Maven runs it (pom.xml), and it may be run by hand the same way:
#   native/build.sh main OUT   the emulator library, libemerald_emu.so (runtime + src/main/cuda), into
#                              OUT/native/<os>-<arch>/; and each src/main/cuda/NAME.cu as PTX for
#                              compute_80 into OUT/cuda/NAME.ptx, checked by ptxas for sm_80 and sm_90
#                              (a warning or a register spill fails the build)
#   native/build.sh test OUT   the emulator test library, libemerald_emu_test.so (runtime + src/test/cuda)
# Without g++ or nvcc the part that needs it is skipped with one line: the CPU backend needs neither.
# Outputs newer than all their inputs are kept.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
what=${1:?usage: native/build.sh main|test OUT}
out=${2:?usage: native/build.sh main|test OUT}
obj="$root/target/native-obj"
platform="$(uname -s | tr '[:upper:]' '[:lower:]')-$(uname -m)"

CXXFLAGS=(-std=c++20 -O2 -fPIC -fvisibility=hidden -fno-gnu-unique -pthread -Werror -Wall
          -I"$root/native/include" -I"$root/native/src" -I"$root/src/main/cuda")
# As nvcc: no warning for signed/unsigned comparisons (threadIdx.x < n) or CUDA's #pragma unroll.
KERNEL_FLAGS=(-DEMERALD_EMULATOR -Wno-sign-compare -Wno-unknown-pragmas -x c++)
# Only the C API is exported: nothing of libstdc++ to clash with the JVM's or the other emulator library's.
LDFLAGS=(-shared -pthread -static-libstdc++ -static-libgcc -Wl,--version-script="$root/native/exports.map"
         -Wl,--no-undefined)

headers=("$root"/native/include/*.h "$root"/native/src/*.h "$root"/src/main/cuda/*.cuh "$root/native/build.sh"
         "$root/native/exports.map")

fail() {
    echo "[emerald] $*" >&2
    exit 1
}

# True when $1 is missing or older than any of the other files.
stale() {
    local target=$1 input
    shift
    [ -e "$target" ] || return 0
    for input in "$@"; do
        [ "$input" -nt "$target" ] && return 0
    done
    return 1
}

# compile SRC OBJ [FLAGS...]
compile() {
    local src=$1 o=$2
    shift 2
    if stale "$o" "$src" "${headers[@]}"; then
        mkdir -p "$(dirname "$o")"
        g++ "${CXXFLAGS[@]}" "$@" -c "$src" -o "$o" || fail "g++ could not compile ${src#"$root"/} (see above)"
    fi
}

# library NAME KERNEL_DIR: the runtime plus every KERNEL_DIR/*.cu
library() {
    local name=$1 dir=$2 src objects=()
    for src in "$root"/native/src/*.cpp; do
        compile "$src" "$obj/runtime/$(basename "$src" .cpp).o"
        objects+=("$obj/runtime/$(basename "$src" .cpp).o")
    done
    for src in "$dir"/*.cu; do
        [ -e "$src" ] || continue
        compile "$src" "$obj/$name/$(basename "$src" .cu).o" "${KERNEL_FLAGS[@]}"
        objects+=("$obj/$name/$(basename "$src" .cu).o")
    done
    local so="$out/native/$platform/lib$name.so"
    # A deleted kernel file leaves an object behind: relink from the current list only.
    if stale "$so" "${objects[@]}" || [ "$(cat "$obj/$name.objects" 2>/dev/null)" != "${objects[*]}" ]; then
        mkdir -p "$(dirname "$so")"
        g++ "${objects[@]}" "${LDFLAGS[@]}" -o "$so" || fail "g++ could not link lib$name.so (see above)"
        echo "${objects[*]}" >"$obj/$name.objects"
    fi
}

find_nvcc() {
    local candidate
    for candidate in "$(command -v nvcc || true)" /usr/local/cuda/bin/nvcc /usr/local/bin/nvcc; do
        if [ -n "$candidate" ] && [ -x "$candidate" ]; then
            echo "$candidate"
            return
        fi
    done
}

ptx() {
    local nvcc=$1 ptxas src name target arch
    ptxas=$(dirname "$nvcc")/ptxas
    [ -x "$ptxas" ] || ptxas=$(command -v ptxas) || fail "ptxas not found beside $nvcc or on PATH"
    mkdir -p "$out/cuda"
    for target in "$out"/cuda/*.ptx; do  # PTX of deleted kernel files
        [ -e "$target" ] && [ ! -e "$root/src/main/cuda/$(basename "$target" .ptx).cu" ] && rm -f "$target"
    done
    for src in "$root"/src/main/cuda/*.cu; do
        [ -e "$src" ] || continue
        name=$(basename "$src" .cu)
        target="$out/cuda/$name.ptx"
        stale "$target" "$src" "${headers[@]}" || continue
        # Written aside and moved in place once ptxas accepts it, so a failure is not kept as up to date.
        "$nvcc" -arch=compute_80 -ptx -O3 -lineinfo -Werror all-warnings -I"$root/src/main/cuda" \
            -o "$target.tmp" "$src" || fail "nvcc could not compile src/main/cuda/$name.cu (see above)"
        # nvcc 13 stamps PTX ISA 9.x, which only CUDA 13 drivers load; the kernels use nothing newer than
        # ISA 8.0 (CUDA 12.0), and ptxas below rejects the file if that ever stops being true.
        sed -i 's/^\.version 9\.[0-9]*$/.version 8.0/' "$target.tmp"
        for arch in sm_80 sm_90; do
            "$ptxas" -arch="$arch" --warn-on-spills --warning-as-error -o /dev/null "$target.tmp" ||
                { rm -f "$target.tmp"; fail "ptxas rejected src/main/cuda/$name.cu for $arch: a warning or a register spill (see above)"; }
        done
        mv "$target.tmp" "$target"
    done
}

# The emulator's fibers use ucontext and its link a GNU ld version script: Linux only.
emulator() {
    if [ "$(uname -s)" != Linux ]; then
        echo "[emerald] not on Linux: the CUDA emulator is not built; its tests are skipped"
    elif ! command -v g++ >/dev/null; then
        echo "[emerald] g++ not found: the CUDA emulator is not built; its tests are skipped"
    else
        library "$@"
    fi
}

case "$what" in
    main)
        emulator emerald_emu "$root/src/main/cuda"
        nvcc=$(find_nvcc)
        if [ -z "$nvcc" ]; then
            echo "[emerald] nvcc not found: the CUDA backend's PTX is not built; --device cuda will not be available"
        elif ! command -v g++ >/dev/null; then
            echo "[emerald] nvcc needs g++ as its host compiler, which is not found: the CUDA backend's PTX is not built;" \
                "--device cuda will not be available"
        else
            ptx "$nvcc"
        fi
        ;;
    test)
        emulator emerald_emu_test "$root/src/test/cuda" >/dev/null  # main said why already
        ;;
    *)
        fail "usage: native/build.sh main|test OUT"
        ;;
esac
