"""An accessibility check with axe-core (the copy bundled by the axe-playwright-python package),
injected into the page under test. Serious and critical violations fail the test."""

from __future__ import annotations

import json
from pathlib import Path

import axe_playwright_python

AXE_JS = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}


def axe_violations(page, *, impacts=BLOCKING):
    """Run axe-core on the page as it is now; return the violations of the given impacts."""
    page.evaluate(AXE_JS)
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS
    )
    return [v for v in result["violations"] if v.get("impact") in impacts]


def describe(violations):
    """A readable list for the assertion message: rule, impact, help and the first offending nodes."""
    lines = []
    for v in violations:
        targets = [json.dumps(n["target"]) for n in v["nodes"][:3]]
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} — {', '.join(targets)}")
    return "\n".join(lines)
