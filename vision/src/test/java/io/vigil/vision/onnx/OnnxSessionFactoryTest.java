package io.vigil.vision.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.testkit.SharedData;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class OnnxSessionFactoryTest {

    private static Path yolox() {
        return SharedData.require("models/yolox-nano-coco/yolox_nano.onnx");
    }

    @Test
    void autoFallsBackToCpuWhereCudaIsMissing() {
        try (OnnxModel model = OnnxSessionFactory.open(yolox(), new OnnxSessionFactory.Options(Device.AUTO, 1, 0))) {
            if (!OnnxSessionFactory.cudaProviderBuilt()) {
                assertEquals(Device.CPU, model.device());
            }
            assertEquals(model.device() == Device.CPU, OnnxSessionFactory.cudaFellBack(), "what the services report");
            assertArrayEquals(new long[] {1, 3, 416, 416}, model.inputShapes().get("images"));
            assertArrayEquals(new long[] {1, 3549, 85}, model.outputShapes().get("output"));
            assertTrue(model.describeSignature().contains("images=[1, 3, 416, 416]"), model.describeSignature());
        }
    }

    @Test
    void intraOpThreadsFollowTheCpusThisProcessMayUse() {
        assertEquals(4, OnnxSessionFactory.intraOpThreads(0, 4, 64), "a pod limited to 4 CPUs on a 64-CPU node");
        assertEquals(0, OnnxSessionFactory.intraOpThreads(0, 2, 2), "the whole machine: ONNX Runtime's own choice");
        assertEquals(0, OnnxSessionFactory.intraOpThreads(0, 2, 0), "host CPUs unknown: ONNX Runtime's own choice");
        assertEquals(3, OnnxSessionFactory.intraOpThreads(3, 4, 64), "a configured count is kept");
    }

    @Test
    void cudaRequiredButUnavailableIsAClearError() {
        // On a GPU machine with onnxruntime_gpu this opens on CUDA; everywhere else it must say why not.
        try (OnnxModel model = OnnxSessionFactory.open(yolox(), new OnnxSessionFactory.Options(Device.CUDA, 1, 0))) {
            assertEquals(Device.CUDA, model.device());
        } catch (ModelLoadException e) {
            assertTrue(e.getMessage().contains("device=cuda"), e.getMessage());
            assertTrue(e.getMessage().contains("device=auto"), e.getMessage());
        }
    }

    @Test
    void missingModelFileNamesThePath() {
        Path missing = Path.of("/nonexistent/models/yolov3-10.onnx");
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> OnnxSessionFactory.open(missing, OnnxSessionFactory.Options.cpu(1)));
        assertTrue(e.getMessage().contains("/nonexistent/models/yolov3-10.onnx"), e.getMessage());
    }

    @Test
    void aFileThatIsNotAModelIsAClearError() {
        Path notAModel = SharedData.require("models/labels/coco.names");
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> OnnxSessionFactory.open(notAModel, OnnxSessionFactory.Options.cpu(1)));
        assertTrue(e.getMessage().contains("coco.names"), e.getMessage());
    }
}
