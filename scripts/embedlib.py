"""Shared by the scripts that compile shipped data into C files
(embed_list.py, embed_rules.py, embed_qual.py)."""


def c_string(s):
    """A C string literal for s (UTF-8 bytes; quotes, backslashes, control
    characters, non-ASCII and '?' (no trigraphs) escaped)."""
    out = []
    for b in s.encode("utf-8"):
        if b in (0x22, 0x5C):
            out.append("\\" + chr(b))
        elif b == 0x0A:
            out.append("\\n")
        elif b == 0x09:
            out.append("\\t")
        elif 0x20 <= b < 0x7F and b != 0x3F:
            out.append(chr(b))
        else:
            out.append("\\%03o" % b)
    return '"' + "".join(out) + '"'
