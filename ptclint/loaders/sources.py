"""Sources: what a loader reads. A file (parsed once, on first use, whichever loader asks) or a
unit a loader assembles from several files (a Terraform module directory)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ptclint import parsing
from ptclint.errors import InputError

TagHandler = Callable[[str, Any], Any]


class Source:
    """An input to load. `named`: given on the command line (an unrecognised named input is an
    error); otherwise found by walking a directory (skipped unless it looks PTC-related)."""

    def __init__(self, path: str, named: bool) -> None:
        self.path = path
        self.named = named

    def texts(self, max_bytes: int) -> Iterable[str]:
        """The text to sniff for PTC-related content."""
        raise NotImplementedError

    def readable(self, max_bytes: int) -> bool:
        """Whether a source found by walking can be read at all (FIFOs, devices and oversized files cannot)."""
        return True


class FileSource(Source):
    """One JSON or YAML file; its text and parsed document are read once and shared by every loader
    that asks whether it claims the file."""

    def __init__(self, path: str, named: bool, max_bytes: int, yaml_tags: TagHandler | None = None) -> None:
        super().__init__(path, named)
        self.max_bytes = max_bytes
        self.yaml_tags = yaml_tags
        self._text: str | None = None
        self._document: parsing.Document | None = None

    def readable(self, max_bytes: int) -> bool:
        path = Path(self.path)
        return path.is_file() and path.stat().st_size <= max_bytes  # a FIFO found by walking would block

    def text(self) -> str:
        if self._text is None:
            self._text = parsing.read_text(self.path, self.max_bytes)
        return self._text

    def texts(self, max_bytes: int) -> Iterable[str]:
        return [self.text()]

    def document(self) -> parsing.Document:
        if self._document is None:
            self._document = self._parse(self.text())
        return self._document

    def _parse(self, text: str) -> parsing.Document:
        path = self.path
        if path.endswith(".json"):
            return parsing.parse_json(path, text)
        if path.endswith((".yaml", ".yml", ".template")) or text.lstrip()[:1] not in ("{", "["):
            return self._parse_yaml(text)
        return parsing.parse_json(path, text)

    def _parse_yaml(self, text: str) -> parsing.Document:
        doc = parsing.parse_yaml(self.path, text, tag_handler=self.yaml_tags)
        if doc.data is None and not doc.positions:  # no YAML node at all, as a blank .json is "empty file" too
            raise InputError(self.path, "empty file (only comments)" if text.strip() else "empty file")
        return doc



def document(source: Source) -> parsing.Document:
    """The parsed document of a file source (what JSON and YAML loaders read)."""
    if not isinstance(source, FileSource):
        raise TypeError(f"{source.path}: not a file source")
    return source.document()


class TextSource(FileSource):
    """A document that is not (yet) a file: a live collection held in memory, or stdin. Read like a
    file of that name; findings name `path`."""

    def __init__(self, path: str, text: str, max_bytes: int, yaml_tags: TagHandler | None = None) -> None:
        super().__init__(path, True, max_bytes, yaml_tags)
        self._text = text

    def readable(self, max_bytes: int) -> bool:
        return True
