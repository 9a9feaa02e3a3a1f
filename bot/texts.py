"""Every Korean sentence the bot itself writes (Rasa's replies live in domain.yml).

NOTICES are the templates of outbox messages queued by storage services and
actions (``storage.services.outbox.notify_resident(..., template, **params)``);
the bot formats them with ``str.format`` when it delivers them.

Particles after a value are never written out: ``「{title}」{title_eul}``. Every
template here is a ``storage.korean.Template`` (see the end of this module), whose
``format`` fills ``<name>_<suffix>`` from ``<name>`` (을/를, 이/가, 은/는 …).
"""
from __future__ import annotations

from storage.errors import error_message
from storage.contacts import template_params as contact_params
from storage.korean import Template

# --- Conversation plumbing ---------------------------------------------------
RASA_DOWN = (
    "죄송해요, 지금 대화 서버에 연결할 수 없어요. 보내신 메시지는 처리되지 않았으니 "
    "잠시 후 다시 보내 주세요."
)
RASA_EMPTY = (
    "죄송해요, 요청을 처리하는 중에 문제가 생겼어요. 아무것도 바뀌지 않았으니 "
    "잠시 후 다시 시도해 주세요."
)
# Rasa got the message but its answer never came (a read timeout): an action may
# have been applied, so never claim that nothing changed.
RASA_UNCERTAIN = (
    "죄송해요, 처리 결과를 확인하지 못했어요. 요청이 이미 반영되었을 수도 있으니 "
    "다시 보내기 전에 잠시 후 '내 포인트'나 /menu 에서 확인해 주세요."
)
UNSUPPORTED_MESSAGE = "죄송해요, 이런 형식의 메시지는 아직 이해하지 못해요. 글자로 적어 주시거나 /menu 를 눌러 주세요."
# What arrives that Rasa cannot read: each kind gets its own plain answer.
UNSUPPORTED_BY_KIND = {
    "sticker": "스티커 감사합니다! 😊 다만 스티커는 읽을 수 없어요. 원하시는 것을 글자로 적어 주시거나 /menu 를 눌러 주세요.",
    "voice": "음성 메시지는 아직 들을 수 없어요. 글자로 적어 주시거나 /menu 를 눌러 주세요.",
    "audio": "오디오 파일은 받을 수 없어요. 글자로 적어 주시거나 /menu 를 눌러 주세요.",
    "video": "동영상은 받을 수 없어요. 사진이 필요한 곳에서는 사진으로 보내 주시고, 그 밖에는 글자로 적어 주세요.",
    "video_note": "영상 메시지는 받을 수 없어요. 글자로 적어 주시거나 /menu 를 눌러 주세요.",
    "animation": "움직이는 이미지(GIF)는 받을 수 없어요. 글자로 적어 주시거나 /menu 를 눌러 주세요.",
    "location": "위치는 받지 않아요. 동 이름이 필요하면 글자로 적어 주세요. (예: 명동, 신당동)",
    "venue": "위치는 받지 않아요. 동 이름이 필요하면 글자로 적어 주세요. (예: 명동, 신당동)",
    "contact": "연락처는 받지 않아요. 개인정보 보호를 위해 전화번호 같은 정보는 보내지 말아 주세요.",
    "document": "파일은 받을 수 없어요. 사진은 '사진'으로 보내 주시고, 그 밖에는 글자로 적어 주세요.",
    "poll": "설문(투표)은 챗봇의 '설문·공모' 메뉴에서 참여해 주세요. /menu 를 눌러 보세요.",
    "dice": "🎲 재미있네요! 원하시는 것을 글자로 적어 주시거나 /menu 를 눌러 주세요.",
}
# Typed text the bot answers itself, before Rasa.
TEXT_EMPTY = "빈 메시지를 받았어요. 궁금한 것을 글자로 적어 주시거나 /menu 를 눌러 주세요."
TEXT_NO_WORDS = "이모지나 기호만으로는 이해하기 어려워요. 🙂 원하시는 것을 글자로 적어 주시거나 /menu 를 눌러 주세요."
TEXT_TOO_LONG = (
    "메시지가 너무 길어요({length:,}자). {limit:,}자 이내로 나누어 보내 주세요. "
    "정책제안 본문처럼 긴 글도 {limit:,}자까지 받을 수 있어요."
)
STALE_BUTTON = "이 버튼은 더 이상 사용할 수 없어요. /menu 에서 다시 시작해 주세요."

# Bot command menu registered with setMyCommands (command, description).
COMMANDS = [
    ("start", "시작하기 · 개인정보 동의"),
    ("menu", "메인 메뉴"),
    ("help", "도움말"),
    ("cancel", "진행 중인 작업 취소"),
]
STAFF_COMMANDS: list[tuple[str, str]] = [
    ("staff", "직원 명령어 안내"),
    ("event_new", "행사 등록 · QR 포스터 만들기"),
    ("events", "행사 목록"),
    ("event_poster", "행사 포스터 다시 받기"),
    ("event_rotate", "행사 QR 코드 교체"),
    ("event_code", "현장 출석 코드(바뀌는 QR · 숫자)"),
    ("volunteer", "자원봉사 시간 CSV 가져오기"),
    ("payout_close", "분기 마감 · 지급 목록 만들기"),
    ("payout_export", "지급 목록 CSV 받기"),
    ("payout_paid", "지급 완료 처리"),
    ("budget_cycle_new", "참여예산 회차 만들기"),
    ("budget_projects", "참여예산 사업 목록 · 심사 현황"),
    ("budget_screen", "참여예산 사업 심사"),
    ("budget_phase", "참여예산 단계 바꾸기"),
    ("budget_publish", "참여예산 결과 발표"),
    ("budget_export", "참여예산 투표지 · 결과 CSV 받기"),
    ("announce", "공지 보내기"),
    ("announcements", "예약 공지 목록"),
    # proposals (issue 5)
    ("proposals", "정책제안 목록 · 답변 기한 초과 먼저"),
    ("proposal_answer", "정책제안 답변 등록 (중간·최종)"),
    ("proposal_hide", "정책제안 비공개 처리"),
    ("proposal_unhide", "정책제안 다시 공개"),
    # surveys, contests, news, attendance (issue 7)
    ("engagement", "설문·공모·소식·출석체크 명령어 안내"),
    # meetings (issue 16)
    ("meeting_new", "영상회의 등록"),
    ("meetings", "영상회의 목록 · 신청 · 출석"),
    ("meeting_code", "영상회의 출석 코드 보기 · 교체"),
    ("meeting_move", "영상회의 일정 변경"),
    ("meeting_cancel", "영상회의 취소"),
    ("meeting_after", "영상회의 다시보기 · 만족도 조사 보내기"),
    ("meeting_export", "영상회의 신청·출석 CSV 받기"),
    ("survey_load", "설문 등록 (YAML/JSON 파일에 캡션)"),
    ("survey_results", "설문 결과 · CSV · 그래프"),
    ("contest_new", "공모 열기"),
    ("contest_entries", "공모 응모작 보기"),
    ("contest_winners", "공모 당선작 확정"),
    ("news_post", "중구 소식 올리기"),
    ("attendance_new", "출석체크 이벤트 열기"),
]

# --- Staff --------------------------------------------------------------------
NOT_ALLOWED = "이 명령은 사용할 수 없어요. /help 를 눌러 사용할 수 있는 기능을 확인해 주세요."
STAFF_HELP = (
    "[직원 명령어]\n"
    "• /event_new 이름 | 장소 | 시작 | 종료 | 포인트 | 정원(선택)\n"
    "   예) /event_new 정동야행 홍보부스 | 정동길 | 2026-12-05 18:00 | 2026-12-05 22:00 | 500 | 300\n"
    "• /events 행사 목록  • /event_poster 번호  포스터 다시 받기\n"
    "• /event_rotate 번호  QR 교체(기존 포스터는 더 이상 적립되지 않아요)\n"
    "• /event_code 번호 [분|끄기]  현장 출석 코드: 몇 분마다 바뀌는 QR과 숫자(그동안 인쇄 포스터는 적립 안 됨)\n"
    "• /volunteer  자원봉사 시간 CSV 가져오기 안내\n"
    "• /payout_close 분기 마감  • /payout_export 배치번호  • /payout_paid 배치번호\n"
    "• /budget_cycle_new 참여예산 회차 만들기(명령만 보내면 입력 방법 안내)  • /budget_projects 사업·심사 현황\n"
    "• /budget_screen 번호 accept [사업비] | reject 사유  • /budget_phase 단계  • /budget_publish  • /budget_export\n"
    "• /announce 공지 보내기(지금 또는 예약)  • /announcements 예약 공지 목록\n"
    "• /proposals [상태] 정책제안 목록(답변 기한 초과 먼저)  • /proposal_answer 번호 결과 답변\n"
    "• /proposal_hide 번호 사유  • /proposal_unhide 번호"
)
EVENT_NEW_USAGE = (
    "행사 정보를 이렇게 보내 주세요. 시간은 한국 시간이에요.\n"
    "/event_new 이름 | 장소 | 시작 | 종료 | 포인트 | 정원(선택)\n"
    "예) /event_new 중구 걷기대회 | 남산공원 | 2026-12-05 09:00 | 2026-12-05 13:00 | 300 | 500"
)
EVENT_ID_USAGE = "행사 번호를 함께 보내 주세요. 예) /event_poster 3  (번호는 /events 에서 확인)"
EVENT_ROTATED = "QR 코드를 새로 만들었어요. 이전 포스터로는 더 이상 적립되지 않아요."
EVENT_CODE_USAGE = (
    "현장 출석 코드는 이렇게 받아요. (분: {minimum}~{maximum}, 기본 {default}분)\n"
    "/event_code 번호  지금 코드 보기(처음이면 켜기)\n"
    "/event_code 번호 10  10분마다 바뀌게 하기\n"
    "/event_code 번호 끄기  인쇄 포스터로 돌아가기"
)
EVENT_CODE_SHOWN = (
    "[#{id} {name}] 현장 출석 코드\n"
    "📱 화면의 QR을 찍거나, 챗봇에 「출석 {spoken}」{spoken_ira}고 보내 주세요.\n"
    "이 코드는 {changes_at}에 바뀌고, 그 뒤 {minutes}분 동안만 더 쓸 수 있어요. "
    "새 코드는 /event_code {id} 로 받으세요. 그동안 인쇄 포스터로는 적립되지 않아요."
)
EVENT_CODE_OFF = "#{id} 행사의 현장 출석 코드를 껐어요. 이제 인쇄 포스터 QR로 적립돼요."
EVENTS_EMPTY = "등록된 행사가 없어요. /event_new 로 등록해 주세요."
EVENT_LINE = "#{id} {name} · {place}\n   {starts} ~ {ends} · {points} P · 적립 {checkins}명"
EVENT_POSTER = (
    "#{id} 「{name}」 포스터예요.\n{starts} ~ {ends} · {points} P\n"
    "QR 링크: {link}"
)
EVENT_POSTER_PRINT = "인쇄용 원본 파일(A5)이에요."
VOLUNTEER_USAGE = (
    "자원봉사 시간을 CSV 파일로 보내 주세요. 파일 설명(캡션)에 /volunteer 라고 적어 주세요.\n"
    "열: telegram_user_id, hours, year  (예: 123456789,120,2026)\n"
    "연 100시간 이상인 주민에게 연 1회 포인트가 적립되고, 같은 파일을 다시 올려도 중복 적립되지 않아요."
)
CSV_TOO_LARGE = "파일이 너무 커요. 1MB 이하의 CSV 파일로 나누어 보내 주세요."
BATCH_ID_USAGE = "배치 번호를 함께 보내 주세요. 예) /payout_export 2"
PAYOUT_CLOSED = (
    "{quarter} 지급 목록(배치 #{batch_id})을 만들었어요.\n"
    "대상 {count}명 · 합계 {total:,}원\n"
    "회계팀에 CSV를 보낸 뒤, 지급이 끝나면 /payout_paid {batch_id} 를 눌러 주세요."
)
PAYOUT_CONFIRM = "{quarter} 배치 #{batch_id} ({count}명, {total:,}원)를 지급 완료로 처리할까요? 처리하면 주민들에게 지급 안내가 발송돼요."
PAYOUT_CSV_BUTTON = "CSV 받기"
PAYOUT_PAID_BUTTON = "지급 완료 처리"
PAYOUT_DONE = "✅ {quarter} 배치 #{batch_id} 지급 완료 처리했어요. {count}명에게 안내가 발송됩니다."
PAYOUT_CSV_CAPTION = "{quarter} 배치 #{batch_id} 지급 목록 ({count}명, {total:,}원)"

# --- 주민참여예산 staff commands (issue 6) -----------------------------------------
BUDGET_CYCLE_USAGE = (
    "회차 정보를 | 로 나눠 한 줄로 보내 주세요. 시간은 한국 시간이에요.\n"
    "/budget_cycle_new 이름 | 총예산 | 방식 | 접수 시작 | 심사 시작 | 투표 시작 | 결과 발표 | 종료 | 변경허용(선택)\n"
    "방식: approval:N (최대 N개 찬성) · budget (예산 한도 내 선택) · budget:50 (예산의 50% 이상 선택)\n"
    "예) /budget_cycle_new 2027년 주민참여예산 | 10억 | budget:50 | 2027-03-02 09:00 | 2027-03-16 09:00 | "
    "2027-03-23 09:00 | 2027-03-30 18:00 | 2027-04-30 18:00"
)
BUDGET_CYCLE_CREATED = "주민참여예산 회차(#{id})를 만들었어요.\n{summary}"
BUDGET_CYCLE_SUMMARY = "「{name}」 · 현재 단계: {phase}\n총예산 {budget} · {rule}{change}\n{times}"
BUDGET_RULE_APPROVAL = "찬성 투표(최대 {max_picks}개)"
BUDGET_RULE_BUDGET = "예산 한도 내 선택"
BUDGET_RULE_MIN_SHARE = "예산 한도 내 선택(예산의 {percent}% 이상)"
BUDGET_CHANGE_ALLOWED = " · 제출 후 마감 전까지 변경 가능"
BUDGET_PHASE_LINE = "• {phase}: {at}부터"
BUDGET_NO_CYCLE = "주민참여예산 회차가 없어요. /budget_cycle_new 로 만들어 주세요."
BUDGET_PROJECTS_EMPTY = "「{cycle}」({phase})에 접수된 사업이 없어요."
BUDGET_PROJECTS_HEAD = "[{cycle} · {phase}] 사업 {count}건 · 심사 대기 {submitted} · 투표 대상 {accepted} · 제외 {rejected}"
BUDGET_PROJECT_LINE = "#{id} [{status}] {title} · {dong} · 제안 {estimated}{screened}\n   {short}{reason}"
BUDGET_PROJECT_SCREENED = " → 심사 {cost}"
BUDGET_PROJECT_REASON = "\n   사유: {reason}"
BUDGET_PROJECTS_HINT = "심사: /budget_screen 번호 accept [사업비]  또는  /budget_screen 번호 reject 사유"
BUDGET_STATUS_LABELS = {"submitted": "심사 대기", "accepted": "투표 대상", "rejected": "제외"}
BUDGET_SCREEN_USAGE = (
    "/budget_screen 사업번호 accept [사업비]  또는  /budget_screen 사업번호 reject 사유\n"
    "예) /budget_screen 3 accept 2500만원    /budget_screen 4 reject 국비 지원 사업과 중복"
)
BUDGET_SCREENED_ACCEPTED = "#{id} 「{title}」: 투표 대상으로 선정했어요 (사업비 {cost}). 제안자에게 결과가 안내돼요."
BUDGET_SCREENED_REJECTED = "#{id} 「{title}」: 제외했어요. 제안자에게 사유와 함께 안내돼요."
BUDGET_PHASE_USAGE = "바꿀 단계를 적어 주세요: 접수 · 심사 · 투표 · 결과 · 종료\n예) /budget_phase 투표"
BUDGET_PHASE_SET = "#{id} 「{name}」 단계를 바꿨어요. 현재 단계: {phase}"
BUDGET_PUBLISHED = "📊 「{name}」 결과를 발표했어요.\n{summary}\n\n{lines}\n\n투표한 주민 {voters:,}명에게 결과와 그래프를 보내요."
BUDGET_RESULT_LINE = "{mark} {rank}위 {title} · {votes:,}표 · {cost} · {reason}"
BUDGET_CHART_CAPTION = "「{name}」 결과 그래프"
BUDGET_EXPORT_BALLOTS = "「{name}」 투표지 CSV (투표한 사람을 알 수 있는 정보는 없어요)"
BUDGET_EXPORT_RESULTS = "「{name}」 결과 CSV"

# --- 정책제안 staff commands (issue 5) ------------------------------------------
PROPOSALS_ALL = "전체"
PROPOSALS_HEAD = "[정책제안 · {label}] {count}건 (답변 기한 초과 {overdue}건이 맨 위)"
PROPOSALS_EMPTY = "해당하는 정책제안이 없어요."
PROPOSALS_MORE = "… 그 밖에 {count}건. 상태를 붙여 좁혀 보세요. 예) /proposals under_review"
PROPOSAL_LINE = "{flag}#{id} [{status}] {title}\n   {category} · 공감 {count}/{threshold} · {author} · {when}{extra}"
PROPOSAL_OVERDUE_FLAG = "⚠️ 기한 초과 "
PROPOSAL_WHEN_REVIEW = "답변 기한 {due}"
PROPOSAL_WHEN_OPEN = "공감 마감 {day}"
PROPOSAL_WHEN_OPENED = "등록 {day}"
PROPOSAL_EXTRA_INTERIM = " · 중간답변 {count}건"
PROPOSAL_EXTRA_RESULT = " · 결과 {result}"
PROPOSAL_EXTRA_HIDDEN = " · 비공개 사유: {reason}"
PROPOSAL_ANSWER_USAGE = (
    "답변을 이렇게 보내 주세요. 답변은 여러 줄이어도 돼요.\n"
    "/proposal_answer 번호 결과 답변\n"
    "결과: accepted(수용) · partly(일부 수용) · not(불수용) · interim(중간 답변, 검토는 계속)\n"
    "예) /proposal_answer 12 partly 내년 상반기에 신당동 골목 3곳에 가로등을 설치하겠습니다."
)
PROPOSAL_ANSWER_POSTED = "✅ #{id} 최종 답변({result})을 등록했어요. 작성자와 공감한 주민 {notified}명에게 안내가 발송돼요."
PROPOSAL_INTERIM_POSTED = "📝 #{id} 중간 답변을 등록했어요. 작성자와 공감한 주민 {notified}명에게 안내가 발송돼요. 최종 답변도 잊지 말아 주세요."
PROPOSAL_HIDE_USAGE = "비공개 사유를 함께 보내 주세요. 예) /proposal_hide 12 특정인 비방"
PROPOSAL_UNHIDE_USAGE = "제안 번호를 함께 보내 주세요. 예) /proposal_unhide 12"
PROPOSAL_HIDDEN = "#{id} 「{title}」{title_eul} 비공개 처리했어요. 작성자에게 사유가 안내돼요."
PROPOSAL_UNHIDDEN = "#{id} 「{title}」{title_eul} 다시 공개했어요. (상태: {status})"


def volunteer_report(report) -> str:  # type: ignore[no-untyped-def]
    """Korean summary of a volunteer CSV import."""
    lines = [
        f"자원봉사 포인트 가져오기 결과: 적립 {report.awarded}명, 이미 적립 {report.already}명, "
        f"100시간 미만 {report.below_threshold}명, 미가입 {report.unknown_residents}명"
    ]
    lines += [f"• {line_no}행: {message}" for line_no, message in report.errors[:20]]
    if len(report.errors) > 20:
        lines.append(f"… 그 밖의 오류 {len(report.errors) - 20}건")
    return "\n".join(lines)


def error_text(code: str, **params: object) -> str:
    """The Korean reply for a storage DomainError code (worded once, in domain.yml)."""
    return error_message(code, **params)

# --- Staff: surveys, contests, news, attendance (issue 7) ----------------------
ENGAGEMENT_STAFF_HELP = (
    "[설문·공모·소식·출석체크]\n"
    "• 설문 등록: YAML/JSON 설문 파일을 보내며 설명(캡션)에 /survey_load\n"
    "• /survey_results 번호  결과 요약·CSV·그래프\n"
    "• /contest_new 제목 | 안내 | 마감 | 형식(글/사진/사진+글) | 응모 포인트 | 당선 포인트\n"
    "• /contest_entries 번호  • /contest_winners 번호 응모번호…\n"
    "• /news_post 분류 | 제목 | 요약 | 링크(선택)\n"
    "• /attendance_new 이름 | 시작일 | 종료일 | 하루 포인트 | 최대 일수"
)
SURVEY_LOAD_USAGE = (
    "설문 파일(YAML 또는 JSON)을 보내면서 파일 설명(캡션)에 /survey_load 라고 적어 주세요.\n"
    "예시 파일: storage/surveys/satisfaction_2026.yml (시간은 한국 시간)"
)
SURVEY_FILE_TOO_LARGE = "설문 파일이 너무 커요. {max_kb:,}KB 이하로 보내 주세요."
SURVEY_FILE_NOT_TEXT = "파일을 읽을 수 없어요. UTF-8 텍스트로 저장한 YAML/JSON 파일을 보내 주세요."
SURVEY_INVALID_HEAD = "❌ 설문 파일에 고칠 곳이 {count}군데 있어요. 고친 뒤 다시 보내 주세요."
SURVEY_LOADED = (
    "✅ 등록 완료: 설문 #{id} 「{title}」\n"
    "질문 {count}개 (조건부 {conditional}개) · {privacy}\n"
    "{opens} ~ {closes}\n"
    "참여 포인트 {points:,} P · 결과는 /survey_results {id}"
)
SURVEY_PRIVACY = {True: "익명", False: "실명"}
SURVEY_ID_USAGE = "설문 번호를 함께 보내 주세요. 예) /survey_results 3"
SURVEY_CSV_CAPTION = "설문 #{id} 응답 {count:,}건 (CSV, 엑셀에서 바로 열 수 있어요)"
SURVEY_CHART_CAPTION = "설문 #{id} 「{title}」 선택형·척도 문항 그래프"
CONTEST_NEW_USAGE = (
    "공모 정보를 이렇게 보내 주세요. 마감은 한국 시간이에요.\n"
    "/contest_new 제목 | 안내 | 마감 | 형식(글/사진/사진+글) | 응모 포인트(선택) | 당선 포인트(선택)\n"
    "예) /contest_new 중구 야경 사진 공모전 | 중구의 밤 풍경을 찍어 보내 주세요 | 2026-12-20 18:00 | 사진+글 | 1000 | 5000"
)
CONTEST_FORMS = {"글": "text", "텍스트": "text", "사진": "photo", "사진+글": "both", "사진+설명": "both",
                 "둘 다": "both", "둘다": "both", "text": "text", "photo": "photo", "both": "both"}
CONTEST_FORM_LABELS = {"text": "글", "photo": "사진", "both": "사진+글"}
CONTEST_OPENED = (
    "✅ 공모 #{id} 「{title}」{title_eul} 열었어요.\n"
    "마감 {deadline} · 형식 {form} · 응모 {entry_points:,} P · 당선 {win_points:,} P\n"
    "응모작은 /contest_entries {id}, 마감 후 당선작은 /contest_winners {id} 응모번호…"
)
CONTEST_ID_USAGE = "공모 번호를 함께 보내 주세요. 예) /contest_entries 2"
CONTEST_ENTRIES_EMPTY = "공모 #{id}에 아직 응모작이 없어요."
CONTEST_ENTRIES_HEAD = "[공모 #{id} 응모작 {count}건]"
CONTEST_ENTRY_LINE = "응모 #{entry_id} · {when}{photo}{won}\n   {text}"
CONTEST_ENTRY_HAS_PHOTO = " · 📷 사진"
CONTEST_ENTRY_WON = " · 🏆 당선"
CONTEST_ENTRY_PHOTO_CAPTION = "응모 #{entry_id}"
CONTEST_PHOTOS_MORE = "사진이 있는 응모작이 {count}건 더 있어요."
CONTEST_WINNERS_USAGE = "공모 번호와 당선 응모번호를 보내 주세요. 예) /contest_winners 2 5 9"
CONTEST_WINNERS_DONE = (
    "🏆 공모 #{id} 당선 {winners}명을 확정했어요. "
    "당선 안내 {winners}건과 결과 안내 {others}건을 보내요."
)
NEWS_POST_USAGE = (
    "소식을 이렇게 보내 주세요.\n"
    "/news_post 분류 | 제목 | 요약 | 링크(선택)\n"
    "분류: 구정소식 / 언론에 비친 중구 / 행사\n"
    "예) /news_post 행사 | 정동야행 12월 개최 | 12월 5~6일 정동길 일대에서 열려요 | https://www.junggu.seoul.kr"
)
NEWS_POSTED = "📰 소식 #{id}{id_eul} [{category}]에 올렸어요. 주민 {notified:,}명에게 안내가 발송돼요."
ATTENDANCE_NEW_USAGE = (
    "출석체크 이벤트를 이렇게 보내 주세요. 날짜는 한국 날짜예요.\n"
    "/attendance_new 이름 | 시작일 | 종료일 | 하루 포인트(선택) | 최대 일수(선택)\n"
    "예) /attendance_new 9월 출석체크 | 2026-09-04 | 2026-09-30 | 100 | 20"
)
ATTENDANCE_OPENED = (
    "✅ 출석체크 #{id} 「{title}」{title_eul} 열었어요.\n"
    "{starts} ~ {ends} · 하루 {points:,} P · 최대 {max_days}일 적립"
)

# --- Outbox notice templates (key -> str.format template) ----------------------
NOTICES: dict[str, str] = {
    # points (issue 4)
    "points_payout_paid": (
        "🎁 {quarter} 소통 포인트 상품권 {amount:,}원이 지급되었어요. "
        "참여해 주셔서 감사합니다! 남은 포인트는 \"내 포인트\"에서 확인할 수 있어요."
    ),
    # proposals (issue 5)
    "proposal_milestone": (
        "👏 {number}번 제안 「{title}」에 주민 {count}명이 공감했어요!\n"
        "{remaining}명만 더 공감하면 구청이 공식 검토해요. 이웃에게 알려 보세요."
    ),
    "proposal_under_review_author": (
        "🎉 축하합니다! 「{title}」({number}번 제안){title_i} 주민공감 {count}명을 얻어 구청 공식 검토에 들어갔어요.\n"
        "{due}까지 담당 부서가 답변할 예정이고, 답변이 올라오면 바로 알려 드릴게요."
    ),
    "proposal_under_review_endorser": (
        "📢 공감하신 「{title}」({number}번 제안){title_i} 주민공감 {count}명을 얻어 구청 공식 검토에 들어갔어요.\n"
        "{due}까지 답변할 예정이며, 답변이 올라오면 알려 드릴게요."
    ),
    "proposal_under_review_staff": (
        "[정책제안 검토 요청] {number}번 「{title}」\n"
        "분야: {category} · 동: {dong} · 주민공감 {count}명\n"
        "요약: {summary}\n"
        "답변 기한: {due}. 중간 답변이나 최종 답변을 등록해 주세요."
    ),
    "proposal_expired": (
        "{number}번 제안 「{title}」의 공감 모집 기간이 끝났어요. (주민공감 {count}명 / 목표 {threshold}명)\n"
        "참여해 주셔서 감사합니다. 내용을 다듬어 새로 제안하실 수도 있어요."
    ),
    "proposal_interim_answer": (
        "📝 {number}번 제안 「{title}」에 담당 부서의 중간 답변이 올라왔어요. ({date})\n\n{answer}"
    ),
    "proposal_answered": (
        "✅ {number}번 제안 「{title}」에 구청의 답변이 나왔어요. ({date})\n"
        "검토 결과: {result}\n\n{answer}"
    ),
    "proposal_hidden": (
        "「{title}」({number}번 제안){title_i} 운영 원칙에 따라 비공개 처리되었어요.\n"
        "사유: {reason}\n궁금한 점은 {contact_digital_policy}로 문의해 주세요."
    ),
    "proposal_unhidden": "「{title}」({number}번 제안){title_i} 다시 공개되었어요.",
    # budget (issue 6)
    "budget_screening_accepted": (
        "✅ 제안하신 「{title}」 사업이 {cycle} 심사를 통과해 주민 투표에 올라가요.\n"
        "심사 후 사업비: {cost}\n투표가 시작되면 다시 알려 드릴게요."
    ),
    "budget_screening_rejected": (
        "제안하신 「{title}」 사업은 {cycle} 심사에서 투표 대상에 오르지 못했어요.\n"
        "사유: {reason}\n소중한 제안 감사합니다. 다음 참여예산에도 제안해 주세요."
    ),
    "budget_voting_open_proposer": (
        "🗳️ {cycle} 주민 투표가 시작됐어요! 제안하신 「{title}」 사업도 투표에 올랐어요.\n"
        "투표는 {closes}에 마감돼요. 이웃에게도 알려 주세요."
    ),
    "budget_phase_changed_staff": (
        "[주민참여예산] {cycle}: '{from_phase}' → '{phase}' 단계로 바뀌었어요.\n"
        "심사 대기 {submitted}건 · 투표 대상 {accepted}건"
    ),
    "budget_results_ready_staff": (
        "[주민참여예산] {cycle} 투표가 마감됐어요. 결과를 확인한 뒤 /budget_publish 로 발표해 주세요.\n"
        "(명령줄: python -m storage.cli budget publish {cycle_id} --staff <텔레그램 ID>)"
    ),
    "budget_ballot_reminder": (
        "⏰ {cycle} 투표지를 작성하다 멈추셨어요 (선택 {picks}개).\n"
        "제출하셔야 투표가 집계돼요. 투표는 {closes}에 마감돼요."
    ),
    "budget_results_published": (
        "📊 {cycle} 결과가 발표됐어요! 투표해 주셔서 감사합니다.\n"
        "주민 {voters:,}명이 투표했고, {funded_count}개 사업({funded_total})이 선정됐어요.\n{titles}"
    ),
    # surveys, contests, news, attendance (issue 7)
    "contest_won": "🎉 축하합니다! 「{title}」 공모에 당선되셨어요. 주민소통 포인트 {points:,} P를 드렸어요.",
    "contest_won_no_points": "🎉 축하합니다! 「{title}」 공모에 당선되셨어요. 참여해 주셔서 감사합니다.",
    "contest_result": (
        "「{title}」 공모 결과가 나왔어요. 아쉽게도 이번에는 당선되지 않았지만, "
        "응모해 주셔서 감사합니다. (당선작 {winners}편)"
    ),
    "news_posted": "📰 새 소식 · {category}\n{title}\n\n{summary}\n{link}",
    # announcements (issue 8)
    "claim_reminder": (
        "🎁 {quarter} 소통 포인트 교환 신청이 {deadline}에 마감돼요.\n"
        "{minimum:,} P 이상 모으셨으니 \"포인트 교환\"이라고 보내 상품권으로 바꿔 보세요."
    ),
    "closing_survey": "⏰ 「{title}」 설문이 {closes}에 마감돼요. 아직 참여하지 않으셨다면 \"설문\"이라고 보내 참여해 주세요.",
    "closing_contest": "⏰ 「{title}」 공모 접수가 {closes}에 마감돼요. \"공모\"라고 보내 응모해 보세요.",
    "closing_budget_vote": (
        "🗳️ {title} 투표가 {closes}에 마감돼요. "
        "아직 투표하지 않으셨다면 \"참여예산 투표\"라고 보내 주세요."
    ),
    "announcement_missed": (
        "[공지 #{id}] 예약 시간({when})에 발송 서버가 멈춰 있어 보내지 않았어요.\n"
        "/announce 로 다시 작성하거나 python -m storage.cli announce send {id} 로 지금 보내 주세요."
    ),
    # --- meetings (issue 16) ---
    "meeting_day_before": (
        "📅 신청하신 영상회의가 곧 열려요.\n「{title}」\n{starts} ~ {ends}\n"
        "시작 {soon_minutes}분 전에 입장 링크를 다시 보내 드릴게요."
    ),
    "meeting_soon": (
        "⏰ 「{title}」 영상회의가 곧 시작돼요. ({starts})\n"
        "아래 버튼으로 입장해 주세요. 진행자가 알려 주는 출석 코드를 이 대화창에 보내 주시면 "
        "소통 포인트 {points:,} P를 드려요."
    ),
    "meeting_moved": (
        "📢 신청하신 「{title}」 영상회의 일정이 바뀌었어요.\n"
        "이전: {old}\n변경: {starts} ~ {ends}\n"
        "참석이 어려우시면 \"내 신청\"에서 신청을 취소해 주세요."
    ),
    "meeting_cancelled": (
        "📢 {starts}에 열릴 예정이던 「{title}」 영상회의가 취소되었어요. 불편을 드려 죄송합니다."
    ),
    "meeting_promoted": (
        "🎉 대기하시던 「{title}」 영상회의에 자리가 나서 신청이 확정되었어요. ({starts})"
    ),
    "meeting_after": (
        "🙏 「{title}」 영상회의에 함께해 주셔서 감사합니다.\n다시보기와 회의 자료는 아래 버튼에서 볼 수 있어요."
    ),
    "meeting_after_survey": (
        "🙏 「{title}」 영상회의에 함께해 주셔서 감사합니다.\n다시보기와 회의 자료는 아래 버튼에서 볼 수 있어요.\n"
        "더 나은 회의를 위해 짧은 만족도 조사에도 참여해 주세요."
    ),
}

# --- meetings (issue 16): the staff commands ---------------------------------
MEETING_ASK = {
    "title": "🎥 새 영상회의를 등록해요. 언제든 /cancel 로 그만둘 수 있어요.\n1/11 회의 제목을 보내 주세요. (최대 {max}자)",
    "description": "2/11 회의 설명을 보내 주세요. (최대 {max}자, 없으면 \"-\")",
    "category": "3/11 분야를 보내 주세요. 예) 도시재생, 복지, 교통",
    "department": "4/11 주관 부서를 보내 주세요. 예) 자치행정과",
    "starts_at": "5/11 시작 일시를 한국 시간으로 보내 주세요. 예) 2026-12-10 19:00",
    "ends_at": "6/11 끝나는 일시를 보내 주세요. 예) 2026-12-10 20:30 (시각만 보내도 돼요: 20:30)",
    "url": "7/11 회의 링크를 보내 주세요. https:// 로 시작하는 줌·웹엑스·지트시·유튜브 라이브 주소면 돼요.",
    "capacity": "8/11 정원을 숫자로 보내 주세요. 정원이 없으면 \"없음\"이라고 보내 주세요.",
    "deadline": "9/11 신청 마감 일시를 보내 주세요. 회의 시작 때 마감하려면 \"-\"라고 보내 주세요.",
    "points": "10/11 참석 포인트를 숫자로 보내 주세요. 기본값 {default} P로 하려면 \"-\"라고 보내 주세요. (최대 {max} P)",
    "dong": "11/11 대상 동을 보내 주세요. 예) 명동. 모든 동이 대상이면 \"전체\"라고 보내 주세요.",
}
MEETING_BAD_DATETIME = "날짜와 시간을 \"2026-12-10 19:00\" 형식으로 보내 주세요."
MEETING_BAD_NUMBER = "숫자로 보내 주세요."
MEETING_CREATED = (
    "✅ 영상회의 #{id}{id_eul} 등록했어요.\n「{title}」 {when}\n"
    "출석 코드: {code} (회의 중에 읽어 주세요. /meeting_code {id} 로 QR도 받을 수 있어요)\n"
    "주민 안내 링크: {link}"
)
MEETING_CANCELLED_FORM = "영상회의 등록을 취소했어요. 아무것도 저장하지 않았어요."
MEETING_LIST_HEAD = "[영상회의] 신청 / 정원 · 대기 · 출석"
MEETING_LIST_LINE = "#{id} {when} 「{title}」{state}\n   신청 {registered}/{capacity} · 대기 {waiting} · 출석 {attended}"
MEETING_LIST_EMPTY = "등록된 영상회의가 없어요. /meeting_new 로 등록해 주세요."
MEETING_STATE_CANCELLED = " (취소됨)"
MEETING_NO_CAPACITY = "∞"
MEETING_USAGE = {
    "meeting_code": "사용법: /meeting_code 회의번호 (새 코드로 바꾸려면 /meeting_code 회의번호 교체)",
    "meeting_move": "사용법: /meeting_move 회의번호 | 새 시작 | 새 종료  예) /meeting_move 3 | 2026-12-11 19:00 | 2026-12-11 20:30",
    "meeting_cancel": "사용법: /meeting_cancel 회의번호",
    "meeting_after": "사용법: /meeting_after 회의번호 | 다시보기·자료 링크(https://)",
    "meeting_export": "사용법: /meeting_export 회의번호",
}
MEETING_CODE = "🔑 #{id} 「{title}」 출석 코드: {code}\n출석 확인 시간: {opens} ~ {closes}\nQR을 화면에 띄우면 주민이 찍어서 출석할 수도 있어요."
MEETING_CODE_ROTATED = "🔁 #{id} 출석 코드를 {code}{code_euro} 바꿨어요. 이전 코드는 더 이상 쓸 수 없어요."
MEETING_MOVED = "📅 #{id} 일정을 {when}{when_euro} 옮겼어요. 신청자 {count:,}명에게 알림을 보냈어요."
MEETING_CANCELLED = "🛑 #{id} 영상회의를 취소했어요. 신청자 {count:,}명에게 알림을 보냈어요."
MEETING_AFTER_SENT = "📨 #{id} 다시보기 링크와 만족도 조사(설문 #{survey_id})를 {count:,}명에게 보냈어요."
MEETING_EXPORT_CAPTION = "#{id} 「{title}」 신청·출석 명단"

# --- Announcements (issue 8): the staff compose flow and its progress --------
ANNOUNCE_ASK_TEXT = (
    "📣 주민들에게 보낼 공지 내용을 보내 주세요. (최대 {limit:,}자)\n"
    "언제든 /cancel 로 그만둘 수 있어요."
)
ANNOUNCE_ASK_PHOTO = "사진을 함께 보낼까요? 사진을 보내 주시거나 [건너뛰기]를 눌러 주세요."
ANNOUNCE_ASK_LINK = (
    "링크 버튼을 하나 붙일 수 있어요. \"버튼 이름 | https://주소\" 형식으로 보내 주시거나 [건너뛰기]를 눌러 주세요.\n"
    "예) 설문 참여하기 | https://www.junggu.seoul.kr"
)
ANNOUNCE_LINK_FORMAT = "\"버튼 이름 | https://주소\" 형식으로 보내 주세요."
ANNOUNCE_ASK_TARGET = "누구에게 보낼까요?"
ANNOUNCE_ASK_DONG = "어느 동 주민에게 보낼까요?"
ANNOUNCE_CONTROLS = (
    "👆 주민들이 받을 모습 그대로예요 (미리보기)\n"
    "공지 #{id} · 대상: {target} ({count:,}명)\n"
    "긴급 공지: {urgent}\n"
    "지금 보내거나 예약해 주세요. 일반 공지는 21:00~08:00에는 보내지 않고 08:00에 발송돼요."
)
ANNOUNCE_URGENT_ON = "예 — 심야에도 바로 발송 (선택: {who}, {when})"
ANNOUNCE_URGENT_OFF = "아니요"
ANNOUNCE_ASK_WHEN = "보낼 날짜와 시간을 한국 시간으로 보내 주세요. 예) 2026-12-01 09:00"
ANNOUNCE_WHEN_FORMAT = "날짜와 시간을 \"2026-12-01 09:00\" 형식으로 보내 주세요."
ANNOUNCE_SCHEDULED = (
    "🗓️ 공지 #{id}{id_eul} {when}에 보내도록 예약했어요. 대상 {target}.\n"
    "/announcements 에서 예약 목록을 보고 취소할 수 있어요."
)
ANNOUNCE_STARTED = "📣 공지 #{id} 발송을 시작했어요. 대상 {total:,}명 · 진행 상황이 여기에 표시돼요."
ANNOUNCE_CANCELLED = "공지 작성을 취소했어요. 아무것도 보내지 않았어요."
ANNOUNCE_LIST_EMPTY = "예약되었거나 보내는 중인 공지가 없어요. /announce 로 새 공지를 작성해 주세요."
ANNOUNCE_LIST_LINE = "#{id} {when} · {target}{urgent}\n   {preview}"
ANNOUNCE_LIST_HEAD = "[예약·발송 중인 공지]"
ANNOUNCE_CANCEL_DONE = "공지 #{id}{id_eul} 취소했어요. 아직 보내지 않은 {count:,}명에게는 보내지 않아요."
ANNOUNCE_PROGRESS = (
    "📣 공지 #{id} 발송 중 {bar} {done:,}/{total:,}\n"
    "전송 {sent:,} · 실패 {failed:,} · 차단 {blocked:,}"
)
ANNOUNCE_PROGRESS_PREPARING = "📣 공지 #{id} 받는 사람 목록을 만드는 중이에요… ({total:,}명)"
ANNOUNCE_WAITING_QUIET = "\n🌙 심야 시간이라 남은 {waiting:,}명에게는 08:00에 보내요."
ANNOUNCE_DONE = (
    "✅ 공지 #{id} 발송을 마쳤어요.\n"
    "대상 {total:,}명 · 전송 {sent:,} · 실패 {failed:,} · 차단(수신 거부) {blocked:,}"
)
ANNOUNCE_DONE_UNCONFIRMED = (
    "\n⚠️ 발송 중 서버가 멈춰 {unconfirmed:,}명은 전송 여부를 확인할 수 없어요. 중복 발송을 막기 위해 "
    "자동으로 다시 보내지 않았어요. 아래 버튼을 누르면 이 {unconfirmed:,}명에게만 다시 보내요 "
    "(전송이 확인된 분께는 보내지 않아요. 다만 이 중 이미 받은 분은 한 번 더 받을 수 있어요)."
)
ANNOUNCE_RESEND_BUTTON = "다시 보내기 (받지 못한 분만)"
ANNOUNCE_RESENT = "공지 #{id}{id_eul} 전송이 확인되지 않은 {count:,}명에게 다시 보내요."
ANNOUNCE_CANCELLED_REPORT = "공지 #{id}{id_i} 취소되었어요. 전송 {sent:,} · 취소 {cancelled:,}"
ANNOUNCE_BUTTONS = {
    "skip": "건너뛰기",
    "cancel": "취소",
    "all": "전체 구독자",
    "dong": "동 선택",
    "now": "지금 보내기",
    "schedule": "예약하기",
    "urgent_on": "긴급 공지로 표시",
    "urgent_off": "긴급 공지 해제",
    "drop": "예약 취소",
}
ANNOUNCE_TARGET_ALL = "전체 구독자"
ANNOUNCE_TARGET_TOPIC = "{label} 구독자"
ANNOUNCE_TARGET_DONG = "{dong} 구독자"
ANNOUNCE_URGENT_MARK = " · 긴급"


def progress_bar(done: int, total: int, width: int = 10) -> str:
    """▓▓▓░░ style bar for the staff chat's progress message."""
    filled = width if total <= 0 else min(width, done * width // total)
    return "▓" * filled + "░" * (width - filled)

# --- Privacy (issue 13): the retention purge report for staff -------------------------
PURGE_REPORT = (
    "[보유기간 파기 미리보기] 마지막 이용이 {cutoff} 이전인 주민 {count}명이 다음 자동 파기(매일 새벽 4시) 대상이에요.\n"
    "(보유기간 {years}년 · 직원 계정은 제외 · 대화 기록도 함께 삭제)\n{lines}"
)
PURGE_LINE = "#{id} · 마지막 이용 {last}"
PURGE_MORE = "… 외 {more}명"
PURGE_NONE = "-"


def _finish(template: str) -> Template:
    """Contacts from storage/contacts.yml put in; particles chosen when the template is formatted."""
    for field, value in contact_params().items():
        template = template.replace("{" + field + "}", value)
    return Template(template)


def _finish_templates() -> None:
    """Make every template a korean.Template, so ``.format`` derives ``{x_eul}`` and the like from ``{x}``."""
    module = globals()
    for name, value in list(module.items()):
        if name.isupper() and type(value) is str:
            module[name] = _finish(value)
    for key, value in NOTICES.items():
        NOTICES[key] = _finish(value)


_finish_templates()
