"""The CJK font of the city report: Noto Sans SC for Chinese text in maps, plots and the HTML page.

The font ships in the PyPI package ``pylopdf-fonts-zh-cn`` (Noto Sans SC Regular, the SC subset OTF of Noto
Sans CJK, SIL Open Font License 1.1), so no system font is needed.  It is registered with matplotlib's font
manager, and the characters a report page uses are subset from it and embedded in the page (OFL 1.1 allows
embedding in documents), so the page shows Chinese text on a machine without any CJK font.
"""

from __future__ import annotations

import base64
import functools
import io
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

FONT_DISTRIBUTION = "pylopdf-fonts-zh-cn"
FONT_LICENCE = "SIL Open Font License 1.1"
LATIN_FAMILY = "DejaVu Sans"
EMBEDDED_FAMILY = "CBI Noto Sans SC subset"


def cjk_font_path() -> Path:
    """Path of the Noto Sans SC font file shipped by ``pylopdf-fonts-zh-cn``.

    Raises
    ------
    RuntimeError
        If the package is not installed (it is a dependency of cbindex).
    """
    try:
        import pylopdf_fonts_zh_cn
    except ImportError as error:
        raise RuntimeError(
            f"The CJK font package {FONT_DISTRIBUTION} is missing; install cbindex's dependencies "
            f"(pip install {FONT_DISTRIBUTION})."
        ) from error
    return Path(pylopdf_fonts_zh_cn.sans_path())


@functools.cache
def register_cjk_font() -> str:
    """Add the CJK font to matplotlib's font manager (once per process) and return its family name."""
    from matplotlib import font_manager

    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def font_families(*, language: str) -> list[str]:
    """Matplotlib ``font.family`` list for a report language, the CJK font registered.

    Chinese reports set everything in the CJK font (Latin letters included); English ones use matplotlib's
    default Latin font and fall back to the CJK font for any Chinese character (matplotlib ≥ 3.6).
    """
    cjk = register_cjk_font()
    return [cjk, LATIN_FAMILY] if language == "zh" else [LATIN_FAMILY, cjk]


def font_version() -> str:
    """Version of the installed font package."""
    return metadata.version(FONT_DISTRIBUTION)


@functools.cache
def _font_characters(path: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap())


def missing_characters(characters: Iterable[str], *, font_path: str | Path | None = None) -> list[str]:
    """Printable characters the font has no glyph for (sorted, each once).

    Parameters
    ----------
    characters : iterable of str
        Characters or strings to check; whitespace and control characters are ignored.
    font_path : path-like, optional
        Font file; the report's CJK font by default.

    Returns
    -------
    list of str
    """
    covered = _font_characters(str(font_path or cjk_font_path()))
    wanted = {
        character for item in characters for character in item if character.isprintable() and not character.isspace()
    }
    return sorted(character for character in wanted if ord(character) not in covered)


def embedded_font_css(characters: Iterable[str], *, family: str = EMBEDDED_FAMILY) -> str:
    """A CSS ``@font-face`` rule with the CJK font subset to `characters`, as a base64 ``data:`` WOFF.

    Parameters
    ----------
    characters : iterable of str
        Every character the page shows (strings are split into characters).
    family : str, optional
        Font family name the page's CSS uses for it.

    Returns
    -------
    str
        The rule; its font keeps the original name table (copyright and licence).
    """
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff"
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(text="".join(sorted({character for item in characters for character in item})))
    with subset.load_font(str(cjk_font_path()), options, lazy=True) as font:  # tables parsed when subset
        subsetter.subset(font)
        buffer = io.BytesIO()
        subset.save_font(font, buffer, options)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (
        f'@font-face {{ font-family: "{family}"; font-style: normal; font-weight: 400; '
        f'src: url(data:font/woff;base64,{encoded}) format("woff"); }}'
    )
