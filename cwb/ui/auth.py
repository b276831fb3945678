"""Sign-in for shared mode: OpenID Connect (st.login) when configured, else file accounts."""

from __future__ import annotations

import time

import streamlit as st

from cwb import access
from cwb.fmt import md_escape


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def current_scope() -> access.Scope:
    """The viewer's scope; in shared mode, stops the page with a sign-in form until signed in."""
    if access.mode() == "local":
        return access.LOCAL
    try:
        if _oidc_configured():
            return _oidc_scope()
        return _password_scope()
    except access.AccessError as exc:
        st.error(str(exc))
        _sign_out_button()
        st.stop()
        raise  # unreachable: st.stop ends the run


def _oidc_scope() -> access.Scope:
    if not st.user.is_logged_in:
        st.title("Community wealth building dashboard")
        st.write("Sign in with your organisation's account to continue.")
        st.button("Sign in", on_click=st.login, type="primary")
        st.stop()
    email = str(st.user.get("email") or st.user.get("preferred_username") or "")
    return access.scope_for(email, display_name=str(st.user.get("name") or ""))


def _password_scope() -> access.Scope:
    user = st.session_state.get("_auth_user")
    if user:
        return access.scope_for(user)
    st.title("Community wealth building dashboard")
    with st.form("signin"):
        name = st.text_input("User name", max_chars=200)
        pw = st.text_input("Password", type="password", max_chars=200)
        go = st.form_submit_button("Sign in", type="primary")
    if go:
        # failures are counted per account and per address for the whole server process
        # (access.SIGN_IN), so a new session does not reset them; a short pause slows a session
        fails = st.session_state.get("_auth_fails", 0)
        time.sleep(min(4.0, 0.25 * 2**fails))
        acc, msg = access.SIGN_IN.attempt(name, pw, _address())
        if acc is not None:
            st.session_state["_auth_user"] = acc.user
            st.session_state["_auth_fails"] = 0
            st.rerun()
        st.session_state["_auth_fails"] = fails + 1
        st.error(msg)
    st.stop()
    raise AssertionError("unreachable")


def _address() -> str | None:
    """The client's address as the server sees it (a proxy in front: the proxy's, which still
    limits the total guessing rate through it)."""
    try:
        return st.context.ip_address
    except Exception:  # noqa: BLE001 - outside a browser session (tests)
        return None


def _sign_out_button(where=st) -> None:
    if where.button("Sign out", key="signout"):
        st.session_state.pop("_auth_user", None)
        if _oidc_configured() and st.user.is_logged_in:
            st.logout()
        st.rerun()


def sidebar(scope: access.Scope) -> None:
    st.sidebar.caption(md_escape(scope.label))
    if scope.mode == "shared":
        _sign_out_button(st.sidebar)
