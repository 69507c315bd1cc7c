from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto import mock_aws

from .fakes import MOTO_CONFIG, Installed, installed


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch, tmp_path) -> Iterator[Installed]:
    """moto (STS, Organizations, IAM, Secrets Manager, KMS, EC2) plus FakeEcr and fault injection;
    no real credentials, no network, the working directory a scratch folder."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.chdir(tmp_path)
    with mock_aws(config=MOTO_CONFIG), installed() as state:
        yield state
