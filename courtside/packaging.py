"""Build the Lambda deployment inputs without Docker: a dependency layer and a source directory.

`python -m courtside.packaging` (also `make layer`) produces

- ``build/layer/python/``: manylinux x86_64 wheels for CPython 3.11 of the runtime dependencies the Lambda runtime
  does not ship (boto3 is in the runtime and deliberately left out), installed with ``pip --target``;
- ``build/lambda_src/``: a copy of ``courtside/`` and ``functions/``, the code asset every Courtside function
  shares (handlers are ``functions/<name>/handler.handler``).

Both are shipped with bytecode (``__pycache__/*.cpython-311.pyc``, unchecked-hash): ``/var/task`` and ``/opt`` are
read-only in Lambda, so without it every cold start compiles every imported module from source (pydantic,
Powertools and ``courtside`` alike) and can never cache the result. Unchecked-hash .pyc files do not depend on
file timestamps (zip extraction changes them), so the bytecode is used as is; they are written only when the build
runs on CPython 3.11, the runtime's version (another interpreter's bytecode would be ignored by the runtime).

The CDK app (``infra/``) uses these directories when they exist and falls back to a placeholder asset otherwise,
so ``cdk synth`` and the infra tests never need the network.
"""

from __future__ import annotations

import argparse
import compileall
import py_compile
import shutil
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
BUILD_DIR = REPO_ROOT / "build"
LAYER_DIR = BUILD_DIR / "layer"
SRC_DIR = BUILD_DIR / "lambda_src"

#: Runtime dependencies shipped in the layer (boto3/botocore come with the Lambda Python runtime).
LAYER_REQUIREMENTS: tuple[str, ...] = (
    "aws-lambda-powertools",
    "isal",
    "msgspec",
    "pybase64",
    "pydantic",
    "pydantic-settings",
)
#: Source trees copied into the code asset.
SOURCE_PACKAGES: tuple[str, ...] = ("courtside", "functions")
LAMBDA_PYTHON_VERSION = "3.11"
LAMBDA_PLATFORM = "manylinux2014_x86_64"
_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo", ".pytest_cache", ".ruff_cache")


def pip_command(target: Path, requirements: tuple[str, ...] = LAYER_REQUIREMENTS) -> list[str]:
    """The pip invocation that installs Linux x86_64 CPython 3.11 wheels into ``target`` (binary wheels only)."""
    return [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--target",
        str(target),
        "--platform",
        LAMBDA_PLATFORM,
        "--only-binary=:all:",
        "--python-version",
        LAMBDA_PYTHON_VERSION,
        "--implementation",
        "cp",
        "--upgrade",
        *requirements,
    ]


def build_layer(layer_dir: Path = LAYER_DIR) -> Path:
    """(Re)build the dependency layer; returns the layer root (the directory holding ``python/``)."""
    if layer_dir.exists():
        shutil.rmtree(layer_dir)
    target = layer_dir / "python"
    target.mkdir(parents=True)
    subprocess.run(pip_command(target), check=True)
    for cache in target.rglob("__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)  # pip's timestamp-based bytecode: replaced by unchecked-hash
    compile_bytecode(target)
    return layer_dir


def compile_bytecode(root: Path) -> bool:
    """Write unchecked-hash bytecode for every module under `root`; False (nothing written) unless this is the
    Lambda runtime's Python version."""
    if f"{sys.version_info.major}.{sys.version_info.minor}" != LAMBDA_PYTHON_VERSION:
        version = sys.version.split()[0]
        print(f"not compiling bytecode: building with Python {version}, Lambda runs {LAMBDA_PYTHON_VERSION}")
        return False
    ok = compileall.compile_dir(
        str(root), quiet=2, workers=1, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH
    )
    return bool(ok)


def copy_sources(src_dir: Path = SRC_DIR, repo_root: Path = REPO_ROOT) -> Path:
    """(Re)create the code asset directory with ``courtside/`` and ``functions/``."""
    if src_dir.exists():
        shutil.rmtree(src_dir)
    src_dir.mkdir(parents=True)
    for name in SOURCE_PACKAGES:
        source = repo_root / name
        if source.is_dir():
            shutil.copytree(source, src_dir / name, ignore=_IGNORE)
    compile_bytecode(src_dir)
    return src_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-layer", action="store_true", help="only copy the sources (no pip, no network)")
    args = parser.parse_args(argv)
    src = copy_sources()
    print(f"lambda sources -> {src.relative_to(REPO_ROOT)}")
    if not args.skip_layer:
        layer = build_layer()
        print(f"dependency layer -> {layer.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
