"""One vocabulary of header names for every kind of file (cwb.ingest.vocab)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from cwb.ingest import stage, vocab

INGEST = Path(__file__).resolve().parent.parent / "cwb" / "ingest"
# the importers and the vocabulary each uses, under the name the module exposes
IMPORTERS = {
    "payments": [("cwb.ingest.payments", "ALIASES", "payments")],
    "suppliers": [("cwb.ingest.suppliers", "ALIASES", "suppliers")],
    "assets": [("cwb.ingest.assets", "ALIASES", "assets")],
    "targets": [("cwb.ingest.targets", "ALIASES", "targets")],
    "workforce": [
        ("cwb.ingest.workforce", "ALIASES", "workforce"),
        ("cwb.ingest.workforce", "COUNT_ALIASES", "workforce_counts"),
        ("cwb.ingest.workforce", "HR_ALIASES", "workforce_hr"),
    ],
}


def _header_lists(tree: ast.Module) -> list[str]:
    """Module-level names bound to a literal {field: [header names ...]} (an alias list)."""
    found = []
    for node in tree.body:
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AnnAssign)
            else []
        )
        value = getattr(node, "value", None)
        if not isinstance(value, ast.Dict) or not value.values:
            continue
        if all(
            isinstance(v, (ast.List, ast.Tuple))
            and v.elts
            and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in v.elts)
            for v in value.values
        ):
            found += [t.id for t in targets if isinstance(t, ast.Name)]
    return found


def test_no_module_but_vocab_keeps_its_own_header_aliases():
    offenders = {}
    for f in sorted(INGEST.glob("*.py")):
        if f.name == "vocab.py":
            continue
        names = _header_lists(ast.parse(f.read_text()))
        if names:
            offenders[f.name] = names
    assert offenders == {}, f"header alias lists outside cwb/ingest/vocab.py: {offenders}"
    # the check sees a literal alias list (as the workforce and targets readers once kept)
    assert _header_lists(ast.parse('X = {"amount": ["Amount", "Net Amount"]}')) == ["X"]


@pytest.mark.parametrize("kind", sorted(vocab.KIND_FIELDS))
def test_every_kinds_fields_resolve_via_vocab(kind):
    fields = vocab.KIND_FIELDS[kind]
    assert fields and len(set(fields)) == len(fields)
    for f in fields:
        assert vocab.NAMES.get(f), f"{kind}: field {f!r} has no header names in the vocabulary"
    aliases = vocab.for_kind(kind)
    keys = vocab.KIND_KEYS.get(kind, {})
    assert list(aliases) == [keys.get(f, f) for f in fields]
    assert all(aliases[keys.get(f, f)] == vocab.NAMES[f] for f in fields)


@pytest.mark.parametrize("kind", vocab.KINDS)
def test_importers_and_the_mapping_editor_use_the_vocabulary(kind):
    assert stage.aliases_for(kind) == vocab.for_kind(kind)
    for module, name, vkind in IMPORTERS[kind]:
        assert getattr(importlib.import_module(module), name) == vocab.for_kind(vkind), (module, name)


def test_workforce_vocabulary_covers_both_layouts():
    wf = vocab.for_kind("workforce")
    assert set(vocab.for_kind("workforce_counts")) | set(vocab.for_kind("workforce_hr")) == set(wf)
    assert (
        "Home Postcode" in wf["postcode"] and "Hourly Rate" in wf["hourly_rate"] and "LSOA" in wf["area_code"]
    )
    with pytest.raises(ValueError):
        stage.aliases_for("nonsense")
