package dev.emerald.backend.cuda;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.emerald.backend.cuda.PtxLibrary.Param.FLOAT;
import static dev.emerald.backend.cuda.PtxLibrary.Param.INT;
import static dev.emerald.backend.cuda.PtxLibrary.Param.LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PtxLibraryTest {
    /** A second module: a kernel of its own, and one whose name clashes with TestKernels'. */
    private static final String OTHER = """
            .version 8.0
            .target sm_80
            .address_size 64
            .visible .entry other_scale(.param .u64 other_scale_param_0, .param .f32 other_scale_param_1)
            { ret; }
            """;
    private static final String CLASH = OTHER.replace("other_scale", "test_axpy");

    @Test
    void indexesEveryEntryWithItsParameterTypes() {
        PtxLibrary lib = TestKernels.library();
        PtxLibrary.Kernel axpy = lib.kernel("test_axpy");
        assertEquals(TestKernels.MODULE, axpy.module());
        assertEquals(List.of(LONG, LONG, FLOAT, INT, LONG), axpy.params()); // float*, const float*, float, int, long long
        assertEquals(List.of(LONG, LONG, INT), lib.kernel("test_shared_reverse").params());
        assertEquals("8.0", lib.version(TestKernels.MODULE));
        assertEquals(TestKernels.PTX, lib.ptx(TestKernels.MODULE));
    }

    @Test
    void findsKernelsAcrossModules() {
        PtxLibrary lib = new PtxLibrary(Map.of(TestKernels.MODULE, TestKernels.PTX, "cuda/other.ptx", OTHER));
        assertEquals("cuda/other.ptx", lib.kernel("other_scale").module());
        assertEquals(List.of(LONG, FLOAT), lib.kernel("other_scale").params());
        assertEquals(TestKernels.MODULE, lib.kernel("test_axpy").module());
    }

    @Test
    void unknownKernelSaysWhereItLooked() {
        var e = assertThrows(IllegalArgumentException.class, () -> TestKernels.library().kernel("layernorm_forward"));
        assertTrue(e.getMessage().contains("layernorm_forward") && e.getMessage().contains("src/main/cuda"), e.getMessage());
    }

    @Test
    void aKernelDefinedTwiceIsAnError() {
        var e = assertThrows(IllegalStateException.class,
                () -> new PtxLibrary(Map.of(TestKernels.MODULE, TestKernels.PTX, "cuda/clash.ptx", CLASH)));
        assertTrue(e.getMessage().contains("test_axpy") && e.getMessage().contains("cuda/clash.ptx"), e.getMessage());
    }

    @Test
    void aParameterTypeLaunchCannotPassIsAnError() {
        String ptx = OTHER.replace(".param .f32 other_scale_param_1", ".param .align 8 .b8 other_scale_param_1[16]");
        var e = assertThrows(IllegalArgumentException.class, () -> new PtxLibrary(Map.of("cuda/s.ptx", ptx)));
        assertTrue(e.getMessage().contains("other_scale"), e.getMessage());
    }

    @Test
    void readsModulesFromADirectoryOrAJar(@TempDir Path tmp) throws IOException {
        Path classes = Files.createDirectories(tmp.resolve("classes/cuda"));
        Files.writeString(classes.resolve("test_kernels.ptx"), TestKernels.PTX);
        Files.writeString(classes.resolve("notes.txt"), ".visible .entry not_a_module(.param .u64 p) { ret; }");
        assertLibrary(PtxLibrary.from(tmp.resolve("classes")));

        Path jar = tmp.resolve("emerald.jar");
        try (FileSystem zip = FileSystems.newFileSystem(URI.create("jar:" + jar.toUri()), Map.of("create", "true"))) {
            Files.writeString(Files.createDirectories(zip.getPath("cuda")).resolve("test_kernels.ptx"), TestKernels.PTX);
        }
        assertLibrary(PtxLibrary.from(jar));
    }

    private static void assertLibrary(PtxLibrary lib) {
        assertEquals(TestKernels.MODULE, lib.kernel("test_axpy").module());
        assertEquals(TestKernels.PTX, lib.ptx(TestKernels.MODULE));
        assertThrows(IllegalArgumentException.class, () -> lib.kernel("not_a_module"));
    }

    @Test
    void aBuildWithoutKernelsHasNone(@TempDir Path tmp) {
        assertThrows(IllegalArgumentException.class, () -> PtxLibrary.from(tmp).kernel("test_axpy"));
    }
}
