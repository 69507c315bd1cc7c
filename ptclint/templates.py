"""Creation-template and prefix analysis for rules, in plain Python (exposed to CEL by ptclint.cel)."""

from __future__ import annotations

from typing import Any, Callable

FUNCTIONS: dict[str, Callable[..., Any]] = {}
