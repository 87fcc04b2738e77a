"""Where the trail's keys come from, and what is refused: the key never lives in the database."""

import hashlib
import hmac
import stat

import pytest
from django.core.exceptions import ImproperlyConfigured

from rainforest.audit import keys

HEX = "ab" * 32


def _load(tmp_path, may_create=False, ephemeral=False, **environ):
    return keys.load(environ, tmp_path, may_create=may_create, ephemeral=ephemeral)


def test_one_key_from_the_environment_gets_a_fingerprint_for_its_id(tmp_path):
    ring = _load(tmp_path, RAINFOREST_AUDIT_KEY=HEX)
    assert ring.signing.secret == bytes.fromhex(HEX) and ring.signing.algorithm == "hmac-sha256"
    assert ring.signing.id == keys.fingerprint("hmac-sha256", bytes.fromhex(HEX))
    assert HEX not in repr(ring)  # a keyring printed in a traceback shows no secret


def test_a_keyring_signs_with_its_last_key_and_verifies_with_all(tmp_path):
    ring = _load(tmp_path, RAINFOREST_AUDIT_KEYS=f"2026:{HEX}, 2027:hmac-sha256:{'cd' * 32}")
    assert [k.id for k in ring.keys] == ["2026", "2027"] and ring.signing.id == "2027"
    assert ring.get("2026").secret == bytes.fromhex(HEX) and ring.get("nope") is None


@pytest.mark.parametrize(
    "value",
    [
        "ab" * 31,  # 31 bytes: too short
        "zz" * 32,  # not hex
        f"a:b:c:{HEX}",
        f"k1:md5:{HEX}",
        f"{keys.LEGACY}:{HEX}",  # the old chain's marker is no key
        f"bad id:{HEX}",
        f"k1:{HEX},k1:{'cd' * 32}",
        " , ",
    ],
)
def test_malformed_keys_are_refused_at_start(tmp_path, value):
    with pytest.raises(ImproperlyConfigured):
        _load(tmp_path, RAINFOREST_AUDIT_KEYS=value)


def test_two_sources_at_once_are_refused(tmp_path):
    with pytest.raises(ImproperlyConfigured, match="not both"):
        _load(tmp_path, RAINFOREST_AUDIT_KEY=HEX, RAINFOREST_AUDIT_KEYS=f"k:{HEX}")


def test_production_without_a_key_refuses_to_start(tmp_path):
    with pytest.raises(ImproperlyConfigured, match="RAINFOREST_AUDIT_KEY"):
        _load(tmp_path)
    assert not (tmp_path / "audit.key").exists()


def test_demo_creates_a_private_key_file_once_and_later_commands_read_it(tmp_path):
    first = _load(tmp_path, may_create=True)
    path = tmp_path / "audit.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert _load(tmp_path).signing == first.signing  # production mode, same folder: the demo's key serves


def test_a_key_file_holds_one_entry_a_line_and_its_last_signs(tmp_path):
    path = tmp_path / "keys"
    path.write_text(f"# rotated 2027-01-01\nold:{HEX}\nnew:{'cd' * 32}\n")
    ring = _load(tmp_path, RAINFOREST_AUDIT_KEY_FILE=str(path))
    assert ring.signing.id == "new" and ring.get("old")


def test_offline_commands_get_a_throwaway_key(tmp_path):
    assert _load(tmp_path, ephemeral=True).signing != _load(tmp_path, ephemeral=True).signing
    assert not (tmp_path / "audit.key").exists()


def test_sm3_is_the_national_standard_hash_through_openssl(tmp_path):
    if "sm3" not in hashlib.algorithms_available:  # such a build refuses an SM3 key at start instead
        with pytest.raises(ImproperlyConfigured):
            _load(tmp_path, RAINFOREST_AUDIT_KEY=f"gm:hmac-sm3:{HEX}")
        return
    # GB/T 32905-2016, appendix A.1: SM3("abc")
    assert hashlib.new("sm3", b"abc").hexdigest() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    key = _load(tmp_path, RAINFOREST_AUDIT_KEY=f"gm:hmac-sm3:{HEX}").signing
    secret = bytes.fromhex(HEX)  # HMAC (RFC 2104) over SM3's 64-byte block, written out
    inner = hashlib.new("sm3", bytes(b ^ 0x36 for b in secret.ljust(64, b"\0")) + b"d\x00m").digest()
    outer = hashlib.new("sm3", bytes(b ^ 0x5C for b in secret.ljust(64, b"\0")) + inner).hexdigest()
    assert key.mac(b"d", b"m") == outer != hmac.new(secret, b"d\x00m", "sha256").hexdigest()
