"""Write the documentation's reference tables from fastpool itself into docs/snippets/ (included
by docs/options.md, docs/env-ids.md and docs/api.md): make()'s arguments (its signature and
docstring), every env option of every family (the registry's defaults, and the values make()
accepts, read from the message make() gives for a value it refuses), every env id with its
observation and action spaces (made as a one-env pool), and the trainers' config fields (type,
default, range, the comment in the source). Needs fastpool installed with the `train` extra
(scripts/setup.sh); scripts/docs.sh runs it.

Usage: python scripts/docs_reference.py            write the snippets
       python scripts/docs_reference.py --check    exit 3 if the installed fastpool is not this tree's
"""

from __future__ import annotations

import dataclasses
import filecmp
import inspect
import io
import re
import sys
import tokenize
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "snippets"

# What each env option does (the defaults, types and ranges come from the code); a (family, option)
# entry is that family's.
OPTION_HELP = {
    "max_episode_steps": "steps after which an episode is truncated (`truncated`)",
    ("atari", "max_episode_steps"): "agent steps (each `frame_skip` frames) after which a game is truncated "
    "(`truncated`)",
    "frame_skip": "emulator frames per step, the action repeated and the rewards summed",
    "maxpool": "the observed frame is the pixel-wise maximum of the last two frames of a skip",
    "gray_scale": "gray frames (one channel); `False`: RGB, three channels",
    "img_height": "observed frame height (area resize of ALE's 210 x 160 screen)",
    "img_width": "observed frame width (area resize of ALE's 210 x 160 screen)",
    "stack_num": "frames stacked in an observation, channel-first (the first frame repeated at reset)",
    "noop_max": "a reset plays 1 to `noop_max` no-op steps (0: none)",
    "repeat_action_probability": "sticky actions: the probability that the emulator repeats the previous "
    "action in a frame",
    "episodic_life": "a lost life ends an episode (`terminated`) while spare lives remain; the game goes on "
    "at the next reset",
    "use_fire_reset": "a reset presses FIRE in games that need it to start",
    "reward_clip": 'rewards clipped to their sign (-1, 0, 1); `info["score"]` keeps the game\'s score',
    "full_action_space": "all 18 actions of the console instead of the game's minimal set",
    "mode": "the game mode (ALE's; `None`: the game's default)",
    "difficulty": "the game difficulty (ALE's; `None`: the game's default)",
    "obs_type": "what an observation is: the screen, or the console's RAM",
    "ram_info": 'the console\'s 128-byte RAM after each step in `info["ram"]` (`uint8`, `(n, 128)`), as '
    "EnvPool reports it, beside the screen",
}

FAMILY_TITLES = {"classic_control": "Classic control", "atari": "Atari"}


class _Refused:
    """A value no option accepts, so make() names what it accepts."""

    def __repr__(self) -> str:
        return "<refused>"


def _cell(text: str) -> str:
    """Text for a table cell: one line, big bounds as powers of two, pipes outside code escaped
    (inside a code span a pipe is text already)."""
    text = re.sub(r"\d{7,}", lambda m: _number(int(m.group())), " ".join(text.split()))
    parts = text.split("`")
    return "`".join(p if k % 2 else p.replace("|", "\\|") for k, p in enumerate(parts))


def _space(space: Any) -> str:
    """A gymnasium space as code, a Box's bounds written compactly (one number where all are equal)."""
    import numpy as np
    from gymnasium import spaces

    if not isinstance(space, spaces.Box):
        return str(space)

    def bound(a: Any) -> str:
        values = [f"{float(x):.6g}" for x in np.asarray(a).ravel()]
        return values[0] if len(set(values)) == 1 else f"[{', '.join(values)}]"

    return f"Box({bound(space.low)}, {bound(space.high)}, {space.shape}, {space.dtype})"


def installed_is_this_tree() -> bool:
    """True if the importable fastpool's Python files are those of python/fastpool/."""
    import fastpool

    installed = Path(fastpool.__file__).parent
    tree = ROOT / "python" / "fastpool"
    if installed.resolve() == tree.resolve():
        return True
    files = sorted(p.relative_to(tree) for p in tree.rglob("*.py*") if "__pycache__" not in p.parts)
    same = [filecmp.cmp(tree / f, installed / f, shallow=False) if (installed / f).exists() else False for f in files]
    return all(same)


def docstring_args(func: Any) -> dict[str, str]:
    """The Args section of a Google-style docstring: name -> description."""
    args: dict[str, str] = {}
    lines = inspect.getdoc(func).splitlines()
    try:
        start = lines.index("Args:") + 1
    except ValueError:
        return args
    name = None
    for line in lines[start:]:
        if line and not line.startswith(" "):
            break
        m = re.match(r"^ {4}(\*{0,2}\w+): (.*)$", line)
        if m:
            name = m.group(1).lstrip("*")
            args[name] = m.group(2)
        elif name and line.strip():
            args[name] += " " + line.strip()
    return args


def make_arguments() -> str:
    import fastpool

    sig = inspect.signature(fastpool.make)
    docs = docstring_args(fastpool.make)
    rows = ["| argument | type | default | what it does |", "|---|---|---|---|"]
    for p in sig.parameters.values():
        if p.kind is p.VAR_KEYWORD:
            rows.append(f"| `**{p.name}` | | | {_cell(docs.get(p.name, ''))} See [env options](#env-options). |")
            continue
        default = "required" if p.default is p.empty else f"`{_default_text(p.default)}`"
        rows.append(f"| `{p.name}` | {_cell(f'`{p.annotation}`')} | {default} | {_cell(docs.get(p.name, ''))} |")
    return "\n".join(rows) + "\n"


def _default_text(value: Any) -> str:
    if hasattr(value, "name") and type(value).__module__.startswith("gymnasium"):
        return f"{type(value).__name__}.{value.name}"  # an enum member, as code names it
    return repr(value)


def _entries() -> dict[str, list[tuple[Any, list[str]]]]:
    """family -> [(entry, its public ids, the canonical one first)], in list_envs() order."""
    from fastpool.registry import list_envs, resolve

    by_entry: dict[int, tuple[Any, list[str]]] = {}
    for name in list_envs():
        entry = resolve(name)
        by_entry.setdefault(id(entry), (entry, []))[1].append(name)
    families: dict[str, list[tuple[Any, list[str]]]] = defaultdict(list)
    for entry, names in sorted(by_entry.values(), key=lambda e: e[0].env_id.lower()):
        names.sort(key=lambda n: (n != entry.env_id, "/" in n, n))
        families[entry.family].append((entry, names))
    return families


def _game_name(names: list[str]) -> str | None:
    """The bare game name among an Atari entry's ids (Breakout for Breakout-v5's aliases)."""
    return next((n for n in names if "/" not in n and "-v" not in n), None)


def _pattern(entry: Any, games: dict[str, str]) -> str:
    """The id with the game's name replaced by <Game> (the id itself for envs without a game)."""
    game = games.get(entry.game or "")
    return entry.env_id.replace(game, "<Game>") if game else entry.env_id


def accepts(env_id: str, option: str) -> str:
    """What make() accepts for an option, as its refusal of a value no option takes says it."""
    import fastpool

    try:
        env = fastpool.make(env_id, num_envs=1, num_threads=1, seed=0, **{option: _Refused()})
    except (TypeError, ValueError) as e:
        message = str(e).split("\n")[0]
        m = re.match(rf"^{re.escape(option)} must be (.*?),? got ", message)
        if m:
            return m.group(1)
        return re.sub(r",? got .*$", "", message)
    env.close()
    return "any value (not checked)"


def env_options(families: dict[str, list[tuple[Any, list[str]]]]) -> str:
    out = []
    for family, entries in families.items():
        games = {e.game: g for e, names in entries if e.game and (g := _game_name(names))}
        options: dict[str, dict[str, list[str]]] = {}  # option -> default's repr -> id patterns
        for entry, _ in entries:
            for option, value in entry.defaults.items():
                patterns = options.setdefault(option, {}).setdefault(repr(value), [])
                pattern = _pattern(entry, games)
                if pattern not in patterns:
                    patterns.append(pattern)
        probe = entries[0][0].env_id
        out += [f"### {FAMILY_TITLES.get(family, family)}", ""]
        out += ["| option | default | accepts | what it does |", "|---|---|---|---|"]
        for option, values in options.items():
            if len(values) == 1:
                default = f"`{next(iter(values))}`"
            else:
                default = "; ".join(
                    f"`{v}` ({', '.join(f'`{p}`' for p in patterns)})" for v, patterns in values.items()
                )
            help_text = OPTION_HELP.get((family, option), OPTION_HELP.get(option))
            if help_text is None:
                print(f"docs_reference.py: no description of the option {option!r} in OPTION_HELP", file=sys.stderr)
            out.append(f"| `{option}` | {default} | {_cell(accepts(probe, option))} | {help_text or ''} |")
        out.append("")
    return "\n".join(out)


def env_ids(families: dict[str, list[tuple[Any, list[str]]]]) -> str:
    import fastpool

    out = []
    for family, entries in families.items():
        groups: dict[str, list[tuple[Any, list[str]]]] = defaultdict(list)  # a game's ids together
        for entry, names in entries:
            groups[entry.game or entry.env_id].append((entry, names))
        rows = []
        for group in groups.values():
            ids, obs_spaces, action_spaces = [], set(), set()
            for entry, names in group:
                ids += names
                env = fastpool.make(entry.env_id, num_envs=1, num_threads=1, seed=0)
                obs_spaces.add(_space(env.single_observation_space))
                action_spaces.add(_space(env.single_action_space))
                env.close()
            rows.append((ids, sorted(obs_spaces), sorted(action_spaces)))
        common_obs = {o for _, obs, _ in rows for o in obs}
        out += [f"## {FAMILY_TITLES.get(family, family)}", ""]
        if len(common_obs) == 1:
            out += [f"Every env below observes `{next(iter(common_obs))}` under the default options.", ""]
            out += [f"| ids ({len(rows)} {'games' if family == 'atari' else 'envs'}) | actions |", "|---|---|"]
            out += [f"| {', '.join(f'`{i}`' for i in ids)} | `{', '.join(a)}` |" for ids, _, a in rows]
        else:
            out += [f"| ids ({len(rows)} envs) | observation | actions |", "|---|---|---|"]
            out += [
                f"| {', '.join(f'`{i}`' for i in ids)} | `{', '.join(o)}` | `{', '.join(a)}` |" for ids, o, a in rows
            ]
        out.append("")
    return "\n".join(out)


def _number(x: Any) -> str:
    """A bound as people read it: 2^62, 2^32 - 1, inf."""
    if isinstance(x, int) and x >= 2**20:
        for k in range(20, 64):
            if x == 2**k:
                return f"2^{k}"
            if x == 2**k - 1:
                return f"2^{k} - 1"
    return "inf" if x == float("inf") else "-inf" if x == -float("inf") else repr(x)


def field_comments(cls: type) -> dict[str, str]:
    """The comment at the end of each field's line in a dataclass's source."""
    comments: dict[str, str] = {}
    source = inspect.getsource(cls)
    lines = source.splitlines()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            m = re.match(r"^    (\w+)\s*:", lines[tok.start[0] - 1])
            if m:
                comments[m.group(1)] = tok.string.lstrip("#").strip()
    return comments


def config_fields(cls: Any) -> str:
    """A trainer config's fields: type, default, what it accepts (its RANGES, else what validate()
    says of a value it refuses) and the comment its source gives it."""
    from fastpool.training.config import OPTIONAL

    comments = field_comments(cls)
    rows = ["| field | type | default | accepts | what it does |", "|---|---|---|---|---|"]
    for f in dataclasses.fields(cls):
        default = f.default if f.default is not dataclasses.MISSING else f.default_factory()  # type: ignore[misc]
        _, low, high = cls.RANGES.get(f.name, (None, None, None))
        if low is not None:
            accepts = f"[{_number(low)}, {_number(high)}]" + (" or `None`" if f.name in OPTIONAL else "")
        else:
            try:
                dataclasses.replace(cls(), **{f.name: _Refused()}).validate()
                accepts = ""
            except (TypeError, ValueError) as e:
                m = re.match(rf"^{re.escape(f.name)} must be (.*?),? got ", str(e))
                accepts = m.group(1) if m else ""
        comment = _cell(comments.get(f.name, ""))
        rows.append(f"| `{f.name}` | {_cell(f'`{f.type}`')} | `{default!r}` | {_cell(accepts)} | {comment} |")
    return "\n".join(rows) + "\n"


def main() -> None:
    if "--check" in sys.argv[1:]:
        sys.exit(0 if installed_is_this_tree() else 3)
    if not installed_is_this_tree():
        sys.exit("docs_reference.py: the installed fastpool is not this tree's: run scripts/setup.sh first")
    OUT.mkdir(parents=True, exist_ok=True)
    families = _entries()
    (OUT / "make_arguments.md").write_text(make_arguments())
    (OUT / "env_options.md").write_text(env_options(families))
    (OUT / "env_ids.md").write_text(env_ids(families))
    from fastpool.dqn import DQNConfig
    from fastpool.pqn import PQNConfig

    (OUT / "dqn_config.md").write_text(config_fields(DQNConfig))
    (OUT / "pqn_config.md").write_text(config_fields(PQNConfig))
    written = "make_arguments.md, env_options.md, env_ids.md, dqn_config.md, pqn_config.md"
    print(f"reference tables in {OUT.relative_to(ROOT)}: {written}")


if __name__ == "__main__":
    main()
