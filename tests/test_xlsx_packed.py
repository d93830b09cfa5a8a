"""A part deflated while it is made (the national worksheet, tens of MB of XML, is never
held whole): the package it goes into reads back exactly, and a part that holds the same
bytes is known to be the same, without unpacking either into memory whole."""

from __future__ import annotations

import io
import zipfile

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.backends.xlsx_zip import Package, Packer, new_package


def _packed(pieces: list[bytes]) -> Packer:
    packer = Packer()
    for piece in pieces:
        packer.write(piece)
    return packer


@settings(max_examples=40)
@given(pieces=st.lists(st.binary(max_size=3000), max_size=12), big=st.integers(0, 3))
def test_a_part_written_in_pieces_reads_back_whole(pieces: list[bytes], big: int) -> None:
    pieces = pieces + [b"<row/>" * 200_000] * big  # past the megabyte it compresses at
    whole = b"".join(pieces)
    data = new_package({"xl/worksheets/sheet1.xml": b"<x/>"})
    pkg = Package(data)
    out = pkg.rewrite({"xl/worksheets/sheet1.xml": _packed(pieces).done(), "extra.xml": b"e"})
    with zipfile.ZipFile(io.BytesIO(out)) as z:
        assert z.testzip() is None  # every CRC checks
        assert z.read("xl/worksheets/sheet1.xml") == whole
        assert z.read("extra.xml") == b"e"
    again = Package(out)
    assert again.same("xl/worksheets/sheet1.xml", _packed([whole]).done())
    assert not again.same("xl/worksheets/sheet1.xml", _packed([whole, b" "]).done())
    if whole:
        changed = whole[:-1] + bytes([whole[-1] ^ 1])  # same size, one bit differs
        assert not again.same("xl/worksheets/sheet1.xml", _packed([changed]).done())
