"""Seeded scenario mutations, shared by the fuzz test (tests/scenario/test_fuzz.py) and the larger
fuzz run (bench/fuzz_scenarios.py, which imports this file by its path).

Case ``i`` of seed ``s`` is a pure function of ``(s, i)``: any case a run reports can be rebuilt
alone with :func:`make_case`. Mutations start from the built-in scenario and the small test
scenarios and are applied to the parsed data (type swaps, extreme numbers, wrong units, unicode,
deleted keys, deep nesting, long strings and lists) or to the text (duplicated keys and lines,
anchors and aliases, alias bombs, truncation, character edits). Every case stays under the size
bound. Test tooling, kept out of the package.
"""

from __future__ import annotations

import copy
import math
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

try:
    from yaml import CSafeDumper as _Dumper
except ImportError:  # pragma: no cover
    from yaml import SafeDumper as _Dumper  # type: ignore[assignment]

SEED = 20_2026  # the fuzz test's named seed (issue 20)

_DATA = Path(__file__).resolve().parents[1] / "data"


def _sources() -> dict[str, str]:
    from skyshield.scenario.loader import builtin_scenario_text, builtin_scenarios

    out = {name: builtin_scenario_text(name) for name in builtin_scenarios()}
    for name in ("aar_small", "mc_small"):
        out[name] = (_DATA / f"{name}.yaml").read_text(encoding="utf-8")
    return out


SOURCES = _sources()
_PARSED = {name: yaml.safe_load(text) for name, text in SOURCES.items()}
CATALOGUE_FILE = "extra-catalogue.yaml"


def _default_catalogue() -> Any:
    from skyshield.scenario.catalogue import builtin_catalogue_path

    return yaml.safe_load(builtin_catalogue_path().read_text(encoding="utf-8"))


_CATALOGUE = _default_catalogue()


@dataclass(frozen=True)
class Case:
    index: int
    source: str  # the scenario it started from
    ops: tuple[str, ...]  # the mutations applied, in order
    text: str
    catalogue: str | None = None  # a user catalogue file (a mutated copy of the built-in one)


# --- values --------------------------------------------------------------------------------------

_UNITS = ["m", "km", "ft", "nmi", "s", "min", "h", "km/h", "kn", "m/s", "deg", "dB", "m2",
          "MSL", "AGL", "parsecs", "furlongs", "KM", "°", "s/m", "m AGL", "km MSL", ""]
_NUMBERS: list[Any] = [0, -1, 1, -0.0, 0.5, 1e-9, -1e-9, 1e6, -1e6, 1e9, 1e18, 2**31, 2**53 + 1,
                       2**63, 2**64, -(2**63) - 1, 10**30, 1e308, -1e308, 5e-324, math.inf,
                       -math.inf, math.nan]
_NUMBER_TEXT = ["1e999", "-1e999", ".inf", "-.inf", ".nan", "NaN", "0x10", "0o17", "1_000",
                "1:30", "1e-320", "5.", ".5", "+5", "--5", "5e", "", " "]
_STRINGS = ["", " ", "~", "null", "yes", "no", "on", "2019-10-01", "2019-10-25T08:00:00Z",
            "s400_battalion", "pantsir_s1", "kub_m", "mig29", "cruise_missile_subsonic",
            "weapons_free", "weapons_tight", "hold", "base", "batajnica", "belgrade", "neva",
            "Бранко", "ракета", "導彈", "ميزائل", "é\u0301", "\u202eevil", "\u200b", "😀" * 3,
            "a\tb", "<<", "@x: y", "../../../escaped", "/etc/passwd", "CON", "a" * 300,
            "nope.yaml", "x/" * 100 + "c.yaml", "-", "#", ":", "{}", "[]"]


def _number(rng: random.Random) -> Any:
    r = rng.random()
    if r < 0.5:
        return rng.choice(_NUMBERS)
    if r < 0.8:
        return rng.choice([rng.randint(-10**6, 10**6), rng.uniform(-1e4, 1e4),
                           rng.uniform(-90, 90)])
    return rng.choice(_NUMBER_TEXT)


def _quantity(rng: random.Random) -> str:
    x = _number(rng)
    return f"{x}{rng.choice(['', ' ', '  ', chr(9)])}{rng.choice(_UNITS)}"


def _scalar(rng: random.Random) -> Any:
    r = rng.random()
    if r < 0.3:
        return _number(rng)
    if r < 0.55:
        return _quantity(rng)
    if r < 0.9:
        return rng.choice(_STRINGS)
    return rng.choice([None, True, False])


def _value(rng: random.Random, depth: int = 0) -> Any:
    r = rng.random()
    if depth > 2 or r < 0.6:
        return _scalar(rng)
    if r < 0.8:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {_key(rng): _value(rng, depth + 1) for _ in range(rng.randint(0, 4))}


_KEYS = ["lat", "lon", "alt", "speed", "start", "type", "target", "waypoints", "to", "from",
         "via", "count", "spacing", "units", "raids", "threats", "assets", "friendlies",
         "catalogue", "loadout", "doctrine", "salvo", "reserve", "value", "radius", "roe",
         "duration", "truth_interval", "cycle", "seed", "origin", "emcon", "mode", "jam_from",
         "terrain_grid", "terrain_elevation", "scoring", "lattitude", "Бранко", ""]


def _key(rng: random.Random) -> Any:
    r = rng.random()
    if r < 0.8:
        return rng.choice(_KEYS)
    return rng.choice([0, 1, -1, 2.5, None, True, "😀", "a b", "a.b", "x" * 200])


# --- structure-level mutations (on the parsed data) ----------------------------------------------

def _containers(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = []
    if isinstance(node, dict):
        out.append(path)
        for k, v in node.items():
            out.extend(_containers(v, (*path, k)))
    elif isinstance(node, list):
        out.append(path)
        for i, v in enumerate(node):
            out.extend(_containers(v, (*path, i)))
    return out


def _get(node: Any, path: tuple[Any, ...]) -> Any:
    for k in path:
        node = node[k]
    return node


def _swap_type(v: Any, rng: random.Random) -> Any:
    """A value of another type: a number for a string, a list for a mapping, ..."""
    choices: list[Any] = [_number(rng), rng.choice(_STRINGS), [v], {"x": v}, None, True, [], {}]
    if isinstance(v, str):
        choices += [[v, v], v.encode("utf-8", errors="replace").hex()]
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        choices += [str(v), f"{v} parsecs", [v]]
    return rng.choice(choices)


def _mutate_data(data: Any, rng: random.Random) -> str:
    """One mutation of ``data`` in place; returns its name."""
    paths = _containers(data)
    target = _get(data, rng.choice(paths))
    ops = ["delete", "swap", "number", "quantity", "value", "insert", "unicode", "deep",
           "long_string", "long_list", "empty", "rename", "duplicate_item", "catalogue"]
    op = rng.choice(ops)
    if op == "catalogue" and isinstance(data, dict):
        data["catalogue"] = [rng.choice(_STRINGS) for _ in range(rng.randint(0, 3))]
        return op
    if isinstance(target, dict):
        if not target or op == "insert":
            target[_key(rng)] = _value(rng)
            return "insert"
        key = rng.choice(list(target))
        v = target[key]
        if op == "delete":
            del target[key]
        elif op == "swap":
            target[key] = _swap_type(v, rng)
        elif op == "number":
            target[key] = _number(rng)
        elif op == "quantity":
            target[key] = _quantity(rng)
        elif op == "unicode":
            target[key] = rng.choice(["Бранко", "導彈", "😀", "é\u0301", "\u202e", "ميزائل"]) \
                + (v if isinstance(v, str) else "")
        elif op == "deep":
            for _ in range(rng.choice([5, 20, 60, 99, 150])):
                v = rng.choice([[v], {"a": v}])
            target[key] = v
        elif op == "long_string":
            target[key] = rng.choice(["a", "é", "Б", "1", " "]) * rng.choice([1000, 100_000])
        elif op == "long_list":
            n = rng.choice([100, 1000, 3000])
            target[key] = [copy.deepcopy(v) for _ in range(n)] if rng.random() < 0.5 \
                else [_scalar(rng)] * n
        elif op == "empty":
            target[key] = rng.choice([[], {}, "", None, 0])
        elif op == "rename":
            target[_key(rng)] = target.pop(key)
        elif op == "duplicate_item":
            target[key] = [copy.deepcopy(v), copy.deepcopy(v)]
        else:
            target[key] = _value(rng)
        return op
    if not target or op == "insert":  # a list
        target.insert(rng.randint(0, len(target)), _value(rng))
        return "insert"
    i = rng.randrange(len(target))
    if op == "delete":
        del target[i]
    elif op in ("duplicate_item", "rename"):
        target.insert(i, copy.deepcopy(target[i]))
    elif op == "long_list":
        target.extend(copy.deepcopy(target[i]) for _ in range(rng.choice([100, 1000])))
    elif op == "empty":
        target.clear()
    elif op == "swap":
        target[i] = _swap_type(target[i], rng)
    elif op == "number":
        target[i] = _number(rng)
    elif op == "quantity":
        target[i] = _quantity(rng)
    else:
        target[i] = _value(rng)
    return op


_QUANTITY = re.compile(r"^(-?[0-9.]+)(\s*[A-Za-z/°]*(?: (?:MSL|AGL))?)$")


def _leaves(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths of the numbers and quantity strings in ``node``."""
    out = []
    if isinstance(node, dict):
        items: Any = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    else:
        ok = (isinstance(node, (int, float)) and not isinstance(node, bool)) or \
            (isinstance(node, str) and _QUANTITY.match(node) is not None)
        return [path] if ok else []
    for k, v in items:
        out.extend(_leaves(v, (*path, k)))
    return out


def _scale(data: Any, rng: random.Random) -> str:
    """A mild mutation: one number (or a quantity's number) scaled, so that most such cases still
    validate and are run with odd but valid figures."""
    paths = _leaves(data)
    if not paths:
        return "scale"
    path = rng.choice(paths)
    parent = _get(data, path[:-1])
    v = parent[path[-1]]
    f = rng.choice([0, 0.001, 0.1, 0.5, 0.9, 1.1, 2, 10, 100, 1e4, -1])
    if isinstance(v, str):
        m = _QUANTITY.match(v)
        assert m is not None
        parent[path[-1]] = f"{float(m.group(1)) * f:g}{m.group(2)}"
    elif isinstance(v, int):
        parent[path[-1]] = int(v * f)
    else:
        parent[path[-1]] = v * f
    return "scale"


# --- text-level mutations ------------------------------------------------------------------------

_EDIT = list(":-{}[],#&*!|>'\"%@`?~ \t\n\r\\0123456789.e+") + [
    "\x00", "\x85", "\ufeff", "\u2028", "é", "km", "m/s", "- ", ": ", "  ", "\n  ", "!!binary ",
    "!!python/object:os.system ", "!!set ", "!!omap ", "&a ", "*a ", "<<: ", "---\n", "...\n"]


def _alias_bomb(rng: random.Random) -> str:
    levels, width = rng.choice([(5, 5), (9, 9), (12, 10)])
    out = ["_bomb0: &b0 [" + ", ".join(["lol"] * width) + "]\n"]
    for i in range(1, levels):
        out.append(f"_bomb{i}: &b{i} [" + ", ".join([f"*b{i - 1}"] * width) + "]\n")
    return "".join(out)


def _mutate_text(text: str, rng: random.Random) -> tuple[str, str]:
    ops = ["insert", "delete", "replace", "dup_line", "del_line", "indent", "truncate",
           "dup_key", "alias", "bomb", "swap_lines"]
    op = rng.choice(ops)
    lines = text.split("\n")
    j = rng.randrange(len(lines))
    i = rng.randint(0, len(text))
    if op == "insert":
        return op, text[:i] + rng.choice(_EDIT) + text[i:]
    if op == "delete":
        return op, text[:i] + text[i + rng.randint(1, 40):]
    if op == "replace":
        return op, text[:i] + rng.choice(_EDIT) + text[i + 1:]
    if op == "truncate":
        return op, text[:i]
    if op == "dup_line" or op == "dup_key":  # a duplicated key when the line holds one
        lines.insert(j, lines[j])
    elif op == "del_line":
        del lines[j]
    elif op == "indent":
        lines[j] = " " * rng.randint(1, 3) + lines[j]
    elif op == "swap_lines" and len(lines) > 1:
        k = rng.randrange(len(lines))
        lines[j], lines[k] = lines[k], lines[j]
    elif op == "alias":  # anchor one value and use it in place of another
        keyed = [n for n, ln in enumerate(lines) if ": " in ln and not ln.lstrip().startswith("#")]
        if len(keyed) >= 2:
            a, b = rng.sample(keyed, 2)
            head, _, val = lines[a].partition(": ")
            lines[a] = f"{head}: &anc {val}" if val.strip() else lines[a]
            hb, _, _ = lines[b].partition(": ")
            lines[b] = f"{hb}: *anc"
    elif op == "bomb":  # billion laughs, used by a field or by an unknown one
        bomb = _alias_bomb(rng)
        field = rng.choice(["description", "seed", "catalogue", "units", "threats", "raids",
                            "_unknown", "duration", "origin"])
        lines = [ln for ln in lines if not ln.startswith(f"{field}:")]
        n_last = len(bomb.strip().split("\n")) - 1
        lines.append(bomb + f"{field}: *b{n_last}")
    return op, "\n".join(lines)


# --- cases ---------------------------------------------------------------------------------------

def make_case(index: int, seed: int = SEED) -> Case:
    """Case ``index`` of the run seeded ``seed``."""
    rng = random.Random(f"{seed}:{index}")
    source = rng.choice(sorted(SOURCES))
    ops: list[str] = []
    r = rng.random()
    if r < 0.75:  # structure: mild (scaled numbers) or wild
        data = copy.deepcopy(_PARSED[source])
        for _ in range(rng.choice([1, 1, 1, 2, 3, 4])):
            ops.append(_scale(data, rng) if r < 0.3 else _mutate_data(data, rng))
        text = yaml.dump(data, Dumper=_Dumper, sort_keys=False,
                         allow_unicode=rng.random() < 0.5, width=rng.choice([80, 10**9]))
        if rng.random() < 0.2:
            op, text = _mutate_text(text, rng)
            ops.append("text:" + op)
    else:
        text = SOURCES[source]
        for _ in range(rng.randint(1, 4)):
            op, text = _mutate_text(text, rng)
            ops.append("text:" + op)
    catalogue = None
    if rng.random() < 0.1:  # a user catalogue overriding the built-in entries, mutated
        cat = copy.deepcopy(_CATALOGUE)
        for _ in range(rng.randint(1, 3)):
            ops.append("catalogue:" + (_scale(cat, rng) if rng.random() < 0.5
                                       else _mutate_data(cat, rng)))
        catalogue = yaml.dump(cat, Dumper=_Dumper, sort_keys=False, allow_unicode=True)
        text += f"\ncatalogue: [{CATALOGUE_FILE}]\n"
    return Case(index, source, tuple(ops), text, catalogue)


def cases(n: int, seed: int = SEED, start: int = 0) -> list[Case]:
    return [make_case(i, seed) for i in range(start, start + n)]


# --- classification ------------------------------------------------------------------------------

FILE = "fuzz.yaml"
RUN_CAP_S = 60.0  # simulated seconds a fuzz run is cut to
MEMORY_LIMIT_BYTES = 4 * 1024**3  # address space of a process running fuzz cases


def bad_refusal(exc: Any, files: tuple[str, ...] = (FILE,)) -> str | None:
    """What is wrong with a ScenarioError as a refusal (None: located, one line per problem)."""
    if not exc.problems:
        return "a ScenarioError without problems"
    for p in exc.problems:
        s = str(p)
        # located in the scenario, or in a file it names as a catalogue (its own problems)
        if (p.file not in files and not Path(p.file).is_file()) or not s.startswith(p.file):
            return f"not located in the file: {s[:200]!r}"
        if "\n" in s or "Traceback" in s:
            return f"not one line: {s[:200]!r}"
        if not (isinstance(p.message, str) and p.message.strip()):
            return f"no message: {p!r}"[:200]
        if p.line is not None and not (isinstance(p.line, int) and p.line >= 1):
            return f"bad line number: {p!r}"[:200]
    return None


def validate(text: str, base_dir: Path | None = None, catalogue: str | None = None
             ) -> tuple[str, Any]:
    """``("refused", message)``, ``("valid", scenario)`` or ``("traceback", text)``.

    ``catalogue``: the text of the user catalogue file the scenario names (written in
    ``base_dir``)."""
    import traceback

    from skyshield.scenario.errors import ScenarioError
    from skyshield.scenario.loader import parse_scenario

    files: tuple[str, ...] = (FILE,)
    if catalogue is not None:
        assert base_dir is not None
        path = base_dir / CATALOGUE_FILE
        path.write_text(catalogue, encoding="utf-8")
        files = (FILE, str(path.resolve()))
    try:
        sc = parse_scenario(text, FILE, base_dir)
    except ScenarioError as exc:
        wrong = bad_refusal(exc, files)
        return ("traceback", wrong) if wrong else ("refused", str(exc.problems[0]))
    except Exception:  # noqa: BLE001 - any other exception is what the fuzz looks for
        return "traceback", traceback.format_exc(limit=-3)
    return "valid", sc


def run_short(sc: Any, cap_s: float = RUN_CAP_S) -> int:
    """Run a validated scenario cut to ``cap_s`` simulated seconds; the number of events."""
    import skyshield

    short = sc.model_copy(update={"duration": min(sc.duration, cap_s)})
    return len(skyshield.run(short).events)


def limit_memory() -> None:
    """Make a runaway allocation a MemoryError (a traceback) rather than the machine's OOM."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))


def validate_and_run(index: int, seed: int, run: bool, base_dir: str | None
                     ) -> tuple[str, str]:
    """One case, in a worker process: its outcome and a detail."""
    import traceback

    case = make_case(index, seed)
    outcome, detail = validate(case.text, Path(base_dir) if base_dir else None, case.catalogue)
    if outcome != "valid":
        return outcome, str(detail)
    if not run:
        return "valid", ""
    try:
        n = run_short(detail)
    except Exception:  # noqa: BLE001
        return "traceback", "run: " + traceback.format_exc(limit=-3)
    return "ran", f"{n} events"
