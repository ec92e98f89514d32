"""危险废物转移联单编号: 14 digits = year (4) + province (2) + city (2) + serial (6)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from risk.domain.errors import ValidationError

# GB/T 2260 province-level codes (移出地省级行政区划代码), a closed and stable list.
PROVINCE_CODES = frozenset(
    (  # noqa: SIM905 - compact, easy to check against GB/T 2260
        "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
        "50 51 52 53 54 61 62 63 64 65 71 81 82"
    ).split()
)
# Electronic manifests date from the 2000s; anything outside this window is a typo.
MIN_YEAR, MAX_YEAR = 2000, 2099
_DIGITS = re.compile(r"^[0-9]{14}$")


@dataclass(frozen=True, slots=True, order=True)
class ManifestNumber:
    """A well-formed manifest number (危险废物转移管理办法 附: 联单编号规则)."""

    value: str

    @classmethod
    def parse(cls, raw: str) -> ManifestNumber:
        """Validate shape, year, province and the non-zero city and serial parts."""
        text = raw.strip()
        if not _DIGITS.match(text):
            raise ValidationError(
                "manifest_number",
                f"联单编号应为14位数字，实际为{raw!r}",
                f"a manifest number is 14 digits, got {raw!r}",
            )
        year, province, city, serial = int(text[:4]), text[4:6], text[6:8], text[8:]
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValidationError(
                "manifest_number",
                f"第1–4位年份{year}不合理",
                f"year part {year} is outside {MIN_YEAR}–{MAX_YEAR}",
            )
        if province not in PROVINCE_CODES:
            raise ValidationError(
                "manifest_number",
                f"第5–6位{province}不是省级行政区划代码",
                f"positions 5–6 ({province}) are not a province code",
            )
        if city == "00":
            raise ValidationError(
                "manifest_number",
                "第7–8位设区的市级行政区划代码不能为00",
                "positions 7–8 (city code) cannot be 00",
            )
        if serial == "000000":
            raise ValidationError(
                "manifest_number", "流水号不能为000000", "the serial cannot be 000000"
            )
        return cls(text)

    @property
    def year(self) -> int:
        """年份代码."""
        return int(self.value[:4])

    @property
    def province(self) -> str:
        """移出地省级行政区划代码."""
        return self.value[4:6]

    @property
    def city(self) -> str:
        """移出地设区的市级行政区划代码."""
        return self.value[6:8]

    @property
    def serial(self) -> str:
        """流水号 within the city."""
        return self.value[8:]

    def __str__(self) -> str:
        return self.value
