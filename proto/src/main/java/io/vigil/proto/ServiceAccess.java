package io.vigil.proto;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Who may do what on the broker: one principal per service, each allowed exactly the topics, consumer groups and
 * transactional ids it uses, so one service's credentials cannot write another's topic (only the alert-sink writes
 * events and reviews); KEDA only reads offsets; the trainer only reads footage. The local broker's ACLs
 * ({@code vigil-local --secure}) and the cluster's Strimzi {@code KafkaUser}s are this table, and a test holds the
 * manifests to it. Plain data: no Kafka types.
 */
public final class ServiceAccess {

    public enum Resource {
        TOPIC, GROUP, TRANSACTIONAL_ID
    }

    public enum Pattern {
        LITERAL, PREFIXED
    }

    /** Kafka's ACL operations that Vigil grants (Strimzi spells them Read, Write, Describe, All). */
    public enum Operation {
        READ, WRITE, DESCRIBE, ALL
    }

    /** Operations on one resource (a name, or every name with that prefix). */
    public record Grant(Resource resource, String name, Pattern pattern, Set<Operation> operations) {
        public Grant {
            operations = Set.copyOf(operations);
        }
    }

    /** A user name on the broker and everything it may do. */
    public record Principal(String user, List<Grant> grants) {
    }

    public static final String FRAME_INGEST = "vigil-frame-ingest";
    public static final String OBJECT_DETECTOR = "vigil-object-detector";
    public static final String SEQUENCE_ASSEMBLER = "vigil-sequence-assembler";
    /**
     * The sequence-assembler deployed to score in its own process: the same application (its group, state and
     * transactional ids), writing scores instead of sequences, so neither deployment can write the other's topic.
     */
    public static final String SCORING_ASSEMBLER = "vigil-scoring-assembler";
    public static final String ANOMALY_SCORER = "vigil-anomaly-scorer";
    public static final String ALERT_SINK = "vigil-alert-sink";
    public static final String MODEL_TRAINER = "vigil-model-trainer";
    /** The autoscaler: consumer lag only. */
    public static final String KEDA = "vigil-keda";

    private static final Set<Operation> READ = EnumSet.of(Operation.READ, Operation.DESCRIBE);
    private static final Set<Operation> WRITE = EnumSet.of(Operation.WRITE, Operation.DESCRIBE);

    private ServiceAccess() {
    }

    /** Every principal, services first (in pipeline order), then the trainer and KEDA. */
    public static List<Principal> all() {
        return List.of(
                new Principal(FRAME_INGEST, List.of(
                        // Where it stopped before: its camera's last frame (assigned, no group).
                        topic(Topics.FRAMES, READ), topic(Topics.FRAMES, WRITE), topic(Topics.DEAD_LETTER, WRITE))),
                loopService(OBJECT_DETECTOR, Topics.FRAMES, Topics.DETECTIONS),
                streamsService(SEQUENCE_ASSEMBLER, List.of(Topics.FRAMES, Topics.DETECTIONS), List.of(Topics.SEQUENCES)),
                loopService(ANOMALY_SCORER, Topics.SEQUENCES, Topics.OBJECT_SCORES),
                streamsService(SCORING_ASSEMBLER, SEQUENCE_ASSEMBLER, List.of(Topics.FRAMES, Topics.DETECTIONS),
                        List.of(Topics.OBJECT_SCORES)),
                // The stream, the event view and clips (assigned), the webhook's loop and the reviews.
                streamsService(ALERT_SINK, List.of(Topics.DETECTIONS, Topics.OBJECT_SCORES, Topics.FRAMES,
                        Topics.FRAME_SCORES, Topics.ANOMALY_EVENTS), List.of(Topics.FRAME_SCORES, Topics.ANOMALY_EVENTS)),
                new Principal(MODEL_TRAINER, List.of(topic(Topics.FRAMES, READ), topic(Topics.ANOMALY_EVENTS, READ))),
                new Principal(KEDA, List.of(
                        topic(Topics.FRAMES, Set.of(Operation.DESCRIBE)), topic(Topics.DETECTIONS, Set.of(Operation.DESCRIBE)),
                        topic(Topics.SEQUENCES, Set.of(Operation.DESCRIBE)),
                        topic(Topics.OBJECT_SCORES, Set.of(Operation.DESCRIBE)),
                        group(OBJECT_DETECTOR, Set.of(Operation.DESCRIBE)), group(SEQUENCE_ASSEMBLER, Set.of(Operation.DESCRIBE)),
                        group(ANOMALY_SCORER, Set.of(Operation.DESCRIBE)), group(ALERT_SINK, Set.of(Operation.DESCRIBE)))));
    }

    public static Optional<Principal> of(String user) {
        return all().stream().filter(p -> p.user().equals(user)).findFirst();
    }

    /**
     * A consume-process-produce service ({@code TransactionalLoop}): its group and transactional ids are named after
     * it (group {@code user}, ids {@code user-instance-i}).
     */
    private static Principal loopService(String user, String in, String out) {
        return new Principal(user, List.of(topic(in, READ), topic(out, WRITE), topic(Topics.DEAD_LETTER, WRITE),
                group(user, Set.of(Operation.READ)), transactionalIds(user + "-")));
    }

    /**
     * A Kafka Streams service whose application id is {@code user}: its group, its internal topics and its
     * transactional ids all start with that id.
     */
    private static Principal streamsService(String user, List<String> in, List<String> out) {
        return streamsService(user, user, in, out);
    }

    /** A Kafka Streams service whose application id is {@code applicationId}, as user {@code user}. */
    private static Principal streamsService(String user, String applicationId, List<String> in, List<String> out) {
        List<Grant> grants = new java.util.ArrayList<>();
        in.forEach(t -> grants.add(topic(t, READ)));
        out.forEach(t -> grants.add(topic(t, WRITE)));
        grants.add(topic(Topics.DEAD_LETTER, WRITE));
        grants.add(new Grant(Resource.TOPIC, applicationId + "-", Pattern.PREFIXED, Set.of(Operation.ALL)));
        grants.add(new Grant(Resource.GROUP, applicationId, Pattern.PREFIXED, Set.of(Operation.READ)));
        grants.add(transactionalIds(applicationId + "-"));
        return new Principal(user, grants);
    }

    private static Grant topic(String name, Set<Operation> operations) {
        return new Grant(Resource.TOPIC, name, Pattern.LITERAL, operations);
    }

    private static Grant group(String name, Set<Operation> operations) {
        return new Grant(Resource.GROUP, name, Pattern.LITERAL, operations);
    }

    private static Grant transactionalIds(String prefix) {
        return new Grant(Resource.TRANSACTIONAL_ID, prefix, Pattern.PREFIXED, WRITE);
    }
}
