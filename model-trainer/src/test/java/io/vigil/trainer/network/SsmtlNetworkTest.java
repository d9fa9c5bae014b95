package io.vigil.trainer.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SsmtlNetworkTest {

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void everyArchitectureGivesTheFourHeadsTheirShapes(Architecture architecture) {
        try (NDManager manager = NDManager.newBaseManager()) {
            SsmtlNetwork net = new SsmtlNetwork(architecture, 7, 80);
            net.setInitializer(new XavierInitializer(), ai.djl.nn.Parameter.Type.WEIGHT);
            Shape input = new Shape(2, 3, 7, 64, 64);
            net.initialize(manager, DataType.FLOAT32, input);
            NDArray x = manager.randomUniform(0f, 1f, input);
            NDList out = net.forward(new ParameterStore(manager, false), new NDList(x), false);
            assertEquals(new Shape(2, 2), out.get(0).getShape());
            assertEquals(new Shape(2, 2), out.get(1).getShape());
            assertEquals(new Shape(2, 3, 64, 64), out.get(2).getShape());
            assertEquals(new Shape(2, 80), out.get(3).getShape());
            NDArray recon = out.get(2);
            assertTrue(recon.min().getFloat() >= 0f && recon.max().getFloat() <= 1f, "sigmoid output");
            // The middle-box prediction cannot see the middle frame: changing it leaves the prediction unchanged.
            NDArray changed = x.duplicate();
            changed.set(new ai.djl.ndarray.index.NDIndex(":, :, 3"), 0.5f);
            NDArray again = net.reconstruction(new ParameterStore(manager, false), changed, false);
            assertTrue(again.sub(recon).abs().max().getFloat() < 1e-5f);
            assertTrue(net.reconstruction(new ParameterStore(manager, false), x.mul(0.5f), false).sub(recon).abs().max()
                    .getFloat() > 1e-4f, "but other frames matter");
        }
    }
}
