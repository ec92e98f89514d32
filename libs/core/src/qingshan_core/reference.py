"""Reference tables a service ships inside its own package (`<package>/data/<name>`), read with
`importlib.resources` so they are found in a checkout, a wheel and an image alike; a setting may
point at a replacement file instead.

A table the service needs and cannot read is a start-up failure that names the file
(`ReferenceDataMissing`): the service refuses to start rather than run without its data.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path


class ReferenceDataMissing(RuntimeError):
    """A reference table could not be read (or was refused); the message names the file."""

    def __init__(self, location: str, reason: str) -> None:
        self.location = location
        self.reason = reason
        super().__init__(f"reference data {location}: {reason}")


@dataclass(frozen=True)
class ReferenceTable:
    """One table: the package's own copy, unless `override` names another file."""

    package: str
    name: str
    override: Path | None = None

    @property
    def location(self) -> str:
        """Where the table is read from, as the error and the log name it."""
        if self.override is not None:
            return str(self.override)
        return f"{self.package}/data/{self.name} (package data)"

    def read_bytes(self) -> bytes:
        try:
            if self.override is not None:
                return self.override.read_bytes()
            return files(self.package).joinpath("data", self.name).read_bytes()
        except (OSError, ModuleNotFoundError) as exc:
            raise ReferenceDataMissing(self.location, f"cannot be read ({exc})") from exc

    def read_text(self) -> str:
        data = self.read_bytes()
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ReferenceDataMissing(self.location, f"is not UTF-8 text ({exc})") from exc

    def refused(self, reason: str) -> ReferenceDataMissing:
        """The error for a table that was read but whose content cannot be used."""
        return ReferenceDataMissing(self.location, reason)
