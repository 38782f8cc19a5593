"""The embedded store's fixes are pinned to one mongoeco release: any other fails loudly."""

from __future__ import annotations

import re

import pytest

from goalgetter.data import store_patches
from tests.servers import ROOT


def test_the_pinned_version_is_the_one_required():
    required = re.search(
        r"^mongoeco==(\S+)$", (ROOT / "requirements.txt").read_text(), flags=re.MULTILINE
    )
    assert required is not None
    assert required.group(1) == store_patches.PINNED_VERSION


def test_another_mongoeco_version_is_refused_at_start(monkeypatch):
    monkeypatch.setattr(store_patches, "installed_version", lambda name: "4.12.0")
    with pytest.raises(store_patches.UnsupportedStoreVersion, match=r"4\.11\.0.*4\.12\.0"):
        store_patches.apply()
