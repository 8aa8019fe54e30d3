"""Roles of a live exercise and their tokens: who may do what.

``controller`` (injects, ROE, links, radars, speed, pause, end), one ``operator:<unit>`` per fire
unit and ``operator:command_post`` (the engagements waiting for their approval, the unit's
picture), and ``observer`` (watch only). Tokens are generated at start and printed once, or read
from a file (``role: token`` lines); only their SHA-256 is kept (``tokens.json`` in the exercise
folder). Every endpoint but the login page and the static files (the OpenAPI document
``/openapi.json`` included) needs a token (``Authorization: Bearer ...``, or ``?token=`` on the
websocket) and checks the role (:func:`may`); a wrong or missing token is 401, a role without
the right 403. What each role sees is ``web.pictures``.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from skyshield.common.files import atomic_write_text

__all__ = ["Roles", "may", "own_unit"]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class Roles:
    """Role of each token, kept as SHA-256 hashes (module docstring)."""

    hashes: dict[str, str]  # sha256 -> role

    @staticmethod
    def generate(units: list[str]) -> tuple[Roles, dict[str, str]]:
        roles = ["controller", "observer", "operator:command_post",
                 *(f"operator:{u}" for u in units)]
        tokens = {r: secrets.token_urlsafe(24) for r in roles}
        return Roles({_hash(t): r for r, t in tokens.items()}), tokens

    @staticmethod
    def from_file(path: Path, units: list[str]) -> Roles:
        """The roles of a tokens file (``ROLE: TOKEN`` lines; ``#`` comments); ValueError,
        one line naming the file and line, if it is missing, unreadable or wrong: an unknown
        role, a token shorter than 16 characters or holding ':', one token for two roles."""
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ValueError(f"{path}: no such tokens file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ValueError(f"{path}: cannot read the tokens file: "
                             f"{getattr(exc, 'strerror', None) or exc}") from None
        out: dict[str, str] = {}
        for k, line in enumerate(text.splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(":")
            # the role is controller, observer or operator:<unit>; the token what follows
            n = 2 if parts[0].strip() == "operator" and len(parts) > 2 else 1
            role = ":".join(p.strip() for p in parts[:n])
            rest = parts[n:]
            ok = role in ("controller", "observer", "operator:command_post") or (
                role.startswith("operator:") and role.split(":", 1)[1] in units)
            if not rest or not ok:
                raise ValueError(f"{path}:{k}: expected 'ROLE: TOKEN' with ROLE controller, "
                                 f"observer or operator:<unit> (got {line!r})")
            if len(rest) > 1:
                raise ValueError(f"{path}:{k}: a token may not contain ':' ({role})")
            token = rest[0].strip()
            if len(token) < 16:
                raise ValueError(f"{path}:{k}: a token needs at least 16 characters ({role})")
            h = _hash(token)
            if out.get(h, role) != role:
                raise ValueError(f"{path}:{k}: the same token for {out[h]} and {role}; each "
                                 "role needs its own")
            out[h] = role
        return Roles(out)

    def role(self, token: str | None) -> str | None:
        return self.hashes.get(_hash(token)) if token else None

    def save(self, path: Path) -> None:
        atomic_write_text(path, json.dumps({"sha256": self.hashes}, indent=1) + "\n")

    @staticmethod
    def load(path: Path) -> Roles:
        return Roles(dict(json.loads(path.read_text(encoding="utf-8"))["sha256"]))


def may(role: str, action: str, unit: str | None = None) -> bool:
    """Whether ``role`` may do ``action`` ("watch", "control", "approve" for ``unit``)."""
    if action == "watch":
        return True
    if action == "control":
        return role == "controller"
    if action == "approve":
        return role in ("controller", "operator:command_post") or role == f"operator:{unit}"
    return False


def own_unit(role: str, units: list[str]) -> int | None:
    """The index in ``units`` of the fire unit of an operator of one unit (not the command
    post); None for any other role."""
    if not role.startswith("operator:") or role == "operator:command_post":
        return None
    unit = role.split(":", 1)[1]
    return units.index(unit) if unit in units else None
