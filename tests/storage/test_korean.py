"""The particle helper: 을/를, 이/가, 은/는, 과/와, 이에요/예요, 이었/였, (으)로 from how a value ends."""
from __future__ import annotations

import pytest

from storage import korean
from storage.korean import Template, attach, fill, has_batchim, josa, particle_params


@pytest.mark.parametrize("word, eul, i, eun, gwa, ieyo, ro", [
    ("제안", "을", "이", "은", "과", "이에요", "으로"),
    ("나무", "를", "가", "는", "와", "예요", "로"),
    ("골목길", "을", "이", "은", "과", "이에요", "로"),          # ㄹ받침 takes 로
    ("신당동", "을", "이", "은", "과", "이에요", "으로"),
    ("가로등 설치해 주세요", "를", "가", "는", "와", "예요", "로"),
    ("「가로등 설치해 주세요」", "를", "가", "는", "와", "예요", "로"),  # look through the closing quote
    ("「놀이터 정비」", "를", "가", "는", "와", "예요", "로"),
    ("『중구 소식』", "을", "이", "은", "과", "이에요", "으로"),
    ("11월 26일 (수)", "를", "가", "는", "와", "예요", "로"),       # (수) → 수
    ("2026. 11. 26. (목)", "을", "이", "은", "과", "이에요", "으로"),  # 목 has ㄱ
    ("\"공감\"", "을", "이", "은", "과", "이에요", "으로"),
    ("[행사]", "를", "가", "는", "와", "예요", "로"),
    ("정동야행!", "을", "이", "은", "과", "이에요", "으로"),
    ("축제 🎉", "를", "가", "는", "와", "예요", "로"),
])
def test_hangul_and_closers(word, eul, i, eun, gwa, ieyo, ro):
    assert josa(word, "을/를") == eul
    assert josa(word, "이/가") == i
    assert josa(word, "은/는") == eun
    assert josa(word, "과/와") == gwa
    assert josa(word, "이에요/예요") == ieyo
    assert josa(word, "으로/로") == ro


@pytest.mark.parametrize("number, eul, ro", [
    ("0", "을", "으로"),     # 영
    ("1", "을", "로"),       # 일 (ㄹ)
    ("2", "를", "로"),       # 이
    ("3", "을", "으로"),     # 삼
    ("4", "를", "로"),       # 사
    ("5", "를", "로"),       # 오
    ("6", "을", "으로"),     # 육
    ("7", "을", "로"),       # 칠
    ("8", "을", "로"),       # 팔
    ("9", "를", "로"),       # 구
    ("10", "을", "으로"),    # 십
    ("20", "을", "으로"),    # 이십
    ("100", "을", "으로"),   # 백
    ("1,000", "을", "으로"), # 천
    ("5,000", "을", "으로"), # 오천
    ("10000", "을", "으로"), # 만
    ("300000", "을", "으로"), # 삼십만
    ("100000000", "을", "으로"),  # 억
    ("1000000000000", "를", "로"),  # 조
    ("12", "를", "로"),
    ("2027", "을", "로"),    # 칠
    ("1.5", "를", "로"),     # 일 점 오
    (3, "을", "으로"),       # ints as well as strings
    (5000, "을", "으로"),
    ("#42", "를", "로"),
    ("50%", "를", "로"),     # 퍼센트
])
def test_numbers_read_in_korean(number, eul, ro):
    assert josa(number, "을/를") == eul
    assert josa(number, "으로/로") == ro


@pytest.mark.parametrize("value, ieyo", [
    ("2026. 12. 2.", "이에요"),     # 2일
    ("09:00", "예요"),              # 9시
    ("18:30", "이에요"),            # 30분
    ("12월 31일 18:00", "예요"),
    ("2027-03-16", "이에요"),       # 십육 … 육
    ("12월 2일", "이에요"),
])
def test_dates_and_times(value, ieyo):
    assert josa(value, "이에요/예요") == ieyo


@pytest.mark.parametrize("value, eul", [
    ("QR", "을"),     # 큐알
    ("CSV", "를"),    # 씨에스브이
    ("URL", "을"),    # 유알엘
    ("SNS", "를"),    # 에스엔에스
    ("PDF", "를"),    # 피디에프
    ("5,000 P", "를"),  # 피
    ("app", "을"),    # 앱
    ("chat", "을"),   # 챗
    ("team", "을"),   # 팀
    ("mail", "을"),   # 메일
    ("post", "를"),   # 포스트
    ("Telegram", "을"),  # 텔레그램
    ("survey", "를"),
    ("A1B2C3", "을"),  # ends in 3 삼
    ("IoT", "를"),    # 아이오티
    ("CCTV", "를"),   # 씨씨티비
    ("phone", "을"),  # 폰
    ("game", "을"),   # 게임
    ("mall", "을"),   # 몰
    ("desk", "를"),   # 데스크
    ("camp", "를"),   # 캠프
    ("web", "을"),    # 웹
    ("7K3M-Q9XA", "를"),  # a receipt code: 에이
])
def test_latin(value, eul):
    assert josa(value, "을/를") == eul


def test_other_pairs_and_aliases():
    assert josa("제안", "이었/였") == "이었" and josa("투표", "이었/였") == "였"
    assert josa("제안", "이라/라") == "이라" and josa("투표", "이라/라") == "라"
    assert josa("제안", "를/을") == "을" and josa("나무", "(으)로") == "로"
    with pytest.raises(ValueError):
        josa("제안", "에/에게")


def test_unreadable_values_get_the_written_out_form():
    assert josa("🎉", "을/를") == "을(를)"
    assert josa("", "이/가") == "이(가)"
    assert josa("…", "으로/로") == "(으)로"
    assert josa("★", "이에요/예요") == "(이)에요"
    assert has_batchim("🎉") is None


def test_has_batchim():
    assert has_batchim("제안") is True
    assert has_batchim("나무") is False
    assert korean.final_consonant("길") == korean.RIEUL


def test_attach_and_params():
    assert attach("투표", "이에요/예요") == "투표예요"
    assert attach("「가로등 설치해 주세요」", "을/를") == "「가로등 설치해 주세요」를"
    params = particle_params(title="가로등", date="11월 26일 (수)")
    assert params["title_eul"] == "을" and params["title_euro"] == "으로"
    assert params["date_ieyo"] == "예요" and params["date_i"] == "가"
    assert set(params) == {f"{n}_{s}" for n in ("title", "date") for s in korean.SUFFIXES}


def test_fill_and_template_derive_particles_but_keep_given_ones():
    assert fill("「{title}」{title_eul} 등록했어요.", title="나무 심기") == "「나무 심기」를 등록했어요."
    t = Template("{payout_date}{payout_date_ieyo} {n}{n_eun}")
    assert t.format(payout_date="11월 26일 (수)", n=3) == "11월 26일 (수)예요 3은"
    assert t.format(payout_date="1월 1일", payout_date_ieyo="!", n=2) == "1월 1일! 2는"
    assert isinstance(t, str) and t.format(payout_date="x", n=1).endswith("1은")
