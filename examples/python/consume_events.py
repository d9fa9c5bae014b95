#!/usr/bin/env python3
"""Reads Vigil's anomaly events from vigil.anomaly-events and prints one line per event.

Debian: apt-get install python3-confluent-kafka python3-protobuf protobuf-compiler
Classes: protoc --python_out=gen -I <vigil>/proto/src/main/proto <vigil>/proto/src/main/proto/vigil/v1/*.proto
Run:     PYTHONPATH=gen /usr/bin/python3 consume_events.py --bootstrap localhost:9092 [--from-beginning] [--max N]

What a downstream reader needs to know (docs/operations.md, "Reading vigil.anomaly-events"):
- the key is the camera id, so one camera's events are in one partition, in order;
- read with isolation.level=read_committed: the alert-sink writes in transactions, exactly once;
- an event goes OPEN, then UPDATE (its span or peak grew), CLOSED, and REVIEWED when an operator reviews it; the same
  event_id ("camera:startFrame") comes back in each state, so keep the latest per event_id (idempotent upsert).
"""
import argparse
import sys

from confluent_kafka import Consumer, KafkaError
from google.protobuf.message import DecodeError

from vigil.v1 import events_pb2

TOPIC = "vigil.anomaly-events"


def state_name(value):
    # A newer schema may add states: print the number rather than fail.
    try:
        return events_pb2.AnomalyEvent.State.Name(value)
    except ValueError:
        return f"STATE_{value}"


def describe(event):
    state = state_name(event.state)
    shares = ", ".join(f"{cue} {share:.0%}" for cue, share in sorted(event.cue_shares.items(), key=lambda c: -c[1]))
    return (f"{state} {event.event_id} camera={event.camera_id} frames={event.start_frame_index}..{event.end_frame_index}"
            f" peak={event.peak_frame_index} score={event.peak_score:.2f} cause={event.cause or '-'}"
            + (f" cues=[{shares}]" if shares else ""))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", default="localhost:9092")
    parser.add_argument("--group", default="vigil-example-consumer")
    parser.add_argument("--camera", help="only this camera's events (the record key)")
    parser.add_argument("--from-beginning", action="store_true", help="read the topic from its start")
    parser.add_argument("--max", type=int, default=0, help="stop after this many events (0: run until Ctrl-C)")
    parser.add_argument("--idle-seconds", type=float, default=0, help="stop after this long without an event")
    args = parser.parse_args()

    consumer = Consumer({
        "bootstrap.servers": args.bootstrap,
        "group.id": args.group,
        "isolation.level": "read_committed",
        "auto.offset.reset": "earliest" if args.from_beginning else "latest",
        "enable.auto.commit": True,
    })
    consumer.subscribe([TOPIC])
    seen, idle = 0, 0.0
    try:
        while args.max == 0 or seen < args.max:
            message = consumer.poll(1.0)
            if message is None:
                idle += 1.0
                if args.idle_seconds and idle >= args.idle_seconds:
                    break
                continue
            if message.error():
                if message.error().code() != KafkaError._PARTITION_EOF:
                    print(f"error: {message.error()}", file=sys.stderr)
                continue
            idle = 0.0
            key = message.key().decode("utf-8", "replace") if message.key() else ""
            if args.camera and key != args.camera:
                continue
            if not message.value():
                # A null or empty value is no event (a tombstone, or a bad write): skip it, as the stages do.
                print(f"skipped an empty record at {message.topic()}/{message.partition()}@{message.offset()}",
                      file=sys.stderr)
                continue
            event = events_pb2.AnomalyEvent()
            try:
                event.ParseFromString(message.value())
            except DecodeError as e:
                # Not an AnomalyEvent: skip it, as Vigil's own stages do (they dead-letter it), and go on.
                print(f"skipped an undecodable record at {message.topic()}/{message.partition()}@{message.offset()}: {e}",
                      file=sys.stderr)
                continue
            print(describe(event), flush=True)
            seen += 1
    finally:
        consumer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
