package io.vigil.vision.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import io.vigil.vision.onnx.proto.ModelProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Opens ONNX models on CUDA or CPU. {@link Device#AUTO} asks for CUDA and, when this build or machine has
 * none (no onnxruntime_gpu jar, no CUDA 12 libraries, no GPU), logs that once per JVM and uses the CPU.
 */
public final class OnnxSessionFactory {

    private static final Logger LOG = Logger.getLogger(OnnxSessionFactory.class);
    private static final AtomicBoolean CUDA_FELL_BACK = new AtomicBoolean();
    private static final AtomicBoolean THREADS_LOGGED = new AtomicBoolean();

    /**
     * @param device         where to run
     * @param intraOpThreads threads for one operator; 0: as many as this process may use ({@link #intraOpThreads})
     * @param cudaDeviceId   which GPU when CUDA is used
     * @param spinning       let idle intra-op threads spin (lower latency for back-to-back runs, but they compete
     *                       for cores with the Java work between runs)
     * @param memoryArena    keep the session's CPU memory arena and memory patterns (fastest; the arena keeps the
     *                       largest batch's activations, which for many sessions of one process adds up)
     */
    public record Options(Device device, int intraOpThreads, int cudaDeviceId, boolean spinning, boolean memoryArena) {

        public Options(Device device, int intraOpThreads, int cudaDeviceId) {
            this(device, intraOpThreads, cudaDeviceId, false);
        }

        public Options(Device device, int intraOpThreads, int cudaDeviceId, boolean spinning) {
            this(device, intraOpThreads, cudaDeviceId, spinning, true);
        }

        /** The same without the CPU memory arena and memory patterns: memory goes back after each run. */
        public Options withoutMemoryArena() {
            return new Options(device, intraOpThreads, cudaDeviceId, spinning, false);
        }

        public Options {
            if (device == null) {
                throw new IllegalArgumentException("device must be set (auto, cpu or cuda)");
            }
            if (intraOpThreads < 0) {
                throw new IllegalArgumentException("intraOpThreads must be >= 0, got " + intraOpThreads);
            }
        }

        public static Options cpu(int intraOpThreads) {
            return new Options(Device.CPU, intraOpThreads, 0);
        }
    }

    private OnnxSessionFactory() {
    }

    public static OnnxModel open(Path model, Options options) {
        return open(model, options, null);
    }

    /**
     * @param outputs the outputs the caller reads; the others are taken out of the graph ({@link OutputPruning}), since
     *                ONNX Runtime computes them all otherwise. Null: the whole graph.
     */
    public static OnnxModel open(Path model, Options options, Set<String> outputs) {
        if (model == null || !Files.isRegularFile(model)) {
            throw new ModelLoadException("ONNX model file not found: " + (model == null ? "(not configured)"
                    : model.toAbsolutePath()));
        }
        return outputs == null ? open(model, (byte[]) null, options) : open(model, parse(model), options, outputs);
    }

    /**
     * The same for a model the caller has read already, so that what it read of it (metadata, a digest) and the
     * session come from the same bytes; {@code model} names it.
     */
    public static OnnxModel open(Path model, ModelProto proto, Options options, Set<String> outputs) {
        OutputPruning.Pruned p = OutputPruning.keep(proto, outputs);
        if (p.changed()) {
            LOG.infof("model %s: computing only its outputs %s (%d of %d nodes)", model.getFileName(), p.outputs(),
                    p.nodesAfter(), p.nodesBefore());
        }
        return open(model, (p.changed() ? p.model() : proto).toByteArray(), options);
    }

    /** {@code bytes} null: the session reads {@code model} itself. */
    private static OnnxModel open(Path model, byte[] bytes, Options options) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        if (options.device() != Device.CPU) {
            try (OrtSession.SessionOptions cuda = sessionOptions(options, true)) {
                return new OnnxModel(model, session(env, model, bytes, cuda), Device.CUDA);
            } catch (OrtException | RuntimeException e) {
                if (options.device() == Device.CUDA) {
                    throw new ModelLoadException("device=cuda was requested for " + model + " but CUDA is not usable ("
                            + e.getMessage() + "); available providers: " + OrtEnvironment.getAvailableProviders()
                            + ". Use device=auto to fall back to CPU.", e);
                }
                if (CUDA_FELL_BACK.compareAndSet(false, true)) {
                    LOG.warnf("CUDA is not usable here (%s); running ONNX models on the CPU", e.getMessage());
                }
            }
        }
        try (OrtSession.SessionOptions cpu = sessionOptions(options, false)) {
            return new OnnxModel(model, session(env, model, bytes, cpu), Device.CPU);
        } catch (OrtException e) {
            throw new ModelLoadException("cannot load ONNX model " + model + ": " + e.getMessage(), e);
        }
    }

    private static OrtSession session(OrtEnvironment env, Path model, byte[] bytes, OrtSession.SessionOptions options)
            throws OrtException {
        return bytes == null ? env.createSession(model.toString(), options) : env.createSession(bytes, options);
    }

    private static ModelProto parse(Path model) {
        try {
            return ModelProto.parseFrom(Files.readAllBytes(model));
        } catch (IOException e) {
            throw new ModelLoadException("cannot load ONNX model " + model + ": " + e.getMessage(), e);
        }
    }

    /**
     * Whether a model of this JVM asked for CUDA ({@link Device#AUTO}) and runs on the CPU: what the services' gauge
     * {@code vigil.onnx.cuda.fallback} reports, so an operator sees a GPU node that lost its GPU.
     */
    public static boolean cudaFellBack() {
        return CUDA_FELL_BACK.get();
    }

    /** Whether this ONNX Runtime build ships the CUDA provider (onnxruntime_gpu); says nothing about the GPU. */
    public static boolean cudaProviderBuilt() {
        return OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
    }

    /** The host's CPUs as /proc/cpuinfo lists them (a container sees the host's), or 0 where it cannot be read. */
    private static final int HOST_CPUS = hostCpus();

    private static int hostCpus() {
        try (java.util.stream.Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return (int) lines.filter(l -> l.startsWith("processor")).count();
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return 0;
        }
    }

    /**
     * The intra-op threads to ask for: the configured count; for 0, ONNX Runtime's own choice (the host's physical
     * cores), unless this process may use fewer CPUs than the host has (a container's CPU limit or an affinity mask,
     * which ONNX Runtime does not see, and the JVM does): then that many, so that a pod limited to 4 CPUs on a 64-core
     * node does not run 32 threads per model.
     */
    static int intraOpThreads(int configured, int processCpus, int hostCpus) {
        if (configured > 0) {
            return configured;
        }
        return processCpus < hostCpus ? processCpus : 0;
    }

    private static OrtSession.SessionOptions sessionOptions(Options options, boolean cuda) throws OrtException {
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        int threads = intraOpThreads(options.intraOpThreads(), Runtime.getRuntime().availableProcessors(), HOST_CPUS);
        if (threads > 0) {
            so.setIntraOpNumThreads(threads);
        }
        if (THREADS_LOGGED.compareAndSet(false, true)) {
            LOG.infof("ONNX Runtime intra-op threads per model: %s (this process may use %d of the host's %d CPUs)",
                    threads > 0 ? Integer.toString(threads) : "its own choice", Runtime.getRuntime().availableProcessors(),
                    HOST_CPUS);
        }
        // Sequential graphs: a separate inter-op pool would only compete with the intra-op threads for cores.
        so.setInterOpNumThreads(1);
        so.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        if (!options.spinning()) {
            // Idle intra-op threads otherwise spin between runs and take the CPU from pre- and post-processing.
            so.addConfigEntry("session.intra_op.allow_spinning", "0");
        }
        if (!options.memoryArena()) {
            so.setCPUArenaAllocator(false);
            so.setMemoryPatternOptimization(false);
        }
        if (cuda) {
            so.addCUDA(options.cudaDeviceId());
        }
        return so;
    }
}
