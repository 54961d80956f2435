"""The Lambda code asset ships unchecked-hash bytecode, so a cold start on read-only /var/task compiles nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from courtside.packaging import LAMBDA_PYTHON_VERSION, copy_sources

# Imports the prediction API modules from the asset and prints every module compiled from source meanwhile.
_SPY = """
import importlib._bootstrap_external as be
compiled = []
original = be.SourceLoader.source_to_code
def spy(self, data, path, *args, **kwargs):
    compiled.append(path)
    return original(self, data, path, *args, **kwargs)
be.SourceLoader.source_to_code = spy
import courtside.serving.api, courtside.serving.service, courtside.registry
assert courtside.serving.api.__file__.startswith({root!r}), courtside.serving.api.__file__
print([p for p in compiled if p.startswith({root!r})])
"""


@pytest.mark.skipif(
    f"{sys.version_info.major}.{sys.version_info.minor}" != LAMBDA_PYTHON_VERSION, reason="bytecode is per version"
)
def test_code_asset_imports_without_compiling(tmp_path: Path) -> None:
    root = copy_sources(tmp_path / "lambda_src")
    pyc = (
        root
        / "courtside"
        / "serving"
        / "__pycache__"
        / f"api.cpython-{sys.version_info.major}{sys.version_info.minor}.pyc"
    )
    flags = int.from_bytes(pyc.read_bytes()[4:8], "little")
    assert flags == 0b01  # hash-based, source not checked: valid whatever the extracted files' timestamps
    later = time.time() + 3600
    for source in root.rglob("*.py"):  # as after zip extraction: sources newer than their bytecode
        os.utime(source, (later, later))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run(
        [sys.executable, "-c", _SPY.format(root=str(root))],
        cwd=root,
        env={**env, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "[]", out.stdout
