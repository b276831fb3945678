"""Who may see what: roles, accounts and the scope every detail query takes.

Two ways to run (CWB_MODE):

- ``local``: one officer on a laptop; no sign-in; full access (said on screen).
- ``shared``: a deployed server; users sign in (OpenID Connect through Streamlit's ``st.login``,
  or accounts in a TOML file with argon2 password hashes) and get a role:

  ``network_viewer``  network figures and each anchor's headline indicators;
  ``anchor_analyst``  the above plus supplier- and site-level detail of their own anchors;
  ``admin``           everything, plus imports, targets and settings.

The scope is enforced in the engine: every metric query that returns supplier- or site-level
rows takes ``$scope_anchor_ids`` (a test checks each SQL file), and :func:`Scope.detail_anchors`
is the only source of that list.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from cwb import config

ROLES = {
    "network_viewer": "Network viewer",
    "anchor_analyst": "Anchor analyst",
    "admin": "Administrator",
}


class AccessError(PermissionError):
    pass


@dataclass(frozen=True)
class Scope:
    user: str
    role: str
    anchors: tuple[str, ...] = ()          # an analyst's own anchors
    mode: str = "local"
    display_name: str = ""

    def detail_anchors(self, all_anchors: list[str]) -> list[str]:
        """Anchors whose supplier- and site-level rows this user may see."""
        if self.role == "admin":
            return list(all_anchors)
        if self.role == "anchor_analyst":
            return [a for a in all_anchors if a in self.anchors]
        return []

    @property
    def can_import(self) -> bool:
        return self.role == "admin"

    @property
    def label(self) -> str:
        if self.mode == "local":
            return "Local mode: no sign-in, full access"
        own = f" ({', '.join(self.anchors)})" if self.role == "anchor_analyst" else ""
        return f"Signed in as {self.display_name or self.user} · {ROLES[self.role]}{own}"


LOCAL = Scope(user="local", role="admin", mode="local")


@dataclass
class Account:
    user: str
    role: str
    anchors: list[str] = field(default_factory=list)
    name: str = ""
    password_hash: str | None = None


def mode() -> str:
    m = config.get("CWB_MODE").strip().lower()
    if m not in ("local", "shared"):
        raise ValueError(f"CWB_MODE must be 'local' or 'shared', not {m!r}")
    return m


def users_path() -> Path:
    return Path(config.get("CWB_USERS"))


def load_accounts(path: Path | None = None) -> dict[str, Account]:
    """Read the accounts file; a missing file means no accounts."""
    path = path or users_path()
    if not path.is_file():
        return {}
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    out: dict[str, Account] = {}
    for user, rec in (raw.get("users") or {}).items():
        role = rec.get("role", "")
        if role not in ROLES:
            raise ValueError(f"{path}: user {user!r} has unknown role {role!r} (use one of {', '.join(ROLES)})")
        out[user.lower()] = Account(user=user.lower(), role=role, anchors=list(rec.get("anchors", [])),
                                    name=rec.get("name", ""), password_hash=rec.get("password_hash"))
    return out


def _toml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def save_accounts(accounts: dict[str, Account], path: Path | None = None) -> None:
    path = path or users_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# Accounts and roles for shared mode (CWB_MODE=shared). Passwords are argon2 hashes only.", ""]
    for a in sorted(accounts.values(), key=lambda a: a.user):
        lines.append(f"[users.{_toml_str(a.user)}]")
        lines.append(f"role = {_toml_str(a.role)}")
        if a.name:
            lines.append(f"name = {_toml_str(a.name)}")
        if a.anchors:
            lines.append("anchors = [" + ", ".join(_toml_str(x) for x in a.anchors) + "]")
        if a.password_hash:
            lines.append(f"password_hash = {_toml_str(a.password_hash)}")
        lines.append("")
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(lines), encoding="utf-8")
    tmp.replace(path)


def hash_password(password: str) -> str:
    from argon2 import PasswordHasher

    if len(password) < 12:
        raise ValueError("passwords must have at least 12 characters")
    return PasswordHasher().hash(password)


def check_password(account: Account | None, password: str) -> bool:
    """Constant-effort check: an unknown user still costs one hash verification."""
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    ph = PasswordHasher()
    target = account.password_hash if account and account.password_hash else _DUMMY_HASH
    try:
        ok = ph.verify(target, password)
    except (VerificationError, InvalidHashError):
        ok = False
    return bool(ok and account and account.password_hash)


# a hash of a random string, verified when the user is unknown so timing does not reveal it
_DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$J2V5Y1JpbmFsbHlfbm90X2FfcmVhbF9oYXNoX3h4eHg"


def scope_for(user: str, accounts: dict[str, Account] | None = None, display_name: str = "") -> Scope:
    """The scope of a signed-in user; unknown users get no access."""
    accounts = load_accounts() if accounts is None else accounts
    acc = accounts.get(user.lower())
    if acc is None:
        raise AccessError(f"{user} has no role on this dashboard: ask an administrator to add you.")
    return Scope(user=acc.user, role=acc.role, anchors=tuple(acc.anchors), mode="shared",
                 display_name=display_name or acc.name)
