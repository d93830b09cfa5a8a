"""The .xlsx file as a zip package: read its parts safely, and write it back changing only
the parts the bot owns.

A workbook is a zip of XML parts. The bot changes a few of them (the sheets it marks, the
styles, its own sheets, the list of tabs); every other member is copied as raw bytes, local
header, compressed data and all, so a person's charts, images, macros and comments come
out of a sync byte for byte as they went in, and copying them costs no decompression.

Reading is guarded: a member that expands past `MAX_PART_BYTES`, a bad CRC, a truncated
file or something that is not a zip at all becomes a `PackageError` naming the member.
"""

from __future__ import annotations

import hashlib
import io
import struct
import time
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass

# A sheet of 5,000 rows is about 5 MB of XML; the national tab about 60 MB. Anything far
# past that is a zip bomb or a file nobody should sync.
MAX_PART_BYTES = 512 * 1024 * 1024

_LOCAL = struct.Struct("<4s5H3L2H")  # local file header, 30 bytes
_CENTRAL = struct.Struct("<4s6H3L5H2L")  # central directory entry, 46 bytes
_END = struct.Struct("<4s4H2LH")  # end of central directory, 22 bytes
_LOCAL_SIG, _CENTRAL_SIG, _END_SIG = b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06"
_DESCRIPTOR_SIG = b"PK\x07\x08"
_ZIP64_LOCATOR_SIG = b"PK\x06\x07"


class PackageError(Exception):
    """The file is not a usable zip package; `str()` says what is wrong, in English."""


class LockedPackage(PackageError):
    """An OLE compound file: a password-protected workbook, or an old Excel 97-2003 file."""


@dataclass(frozen=True)
class Packed:
    """A part deflated while it was made (`Packer`): a national worksheet is tens of MB
    of XML and is never held whole, only its compressed bytes (a tenth of it)."""

    packed: bytes
    crc: int
    size: int
    sha256: bytes


class Packer:
    """Deflates a part as it is written, piece by piece, into a `Packed`."""

    _FLUSH_AT = 1 << 20  # compress a megabyte at a time: fewer calls, little held

    def __init__(self) -> None:
        self._squeezer = zlib.compressobj(6, zlib.DEFLATED, -15)
        self._pending = bytearray()
        self._chunks: list[bytes] = []
        self._crc = 0
        self._size = 0
        self._sha = hashlib.sha256()

    def write(self, data: bytes) -> None:
        """Add the next bytes of the part."""
        self._pending += data
        if len(self._pending) >= self._FLUSH_AT:
            self._push()

    def _push(self) -> None:
        piece = bytes(self._pending)
        self._pending.clear()
        self._crc = zlib.crc32(piece, self._crc)
        self._size += len(piece)
        self._sha.update(piece)
        self._chunks.append(self._squeezer.compress(piece))

    def done(self) -> Packed:
        """The whole part, packed."""
        self._push()
        self._chunks.append(self._squeezer.flush())
        packed = b"".join(self._chunks)
        self._chunks.clear()
        return Packed(packed, self._crc, self._size, self._sha.digest())


_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class _Member:
    name: str
    central: bytes  # the raw central directory entry (name, extra and comment included)
    offset: int  # of its local header
    flags: int
    compressed: int


class Package:
    """A workbook's zip package, read from bytes already in memory."""

    def __init__(self, data: bytes) -> None:
        """Open the package in `data`; raises PackageError when it is no zip."""
        self.data = data
        if data.startswith(_OLE):
            raise LockedPackage(
                "a password-protected workbook or an Excel 97-2003 (.xls) file, which the bot "
                "cannot read"
            )
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
            raise PackageError(f"not a zip package ({exc})") from None
        self._by_lower = {i.filename.lower(): i.filename for i in self.zip.infolist()}
        self._members: list[_Member] | None = None

    def names(self) -> list[str]:
        """The members' names, in the order they are stored."""
        return [i.filename for i in self.zip.infolist()]

    def find(self, name: str) -> str | None:
        """The member stored under `name`, compared case-insensitively (OPC part names
        are), with or without a leading slash; None when absent."""
        return self._by_lower.get(name.lstrip("/").lower())

    def read(self, name: str, *, limit: int = MAX_PART_BYTES) -> bytes:
        """The uncompressed bytes of a member; raises PackageError if it cannot be read."""
        stored = self.find(name)
        if stored is None:
            raise PackageError(f"the part {name} is missing")
        info = self.zip.getinfo(stored)
        if info.file_size > limit:
            raise PackageError(
                f"the part {stored} would expand to {info.file_size:,} bytes (the limit is "
                f"{limit:,})"
            )
        try:
            with self.zip.open(info) as handle:
                out = handle.read(limit + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
            raise PackageError(f"the part {stored} is damaged ({exc})") from None
        except RuntimeError as exc:  # encrypted members
            raise PackageError(f"the part {stored} cannot be read ({exc})") from None
        if len(out) > limit:
            raise PackageError(f"the part {stored} expands past {limit:,} bytes")
        return out

    def same(self, name: str, content: bytes | Packed) -> bool:
        """Whether member `name` holds exactly `content`, read in pieces (a national tab is
        tens of MB: no need to hold it twice); a `Packed` part by its SHA-256."""
        stored = self.find(name)
        if stored is None:
            return False
        info = self.zip.getinfo(stored)
        size = content.size if isinstance(content, Packed) else len(content)
        if info.file_size != size:
            return False
        pos = 0
        digest = hashlib.sha256()
        try:
            with self.zip.open(info) as handle:
                while chunk := handle.read(1 << 20):
                    if isinstance(content, Packed):
                        digest.update(chunk)
                    elif content[pos : pos + len(chunk)] != chunk:
                        return False
                    pos += len(chunk)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError):
            return False
        if isinstance(content, Packed):
            return pos == size and digest.digest() == content.sha256
        return pos == size

    def _parse_members(self) -> list[_Member]:
        """The central directory, entry by entry, as stored (for raw copies)."""
        if self._members is not None:
            return self._members
        data = self.data
        end = data.rfind(_END_SIG, max(0, len(data) - 65_557))
        if end < 0 or end + _END.size > len(data):
            raise PackageError("the zip directory is missing")
        _, disk, _, _, count, size, start, _ = _END.unpack_from(data, end)
        if disk != 0 or start == 0xFFFFFFFF or count == 0xFFFF:
            raise PackageError("a ZIP64 or multi-part package, which the bot does not rewrite")
        if data[end - 20 : end - 16] == _ZIP64_LOCATOR_SIG:
            raise PackageError("a ZIP64 package, which the bot does not rewrite")
        if start + size != end:
            raise PackageError("the zip directory is not where the package says it is")
        members: list[_Member] = []
        pos = start
        for _ in range(count):
            if data[pos : pos + 4] != _CENTRAL_SIG:
                raise PackageError("the zip directory is damaged")
            fields = _CENTRAL.unpack_from(data, pos)
            flags, compressed = fields[3], fields[8]
            name_len, extra_len, comment_len = fields[10], fields[11], fields[12]
            offset = fields[16]
            length = _CENTRAL.size + name_len + extra_len + comment_len
            raw_name = data[pos + _CENTRAL.size : pos + _CENTRAL.size + name_len]
            name = raw_name.decode("utf-8" if flags & 0x800 else "cp437")
            members.append(_Member(name, data[pos : pos + length], offset, flags, compressed))
            pos += length
        self._members = members
        return members

    def _raw_record(self, member: _Member) -> bytes:
        """A member's local header, compressed data and data descriptor, as stored."""
        data = self.data
        pos = member.offset
        if data[pos : pos + 4] != _LOCAL_SIG:
            raise PackageError(f"the part {member.name} has a damaged header")
        fields = _LOCAL.unpack_from(data, pos)
        name_len, extra_len = fields[9], fields[10]
        end = pos + _LOCAL.size + name_len + extra_len + member.compressed
        if member.flags & 0x08:
            end += 16 if data[end : end + 4] == _DESCRIPTOR_SIG else 12
        if end > len(data):
            raise PackageError(f"the part {member.name} is cut short")
        return data[pos:end]

    def rewrite(self, changes: Mapping[str, bytes | Packed | None]) -> bytes:
        """A new package: `changes` (part name -> new content) replace or add members, or
        drop them (None: a part of the bot's that it no longer needs); every other member
        is copied as raw bytes."""
        wanted = {name.lstrip("/"): content for name, content in changes.items()}
        by_lower = {self.find(name) or name: content for name, content in wanted.items()}
        out = io.BytesIO()
        directory: list[bytes] = []
        for member in self._parse_members():
            start = out.tell()
            if member.name in by_lower:
                content = by_lower.pop(member.name)
                if content is None:
                    continue
                local, central = _new_member(member.name, content, start)
                out.writelines(local)
            else:
                out.write(self._raw_record(member))
                central = _with_offset(member.central, start)
            directory.append(central)
        for name, content in by_lower.items():
            if content is None:
                continue
            local, central = _new_member(name, content, out.tell())
            out.writelines(local)
            directory.append(central)
        _finish(out, directory, self._comment())
        return out.getvalue()

    def _comment(self) -> bytes:
        return self.zip.comment or b""


def new_package(parts: dict[str, bytes]) -> bytes:
    """A package holding `parts` (name -> content), all compressed."""
    out = io.BytesIO()
    directory = []
    for name, content in parts.items():
        local, central = _new_member(name, content, out.tell())
        out.writelines(local)
        directory.append(central)
    _finish(out, directory, b"")
    return out.getvalue()


def _with_offset(central: bytes, offset: int) -> bytes:
    return central[:42] + struct.pack("<L", offset) + central[46:]


def _dos_time() -> tuple[int, int]:
    t = time.localtime()
    year = max(t.tm_year, 1980)
    return (t.tm_hour << 11) | (t.tm_min << 5) | (t.tm_sec // 2), (
        ((year - 1980) << 9) | (t.tm_mon << 5) | t.tm_mday
    )


def _new_member(name: str, content: bytes | Packed, offset: int) -> tuple[list[bytes], bytes]:
    """The local record (in pieces, written one after the other: the packed data is not
    copied) and central entry of a member, deflated now unless it already is."""
    raw_name = name.encode("utf-8")
    flags = 0 if raw_name.isascii() else 0x800
    if isinstance(content, Packed):
        packed, crc, size = content.packed, content.crc, content.size
    else:
        squeezer = zlib.compressobj(6, zlib.DEFLATED, -15)
        packed = squeezer.compress(content) + squeezer.flush()
        crc, size = zlib.crc32(content), len(content)
    if len(packed) >= 0xFFFFFFFF or size >= 0xFFFFFFFF or offset >= 0xFFFFFFFF:
        raise PackageError(f"the part {name} is too large for a zip package")
    mtime, mdate = _dos_time()
    local = _LOCAL.pack(
        _LOCAL_SIG, 20, flags, 8, mtime, mdate, crc, len(packed), size, len(raw_name), 0
    )
    central = _CENTRAL.pack(
        _CENTRAL_SIG, 20, 20, flags, 8, mtime, mdate, crc, len(packed), size,
        len(raw_name), 0, 0, 0, 0, 0, offset,
    )  # fmt: skip
    return [local, raw_name, packed], central + raw_name


def _finish(out: io.BytesIO, directory: list[bytes], comment: bytes) -> None:
    start = out.tell()
    for entry in directory:
        out.write(entry)
    size = out.tell() - start
    if len(directory) >= 0xFFFF or start >= 0xFFFFFFFF:
        raise PackageError("the package would need ZIP64, which the bot does not write")
    count = len(directory)
    out.write(_END.pack(_END_SIG, 0, 0, count, count, size, start, len(comment)) + comment)
