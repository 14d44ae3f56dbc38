"""Hatch build hook: compiles the layout walk in C (``ingest/_walk.c`` → ``ingest/_walk<EXT_SUFFIX>``) when a wheel
is built, editable (``pip install -e .``: the module lands beside its source, which the editable install puts on
``sys.path``) or not (the module goes into the wheel, which is then tagged for this interpreter and platform).

A failed compile (no C compiler, no Python headers) is a warning, never an error: ``ingest`` then runs the Python
walk, with the same results (``ingest/fastwalk.py``). ``FAZHI_NO_C_WALK=1`` skips the compile.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import subprocess
import sysconfig
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def source_hash(folder: Path) -> str:
    """The same digest as ``ingest.fastwalk.source_hash`` (which this build step cannot import: no selectolax
    here), compiled into the module so that a module built from other sources is refused."""
    digest = hashlib.sha256()
    for path in sorted([*folder.glob("_walk*.c"), *folder.glob("_walk*.h")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def compile_walk(source: Path, target: Path) -> str | None:
    """Build the extension module; ``None`` when it was built, else why not."""
    ldshared = sysconfig.get_config_var("LDSHARED")
    include = sysconfig.get_paths().get("include")
    if not ldshared or not include or not Path(include, "Python.h").is_file():
        return "no C toolchain configuration or Python headers for this interpreter"
    command = [
        *shlex.split(ldshared),
        f'-DWALK_SOURCE_HASH="{source_hash(source.parent)}"',
        *shlex.split(sysconfig.get_config_var("CCSHARED") or ""),
        "-O2",
        "-fwrapv",
        "-fno-strict-aliasing",
        "-Wall",
        f"-I{include}",
        str(source),
        "-o",
    ]
    partial = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        done = subprocess.run(  # noqa: S603 - the interpreter's own compiler command, no shell
            [*command, str(partial)], capture_output=True, text=True, timeout=300, check=False
        )
        if done.returncode != 0:
            return (done.stderr or done.stdout or f"exit status {done.returncode}").strip()[-2000:]
        os.replace(partial, target)  # whole or not at all: a running process may import it
    except (OSError, subprocess.SubprocessError) as exc:
        return repr(exc)
    finally:
        partial.unlink(missing_ok=True)
    return None


class WalkBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        source = Path(self.root, "ingest", "_walk.c")
        target = source.with_name("_walk" + (sysconfig.get_config_var("EXT_SUFFIX") or ".so"))
        if os.environ.get("FAZHI_NO_C_WALK", "0") not in ("", "0"):
            target.unlink(missing_ok=True)  # an earlier build's module would still run
            return
        failed = compile_walk(source, target)
        if failed is not None:
            target.unlink(missing_ok=True)  # never the old module beside new sources
            self.app.display_warning(f"ingest._walk not built, the Python walk will run: {failed}")
            return
        if version != "editable":  # the built module is git-ignored: named here to be packed
            build_data["force_include"][str(target)] = f"ingest/{target.name}"
            build_data["pure_python"] = False
            build_data["infer_tag"] = True
