"""axe-core (from npm, in node_modules/) run in a Playwright page: the WCAG 2.2 AA rules, printed readably.

`make test` installs it (`npm ci`, from package-lock.json); where it is missing the tests that need it skip.
"""

from pathlib import Path

AXE_JS = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
MISSING = f"axe-core is not installed ({AXE_JS} is missing): run `make test`, or `npm ci --ignore-scripts`"
# WCAG 2.0, 2.1 and 2.2 at levels A and AA: what the newsroom promises.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def violations(page):
    """axe-core's violations on the page as it is now: a list of axe's result dicts."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # From disk: the page's Content-Security-Policy is bypassed by the test's browser context.
        page.add_script_tag(path=str(AXE_JS))
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", TAGS
    )
    return results["violations"]


def report(found):
    """One block per rule: its id, impact and help, then each offending element's selector and axe's summary."""
    lines = []
    for violation in found:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} — {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"    {' '.join(map(str, node['target']))}")
            lines.append(f"        {node['html'][:200]}")
            for summary_line in (node.get("failureSummary") or "").splitlines():
                lines.append(f"        {summary_line.strip()}")
    return "\n".join(lines)
