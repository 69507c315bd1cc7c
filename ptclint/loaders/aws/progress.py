"""Progress on stderr while collecting (accounts and Regions done, calls, gaps), drawn only when
stderr is a terminal; otherwise quiet."""

from __future__ import annotations

import sys
import threading
from typing import TextIO


class Progress:
    def __init__(self, enabled: bool, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self._lock = threading.Lock()
        self.accounts = self.accounts_done = 0
        self.registries = self.registries_done = 0
        self.calls = 0
        self.gaps = 0

    def call(self) -> None:
        with self._lock:
            self.calls += 1
        if self.calls % 20 == 0:
            self.draw()

    def account_done(self) -> None:
        with self._lock:
            self.accounts_done += 1
        self.draw()

    def registry_done(self, gaps: int) -> None:
        with self._lock:
            self.registries_done += 1
            self.gaps += gaps
        self.draw()

    def draw(self, end: str = "") -> None:
        if not self.enabled:
            return
        with self._lock:
            width = 24
            done = self.registries_done / self.registries if self.registries else 0.0
            bar = "#" * int(done * width)
            self.stream.write(f"\rptclint: [{bar:<{width}}] accounts {self.accounts_done}/{self.accounts}, "
                              f"regions {self.registries_done}/{self.registries}, {self.calls} calls, "
                              f"{self.gaps} gaps{end}")
            self.stream.flush()

    def finish(self) -> None:
        self.draw(end="\n")
