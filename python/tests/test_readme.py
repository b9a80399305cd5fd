"""The README's Python example runs as written."""

import re


def test_readme_example(root):
    readme = (root / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Python\n") :]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    assert "import tifa" in code
    exec(compile(code, "README.md", "exec"), {})
