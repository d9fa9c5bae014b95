package io.vigil.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.proto.v1.Box;
import io.vigil.proto.v1.Detection;
import io.vigil.proto.v1.ObjectScore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ObjectAucTest {

    private static ObjectScore object(long frame, float x1, float score) {
        return ObjectScore.newBuilder().setMiddleFrameIndex(frame).setScore(score).setDetection(Detection.newBuilder()
                .setBox(Box.newBuilder().setX1(x1).setY1(10).setX2(x1 + 20).setY2(50))).build();
    }

    @Test
    void objectsOverlappingATruthBoxOfTheirSceneFrameAreTheAnomalousOnes(@TempDir Path dir) throws Exception {
        Path csv = Files.writeString(dir.resolve("s.boxes.csv"), "frame,kind,x1,y1,x2,y2\n3,fast,100,10,120,50\n4,fast,102,10,122,50\n");
        List<ObjectAuc.TruthBox> truth = ObjectAuc.read(csv);
        assertEquals(2, truth.size());
        // The run starts at published frame 1000: scene frame 3 is frame 1003.
        List<ObjectScore> scores = List.of(object(1003, 100, 0.9f), object(1004, 101, 0.5f), object(1003, 10, 0.6f),
                object(1004, 200, 0.2f), object(1005, 100, 0.1f));
        ObjectAuc.Result r = ObjectAuc.compute(scores, 1000, truth);
        assertEquals(2, r.anomalous());
        assertEquals(3, r.normal());
        // Anomalous 0.9 and 0.5 against normal 0.6, 0.2, 0.1: 5 of 6 pairs ranked right.
        assertEquals(5.0 / 6, r.auc(), 1e-9);
        assertEquals(0.0, ObjectAuc.iou(Box.newBuilder().setX1(0).setY1(0).setX2(10).setY2(10).build(),
                new ObjectAuc.TruthBox(0, 10, 0, 20, 10)), "touching is not overlapping");
    }
}
