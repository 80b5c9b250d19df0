"""environment.yml (conda) lists the same dependencies, with the same bounds, as pyproject.toml."""

import re
import tomllib

import yaml


def _name(req: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", req)
    assert m, req
    return m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")


def test_environment_matches_pyproject(repo_root):
    project = tomllib.loads((repo_root / "pyproject.toml").read_text())["project"]
    wanted = dict(_name(r) for r in project["dependencies"])
    wanted |= dict(_name(r) for r in project["optional-dependencies"]["dev"])
    env = yaml.safe_load((repo_root / "environment.yml").read_text())
    listed = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for pip_dep in dep.get("pip", []):
                if not pip_dep.startswith("-e"):
                    listed.update([_name(pip_dep)])
        else:
            name, spec = _name(dep)
            if name not in ("python", "pip"):
                listed[name] = spec
    assert listed == wanted
