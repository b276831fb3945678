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

import os
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
    anchors: tuple[str, ...] = ()  # an analyst's own anchors
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
            raise ValueError(
                f"{path}: user {user!r} has unknown role {role!r} (use one of {', '.join(ROLES)})"
            )
        out[user.lower()] = Account(
            user=user.lower(),
            role=role,
            anchors=list(rec.get("anchors", [])),
            name=rec.get("name", ""),
            password_hash=rec.get("password_hash"),
        )
    return out


def _toml_str(s: str) -> str:
    """A TOML basic string: backslash, quote and every control character escaped, so no value
    can end the line and inject keys into the accounts file."""
    out = s.replace("\\", "\\\\").replace('"', '\\"')
    out = "".join(f"\\u{ord(ch):04x}" if ord(ch) < 32 or 127 <= ord(ch) < 160 else ch for ch in out)
    return '"' + out + '"'


def name_problem(text: str, what: str = "name") -> str | None:
    """Why a user name or display name is refused (None: acceptable): no control characters
    (newline, tab, escape sequences), not blank, at most 200 characters."""
    if not text or not text.strip():
        return f"the {what} is blank"
    if any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in text):
        return f"the {what} contains a newline or another control character"
    if len(text) > 200:
        return f"the {what} is longer than 200 characters"
    return None


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
    # readable by its owner only (it holds password hashes), from the moment it is created
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    os.chmod(tmp, 0o600)
    tmp.replace(path)


# passwords that pass the length rule but are guessed first
_COMMON = {
    "password1234",
    "123456789012",
    "qwertyuiopas",
    "passwordpassword",
    "aaaaaaaaaaaa",
    "letmeinletmein",
    "administrator",
    "changeme1234",
    "welcome12345",
    "iloveyou1234",
    "qwerty123456",
    "password123!",
    "1234567890123",
    "abcdefghijkl",
    "abc123abc123",
    "trustno1trustno1",
    "correcthorsebatterystaple",
}


def password_problem(password: str) -> str | None:
    """Why a new password is refused (None: acceptable): at least 12 characters, not blank or
    spaces, at least 5 different characters, not a well-known password."""
    if not password or not password.strip():
        return "the password is blank"
    if len(password) < 12:
        return "passwords must have at least 12 characters"
    if len(set(password)) < 5:
        return "the password repeats too few characters (use at least 5 different ones)"
    if password.strip().lower().replace(" ", "") in _COMMON:
        return "the password is too common"
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in password):
        return "the password contains control characters"
    return None


def hash_password(password: str) -> str:
    from argon2 import PasswordHasher

    why = password_problem(password)
    if why:
        raise ValueError(why)
    return PasswordHasher().hash(password)


def check_password(account: Account | None, password: str) -> bool:
    """Constant-effort check: an unknown user still costs one hash verification."""
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    if not password or not password.strip() or len(password) > 1024:
        return False  # blank or absurd: no hash to spend on it
    ph = PasswordHasher()
    target = account.password_hash if account and account.password_hash else _DUMMY_HASH
    ok: bool
    try:
        ok = ph.verify(target, password)
    except (VerificationError, InvalidHashError):
        ok = False
    return bool(ok and account and account.password_hash)


# a hash of a random string, verified when the user is unknown so timing does not reveal it
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$J2V5Y1JpbmFsbHlfbm90X2FfcmVhbF9oYXNoX3h4eHg"
)


def scope_for(user: str, accounts: dict[str, Account] | None = None, display_name: str = "") -> Scope:
    """The scope of a signed-in user; unknown users get no access."""
    accounts = load_accounts() if accounts is None else accounts
    acc = accounts.get(user.lower())
    if acc is None:
        raise AccessError(f"{user} has no role on this dashboard: ask an administrator to add you.")
    return Scope(
        user=acc.user,
        role=acc.role,
        anchors=tuple(acc.anchors),
        mode="shared",
        display_name=display_name or acc.name,
    )


class SignInGuard:
    """Brute-force protection for password sign-in, shared by every session of the server
    process (a new websocket session, a new browser tab or 8 in parallel start from the same
    count).

    - per account: after ``account_limit`` failures within ``window`` seconds the account is
      locked for ``lockout`` seconds (unknown user names are counted the same way, so the
      lock does not tell which accounts exist);
    - per address (the client's IP): after ``address_limit`` failures within ``window``;
    - argon2 verifications run at most ``parallel`` at a time; a sign-in that cannot get a
      slot within ``wait`` seconds is refused with "busy" (the server never queues unbounded
      hashing work under load).
    """

    def __init__(
        self,
        account_limit: int = 5,
        address_limit: int = 20,
        window: float = 900,
        lockout: float = 900,
        parallel: int = 2,
        wait: float = 5.0,
        clock=None,
    ):
        import threading
        import time

        self.account_limit, self.address_limit = account_limit, address_limit
        self.window, self.lockout, self.wait = window, lockout, wait
        self.clock = clock or time.monotonic
        self._fails: dict[str, list[float]] = {}
        self._locked: dict[str, float] = {}
        self._mu = threading.Lock()
        self._slots = threading.BoundedSemaphore(parallel)

    def _blocked(self, key: str, now: float) -> float:
        until = self._locked.get(key, 0.0)
        return until - now if until > now else 0.0

    def blocked(self, user: str, address: str | None) -> str | None:
        """The message to show when this account or address is locked out, else None."""
        now = self.clock()
        with self._mu:
            left = max(
                self._blocked("u:" + user.strip().lower(), now), self._blocked("a:" + (address or "?"), now)
            )
        if left:
            mins = max(1, round(left / 60))
            return f"Too many failed sign-ins: try again in {mins} minute{'' if mins == 1 else 's'}, or ask an administrator."
        return None

    def _fail(self, key: str, limit: int, now: float) -> None:
        hits = [t for t in self._fails.get(key, []) if now - t < self.window] + [now]
        self._fails[key] = hits
        if len(hits) >= limit:
            self._locked[key] = now + self.lockout
            self._fails[key] = []

    def attempt(
        self, user: str, password: str, address: str | None, accounts: dict[str, Account] | None = None
    ) -> tuple[Account | None, str | None]:
        """Check one sign-in: (the account, None) on success, else (None, the message to show)."""
        msg = self.blocked(user, address)
        if msg:
            return None, msg
        accounts = load_accounts() if accounts is None else accounts
        acc = accounts.get(user.strip().lower())
        if not self._slots.acquire(timeout=self.wait):
            return None, "The server is busy: try again in a moment."
        try:
            ok = check_password(acc, password)
        finally:
            self._slots.release()
        now = self.clock()
        with self._mu:
            if ok and acc is not None:  # check_password is False without an account
                self._fails.pop("u:" + acc.user, None)
                return acc, None
            self._fail("u:" + user.strip().lower(), self.account_limit, now)
            self._fail("a:" + (address or "?"), self.address_limit, now)
        return None, self.blocked(user, address) or "User name or password not recognised."


SIGN_IN = SignInGuard()
