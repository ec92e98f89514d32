"""Envelope: CloudEvents headers out, the same event back in."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from qingshan.testing.v1.testing_pb2 import SampleChanged
from qingshan_core.events import Envelope, EnvelopeError, dead_letter_topic, service_topic

pytestmark = pytest.mark.unit


def test_headers_carry_cloudevents_attributes_and_trace():
    msg = SampleChanged(aggregate_id="c-1", seq=3, note="噪声")
    env = Envelope.wrap(msg, source="/qingshan/complaints", subject="c-1", trace_id="ab" * 16)
    h = dict(env.headers())
    assert h["ce_specversion"] == b"1.0"
    assert h["ce_type"] == b"qingshan.testing.v1.SampleChanged"
    assert h["ce_source"] == b"/qingshan/complaints" and h["ce_subject"] == b"c-1"
    assert h["ce_id"] == env.id.encode() and h["content-type"] == b"application/protobuf"
    assert h["ce_traceparent"].startswith(b"00-" + b"ab" * 16 + b"-")
    assert env.key == b"c-1"


def test_round_trip_through_record_form():
    t = datetime(2026, 10, 8, 9, 30, tzinfo=UTC)
    env = Envelope.wrap(SampleChanged(aggregate_id="x", seq=1), source="/s", subject="x", time=t)
    back = Envelope.from_record(env.headers(), env.data)
    assert (back.id, back.type, back.subject, back.time, back.trace_id) == (
        env.id,
        env.type,
        env.subject,
        t,
        env.trace_id,
    )
    assert back.decode() == SampleChanged(aggregate_id="x", seq=1)


def test_round_trip_through_outbox_form():
    env = Envelope.wrap(SampleChanged(aggregate_id="x", seq=9), source="/s", subject="x")
    back = Envelope.from_outbox(env.to_outbox("qingshan.x.v1"))
    assert back == env


def test_missing_headers_are_refused_by_name():
    with pytest.raises(EnvelopeError, match="ce_id, ce_source, ce_type, ce_time"):
        Envelope.from_record([], b"")


def test_unknown_type_and_garbage_payload_are_refused():
    env = Envelope.wrap(SampleChanged(aggregate_id="x"), source="/s", subject="x")
    unknown = Envelope.from_record(
        [(k, b"qingshan.nope.v1.Nothing" if k == "ce_type" else v) for k, v in env.headers()],
        env.data,
    )
    with pytest.raises(EnvelopeError, match="unknown event type"):
        unknown.decode()
    garbage = Envelope.from_record(env.headers(), b"\xff\xff\xff")
    with pytest.raises(EnvelopeError, match="not a valid"):
        garbage.decode()


def test_topic_names():
    assert service_topic("risk") == "qingshan.risk.v1"
    assert dead_letter_topic("qingshan.notify.dispatch") == "qingshan.notify.dispatch.dlt"
