"""The benchmark's baseline: a plain loop of `frontmatter.load` over a vault's notes.

    python bench/baseline.py VAULT

This is what "as fast as reading the files with python-frontmatter" means in SPEC 6:
walk the folder, load every `.md` file (python-frontmatter uses PyYAML's CSafeLoader
when libyaml is there), keep nothing. Prints the number of files loaded.
"""

from __future__ import annotations

import os
import sys

import frontmatter


def main() -> None:
    loaded = 0
    for folder, dirs, files in os.walk(sys.argv[1]):
        # Like netzmd: hidden folders (.obsidian, .git) hold no notes.
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.endswith(".md"):
                frontmatter.load(os.path.join(folder, name))
                loaded += 1
    print(loaded)


if __name__ == "__main__":
    main()
