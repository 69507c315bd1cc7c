"""IAM policy analysis for rules, in plain Python (exposed to CEL by ptclint.cel).

Rules call these instead of spelling policy logic out in CEL: cel-python walks long
expressions slowly, and one helper here is easier to test than forty lines of CEL.
"""

from __future__ import annotations

from typing import Any, Callable

FUNCTIONS: dict[str, Callable[..., Any]] = {}
