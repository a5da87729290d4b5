package dev.emerald.backend.cuda;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The project's kernels as PTX: one module per {@code cuda/NAME.ptx} resource (built from
 * {@code src/main/cuda/NAME.cu}), indexed by the {@code .entry} names it defines, with each kernel's
 * parameter types so a launch can be checked before it reaches the GPU.
 */
final class PtxLibrary {

    static final String DIR = "cuda";

    /** A kernel's parameter: what {@link DeviceApi#launch} takes for it. */
    enum Param {
        LONG(Long.class), INT(Integer.class), FLOAT(Float.class);

        final Class<?> javaType;

        Param(Class<?> javaType) {
            this.javaType = javaType;
        }

        /** The PTX parameter type, e.g. {@code .u64} (pointers, long long), {@code .u32}, {@code .f32}. */
        static Param of(String ptxType, String kernel) {
            return switch (ptxType) {
                case ".u64", ".s64", ".b64" -> LONG;
                case ".u32", ".s32", ".b32" -> INT;
                case ".f32" -> FLOAT;
                default -> throw new IllegalArgumentException("kernel " + kernel + " has a parameter of PTX type " + ptxType
                        + ": kernels take only pointers, int, float and long long");
            };
        }
    }

    record Kernel(String name, String module, List<Param> params) {
    }

    private static final Pattern ENTRY = Pattern.compile("\\.entry\\s+([A-Za-z_$][\\w$]*)\\s*\\(([^)]*)\\)");
    private static final Pattern PARAM = Pattern.compile("\\.param\\s+(\\.\\w+)\\s+\\w+");
    private static final Pattern VERSION = Pattern.compile("^\\s*\\.version\\s+(\\S+)", Pattern.MULTILINE);

    private final Map<String, String> modules;
    private final Map<String, Kernel> kernels = new HashMap<>();

    /** modules: resource name ({@code cuda/NAME.ptx}) to its PTX text. */
    PtxLibrary(Map<String, String> modules) {
        this.modules = Map.copyOf(modules);
        for (Map.Entry<String, String> module : this.modules.entrySet()) {
            Matcher m = ENTRY.matcher(module.getValue());
            while (m.find()) {
                List<Param> params = new ArrayList<>();
                Matcher p = PARAM.matcher(m.group(2));
                while (p.find()) {
                    params.add(Param.of(p.group(1), m.group(1)));
                }
                Kernel k = new Kernel(m.group(1), module.getKey(), List.copyOf(params));
                Kernel clash = kernels.put(k.name(), k);
                if (clash != null) {
                    throw new IllegalStateException("kernel " + k.name() + " is defined in both " + clash.module() + " and " + k.module());
                }
            }
        }
    }

    /** Every {@code cuda/*.ptx} resource beside this class (in target/classes or the jar). */
    static PtxLibrary fromClasspath() {
        try {
            return from(Path.of(PtxLibrary.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every {@code cuda/*.ptx} under root, a classes directory or a jar. */
    static PtxLibrary from(Path root) {
        try (FileSystem jar = Files.isDirectory(root) ? null : FileSystems.newFileSystem(root)) {
            Path dir = jar == null ? root.resolve(DIR) : jar.getPath(DIR);
            Map<String, String> modules = new TreeMap<>();
            if (Files.isDirectory(dir)) {
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".ptx")).toList()) {
                        modules.put(DIR + "/" + f.getFileName(), Files.readString(f, StandardCharsets.UTF_8));
                    }
                }
            }
            return new PtxLibrary(modules);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the PTX resources in " + root + ": " + e.getMessage(), e);
        }
    }

    Kernel kernel(String name) {
        Kernel k = kernels.get(name);
        if (k == null) {
            throw new IllegalArgumentException("no kernel named " + name + " in the PTX resources (" + modules.size()
                    + " modules under " + DIR + "/): is its .cu file in src/main/cuda and the PTX built?");
        }
        return k;
    }

    String ptx(String module) {
        return modules.get(module);
    }

    /** The module's PTX ISA version (its {@code .version} line), e.g. "9.0" from nvcc 13. */
    String version(String module) {
        Matcher m = VERSION.matcher(modules.get(module));
        return m.find() ? m.group(1) : "unknown";
    }
}
