package io.vigil.proto.serde;

import org.apache.kafka.common.errors.SerializationException;

/** A payload that is not a valid message of the expected type; the message names where it was read. */
public class MalformedMessageException extends SerializationException {

    public MalformedMessageException(String message, Throwable cause) {
        super(message, cause);
    }
}
