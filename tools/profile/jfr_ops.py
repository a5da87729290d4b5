#!/usr/bin/python3
"""Where a training step's time goes, from a JFR recording: each execution sample is charged to the
backend op it ran in (CpuBackend, CpuAttention, CpuLayernorm) (its lambda in a worker thread, or the op's own frame), or to "gemm" when Sgemm
was on the stack ("gemm in attention" under CpuAttention; a worker cannot tell which linear layer's GEMM
it runs), else to its first Emerald frame, else to the JVM.

    EMERALD_JAVA_OPTS=-XX:StartFlightRecording=filename=step.jfr,settings=profile bin/emerald bench train ...
    $JAVA_HOME/bin/jfr print --events jdk.ExecutionSample --stack-depth 16 step.jfr > step.txt
    tools/profile/jfr_ops.py step.txt
"""
import collections
import re
import sys

HELPERS = (".sumLanes", ".softmax", ".softmaxBackward", ".dropped")


def category(frames):
    if any(".Sgemm" in f for f in frames):
        return "gemm in attention" if any(".CpuAttention." in f for f in frames) else "gemm"
    for f in frames:
        if re.search(r"\.backend\.cpu\.Cpu\w+\.", f) and not f.endswith(HELPERS):
            cls, name = f.split(".")[-2:]
            return cls + "." + re.sub(r"lambda\$(\w+)\$\d+", r"\1", name)
    return next((f for f in frames if f.startswith("dev.emerald")), "jvm: " + frames[0])


def main():
    counts, n = collections.Counter(), 0
    for event in open(sys.argv[1]).read().split("jdk.ExecutionSample")[1:]:
        frames = re.findall(r"^\s+([\w.$]+)\(", event, re.M)
        if frames:
            counts[category(frames)] += 1
            n += 1
    print(f"{n} samples")
    for name, c in counts.most_common(25):
        print(f"{100 * c / n:5.1f}%  {name}")


if __name__ == "__main__":
    main()
