"""What a showyourwork-style manuscript depends on, read off its TeX source."""

from __future__ import annotations

import re
from pathlib import Path

COMMANDS = {
    "variable": "",
    "includegraphics": "",
    "input": ".tex",
    "bibliography": ".bib",
}
PATTERN = re.compile(r"\\(variable|includegraphics|input|bibliography)\s*(?:\[[^\]]*\])?\s*\{([^}]*)\}")
SCRIPT = re.compile(r"\\script\s*\{([^}]*)\}")


def strip_comments(text: str) -> str:
    return "\n".join(re.split(r"(?<!\\)%", line, maxsplit=1)[0] for line in text.splitlines())


def tex_dependencies(tex_path: Path | str) -> list[str]:
    """Files (relative to the repository root) that `\\variable`, `\\includegraphics`, `\\input` and
    `\\bibliography` name in the manuscript, in order of appearance, without duplicates."""
    tex_path = Path(tex_path)
    text = strip_comments(tex_path.read_text())
    found = []
    for command, argument in PATTERN.findall(text):
        for name in argument.split(","):
            name = name.strip()
            suffix = COMMANDS[command]
            if suffix and not name.endswith(suffix):
                name += suffix
            found.append((tex_path.parent / name).as_posix())
    return list(dict.fromkeys(found))


def tex_scripts(tex_path: Path | str) -> list[str]:
    """Scripts that `\\script{}` ties to figures, as paths under src/scripts."""
    text = strip_comments(Path(tex_path).read_text())
    return [f"src/scripts/{name.strip()}" for name in SCRIPT.findall(text)]
