package io.vigil.trainer.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

class ChannelPaddedConv2dTest {

    /**
     * Outputs and gradients equal a float64 reference (which PyTorch computes without oneDNN), every time: the plain
     * 3-filter convolution's input gradient was off by up to 3.3, or NaN, in some repetitions on an AMD EPYC machine.
     */
    @Test
    void matchesAFloat64ReferenceInEveryRepetition() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Shape in = new Shape(2, 16, 12, 12);
            for (int repetition = 0; repetition < 20; repetition++) {
                try (NDManager round = manager.newSubManager()) {
                    ChannelPaddedConv2d conv = new ChannelPaddedConv2d(3); // fresh, so gradients do not accumulate
                    conv.initialize(round, DataType.FLOAT32, in);
                    NDArray w = conv.getParameters().get("weight").getArray();
                    assertEquals(new Shape(3, 16, 3, 3), w.getShape(), "the parameters keep their shape");
                    NDArray x = round.randomNormal(in);
                    NDArray input = x.duplicate();
                    input.setRequiresGradient(true);
                    NDArray y;
                    try (GradientCollector g = Engine.getInstance().newGradientCollector()) {
                        y = conv.forward(new ParameterStore(round, false), new NDList(input), true).singletonOrThrow();
                        g.backward(y.mul(y).sum());
                    }
                    NDArray weightGradient = w.getGradient().duplicate();

                    NDArray x64 = x.toType(DataType.FLOAT64, true);
                    x64.setRequiresGradient(true);
                    NDArray w64 = w.toType(DataType.FLOAT64, true);
                    w64.setRequiresGradient(true);
                    NDArray b64 = conv.getParameters().get("bias").getArray().toType(DataType.FLOAT64, true);
                    NDArray y64;
                    try (GradientCollector g = Engine.getInstance().newGradientCollector()) {
                        y64 = Conv2d.conv2d(x64, w64, b64, new Shape(1, 1), new Shape(1, 1)).singletonOrThrow();
                        g.backward(y64.mul(y64).sum());
                    }
                    assertEquals(new Shape(2, 3, 12, 12), y.getShape());
                    assertTrue(maxDiff(y, y64) < 1e-4f, "outputs, repetition " + repetition);
                    assertTrue(maxDiff(input.getGradient(), x64.getGradient()) < 1e-3f, "input gradients, repetition " + repetition);
                    assertTrue(maxDiff(weightGradient, w64.getGradient()) < 1e-2f, "weight gradients, repetition " + repetition);
                }
            }
        }
    }

    private static float maxDiff(NDArray a, NDArray reference) {
        return a.sub(reference.toType(DataType.FLOAT32, false)).abs().max().getFloat();
    }
}
