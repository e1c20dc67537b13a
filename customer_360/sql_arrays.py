"""PostgreSQL array literals for bulk statements.

psycopg2 sends a Python list as ``ARRAY[v1, v2, ...]``: one constant per value for the server to
parse and plan. For the tens of thousands of values of a bulk UPDATE ... FROM unnest(...), one
array literal ('{1,2.5,NULL}') cast to int[], float8[] or varchar[] is parsed several times faster.
"""


def number_array(values):
    """Literal of Python numbers (None as NULL); repr keeps every float's exact value."""
    return "{" + ",".join("NULL" if value is None else repr(value) for value in values) + "}"


def text_array(values):
    """Literal of texts (None as NULL), each quoted and escaped."""
    return "{" + ",".join(_quoted(value) for value in values) + "}"


def _quoted(value):
    if value is None:
        return "NULL"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
