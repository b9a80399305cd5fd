"""Type stubs of tifa's native module (the Rust engine)."""

from typing import Any, Optional, Sequence

Layers = list[list[tuple[str, str]]]

class LexiconError(ValueError):
    """A lexicon that does not load: every problem as ``file:line:column: message``."""

class Match:
    """An occurrence of a term (an outermost span of an accepted form)."""

    byte_start: int
    byte_end: int
    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int
    page: int
    end_page: int
    matched: str
    id: str
    term: str

class Finding:
    """A problem ``check`` reports."""

    byte_start: int
    byte_end: int
    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int
    page: int
    end_page: int
    rule: str
    severity: str
    message: str
    matched: str
    suggestion: Optional[str]
    id: Optional[str]

class Engine:
    @staticmethod
    def embedded() -> Engine: ...
    @staticmethod
    def from_paths(paths: Sequence[str], default: bool = True) -> Engine: ...
    @staticmethod
    def from_sources(layers: Layers, default: bool = True) -> Engine: ...
    @staticmethod
    def rebuild(default: bool, layers: Layers, fingerprint: str) -> Engine: ...
    @staticmethod
    def rebuilt_count() -> int: ...
    def source(self) -> tuple[bool, Layers]: ...
    @property
    def version(self) -> str: ...
    def __len__(self) -> int: ...
    def entries_json(self) -> str: ...
    def lookup_json(
        self, query: str, category: Optional[str] = None, in_definitions: bool = False
    ) -> str: ...
    def scan(self, text: str) -> list[Match]: ...
    def count(self, text: str) -> dict[str, int]: ...
    def count_detail(self, text: str) -> list[tuple[str, int, int]]: ...
    def check(self, text: str, lang: str = "zh", path: str = "<text>") -> list[Finding]: ...
    def fix(self, text: str, path: str = "<text>") -> str: ...
    def annotate(self, text: str, format: str = "html", path: str = "<text>") -> str: ...
    def scan_batch(self, texts: list[str], threads: Optional[int] = None) -> list[list[Match]]: ...
    def count_batch(
        self, texts: list[str], threads: Optional[int] = None, total: bool = False
    ) -> Any: ...
    def check_batch(
        self, texts: list[str], threads: Optional[int] = None, lang: str = "zh"
    ) -> list[list[Finding]]: ...
    def arrow(
        self,
        what: str,
        offsets: bytes,
        data: bytes,
        offset: int,
        length: int,
        large: bool,
        validity: Optional[bytes] = None,
        names: Optional[list[str]] = None,
        threads: Optional[int] = None,
        lang: str = "zh",
        columns: bool = True,
    ) -> tuple[Any, list[tuple[int, str]]]: ...
