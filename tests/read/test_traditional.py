"""Traditional output (`normalize --script-config s2t`): the Simplified document, converted whole."""

import pytest
from lxml import etree
from seedlib import FILES, KINDS, seed_bytes, seed_doc

from policydiff.errors import UsageProblem
from policydiff.model import planxml
from policydiff.model.document import DocMeta
from policydiff.read.pipeline import process


def _s2t(key: str):
    raw = seed_bytes(key)
    return process(raw.decode("utf-8"), DocMeta(kind=KINDS.get(key, "plan")), source_bytes=raw,
                   script_config="s2t")


@pytest.mark.parametrize("key", sorted(FILES))
def test_s2t_is_valid_traditional_xml_with_the_structure_and_suspects_of_t2s(key):
    simp, trad = seed_doc(key), _s2t(key)
    root = etree.fromstring(planxml.to_bytes(trad))  # validates against plan.rng
    assert "".join(root.itertext()) == trad.text
    # the same clauses, targets and suspects as the Simplified document, at the same places
    assert [c.eid for c in trad.clauses()] == [c.eid for c in simp.clauses()]
    assert [(t.clause, t.comparator, t.value) for t in trad.targets()] == \
        [(t.clause, t.comparator, t.value) for t in simp.targets()]
    suspects = [(n.start, n.end) for n in simp.root.iter("suspect")]
    assert [(n.start, n.end) for n in trad.root.iter("suspect")] == suspects
    for start, end in suspects:  # mojibake kept as found, not converted into other garbage
        assert trad.text[start:end] == simp.text[start:end]
    assert "廣東" in trad.text and "广东" not in trad.text
    assert trad.meta.title.startswith("廣東") or not simp.meta.title.startswith("广东")
    step = trad.steps[-1]
    assert step.name == "output_script" and step.changes > 500


def test_unsupported_script_config_is_refused_in_one_line():
    with pytest.raises(UsageProblem, match="unsupported script config 's2x'"):
        process("广东省", script_config="s2x")


def test_cli_script_configs_are_the_library_ones():
    from policydiff.cli.doc_cmds import SCRIPT_CONFIGS as CLI
    from policydiff.read.text import SCRIPT_CONFIGS

    assert CLI == SCRIPT_CONFIGS


def test_normalize_s2t_warns_only_of_the_real_suspects(cli, seeds, tmp_path):
    out = tmp_path / "2021-trad.xml"
    code, _out, err = cli("normalize", seeds["2021"], "--script-config", "s2t", "-o", out)
    assert code == 0, err
    assert "3 suspect span(s)" in err  # the mirror's three mojibake spans, not hundreds
    planxml.from_bytes(out.read_bytes())  # validates
    code, _out, err = cli("normalize", seeds["2021"], "--script-config", "x2y")
    assert code == 2 and err.count("\n") == 1 and "x2y" in err
