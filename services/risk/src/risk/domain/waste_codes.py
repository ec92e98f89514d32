"""危险废物代码 `NNN-NNN-NN`: industry (行业代码), sequence, category (HWxx)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from risk.domain.errors import ValidationError

_CODE = re.compile(r"^([0-9]{3})-([0-9]{3})-([0-9]{2})$")
_CATEGORY = re.compile(r"^HW([0-9]{2})$")

# The categories of the 国家危险废物名录: HW01–HW40 and HW45–HW50. HW41–HW44 were retired in
# 2016 and have not come back; nothing above HW50 exists. Fixed by the list itself.
EXISTING_CATEGORIES = frozenset(
    [f"HW{n:02d}" for n in range(1, 41)] + [f"HW{n:02d}" for n in range(45, 51)]
)
MEDICAL_WASTE_CATEGORY = "HW01"

# 名录第六条: waste found hazardous by identification (鉴别) and matching no listed code is
# managed as 900-000-××, ×× being its category.
IDENTIFIED_WASTE_PREFIX = "900-000"


def category_exists(category: str) -> bool:
    """Whether HWxx is a category of the list."""
    return category in EXISTING_CATEGORIES


def parse_category(raw: str) -> str:
    """Normalise and check a category such as `HW08` (also accepts `hw8`)."""
    text = raw.strip().upper()
    match = _CATEGORY.match(text) or re.match(r"^HW([0-9])$", text)
    if match is None:
        raise ValidationError(
            "category", f"危险废物类别格式错误：{raw!r}", f"malformed category {raw!r} (HWxx)"
        )
    category = f"HW{int(match[1]):02d}"
    if not category_exists(category):
        raise ValidationError(
            "category",
            f"危险废物类别{category}不存在（HW41–HW44已取消，HW50之后不存在）",
            f"category {category} does not exist (HW41–HW44 retired, none above HW50)",
        )
    return category


@dataclass(frozen=True, slots=True, order=True)
class WasteCode:
    """A well-formed code of an existing category (not necessarily in a catalogue)."""

    value: str

    @classmethod
    def parse(cls, raw: str, field: str = "waste_code") -> WasteCode:
        """Check the `NNN-NNN-NN` shape and that the category exists."""
        text = raw.strip()
        match = _CODE.match(text)
        if match is None:
            raise ValidationError(
                field,
                f"危险废物代码格式应为NNN-NNN-NN（8位数字），实际为{raw!r}",
                f"a hazardous waste code is NNN-NNN-NN (8 digits), got {raw!r}",
            )
        category = f"HW{match[3]}"
        if not category_exists(category):
            raise ValidationError(
                field,
                f"代码{text}的类别{category}不存在（HW41–HW44已取消，HW50之后不存在）",
                f"code {text}: category {category} does not exist "
                "(HW41–HW44 retired, none above HW50)",
            )
        return cls(text)

    @property
    def industry(self) -> str:
        """行业代码 (first three digits, GB/T 4754 based; 900 = 非特定行业)."""
        return self.value[:3]

    @property
    def sequence(self) -> str:
        """废物顺序代码 (middle three digits)."""
        return self.value[4:7]

    @property
    def category(self) -> str:
        """废物类别 HWxx (last two digits)."""
        return f"HW{self.value[-2:]}"

    @property
    def is_medical(self) -> bool:
        """Whether the code is medical waste (HW01)."""
        return self.category == MEDICAL_WASTE_CATEGORY

    @property
    def is_identified_waste(self) -> bool:
        """Whether this is the 900-000-×× code for waste classified by identification."""
        return self.value.startswith(IDENTIFIED_WASTE_PREFIX + "-")

    def __str__(self) -> str:
        return self.value
