"""A coach's workspace: a folder (usually a git repository) with plansync.toml.

::

    plansync.toml        settings (never secrets)
    athletes/            one profile per athlete
    plan_templates/      the coach's templates
    .plansync/           the ledger and tokens (git-ignored)

Commands find the workspace the way git finds its repository: from the
current directory upwards; ``--workspace DIR`` names it outright.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from plansync.errors import InputError, Problem
from plansync.inputs.yamlio import read_text

CONFIG_NAME = "plansync.toml"
STATE_NAME = ".plansync"
SECRET_WORDS = ("secret", "token", "password")

DEFAULT_CONFIG = """\
# plansync workspace settings. Secrets never go here: the TrainingPeaks client
# secret and tokens come from the environment (PLANSYNC_TP_CLIENT_SECRET) and
# from `plansync auth trainingpeaks`, which keeps them in .plansync/ (git-ignored).

athletes = "athletes"              # one profile per athlete (YAML)
templates = "plan_templates"       # plan templates, found by id
targets = {targets}  # where `plansync publish --all` publishes ("ics": calendar files)

[feeds]
base_url = "https://feeds.example.org"   # where `plansync feed build --out DIR` is served from

[trainingpeaks]
client_id = ""                     # the partner app's client id (or PLANSYNC_TP_CLIENT_ID)
sandbox = false                    # true: the TrainingPeaks sandbox hosts

[publish]
concurrency = 4                    # athletes published at once
rate_limit = 20                    # requests a second to a platform, across all athletes
"""

GITIGNORE = "# plansync's ledger, tokens and caches: local state, never committed\n.plansync/\n"

COACH_README = """\
# Training plans

This folder is a plansync workspace.

- `athletes/` — one profile per athlete. Add one with `plansync athlete new`.
- `plan_templates/` — your plan templates (copies of the shipped ones to adapt).
  Check them with `plansync validate`.
- `plansync.toml` — settings. Never put secrets here.

Every day:

    plansync status                 # who is waiting, who is overdue (24-hour promise)
    plansync preview athletes/NAME.yaml -o NAME.html   # show the athlete the plan
    plansync publish --all          # publish everyone who needs it

Before the first publish to TrainingPeaks, set PLANSYNC_TP_CLIENT_ID and
PLANSYNC_TP_CLIENT_SECRET in your environment and run `plansync auth trainingpeaks`.
"""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FeedSettings(_Strict):
    base_url: str = "http://127.0.0.1:8080"


class PublishSettings(_Strict):
    concurrency: int = Field(default=4, ge=1, le=64)
    rate_limit: float = Field(default=20, gt=0, le=1000)


class Config(_Strict):
    athletes: str = "athletes"
    templates: str = "plan_templates"
    targets: list[str] = Field(default_factory=lambda: ["trainingpeaks"], min_length=1)
    feeds: FeedSettings = FeedSettings()
    publish: PublishSettings = PublishSettings()
    # Any other table is an adapter's own settings (``[trainingpeaks]``), checked by the
    # adapter's declared settings when a command uses it.
    adapters: dict[str, dict[str, str | bool | int | float]] = Field(default_factory=dict)


class WorkspaceError(InputError):
    kind = "workspace"


@dataclass(frozen=True)
class Workspace:
    root: Path
    config: Config

    @property
    def athletes(self) -> Path:
        return self.root / self.config.athletes

    @property
    def templates(self) -> Path:
        return self.root / self.config.templates

    @property
    def state(self) -> Path:
        return self.root / STATE_NAME

    def profiles(self) -> list[Path]:
        from plansync.inputs.roster import profile_files

        return profile_files(self.athletes)


def _secret_keys(data: object, path: str = "") -> list[str]:
    found = []
    if isinstance(data, dict):
        for key, value in data.items():
            where = f"{path}.{key}" if path else str(key)
            if any(word in str(key).lower() for word in SECRET_WORDS):
                found.append(where)
            found += _secret_keys(value, where)
    return found


def load(root: Path) -> Workspace:
    path = root / CONFIG_NAME
    try:
        data = tomllib.loads(read_text(path, WorkspaceError))
    except tomllib.TOMLDecodeError as exc:
        raise WorkspaceError(
            [
                Problem(
                    path,
                    getattr(exc, "lineno", None),
                    getattr(exc, "colno", None),
                    "",
                    f"invalid TOML: {exc}",
                )
            ]
        ) from None
    secrets = _secret_keys(data)
    if secrets:
        raise WorkspaceError(
            [
                Problem(
                    path,
                    None,
                    None,
                    key,
                    "secrets never go in plansync.toml: set "
                    "PLANSYNC_TP_CLIENT_SECRET and run `plansync auth trainingpeaks`",
                )
                for key in secrets
            ]
        )
    tables = {k for k, v in data.items() if isinstance(v, dict) and k not in Config.model_fields}
    data = {k: v for k, v in data.items() if k not in tables} | {"adapters": {k: data[k] for k in tables}}
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            key = ".".join(str(p) for p in err["loc"])
            message = err["msg"]
            if err["type"] == "extra_forbidden":
                known = [*Config.model_fields, *FeedSettings.model_fields, *PublishSettings.model_fields]
                close = get_close_matches(str(err["loc"][-1]), known, n=1)
                message = f"unknown key{f'; did you mean {close[0]!r}?' if close else ''}"
            problems.append(Problem(path, None, None, key, message))
        raise WorkspaceError(problems) from None
    return Workspace(root.resolve(), config)


def find(start: Path) -> Workspace | None:
    """The workspace containing ``start``: the nearest folder upwards with a plansync.toml."""
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return load(folder)
    return None


PLATFORMS = ("trainingpeaks", "intervals")  # what `plansync init --platform` may add


def default_config(platforms: tuple[str, ...] = ()) -> str:
    """The workspace's first plansync.toml: calendar files for everyone (no account needed),
    and the platforms the coach has."""
    targets = "[" + ", ".join(f'"{t}"' for t in ("ics", *platforms)) + "]"
    return DEFAULT_CONFIG.replace("{targets}", targets.ljust(21))


def init(root: Path, shipped_templates: Path, platforms: tuple[str, ...] = ()) -> list[Path]:
    """Create a workspace; keep whatever is already there. Returns what was written."""
    root.mkdir(parents=True, exist_ok=True)
    written = []
    config = default_config(platforms)
    for name, text in ((CONFIG_NAME, config), (".gitignore", GITIGNORE), ("README.md", COACH_README)):
        path = root / name
        if not path.exists():
            path.write_text(text, encoding="utf-8")
            written.append(path)
        elif name == ".gitignore" and ".plansync/" not in path.read_text(encoding="utf-8"):
            path.write_text(
                path.read_text(encoding="utf-8").rstrip("\n") + "\n" + GITIGNORE, encoding="utf-8"
            )
            written.append(path)
    for folder in ("athletes", "plan_templates"):
        (root / folder).mkdir(exist_ok=True)
    for template in sorted(shipped_templates.glob("*.yaml")):
        target = root / "plan_templates" / template.name
        if not target.exists():
            target.write_text(template.read_text(encoding="utf-8"), encoding="utf-8")
            written.append(target)
    return written


def write_schemas(root: Path, schemas: dict[str, str]) -> list[Path]:
    """The JSON Schemas the templates and profiles point at (``../schemas/``), for editors."""
    folder = root / "schemas"
    folder.mkdir(exist_ok=True)
    written = []
    for kind, text in schemas.items():
        path = folder / f"{kind}.schema.json"
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written
