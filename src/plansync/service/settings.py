"""Typed settings, merged once per command: flag > environment > plansync.toml > default.

Every value remembers where it came from (``plansync config`` prints them),
so a coach can tell why a feed link or a state folder is what it is.

Adapters declare their own settings (:attr:`Adapter.settings`); the
workspace's table of the same name (``[trainingpeaks]``) and the environment
variables the adapter names fill them, and ``-O key=value`` overrides both.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plansync.errors import PlansyncError, Problem
from plansync.inputs import workspace as ws

if TYPE_CHECKING:
    from plansync.adapters.base import AdapterSetting

DEFAULT_BASE_URL = "http://127.0.0.1:8080"


class SettingsError(PlansyncError):
    """A setting has a value plansync cannot use; the message names where it came from."""


@dataclass(frozen=True)
class Value:
    value: Any
    source: str  # "--state", "PLANSYNC_STATE", "plansync.toml", "default"


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _url(text: str) -> str:
    if not text.startswith(("https://", "http://")):
        raise ValueError("expected an http:// or https:// URL")
    return text


def _bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ValueError("expected true or false")


@dataclass(frozen=True)
class _Spec:
    key: str
    env: str | None
    parse: Callable[[str], Any]
    help: str


SPECS = (
    _Spec("state", "PLANSYNC_STATE", Path, "state directory: the ledger, tokens, the feed index"),
    _Spec("templates", "PLANSYNC_TEMPLATES", Path, "folder of plan templates searched first"),
    _Spec("athletes", None, Path, "folder of athlete profiles"),
    _Spec(
        "targets",
        "PLANSYNC_TARGETS",
        lambda t: [x.strip() for x in t.split(",") if x.strip()],
        "where `publish --all` publishes",
    ),
    _Spec("feeds.base_url", "PLANSYNC_FEEDS_BASE_URL", _url, "where the feed folder is served from"),
    _Spec("publish.concurrency", "PLANSYNC_PUBLISH_CONCURRENCY", int, "athletes published at once"),
    _Spec("publish.rate_limit", "PLANSYNC_PUBLISH_RATE_LIMIT", float, "requests a second to a platform"),
    _Spec("today", "PLANSYNC_TODAY", _date, "today's date, pinned for reproducible runs"),
    _Spec("wait", "PLANSYNC_WAIT", float, "seconds a writing command waits for another to finish"),
)


@dataclass(frozen=True)
class Settings:
    """What one command runs with. Read values with the properties; ``values`` has their sources."""

    workspace: ws.Workspace | None
    values: Mapping[str, Value]
    environ: Mapping[str, str] = field(repr=False, default_factory=dict)
    clock: Callable[[], dt.datetime] = field(repr=False, default=lambda: dt.datetime.now(dt.UTC))

    def get(self, key: str) -> Any:
        return self.values[key].value

    @property
    def state(self) -> Path:
        return Path(self.get("state"))

    @property
    def templates(self) -> Path | None:
        value = self.get("templates")
        return Path(value) if value is not None else None

    @property
    def athletes(self) -> Path | None:
        value = self.get("athletes")
        return Path(value) if value is not None else None

    @property
    def targets(self) -> list[str]:
        return list(self.get("targets"))

    @property
    def base_url(self) -> str:
        return str(self.get("feeds.base_url"))

    @property
    def concurrency(self) -> int:
        return int(self.get("publish.concurrency"))

    @property
    def rate_limit(self) -> float:
        return float(self.get("publish.rate_limit"))

    @property
    def wait(self) -> float:
        return float(self.get("wait"))

    def now(self) -> dt.datetime:
        """The clock: noon UTC of PLANSYNC_TODAY when it is pinned, else the real time."""
        pinned = self.get("today")
        if pinned is not None:
            return dt.datetime.combine(pinned, dt.time(12), dt.UTC)
        return self.clock()

    def adapter_values(self, name: str, flags: Mapping[str, str] | None = None) -> dict[str, Value]:
        """An adapter's declared settings: ``-O`` flags > its environment variables >
        the workspace's ``[name]`` table > the declared default. An undeclared ``-O`` key is
        refused (with the nearest declared one), unless the adapter declares no settings at all."""
        from plansync import adapters

        cls = adapters.load(name)
        table = self.workspace.config.adapters.get(name, {}) if self.workspace else {}
        declared = {s.name: s for s in cls.settings}
        unknown = sorted(set(table) - set(declared))
        if unknown and self.workspace is not None:
            close = get_close_matches(unknown[0], list(declared), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ws.WorkspaceError(
                [
                    Problem(
                        self.workspace.root / ws.CONFIG_NAME,
                        None,
                        None,
                        f"{name}.{unknown[0]}",
                        f"unknown setting for adapter {name}{hint}",
                    )
                ]
            )
        out: dict[str, Value] = {}
        for setting in cls.settings:
            out[setting.name] = _adapter_value(setting, name, table, self.environ, flags or {})
        for key, text in (flags or {}).items():
            if key in declared:
                continue
            if declared and key not in PASSED_THROUGH:  # a mistyped key must not pass silently
                close = get_close_matches(key, list(declared), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise SettingsError(
                    f"-O {key}: adapter {name} has no such option{hint} (it takes: {', '.join(declared)})"
                )
            out[key] = Value(text, f"-O {key}")  # an adapter declaring no settings reads what it likes
        return out

    def adapter_options(self, name: str, flags: Mapping[str, str] | None = None) -> dict[str, str]:
        """The adapter's settings as the strings an :class:`AdapterContext` carries."""
        return {k: _as_text(v.value) for k, v in self.adapter_values(name, flags).items()}


PASSED_THROUGH = frozenset({"sandbox"})  # --sandbox, given to every adapter as an option


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _adapter_value(
    setting: AdapterSetting,
    adapter: str,
    table: Mapping[str, Any],
    environ: Mapping[str, str],
    flags: Mapping[str, str],
) -> Value:
    if setting.name in flags:
        return Value(_checked(setting, flags[setting.name], f"-O {setting.name}"), f"-O {setting.name}")
    if setting.env and environ.get(setting.env):
        return Value(_checked(setting, environ[setting.env], setting.env), setting.env)
    if setting.name in table:
        return Value(table[setting.name], f"plansync.toml [{adapter}]")
    return Value(setting.default, "default")


def _checked(setting: AdapterSetting, text: str, where: str) -> Any:
    try:
        if isinstance(setting.default, bool):
            return _bool(text)
        return type(setting.default)(text) if setting.default is not None else text
    except ValueError as exc:
        raise SettingsError(f"{where}={text!r}: {exc}") from None


def _from_workspace(found: ws.Workspace | None) -> dict[str, Any]:
    if found is None:
        return {}
    c = found.config
    return {
        "state": found.state,
        "templates": found.templates if found.templates.is_dir() else None,
        "athletes": found.athletes,
        "targets": list(c.targets),
        "feeds.base_url": c.feeds.base_url,
        "publish.concurrency": c.publish.concurrency,
        "publish.rate_limit": c.publish.rate_limit,
    }


DEFAULTS: dict[str, Any] = {
    "state": Path(ws.STATE_NAME),
    "templates": None,
    "athletes": None,
    "targets": ["trainingpeaks"],
    "feeds.base_url": DEFAULT_BASE_URL,
    "publish.concurrency": 4,
    "publish.rate_limit": 20.0,
    "today": None,
    "wait": 5.0,
}


BUILTIN_ADAPTERS = frozenset({"ics", "trainingpeaks"})  # known without reading the plugins


def _check_tables(found: ws.Workspace) -> None:
    """Every table of plansync.toml that is not a section of its own must be an adapter's:
    a typo such as ``[feed]`` is named, not silently ignored."""
    unknown = sorted(set(found.config.adapters) - BUILTIN_ADAPTERS)
    if not unknown:
        return
    from plansync import adapters

    known = [*ws.Config.model_fields, *adapters.available()]
    for name in unknown:
        if name not in known:
            close = get_close_matches(name, known, n=1)
            hint = f"; did you mean [{close[0]}]?" if close else ""
            raise ws.WorkspaceError(
                [
                    Problem(
                        found.root / ws.CONFIG_NAME,
                        None,
                        None,
                        name,
                        f"unknown table [{name}]: not a plansync section nor an installed adapter{hint}",
                    )
                ]
            )


def resolve(
    flags: Mapping[str, Any] | None = None,
    *,
    workspace: Path | None = None,
    cwd: Path | None = None,
    environ: Mapping[str, str] | None = None,
    clock: Callable[[], dt.datetime] | None = None,
) -> Settings:
    """Merge the settings once: ``flags`` (given ones only: None means "not given") >
    environment > the workspace's plansync.toml (``workspace``, else found upwards from
    ``cwd``) > defaults."""
    environ = dict(os.environ if environ is None else environ)
    found = ws.load(workspace) if workspace is not None else ws.find(cwd or Path.cwd())
    if found is not None:
        _check_tables(found)
    from_toml = _from_workspace(found)
    given = {k: v for k, v in (flags or {}).items() if v is not None and v != () and v != []}
    values: dict[str, Value] = {}
    for spec in SPECS:
        key = spec.key
        if key in given:
            values[key] = Value(given[key], "flag")
        elif spec.env and environ.get(spec.env):
            text = environ[spec.env]
            try:
                values[key] = Value(spec.parse(text), spec.env)
            except ValueError as exc:
                raise SettingsError(f"{spec.env}={text!r}: {exc}") from None
        elif key in from_toml:
            values[key] = Value(from_toml[key], "plansync.toml")
        else:
            values[key] = Value(DEFAULTS[key], "default")
    if "feeds.base_url" in given:
        try:
            _url(str(given["feeds.base_url"]))
        except ValueError as exc:
            raise SettingsError(f"--base-url {given['feeds.base_url']!r}: {exc}") from None
    return Settings(found, values, environ, clock or (lambda: dt.datetime.now(dt.UTC)))


def describe(settings: Settings) -> list[tuple[str, str, str]]:
    """(key, value, source) for every setting, for ``plansync config``."""
    rows = []
    for spec in SPECS:
        v = settings.values[spec.key]
        shown = ", ".join(v.value) if isinstance(v.value, list) else ("" if v.value is None else str(v.value))
        rows.append((spec.key, shown, v.source))
    return rows
