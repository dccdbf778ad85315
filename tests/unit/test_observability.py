"""Correlation ids: parsed strictly, kept apart between concurrent workers (eventlet green
threads, as nameko runs them), and carried into the events a worker appends."""

import uuid

import eventlet

from shared import observability
from shared.catalog import submission
from shared.events import new_event


def test_a_uuid_is_taken_with_or_without_dashes_and_anything_else_is_replaced() -> None:
    given = uuid.uuid4()
    assert observability.correlation_from(str(given)) == given
    assert observability.correlation_from(given.hex) == given
    for bad in (None, "", "<script>", "1" * 5000):
        made = observability.correlation_from(bad)
        assert isinstance(made, uuid.UUID) and made.version == 4


def test_concurrent_workers_each_keep_their_own_correlation_in_the_events_they_make() -> None:
    def worker(mine: uuid.UUID) -> uuid.UUID:
        observability.correlation.set(mine)
        eventlet.sleep(0.01)  # let the other workers run and set theirs
        data = {"submission_id": str(uuid.uuid4()), "district": "巴州区", "call_id": "demo",
                "category": "finance", "fields": {"title": "题"}}  # fmt: skip
        return new_event(submission.SubmissionDrafted, "submission-x", data).correlation_id

    ids = [uuid.uuid4() for _ in range(20)]
    pool = eventlet.GreenPool()
    assert list(pool.imap(worker, ids)) == ids
    assert observability.correlation.get() is None  # nothing leaked to the caller


def test_an_event_made_outside_any_request_starts_its_own_correlation() -> None:
    data = {"submission_id": str(uuid.uuid4()), "district": "巴州区", "call_id": "demo",
            "category": "finance", "fields": {"title": "题"}}  # fmt: skip
    event = new_event(submission.SubmissionDrafted, "submission-x", data)
    assert event.correlation_id == event.event_id
