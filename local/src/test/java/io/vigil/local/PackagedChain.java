package io.vigil.local;

import io.vigil.local.broker.LocalKafkaBroker;
import io.vigil.testkit.SharedData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The packaged services as the ITs that start them one by one run them: Ped2 test video 02, YOLOX, free ports. */
final class PackagedChain {

    static final String PED2_CAMERA = "ped2-02";

    private PackagedChain() {
    }

    /**
     * vigil-local's options for Ped2 02 with YOLOX-Nano; {@code once}: the video ends, else it loops as a camera does.
     * Makes the alert-sink's login in {@code data}, as vigil-local does.
     */
    static LocalOptions ped2(Path data, Path home, boolean once) throws IOException {
        return ped2(data, home, once, 0);
    }

    /** The same, the video paced at {@code fps} frames/s as a camera sends it (0: as fast as it decodes). */
    static LocalOptions ped2(Path data, Path home, boolean once, double fps) throws IOException {
        PageLogin.in(data).createIfMissing();
        return new LocalOptions(new LocalOptions.Cameras(SharedData.ped2TestVideo("02").toString(), PED2_CAMERA, 1, fps, false),
                new LocalOptions.Detection("yolox", Optional.of(SharedData.require("models/yolox-nano-coco/yolox_nano.onnx"))),
                LocalOptions.Learning.NONE, new LocalOptions.Run(once, null, home), LocalOptions.Site.of(data, false, 0));
    }

    /** A service's properties with HTTP and management ports of their own. */
    static Map<String, String> onFreePorts(Map<String, String> properties) throws IOException {
        Map<String, String> props = new LinkedHashMap<>(properties);
        props.put("quarkus.http.port", Integer.toString(LocalKafkaBroker.freePort()));
        props.put("quarkus.management.port", Integer.toString(LocalKafkaBroker.freePort()));
        return props;
    }
}
