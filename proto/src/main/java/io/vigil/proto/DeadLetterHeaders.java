package io.vigil.proto;

/**
 * Header names of a record on {@link Topics#DEAD_LETTER}. The record keeps the original key and value bytes;
 * these headers say why it was rejected and where it came from.
 */
public final class DeadLetterHeaders {

    /** Human-readable reason, UTF-8. */
    public static final String REASON = "vigil.dlq.reason";
    /** The service that rejected the record, e.g. {@code frame-ingest}. */
    public static final String STAGE = "vigil.dlq.stage";
    /** Topic the record was read from, or the source URI where it never was a record. */
    public static final String SOURCE = "vigil.dlq.source";
    public static final String SOURCE_PARTITION = "vigil.dlq.source-partition";
    public static final String SOURCE_OFFSET = "vigil.dlq.source-offset";
    /** Class name of the exception, when there was one. */
    public static final String EXCEPTION = "vigil.dlq.exception";

    private DeadLetterHeaders() {
    }
}
