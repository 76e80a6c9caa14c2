"""MkDocs hooks (mkdocs.yml `hooks:`): the site shows the version and licence pyproject.toml
states in every page's footer, and the version wherever a page writes {{ version }}; it links the
repository if pyproject.toml names one ([project.urls] Repository, Source or Homepage)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def _project() -> dict[str, Any]:
    text = PYPROJECT.read_text()
    try:
        import tomllib
    except ImportError:  # Python 3.10: the two fields the site shows
        version = re.search(r'^version = "([^"]+)"', text, re.M)
        classifiers = re.findall(r'"(License :: [^"]+)"', text)
        return {"version": version.group(1) if version else "?", "classifiers": classifiers}
    return tomllib.loads(text)["project"]


def _licence(project: dict[str, Any]) -> str:
    """The licence the classifiers name (pyproject's `license` points at the LICENSE file)."""
    for c in project.get("classifiers", []):
        if c.startswith("License :: "):
            return c.rsplit(" :: ", 1)[1]
    return "see LICENSE"


def on_config(config: Any) -> Any:
    project = _project()
    config["copyright"] = f"fastpool {project['version']} · {_licence(project)}"
    urls = project.get("urls", {})
    repo = next((urls[k] for k in ("Repository", "Source", "Homepage") if k in urls), None)
    if repo and not config.get("repo_url"):
        config["repo_url"] = repo
    return config


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    return markdown.replace("{{ version }}", _project()["version"])
