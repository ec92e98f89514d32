"""The labels users read, from the catalogue the owning services define in their contracts.

Each owner declares its vocabularies as enums in `proto/qingshan/<owner>/v1/labels.proto`, every
value carrying its code and its Chinese label as options (`proto/qingshan/labels/v1`). This
module reads them, so the owner's domain, notify's templates and the console's pages show the
same words and none keeps a copy. Pure data: no I/O, nothing but the generated descriptors.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

from google.protobuf.descriptor import EnumDescriptor

from qingshan.complaints.v1 import labels_pb2 as complaints
from qingshan.labels.v1 import labels_pb2 as options
from qingshan.projects.v1 import labels_pb2 as projects
from qingshan.risk.v1 import labels_pb2 as risk

# Every catalogue file; a vocabulary is named "<owner>.<Enum>", e.g. "complaints.Channel".
_FILES = {"complaints": complaints, "risk": risk, "projects": projects}


@cache
def vocabularies() -> Mapping[str, Mapping[str, str]]:
    """Every vocabulary by name, each as code → label in the order the owner declares them."""
    out: dict[str, Mapping[str, str]] = {}
    for owner, module in _FILES.items():
        for name, enum in module.DESCRIPTOR.enum_types_by_name.items():
            out[f"{owner}.{name}"] = MappingProxyType(_codes(enum))
    return MappingProxyType(out)


def labels_of(vocabulary: str) -> Mapping[str, str]:
    """One vocabulary's code → label, e.g. `labels_of("complaints.Channel")["12369"]`."""
    return vocabularies()[vocabulary]


def label_of(vocabulary: str, code: str) -> str:
    """The label of one code; KeyError for a code the owner does not define."""
    return vocabularies()[vocabulary][code]


def _codes(enum: EnumDescriptor) -> dict[str, str]:
    """code → label of an enum's values, the UNSPECIFIED zero value left out."""
    out: dict[str, str] = {}
    for value in enum.values:
        if value.number == 0:
            continue
        opts = value.GetOptions()
        # The generated stubs type an extension as a plain FieldDescriptor; both are strings.
        code: str = opts.Extensions[options.code]  # type: ignore[index]
        zh: str = opts.Extensions[options.zh]  # type: ignore[index]
        if not code or not zh:
            raise ValueError(f"{enum.full_name}.{value.name} has no code or label")
        out[code] = zh
    return out
