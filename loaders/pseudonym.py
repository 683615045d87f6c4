"""Pseudonyms for the people named in personnel.csv: a keyed hash (HMAC-SHA256) of person_id.

The same key and the same person_id always give the same pseudonym, so every rule that compares
people (audit-lead-conflict …) works unchanged; without the key a pseudonym cannot be turned back
into a name, nor a guessed name checked against it.
"""
from __future__ import annotations

import hashlib
import hmac
import os

from .model import Personnel

KEY_ENV = "ITAKU_PSEUDONYM_KEY"
MIN_KEY_LENGTH = 16
PREFIX = "P-"


class PseudonymKeyError(ValueError):
    """The pseudonymization key is missing or too weak; the message never shows the key."""


def key_from_env(environ: dict[str, str] | None = None) -> bytes:
    key = (os.environ if environ is None else environ).get(KEY_ENV, "")
    if not key:
        raise PseudonymKeyError(f"--pseudonymize needs a secret key in the environment variable {KEY_ENV}")
    if len(key) < MIN_KEY_LENGTH:
        raise PseudonymKeyError(f"{KEY_ENV} is too short: use at least {MIN_KEY_LENGTH} characters (a short key lets names be guessed back)")
    return key.encode("utf-8")


def pseudonym(person_id: str, key: str | bytes) -> str:
    """`P-` and 12 hex digits of HMAC-SHA256(key, person_id)."""
    raw_key = key.encode("utf-8") if isinstance(key, str) else key
    return PREFIX + hmac.new(raw_key, person_id.encode("utf-8"), hashlib.sha256).hexdigest()[:12]


def pseudonymize(people: list[Personnel], key: str | bytes) -> list[Personnel]:
    return [p.model_copy(update={"person_id": pseudonym(p.person_id, key)}) for p in people]
