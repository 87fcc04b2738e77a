import pytest

from rainforest.core import uscc


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91330106MA2B2Y6X2A", "91330106ma2b2y6x2a"])
def test_valid_codes_pass_and_are_normalised(code):
    assert uscc.validate(code) == code.upper()


def test_wrong_check_character_names_the_expected_one():
    with pytest.raises(uscc.UsccError) as err:
        uscc.validate("91350100M000100Y44")
    assert err.value.code == "check"
    assert err.value.expected == "3"
    assert err.value.found == "4"


@pytest.mark.parametrize("code", ["91350100M000100Y4", "91350100M000100Y433", ""])
def test_length_other_than_18_is_refused(code):
    with pytest.raises(uscc.UsccError) as err:
        uscc.validate(code)
    assert err.value.code == "length"


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_letters_outside_the_alphabet_are_refused(letter):
    with pytest.raises(uscc.UsccError) as err:
        uscc.validate(f"9135010{letter}M000100Y43")
    assert err.value.code == "charset"
    assert err.value.found == letter


def test_check_character_can_be_zero():
    # 31 - (sum mod 31) == 31 maps to "0": find such a body and check the round trip.
    for n in range(10_000):
        body = f"9133010800{n:06d}0"
        if uscc.check_character(body) == "0":
            assert uscc.is_valid(body + "0")
            return
    pytest.fail("no body with check character 0 found")


def test_built_codes_are_valid():
    code = uscc.build("9", "1", "330108", "MA2B2Y6X")
    assert uscc.is_valid(code)
