"""No number is typed by hand into the paper: digits in prose must come from macros."""

import re

# LaTeX that is not prose: comments, mathematics, and arguments of commands that
# take labels, paths, lengths or options.
NOT_PROSE = [
    r"(?<!\\)%[^\n]*",
    r"\$\$.*?\$\$",
    r"\$.*?\$",
    r"\\\[.*?\\\]",
    r"\\begin\{equation\}.*?\\end\{equation\}",
    r"\\(?:citep|citet|cite|ref|cref|Cref|label|input|bibliography|bibliographystyle"
    r"|graphicspath|usepackage|documentclass|includegraphics|resizebox|renewcommand|begin|end)"
    r"(?:\[[^\]]*\])?(?:\{(?:[^{}]|\{[^{}]*\})*\})*",
    r"\{0\.\d+\\textwidth\}",
]


def prose(tex: str) -> str:
    """The text of a LaTeX source with everything but prose removed."""
    for pattern in NOT_PROSE:
        tex = re.sub(pattern, " ", tex, flags=re.DOTALL)
    return tex


def test_prose_filter_keeps_typed_numbers_and_drops_the_rest():
    kept = prose(r"We ran 180 runs \citep{x2022} with $k = 4$ % 99 comments" + "\n")
    assert re.findall(r"\d+", kept) == ["180"]


def test_paper_prose_has_no_hand_typed_digits(repository):
    text = prose((repository / "paper/main.tex").read_text())
    offending = [line.strip() for line in text.splitlines() if re.search(r"\d", line)]
    assert offending == [], "digits typed into the paper's prose (use a generated macro)"
