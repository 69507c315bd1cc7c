"""What the collector builds once per run, whatever the number of accounts: botocore sessions (each
registers some 130 event handlers) and service models read from disk. Counted through the real boto3
clients of a collection of 11 accounts x 3 Regions; the cost of each is botocore CPU time under the GIL,
which is what kept `bench/live_latency.py` from its target (issue 10, "Done when" 5)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import botocore.loaders
import botocore.session
import pytest

from . import world as W
from .fakes import Installed
from .test_collect import ORG_FLAGS, ptclint


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Counter:
    """Counts of botocore sessions made and of service model files read, by service."""
    counts: Counter = Counter()
    real_init = botocore.session.Session.__init__
    real_load = botocore.loaders.JSONFileLoader.load_file

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        counts["sessions"] += 1
        real_init(self, *args, **kwargs)

    def load_file(self: Any, file_path: str) -> Any:
        parts = str(file_path).replace("\\", "/").split("/")
        if parts[-1] == "service-2":
            counts[f"model {parts[-3]}"] += 1
        return real_load(self, file_path)

    monkeypatch.setattr(botocore.session.Session, "__init__", init)
    monkeypatch.setattr(botocore.loaders.JSONFileLoader, "load_file", load_file)
    return counts


def test_one_session_and_each_service_model_read_once_for_many_accounts(aws: Installed, counted: Counter) -> None:
    W.build(aws.ecr, members=10)
    counted.clear()
    assumed = aws.calls.count("sts", "AssumeRole")  # the world's set-up assumes roles too
    code, _, err = ptclint("export", "-o", "snapshot.json", *ORG_FLAGS)
    assert code == 0, err
    assert aws.calls.count("sts", "AssumeRole") - assumed == 10  # ten assumed roles, each with its own clients
    assert counted["sessions"] == 1
    models = {key: n for key, n in counted.items() if key.startswith("model ")}
    assert models == {f"model {s}": 1 for s in ("sts", "organizations", "ecr", "secretsmanager", "iam")}
