"""Every Python example in the documentation (docs/**/*.md) and the README runs, each in its own
process, so the docs cannot rot. An example whose imports are not installed here (RLlib, EnvPool
outside their environments) is skipped, naming what is missing."""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^```python[^\n]*\n(.*?)^```", re.S | re.M)


# What fastpool's own modules and options need beyond its core dependencies (its extras), so an
# example is skipped, not failed, where an extra is not installed (a wheel tested bare)
EXTRAS = {"fastpool.dqn": "torch", "fastpool.pqn": "torch", "fastpool.training": "torch", "fastpool.sb3": "torch"}
OPTIONS = {'backend="ray"': "ray"}


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _examples() -> list:
    params = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        for k, code in enumerate(FENCE.findall(page.read_text())):
            tree = ast.parse(code)  # a syntax error fails collection, naming the page
            modules = sorted(
                {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
                | {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
            )
            name = f"{page.relative_to(ROOT).with_suffix('')}-{k + 1}"
            needs = modules + [dep for module, dep in EXTRAS.items() if any(_within(m, module) for m in modules)]
            needs += [dep for option, dep in OPTIONS.items() if option in code]
            params.append(pytest.param(code, list(dict.fromkeys(needs)), id=f"{name}[{','.join(modules)}]"))
    return params


def _missing(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is None
    except ImportError:  # a parent package is missing, or its own imports fail
        return True


@pytest.mark.parametrize("code, needs", _examples())
def test_example_runs(code, needs, tmp_path):
    missing = [m for m in needs if _missing(m)]
    if missing:
        pytest.skip(f"needs {', '.join(missing)}")
    script = tmp_path / "example.py"  # a file, as users run it (subprocess start methods re-import it)
    script.write_text(code)
    # Ray's state of its own (a short path: Ray's socket paths must fit 107 bytes), so an example
    # never joins, or waits on, a cluster that RAY_ADDRESS or a stale `ray start` file names
    ray_tmp = tempfile.mkdtemp(prefix="ray-")
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"} | {"RAY_TMPDIR": ray_tmp}
    try:
        out = subprocess.run(
            [sys.executable, str(script)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    finally:
        shutil.rmtree(ray_tmp, ignore_errors=True)
    assert out.returncode == 0, f"the example failed:\n{code}\n--- stderr ---\n{out.stderr[-3000:]}"


def test_every_page_is_in_the_navigation():
    nav = (ROOT / "mkdocs.yml").read_text()
    docs = ROOT / "docs"
    # docs/snippets/ holds generated tables that pages include, not pages
    pages = {p.relative_to(docs).as_posix() for p in docs.rglob("*.md") if p.parent != docs / "snippets"}
    assert pages and all(page in nav for page in pages), sorted(p for p in pages if p not in nav)


def test_the_site_the_package_and_the_citation_name_one_version():
    pyproject = (ROOT / "pyproject.toml").read_text()
    version = re.search(r'^version = "([^"]+)"', pyproject, re.M).group(1)
    citation = re.search(r"^version: (\S+)$", (ROOT / "CITATION.cff").read_text(), re.M).group(1)
    import fastpool

    assert citation == version == fastpool.__version__


def test_the_options_reference_states_every_option_and_what_it_accepts():
    spec = importlib.util.spec_from_file_location("docs_reference", ROOT / "scripts" / "docs_reference.py")
    reference = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(reference)
    from fastpool.registry import list_envs, resolve

    table = reference.env_options(reference._entries())
    rows = {line.split("|")[1].strip(" `"): line.split("|") for line in table.splitlines() if line.startswith("| `")}
    options = {name for env_id in list_envs() for name in resolve(env_id).defaults}
    assert set(rows) == options
    for name, row in rows.items():
        accepts = row[3].strip()
        assert accepts and "not checked" not in accepts, (name, accepts)


def test_the_readme_states_what_the_saved_results_say():
    """The README's measured lines are generated from benchmarks/results/: a new result without
    `python scripts/docs_tables.py` leaves them stale, and this fails."""
    spec = importlib.util.spec_from_file_location("docs_tables", ROOT / "scripts" / "docs_tables.py")
    tables = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tables)
    readme = tables.outputs()[ROOT / "README.md"]
    assert readme == (ROOT / "README.md").read_text(), "run python scripts/docs_tables.py"
    block = readme.split(tables.README_START)[1].split(tables.README_END)[0]
    assert block.count("\n- **") >= 3, block


def _atari_defaults_table() -> dict[str, list[str]]:
    """option -> [fastpool, EnvPool, ale-py] cells of the Atari page's defaults table."""
    page = (ROOT / "docs" / "envs" / "atari.md").read_text()
    section = page.split("## Options and defaults", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        names = re.findall(r"`(\w+)`", cells[0]) if line.startswith("| `") else []
        for name in names:
            rows[name] = [c.replace("**", "") for c in cells[1:]]
    return rows


def _first_value(cell: str) -> str:
    """The value a cell starts with, numbers in one form (0 and 0.0 alike)."""
    value = re.match(r"[\w.]+(?: x \d+)?", cell).group(0)
    return repr(float(value)) if re.fullmatch(r"\d+(\.\d+)?", value) else value


def test_the_atari_defaults_table_states_fastpools_and_ale_pys_defaults():
    """The table beside the peers is typed prose: each default it states is read back from the
    code (fastpool's registry, ale-py's AtariVectorEnv signature) so it cannot drift."""
    import inspect

    from ale_py.vector_env import AtariVectorEnv

    from fastpool.registry import ATARI_DEFAULTS

    rows = _atari_defaults_table()
    ale = {k: p.default for k, p in inspect.signature(AtariVectorEnv.__init__).parameters.items()}
    ale_name = {"frame_skip": "frameskip", "gray_scale": "grayscale", "reward_clip": "reward_clipping",
                "max_episode_steps": "max_num_frames_per_episode"}  # fmt: skip
    checked = 0
    for option, (ours, _envpool, theirs) in rows.items():
        if option in ("img_height", "img_width"):
            assert _first_value(ours) == f"{ATARI_DEFAULTS['img_height']} x {ATARI_DEFAULTS['img_width']}"
            assert _first_value(theirs) == f"{ale['img_height']} x {ale['img_width']}"
        elif option == "ram_info":  # fastpool's only: ale-py's vector env does not offer it
            assert _first_value(ours) == str(ATARI_DEFAULTS[option]) and theirs == "not offered"
        elif option in ATARI_DEFAULTS and option not in ("mode", "difficulty", "obs_type"):
            assert _first_value(ours) == _first_value(str(ATARI_DEFAULTS[option])), option
            name = ale_name.get(option, option)
            assert _first_value(theirs) == _first_value(str(ale[name])), (option, theirs, ale[name])
        else:
            continue
        checked += 1
    assert checked >= 12, rows
