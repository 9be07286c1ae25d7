"""Font choice per character: the main font where it has the glyph, the shipped fallbacks for rare ones."""

from __future__ import annotations

from app.paper.fonts import FONT_FILES, MAIN, default_fonts, fonts_dir


def test_shipped_font_files_and_licences_are_there():
    folder = fonts_dir()
    for spec in FONT_FILES:
        assert (folder / spec.file).is_file(), spec.file
    assert (folder / "LICENSE-wqy-microhei.txt").read_text(encoding="utf-8").count("Apache License") >= 1
    assert "Hanazono Font License" in (folder / "LICENSE-hanazono.txt").read_text(encoding="utf-8")


def test_each_character_comes_from_the_first_font_that_has_it():
    fonts = default_fonts()
    assert fonts.font_for("张") == MAIN
    assert fonts.font_for("7") == MAIN
    assert fonts.font_for("\u4dae") == "CanbaoRareA"  # 䶮, CJK Extension A: not in Micro Hei
    assert fonts.font_for("\U0002020C") == "CanbaoRareB"  # 𠈌, CJK Extension B
    assert fonts.font_for("\U0002B5AF") == "CanbaoRareC"  # 𫖯 (赵孟𫖯), CJK Extension C
    assert fonts.font_for("\U0002C317") == "CanbaoRareC"  # 𬌗, CJK Extension E
    assert fonts.runs("王\U0002020C芳") == ((MAIN, "王"), ("CanbaoRareB", "\U0002020C"), (MAIN, "芳"))


def test_uncovered_characters_are_reported_not_silently_boxed():
    fonts = default_fonts()
    assert fonts.uncovered("张三\u4dae\U0002020C\U00020BB7\U0002B5AF 410.00 肆佰壹拾元整") == []
    assert fonts.uncovered("张\ue000三") == ["\ue000"]  # a private-use character: no font has it


def test_widths_add_up_across_fonts():
    fonts = default_fonts()
    assert fonts.width("王\U0002020C", 10) == fonts.width("王", 10) + fonts.width("\U0002020C", 10)
    assert fonts.width("王", 20) == 2 * fonts.width("王", 10) > 0


def test_plane_two_names_survive_into_the_pdf_text(tmp_path):
    from app.paper.layout import A4, Pen, new_canvas

    from . import pdftools

    path = tmp_path / "names.pdf"
    c = new_canvas(str(path), A4, "t")
    Pen(c).text(72, 700, "赵孟\U0002B5AF 王\U0002020C 李\u4dae", 14)
    c.showPage()
    c.save()
    assert "赵孟\U0002B5AF王\U0002020C李\u4dae" in pdftools.compact(path)
    names = {f["name"].split("+", 1)[1] for f in pdftools.fonts(path)}
    assert {"HanaMinA", "HanaMinB", "HanaMinB-ExtCF"} <= names and all(f["emb"] == "yes" for f in pdftools.fonts(path))
