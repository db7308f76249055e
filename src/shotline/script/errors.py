"""The screenplay readers' error type."""

from shotline.errors import InputError


class ScriptError(InputError):
    """A screenplay that cannot be read: empty, binary, not UTF-8, too big, malformed."""
