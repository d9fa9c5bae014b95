package io.vigil.vision.onnx;

import io.vigil.vision.onnx.proto.AttributeProto;
import io.vigil.vision.onnx.proto.GraphProto;
import io.vigil.vision.onnx.proto.ModelProto;
import io.vigil.vision.onnx.proto.NodeProto;
import io.vigil.vision.onnx.proto.TensorProto;
import io.vigil.vision.onnx.proto.ValueInfoProto;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A model's graph cut down to the outputs its caller reads. ONNX Runtime computes every output of a graph on each run,
 * whichever outputs are fetched (measured: the SSMTL model costs the same with its middle-box output fetched or not),
 * so a service that reads some of a model's heads pays for all of them unless the others are taken out of the graph.
 * The nodes kept are the same nodes with the same weights, so the outputs kept are bit for bit what the whole graph
 * gives.
 */
public final class OutputPruning {

    /** The graph with only {@code outputs}, and how many of its nodes that leaves. */
    public record Pruned(ModelProto model, List<String> outputs, int nodesBefore, int nodesAfter) {
        public boolean changed() {
            return nodesAfter < nodesBefore;
        }
    }

    private OutputPruning() {
    }

    /**
     * Keeps the graph outputs named in {@code wanted} and what they need. Names the graph does not output are ignored.
     * The model comes back as it is when it would keep no output (its user then says which it lacks), or when a node
     * carries a subgraph, whose reads of the outer graph this does not follow.
     */
    public static Pruned keep(ModelProto model, Set<String> wanted) {
        GraphProto graph = model.getGraph();
        List<NodeProto> nodes = graph.getNodeList();
        List<String> kept = graph.getOutputList().stream().map(ValueInfoProto::getName).filter(wanted::contains).toList();
        if (kept.isEmpty() || kept.size() == graph.getOutputCount() || nodes.stream().anyMatch(OutputPruning::hasSubgraph)) {
            return new Pruned(model, graph.getOutputList().stream().map(ValueInfoProto::getName).toList(), nodes.size(),
                    nodes.size());
        }
        // ONNX lists nodes in topological order: walking back from the outputs meets each node after all its readers.
        Set<String> needed = new HashSet<>(kept);
        boolean[] live = new boolean[nodes.size()];
        for (int i = nodes.size() - 1; i >= 0; i--) {
            NodeProto node = nodes.get(i);
            if (node.getOutputList().stream().anyMatch(needed::contains)) {
                live[i] = true;
                needed.addAll(node.getInputList());
            }
        }
        Set<String> initializers = new HashSet<>();
        graph.getInitializerList().forEach(t -> initializers.add(t.getName()));
        GraphProto.Builder pruned = graph.toBuilder().clearNode().clearOutput().clearInitializer().clearValueInfo()
                .clearInput();
        int liveNodes = 0;
        for (int i = 0; i < nodes.size(); i++) {
            if (live[i]) {
                pruned.addNode(nodes.get(i));
                liveNodes++;
            }
        }
        graph.getOutputList().stream().filter(o -> kept.contains(o.getName())).forEach(pruned::addOutput);
        // Inputs the caller feeds stay; an input that only names a dropped initializer (older exports) goes with it.
        graph.getInputList().stream().filter(i -> !initializers.contains(i.getName()) || needed.contains(i.getName()))
                .forEach(pruned::addInput);
        for (TensorProto t : graph.getInitializerList()) {
            if (needed.contains(t.getName())) {
                pruned.addInitializer(t);
            }
        }
        graph.getValueInfoList().stream().filter(v -> needed.contains(v.getName())).forEach(pruned::addValueInfo);
        return new Pruned(model.toBuilder().setGraph(pruned).build(), kept, nodes.size(), liveNodes);
    }

    private static boolean hasSubgraph(NodeProto node) {
        // GRAPHS (10) is not in this project's subset of onnx.proto, so by number.
        return node.getAttributeList().stream().anyMatch(a -> a.getType() == AttributeProto.AttributeType.GRAPH
                || a.getTypeValue() == 10);
    }
}
