"""Parse the registry seed lists (text handed in) into domain objects."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from enum import StrEnum

from risk.domain.errors import ValidationError


@dataclass(frozen=True, slots=True)
class SoilKeyEnterprise:
    """An entry of 专栏7 土壤污染防治重点监控企业 (the seed has no credit codes)."""

    no: int
    name: str
    list_name: str


class ParkRiskLevel(StrEnum):
    """The plan's four-step park risk scale (not HJ 941's three enterprise levels)."""

    SLIGHT = "轻微"
    MINOR = "较小"
    GENERAL = "一般"
    MAJOR = "较大"

    @property
    def english(self) -> str:
        """The English word the seed uses."""
        return self.name.lower()

    @property
    def rank(self) -> int:
        """0 (轻微) to 3 (较大)."""
        return list(ParkRiskLevel).index(self)


@dataclass(frozen=True, slots=True)
class ParkCluster:
    """One of the industrial park clusters (组团) and its environmental risk level."""

    name: str
    main_industries: tuple[str, ...]
    risk_level: ParkRiskLevel


def _rows(text: str, columns: tuple[str, ...], what: str) -> list[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if tuple(reader.fieldnames or ()) != columns:
        raise ValidationError(what, f"表头应为{','.join(columns)}", f"header must be {columns}")
    rows = [
        (line, {k: (v or "").strip() for k, v in row.items()})
        for line, row in enumerate(reader, start=2)
    ]
    for line, row in rows:
        empty = [c for c in columns if not row.get(c)]
        if empty:
            raise _err(what, line, f"缺少{empty}", f"missing {empty}")
    return rows


def _err(what: str, line: int, zh: str, en: str) -> ValidationError:
    return ValidationError(f"{what}.line{line}", f"第{line}行：{zh}", f"line {line}: {en}")


def parse_soil_key_enterprises(text: str) -> tuple[SoilKeyEnterprise, ...]:
    """soil_key_supervised_enterprises.csv → entries, numbered 1..n without gaps."""
    what = "soil_key_enterprises"
    result: list[SoilKeyEnterprise] = []
    for line, row in _rows(text, ("no", "name", "list"), what):
        if not re.fullmatch(r"[0-9]+", row["no"]) or int(row["no"]) != len(result) + 1:
            raise _err(what, line, f"序号应为{len(result) + 1}", f"no should be {len(result) + 1}")
        if any(e.name == row["name"] for e in result):
            raise _err(what, line, f"企业{row['name']}重复", "duplicate enterprise")
        result.append(SoilKeyEnterprise(int(row["no"]), row["name"], row["list"]))
    return tuple(result)


def parse_park_clusters(text: str) -> tuple[ParkCluster, ...]:
    """industrial_park_clusters.csv → clusters; the Chinese and English levels must agree."""
    what = "park_clusters"
    columns = ("cluster", "main_industries", "environmental_risk_level", "risk_level_en")
    result: list[ParkCluster] = []
    for line, row in _rows(text, columns, what):
        try:
            level = ParkRiskLevel(row["environmental_risk_level"])
        except ValueError as exc:
            raise _err(what, line, "风险等级应为轻微/较小/一般/较大", "unknown level") from exc
        if level.english != row["risk_level_en"]:
            raise _err(what, line, "中英文风险等级不一致", "Chinese and English levels disagree")
        if any(c.name == row["cluster"] for c in result):
            raise _err(what, line, f"组团{row['cluster']}重复", "duplicate cluster")
        industries = tuple(i.strip() for i in row["main_industries"].split("、") if i.strip())
        result.append(ParkCluster(row["cluster"], industries, level))
    return tuple(result)
