"""Chinese labels for the codes events carry, used by templates through the `label` filter.

The codes belong to the services that send the events, and so do their labels: they come from
the owners' catalogue (qingshan_core.labels, proto/qingshan/<owner>/v1/labels.proto), never from
a copy here; notify's own codes are labelled in notify.domain.labels.
"""

from __future__ import annotations

from notify.domain.labels import OWN
from qingshan_core.labels import vocabularies

# The vocabularies a bare `|label` looks in, in this order: a code in two of them takes the
# first one's label ("reply" is the stage 答复 before the platform step 回复). A template that
# means another names it: `{{ data.step|label("complaints.PlatformStep") }}`.
VOCABULARIES = (
    "complaints.Stage",
    "complaints.AlertLevel",
    "complaints.UrgeLevel",
    "complaints.PlatformStep",
    "complaints.Channel",
    "complaints.Category",
    "complaints.Rate",
    "risk.IncidentGrade",
    "projects.Stage",
)


def label(code: object, vocabulary: str | None = None) -> str:
    """The Chinese label of a code, or the code itself when it has none."""
    text = str(code)
    if isinstance(code, bool):
        text = "true" if code else "false"
    for name in (vocabulary,) if vocabulary else VOCABULARIES:
        # A vocabulary no owner defines labels nothing: the code stands.
        found = vocabularies().get(name, {}).get(text)
        if found is not None:
            return found
    return OWN.get(text, text)
