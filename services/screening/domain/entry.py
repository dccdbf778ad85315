"""The entry as screening reads it (申报项目): category, fields, materials and district.

Screening does not validate an entry's shape (intake does that); it reads whatever is there.
A field that is absent or null reads as None, which the rules take as "not given yet".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

# The one media status that counts: anything short of `stored` (still uploading, being
# verified, rejected) is not yet a material the call can use.
from shared.catalog.vocabulary import STORED


@dataclass(frozen=True)
class Entry:
    """One entry to screen.

    `fields` is the entry body as in api.md (possibly a partial draft); `materials` maps a
    material kind to its media status (`awaiting_upload`, `verifying`, `stored`, `rejected`),
    a kind with no upload being absent. The mappings are read, never changed. `in_flight`
    names the kinds not stored yet whose upload, requested before the close, media has still
    to settle (see `evidence`).
    """

    category: str
    fields: Mapping[str, Any]
    materials: Mapping[str, str]
    district: str
    in_flight: frozenset[str] = field(default=frozenset())

    def get(self, path: str) -> Any:
        """The value at a dotted path (`ip.dispute`), or None when any step is absent."""
        value: Any = self.fields
        for key in path.split("."):
            if not isinstance(value, Mapping):
                return None
            value = value.get(key)
        return value

    def has_stored(self, kind: str) -> bool:
        """Whether a material of this kind has been uploaded and verified."""
        return self.materials.get(kind) == STORED

    def if_stored_in_flight(self) -> Entry:
        """The entry as it would be if media stored every material in flight."""
        stored = dict.fromkeys(self.in_flight, STORED)
        return replace(self, materials={**self.materials, **stored}, in_flight=frozenset())
