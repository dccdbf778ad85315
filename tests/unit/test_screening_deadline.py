"""The deadline judged on evidence (`services.screening.domain.evidence` and the state at the
close): a material counts when it was requested before the close and uploaded within its slot,
by media's own times, not by when screening reads the events."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from services.screening.domain.evidence import in_flight, in_time, stamped, statuses
from services.screening.domain.screening import screen
from services.screening.domain.tracked import Tracked, as_entry, fold
from shared.calls import call_closes
from tests.entries import full_body

BEIJING = timezone(timedelta(hours=8))
CLOSES = datetime(2021, 11, 2, 23, 59, 59, tzinfo=BEIJING)
SID = "7f0c5e8e-0000-4000-8000-000000000002"


def at(hh: int, mm: int, ss: int = 0, day: int = 2) -> datetime:
    return datetime(2021, 11, day, hh, mm, ss, tzinfo=BEIJING)


def submitted(category: str = "achievement") -> Tracked:
    tracked = Tracked(SID)
    tracked = fold(tracked, "SubmissionDrafted", {
        "submission_id": SID, "district": "巴州区", "call_id": "tianfu-2021",
        "category": category, "fields": full_body(category),
    }, at(10, 0))  # fmt: skip
    return fold(tracked, "SubmissionSubmitted", {"submission_id": SID}, at(10, 1))


def material(
    tracked: Tracked, kind: str, requested: datetime, *steps: tuple[str, datetime]
) -> Tracked:
    """A material of `kind` requested at `requested` (an hour's slot), then each (event, time)."""
    material_id = f"{kind}-{requested.isoformat()}"
    ids = {"submission_id": SID, "kind": kind, "material_id": material_id}
    requested_data = ids | {"filename": f"{kind}.pdf", "size": 1,
                            "expires_at": (requested + timedelta(hours=1)).isoformat()}  # fmt: skip
    tracked = fold(tracked, "MaterialRequested", requested_data, requested)
    for event_type, when in steps:
        tracked = fold(tracked, event_type, ids, when)
    return tracked


def stored(tracked: Tracked, kind: str, requested: datetime, done: datetime) -> Tracked:
    return material(tracked, kind, requested, ("MaterialUploaded", done), ("MediaStored", done))


def complete_but(*kinds: str, category: str = "achievement") -> Tracked:
    """A submitted entry with every material stored well before the close, but `kinds`."""
    tracked = submitted(category)
    for kind in ("promo_video", "introduction", "proof"):
        if kind not in kinds:
            tracked = stored(tracked, kind, at(9, 0), at(9, 5))
    return tracked


def state(tracked: Tracked, closed: bool) -> str:
    return screen(as_entry(tracked, CLOSES), window_closed=closed).state


# -- which material counts ----------------------------------------------------------------


def test_media_events_carry_their_times_onto_the_material() -> None:
    tracked = stored(submitted(), "proof", at(23, 58), at(23, 59, 30))
    (item,) = tracked.materials
    assert item["requested_at"] == at(23, 58).isoformat()
    assert item["uploaded_at"] == at(23, 59, 30).isoformat()
    assert item["expires_at"] == (at(23, 58) + timedelta(hours=1)).isoformat()
    assert item["status"] == "stored"


def test_an_event_of_unknown_time_changes_no_time() -> None:
    items = [{"material_id": "a", "kind": "proof", "status": "verifying"}]
    assert stamped(items, "MaterialUploaded", {"material_id": "a"}, None) == items


@pytest.mark.parametrize(
    "requested, expected",
    [
        (at(23, 58), True),
        (at(23, 59, 59), True),  # the notice's last whole second still counts
        (at(23, 59, 59) + timedelta(milliseconds=999), True),
        (at(0, 0, 0, day=3), False),
        (at(9, 0, 0, day=4), False),
    ],
)
def test_a_material_is_in_time_when_requested_before_the_close(
    requested: datetime, expected: bool
) -> None:
    item = {"requested_at": requested.isoformat()}
    assert in_time(item, CLOSES) is expected


def test_an_upload_completed_after_its_slot_ended_is_not_in_time() -> None:
    item = {"requested_at": at(23, 0).isoformat(), "expires_at": at(23, 30).isoformat()}
    assert in_time(item | {"uploaded_at": at(23, 30).isoformat()}, CLOSES)
    assert not in_time(item | {"uploaded_at": at(23, 30, 1).isoformat()}, CLOSES)


def test_a_material_followed_before_times_were_kept_counts_as_it_did() -> None:
    old = {"material_id": "a", "kind": "proof", "status": "stored"}
    assert in_time(old, CLOSES)
    assert statuses([old], CLOSES) == {"proof": "stored"}


def test_a_material_requested_after_the_close_is_as_if_never_requested() -> None:
    tracked = stored(complete_but("proof"), "proof", at(0, 5, day=3), at(0, 6, day=3))
    assert "proof" not in statuses(tracked.materials, CLOSES)
    assert in_flight(tracked.materials, CLOSES) == frozenset()
    # Without a known close (a call no longer in the calls file) it counts.
    assert statuses(tracked.materials, None)["proof"] == "stored"


def test_a_late_replacement_does_not_take_the_place_of_a_material_in_time() -> None:
    tracked = material(complete_but("proof"), "proof", at(23, 0), ("MaterialUploaded", at(23, 1)))
    tracked = stored(tracked, "proof", at(0, 5, day=3), at(0, 6, day=3))
    assert statuses(tracked.materials, CLOSES)["proof"] == "verifying"
    assert in_flight(tracked.materials, CLOSES) == {"proof"}


# -- the entry at the close -----------------------------------------------------------------


def test_an_entry_missing_a_proof_at_the_close_is_ineligible_and_a_late_proof_never_revives_it(
) -> None:  # fmt: skip
    tracked = complete_but("proof")
    assert state(tracked, closed=False) == "incomplete"
    assert state(tracked, closed=True) == "ineligible"
    late = stored(tracked, "proof", at(9, 0, day=4), at(9, 5, day=4))
    assert state(late, closed=True) == "ineligible"


def test_an_upload_requested_at_2358_and_verified_at_0003_counts_and_never_excludes() -> None:
    tracked = complete_but("promo_video")
    requested = material(tracked, "promo_video", at(23, 58))
    uploading = material(tracked, "promo_video", at(23, 58), ("MaterialUploaded", at(0, 1, day=3)))
    done = material(tracked, "promo_video", at(23, 58), ("MaterialUploaded", at(0, 1, day=3)),
                    ("MediaStored", at(0, 3, day=3)))  # fmt: skip
    # At the close, and whenever screening reads the events after it: never ineligible.
    assert state(requested, closed=True) == "incomplete"
    assert state(uploading, closed=True) == "incomplete"
    assert state(done, closed=True) == "in_review"


@pytest.mark.parametrize("outcome", ["MediaRejected", "MaterialExpired"])
def test_a_material_in_flight_at_the_close_that_media_turns_down_excludes_the_entry(
    outcome: str,
) -> None:
    tracked = material(complete_but("proof"), "proof", at(23, 58))
    assert state(tracked, closed=True) == "incomplete"
    ids = {"submission_id": SID, "kind": "proof", "material_id": f"proof-{at(23, 58).isoformat()}"}
    settled = fold(tracked, outcome, ids | {"reason": "损坏"}, at(0, 58, day=3))
    assert state(settled, closed=True) == "ineligible"


def test_a_material_in_flight_does_not_hold_an_entry_it_could_not_complete() -> None:
    # The video is on its way, but the proof was never asked for: nothing can complete it.
    tracked = material(complete_but("promo_video", "proof"), "promo_video", at(23, 58))
    assert state(tracked, closed=True) == "ineligible"
    # Nor a kind the category does not ask for (a challenge takes no proof).
    challenge = material(complete_but("promo_video", category="challenge"), "proof", at(23, 58))
    assert state(challenge, closed=True) == "ineligible"


def test_a_fail_is_not_held_by_a_material_in_flight() -> None:
    tracked = material(complete_but("proof"), "proof", at(23, 58))
    widely = full_body("achievement") | {"deployment": "widely_deployed"}
    tracked = fold(
        tracked, "SubmissionUpdated", {"submission_id": SID, "fields": widely}, at(12, 0)
    )
    assert state(tracked, closed=True) == "ineligible"


def test_the_close_of_an_entry_is_the_calls_own_until_extensions_exist() -> None:
    from shared.calls import load

    call = load(None)["tianfu-2021"]
    assert call_closes(call, "巴州区", SID) == call.closes == CLOSES
