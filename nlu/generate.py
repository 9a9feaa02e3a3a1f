"""Template generator for the typed-intent training data (TAXONOMY.md).

    .venv-rasa/bin/python nlu/generate.py        # rewrites nlu/data/nlu/generated_*.yml

Deterministic (seeded): the same templates give the same files. Each template is
a string with alternations `{a|b|c}` (one is picked at random) and entity slots
`<amount>`, `<number>`, `<dong>`. Light noise makes the lines read like typed
chat: a dropped or extra space, a common typo or jamo slip, a trailing emoji or
ㅋㅋ/ㅠ. A candidate that is a near-copy of a hand-written example or of an
earlier generated one (nlu/similarity.py) is dropped, so every intent gets
varied lines, never the same sentence twice with one space moved.
"""
from __future__ import annotations

import random
import re
import sys
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlu.similarity import NearDuplicateIndex, plain_text  # noqa: E402

DATA = ROOT / "nlu" / "data" / "nlu"
SEED = 20261202
PER_INTENT = 48  # generated lines per intent (hand-written lines come on top)
MORE = {"out_of_scope": 90, "faq": 0, "help": 40, "deny": 40, "affirm": 40, "my_data": 66, "my_data_correct": 66,
        "withdraw_consent": 50,
        "notifications_on": 56}
# Held-out utterances (never shown, never copied): a generated line that comes close to one is dropped.
HELD_OUT = ROOT / "nlu" / "tests" / "utterances"

DONGS = ["소공동", "회현동", "명동", "필동", "장충동", "광희동", "을지로동", "신당동", "다산동", "약수동",
         "청구동", "신당5동", "동화동", "황학동", "중림동"]
# Short forms residents type for a 동 → canonical value (EntitySynonymMapper).
DONG_SHORT = {"신당": "신당동", "황학": "황학동", "약수": "약수동", "중림": "중림동", "회현": "회현동",
              "을지로": "을지로동", "신당오동": "신당5동", "장충": "장충동", "다산": "다산동", "청구": "청구동",
              "광희": "광희동", "동화": "동화동", "소공": "소공동", "필동": "필동"}
# (text, value) of point amounts in exchange requests.
AMOUNTS = [("5000", "5000"), ("5,000", "5000"), ("오천", "5000"), ("5천", "5000"), ("10000", "10000"),
           ("만", "10000"), ("1만", "10000"), ("일만", "10000"), ("10,000", "10000"), ("2만", "20000"),
           ("이만", "20000"), ("15000", "15000"), ("만오천", "15000"), ("3만", "30000"), ("20000", "20000")]
EMOJI = ["🙂", "😊", "🙏", "👍", "ㅎㅎ", "ㅋㅋ", "ㅠㅠ", "!!", "~", "😅", "🤔", "^^"]
# Common slips: (right, typed) on the surface text.
TYPOS = [("요", "여"), ("해", "헤"), ("돼", "되"), ("있", "잇"), ("세요", "새요"), ("줘", "져"),
         ("싶", "십"), ("됐", "됬"), ("어요", "어욤"), ("포인트", "포인뜨"), ("알려", "알여"),
         ("신청", "신천"), ("제안", "재안"), ("설문", "설뭄"), ("알림", "알람")]

T: Dict[str, List[str]] = {
    # --- conversation ---
    "greet": [
        "{안녕하세요|안녕하십니까|안녕|안뇽|하이|ㅎㅇ|hi|hello|반가워요|반갑습니다}",
        "{안녕하세요|안녕}{ 온통중구| 챗봇| 봇|}{|!|~}",
        "{좋은|} {아침이에요|저녁이에요|오후예요}",
        "{처음 왔어요|처음 써봐요|처음인데요} {안녕하세요|반가워요}",
        "{여보세요|저기요|계세요?|있어요?}",
        "{굿모닝|좋은 아침|하이요|헬로}",
    ],
    "goodbye": [
        "{잘 있어|잘 있어요|안녕히 계세요|안녕히 계십시오|바이|빠이|ㅂㅂ|bye}",
        "{다음에|나중에|내일} {올게요|또 올게|다시 올게요|또 봐요|봐}",
        "{이만|그럼 이만} {갈게요|가볼게요|마칠게요|끝}",
        "{수고하세요|수고했어|수고하셨습니다|수고}",
        "{종료|대화 종료|그만 끝낼게요|오늘은 여기까지}",
        "{잘 자|좋은 하루 보내세요|좋은 밤 되세요}",
    ],
    "thanks": [
        "{고마워|고마워요|고맙습니다|감사합니다|감사해요|감사|ㄱㅅ|ㄳ|땡큐|thx|thank you}",
        "{정말|진짜|너무|완전} {고마워요|감사합니다|고맙다|감사해요}",
        "{도와줘서|알려줘서|도와주셔서|알려주셔서} {고마워|감사합니다|고마워요}",
        "{덕분에 해결했어요|덕분이에요|큰 도움 됐어요|도움 많이 됐어요}",
        "{오 감사|아 고마워|굿 고마워}",
    ],
    "affirm": [
        "{네|넵|넹|예|응|어|ㅇㅇ|ㅇㅋ|오케이|ok|콜|yes|좋아|좋아요|좋습니다}",
        "{네|응|예} {맞아요|맞아|그래요|그렇게 해 주세요|해 주세요|진행해 주세요}",
        "{그렇게 해 주세요|그걸로 할게요|그걸로 해줘|진행할게요|진행해|계속해 주세요}",
        "{동의해요|동의합니다|찬성|알겠어요|알겠습니다|그래|그러자|좋지}",
        "{확인|확인했어요|맞습니다|정답|그거 맞아}",
    ],
    "deny": [
        "{아니요|아뇨|아니|노|ㄴㄴ|no|아니에요|아닙니다|싫어|싫어요}",
        "{취소|그만|됐어요|됐어|안 할래요|안할래|안 해|필요 없어요|필요없어}",
        "{아 |음 |앗 |}{아니에요|아니요|됐어요} {취소할게요|그만할래요|안 할래요|취소}",
        "{하던 거|방금 거|지금 하는 거|이거} {취소해 주세요|취소|그만|그만할래요|안 할게요}",
        "{마음이 바뀌었어요|생각해보니 안 할래요|다음에 할게요|나중에 할게요|관둘래}",
        "{아니|아뇨} {괜찮아요|필요 없어|됐어|그거 아니야}",
    ],
    "help": [
        "{도움말|도움|헬프|help|메뉴|메뉴판|메인 메뉴|처음 메뉴|전체 메뉴}",
        "{메뉴|도움말} {보여줘|보여 주세요|열어줘|띄워줘|알려줘}",
        "{뭐|뭘|무엇을} {할 수 있어|할 수 있어요|해 줄 수 있어|할 수 있나요|도와줄 수 있어요}?",
        "{이거|이 챗봇|이 봇|온통중구 봇} {어떻게 써요|어떻게 사용해요|사용법 알려줘|쓰는 법|뭐 하는 거예요}",
        "{기능|할 수 있는 것|서비스} {뭐 있어|뭐뭐 있어요|목록|알려줘}",
        "{처음인데|잘 모르겠는데|어떻게 하는지 모르겠어요} {어떻게 해요|뭐부터 해요|도와주세요}",
    ],
    # --- out of scope ---
    "out_of_scope": [
        "{오늘|내일|주말|모레} {날씨|비 와|미세먼지|기온} {어때|알려줘|어때요|올까?}",
        "{명동|을지로|신당동|충무로|동대문} {맛집|카페|술집|떡볶이집|주차장} {추천해줘|어디야|알려줘요}",
        "{불법 주차|주차 위반|불법주차 차량} {단속해 주세요|신고할게요|신고 어떻게 해요|과태료 얼마예요}",
        "{쓰레기|재활용|음식물 쓰레기|대형 폐기물} {배출 요일|버리는 날|언제 버려요|수거 요일이 언제예요}",
        "{여권|주민등록등본|인감증명서|가족관계증명서} {발급|재발급} {어디서 해요|방법|얼마예요|받으려면요}",
        "{파이썬|자바스크립트|엑셀|SQL} {코드 짜줘|오류 고쳐줘|함수 알려줘|배우는 법}",
        "{심심해|놀아줘|너 몇 살이야|너 이름 뭐야|농담 하나 해줘|사랑해|배고파}",
        "{주식|비트코인|환율|금값|집값} {오를까|얼마야|전망 알려줘|사도 돼?}",
        "{지하철|버스|KTX|택시} {시간표|막차|노선|요금} {알려줘|몇 시야|얼마야}",
        "{영화|드라마|노래|책|게임} {추천해줘|추천 좀|뭐 볼까}",
        "{코로나|독감} {예방접종|검사} {어디서 해요|예약}",
        "{층간소음|누수|가로등 고장|싱크홀|도로 파손} {민원 접수해 주세요|신고하고 싶어요|어디에 말해요}",
        "{전입신고|혼인신고|출생신고|사업자등록} {어떻게 해요|하려면요|어디서 해}",
        "{번역해 줘|영어로 바꿔줘|요약해줘|시 한 편 써줘|그림 그려줘}",
        "{로또 번호|운세|타로} {알려줘|봐줘|뽑아줘}",
        "{구청장|국회의원|시장} {누구야|뭐 하는 사람이야|전화번호}",
        "{남산타워|덕수궁|청계천|명동성당} {가는 길|입장료|몇 시까지 해요}",
    ],
    # --- account ---
    "withdraw_consent": [
        "{탈퇴|회원 탈퇴|회원탈퇴|계정 삭제|서비스 탈퇴} {할래요|하고 싶어요|해 주세요|할게|어떻게 해요|하기}",
        "{내 정보|제 정보|개인정보|내 데이터|제 데이터} {다 지워 줘|전부 삭제해 주세요|지워주세요|파기해 주세요|없애줘}",
        "{동의 철회|개인정보 동의 철회|수집 동의 취소|동의 취소} {할게요|하고 싶어요|해 주세요|할래}",
        "{이제 안 쓸래요|그만 쓸래요|더 이상 안 써요} {탈퇴시켜 주세요|지워 주세요|계정 없애줘}",
        "{온통중구|챗봇|이 서비스} {탈퇴|나가기|그만두기} {할래|하고 싶어요|원해요}",
    ],
    "my_data": [
        "{내 정보|제 정보|내 개인정보|저장된 내 정보|나에 대한 정보} {보여줘|보여 주세요|확인할래요|조회|뭐 있어요?}",
        "{내 정보|내 데이터|제 개인정보|내 기록} {내려받기|다운로드|다운받고 싶어요|파일로 받을래요|열람 신청}",
        "{개인정보처리방침|개인정보 처리방침|개인정보 보호정책|처리방침} {보여줘|어디서 봐요|알려주세요|링크 줘}",
        "{무슨 정보|어떤 정보|뭘|내 정보 뭐} {저장하고 있어요|모으고 있어|가지고 있나요|수집했어요}?",
        "{제 정보|내 정보} {열람|조회|확인} {요청할게요|하고 싶어요|가능해요?}",
        "{챗봇이|여기서|구청이} {내 정보|제 개인정보|나에 대해} {뭘 알고 있어|어디까지 저장했어요|뭐 갖고 있는지 보여줘}",
        "{가입할 때 낸 정보|등록된 내 정보|내 가입 정보} {확인|보기|다시 보여줘}",
        "{개인정보|내 데이터} {사본|파일|엑셀} {받을 수 있어요?|보내 주세요|내보내기}",
    ],
    "my_data_correct": [
        "{이름|내 이름|제 이름|닉네임} {바꿀래요|바꿔 주세요|수정하고 싶어요|변경|고쳐줘|잘못 들어갔어요}",
        "{우리 동|내 동|사는 동|제 동네} <dong>{으로|로|} {바꿔 줘|바꿔주세요|변경할래요|수정해 주세요}",
        "<dong>{으로|로} {이사했어요|이사 왔어요|옮겼어요} {동 바꿔 주세요|주소 바꿀래|정보 수정해 줘}",
        "{동|거주지|사는 곳|행정동} {변경|정정|수정} {하고 싶어요|할게요|해 주세요|요청}",
        "{내 정보|제 정보|등록 정보} {수정|정정|고치기} {할래요|하고 싶어요|해 주세요}",
        "{이름이|제 이름이|등록된 이름이} {틀렸어요|잘못됐어요|오타 났어요} {고쳐 주세요|바꿔줘|수정 부탁해요}",
        "{저|나} <dong> {살아요|주민이에요|사는데} {동 정보|거주지} {고쳐 주세요|바꿔 줘|수정할게요}",
        "{이름 변경|동 변경|거주 동 변경|닉네임 변경}{|요| 신청| 할래}",
    ],
    # --- points ---
    "points_balance": [
        "{내|제|나|우리} {포인트|소통포인트|적립금} {얼마야|얼마예요|얼마 있어요|몇 점이야|몇 점 있어요}?",
        "{포인트|포인트 잔액|잔여 포인트|남은 포인트|보유 포인트} {조회|확인|알려줘|보여줘|확인해 주세요}",
        "{잔액조회|잔액 조회|포인트조회|잔고 확인|포인트 잔고}",
        "{지금까지|현재|오늘 기준} {모은|쌓인|적립된} 포인트 {얼마야|얼마예요|몇 점이야|몇 점이에요|얼마인가요}?",
        "{상품권 바꿀 만큼|5천 점|교환할 만큼} {모였어|모였나요|쌓였어요}?",
        "{point|포인트} {얼마|몇점}",
    ],
    "points_history": [
        "{포인트|적립|사용|포인트 적립} {내역|기록|이력|히스토리} {보여줘|보여 주세요|확인|조회할래요|알려줘}",
        "{언제|어디서|뭐 해서} {포인트|점수} {받았는지|적립됐는지|쌓였는지} {보여줘|알고 싶어요|확인하고 싶어요}",
        "{지난달|이번 달|올해|최근} {포인트|적립} {내역|기록} {좀 봐요|보여줘|있어?}",
        "{포인트 들어온 거|포인트 나간 거|적립된 거} {목록|리스트|내역} {보여줘|확인}",
        "{포인트내역|적립내역|포인트 이력}{|요|좀}",
    ],
    "exchange_request": [
        "<amount> {포인트|점|P} {상품권으로|상품권} {바꿔 줘|교환해 주세요|교환할래요|바꿀래}",
        "{포인트|소통포인트|모은 포인트} {상품권으로|상품권} {바꾸고 싶어요|교환 신청할게요|바꿔줘|교환하기}",
        "{상품권|지역상품권|사랑상품권} {교환|신청|교환 신청} {할래요|하고 싶어요|해 주세요|ㄱㄱ}",
        "<amount> {포인트|점|P}{만|} {교환|교환 신청|상품권 신청} {할게요|해줘|해 주세요}",
        "{포인트 교환|상품권 교환|포인트 환전|포인트 현금화} {하고 싶은데요|할래|신청}",
    ],
    "exchange_status": [
        "{교환 신청|상품권 신청|교환 요청|신청한 상품권} {어떻게 됐어요|어떻게 됐나요|진행 상황|상태 알려줘|언제 와요}?",
        "{내 교환 신청|교환 신청한 거|상품권 교환|신청한 교환} {취소|취소해 주세요|취소할래요|철회할게요|무를래요}",
        "{교환 현황|교환 내역|교환 대기|지급 대기} {확인|조회|보여줘}",
        "{상품권 신청 취소|교환 취소|교환취소|교환 철회}{|요|할게|해줘}",
        "{신청한|교환 신청한} {상품권|포인트} {아직이에요|처리됐어요|지급됐나요}?",
    ],
    # --- proposals ---
    "proposals_menu": [
        "{정책제안|정책 제안|제안|주민제안} {메뉴|코너|화면|페이지}{| 열어줘| 보여줘| 가기}",
        "{정책제안|정책 제안} {들어갈래|볼래요|하는 곳|어디예요}",
        "{제안하기|정책제안하기|제안} {메뉴|들어가기}",
        "{정책제안|제안 게시판|제안 코너}{|요|!}",
    ],
    "proposal_new": [
        "{골목에 가로등을 더 달아 주세요|버스 정류장에 온열의자를 놓아 주세요|공원에 운동기구를 늘려 주세요|"
        "어린이 보호구역에 과속카메라 설치해 주세요|경로당 에어컨 바꿔 주세요|자전거 도로를 넓혀 주세요|"
        "주민센터 주차장을 주말에 개방해 주세요|시장 앞 횡단보도 신호를 길게 해 주세요} "
        "{라고 제안하고 싶어요|라고 정책 제안할게요|하고 제안합니다|이렇게 건의하고 싶어요|라고 제안할래요}",
        "{골목 CCTV|공공 와이파이|쓰레기통|벤치|그늘막|무인 택배함|반려견 놀이터|공중화장실}{을|를|} {설치해|늘려|더 만들어} {달라고|주면 좋겠다고} {건의할래요|제안할게요|제안하고 싶어요}",
        "{정책 제안|새 제안|제안서|건의} {하고 싶어요|할래요|쓸게요|작성할래|등록하고 싶어요|올릴게요}",
        "{구청에|중구에|구에} {건의하고 싶은 게|제안할 게|바라는 게} {있어요|있는데요|있어}",
        "{새 제안 쓰기|제안 작성|제안 등록|정책 아이디어 제출}{|할게요|요}",
    ],
    "proposal_list": [
        "{제안 목록|제안 리스트|올라온 제안|다른 사람 제안|주민 제안들} {보여줘|보여 주세요|볼래요|구경할래|확인}",
        "{인기 제안|공감 많은 제안|최신 제안|새로 올라온 제안|요즘 제안} {보여줘|뭐 있어|알려줘|목록}",
        "{가로등|주차|공원|교통|쓰레기|안전|어린이|어르신|환경} {관련|관한|} 제안 {찾아 줘|검색해 줘|있어?|보여줘|찾아봐}",
        "<dong> {제안|정책 제안} {보여줘|있어요?|목록|찾아줘}",
        "{제안 검색|제안 둘러보기|분야별 제안|카테고리별 제안}{| 할래| 해줘}",
    ],
    "proposal_endorse": [
        "<number>번 {제안|정책 제안|} {공감|공감할게요|공감해 주세요|찬성|좋아요|추천할래요}",
        "{이 제안|그 제안|방금 제안|이거} {공감|공감할게요|찬성해요|찬성|동의합니다|좋아요 누를래}",
        "{제안에 공감하기|공감하기|공감 누르기|주민공감 하기|공감 버튼}{| 할게요|요}",
        "{제안|정책 제안} <number>번{에|} {공감할래|공감요|찬성할게|밀어줄게요}",
        "{좋은 제안이네요|이거 좋다} {공감할게요|공감|찬성}",
    ],
    "proposal_mine": [
        "{내가 쓴|제가 쓴|내가 올린|제가 올린|내} {제안|정책 제안|건의} {보여줘|목록|어떻게 됐어요|확인할래요|진행 상황}",
        "{내 제안|제 제안|제가 낸 제안} {답변 왔어|답변 왔나요|검토 됐어요|공감 몇 개야|상태}?",
        "{내가 제안한 거|제가 제안한 것|내 건의} {어떻게 됐어|처리됐나요|결과 나왔어요}?",
        "{내 제안 목록|나의 제안|내제안|마이 제안}{|요|보기}",
    ],
    # --- budget ---
    "budget_menu": [
        "{참여예산|주민참여예산|주민 참여 예산|참여 예산} {메뉴|코너|화면|페이지}{| 열어줘| 보여줘|}",
        "{참여예산|주민참여예산} {뭐예요|어떻게 해요|들어갈래|볼래요|하는 곳}",
        "{참여예산|주민참여예산|참예}{|요|!| 메뉴}",
        "{예산 참여|주민예산|예산 제안 투표} {메뉴|하는 데|어디예요}",
    ],
    "budget_propose": [
        "<dong> {놀이터|경로당|골목길|공원 화장실|버스정류장|산책로} {고쳐 주세요|바꿔 주세요|정비해 주세요} {참여예산으로 제안|참여예산 사업으로 제안할게요|예산 사업 제안해요}",
        "{참여예산|주민참여예산} {사업 제안|사업 신청|제안} {할래요|하고 싶어요|하기|등록할게요|해볼래}",
        "<dong>에 {벤치|CCTV|그늘막|꽃길|운동기구} {설치하는 사업|만드는 사업} {참여예산으로 신청할래요|예산으로 제안해요}",
        "{우리 동네|동네|<dong>} {사업|예산 사업} {제안하고 싶어요|신청할게요|올릴게요}",
        "{예산 사업 아이디어|참여예산 아이디어|주민 사업} {내고 싶어요|제출할래|접수할게요}",
    ],
    "budget_vote": [
        "{참여예산|주민참여예산|예산 사업|참여예산 사업} {투표|투표하기|투표할래|투표하고 싶어요|투표 참여}",
        "{투표|예산 투표|사업 투표} {하러 왔어요|할게요|어디서 해요|언제 해|참여할래요}",
        "{어떤 사업에|사업에|마음에 드는 사업에} {투표할래요|표 줄래|투표하고 싶어}",
        "{참여예산 투표|예산투표|투표 ㄱㄱ}{|요|!}",
    ],
    "budget_results": [
        "{참여예산|주민참여예산|예산 투표|투표} {결과|결과 발표|선정 결과|득표 결과} {보여줘|알려줘|나왔어요?|확인}",
        "{어떤 사업|무슨 사업|몇 개 사업} {선정됐어|뽑혔어요|통과됐나요|됐어}?",
        "{올해|작년|이번} {참여예산|예산 사업} {결과|선정 사업|당선 사업}{|은요|좀}",
        "{투표 결과|예산 결과|선정 결과}{|요|?}",
    ],
    # --- surveys ---
    "survey_start": [
        "{설문|설문조사|설문 조사|여론조사} {참여|참여할래요|하고 싶어요|할래|하기|할게요}",
        "{설문|설문조사|진행 중인 설문|새 설문} {있어요|있어|뭐 있어요|목록|보여줘}?",
        "{설문·공모|설문 공모|설문이랑 공모} {메뉴|보여줘|들어갈래}",
        "{설문 응답|설문 답하기|조사 참여} {할게요|하러 왔어요|ㄱㄱ}",
        "{포인트 주는 설문|오늘 설문|이번 주 설문} {있나요|해볼래|알려줘}",
    ],
    "contest_list": [
        "{공모전|공모|콘테스트|사진 공모|아이디어 공모} {뭐 있어|있어요|목록|보여줘|알려줘}?",
        "{사진 공모|공모전|아이디어 공모전|슬로건 공모|영상 공모전} {응모하고 싶어|응모할래요|참가할래|나가볼래요}",
        "{내가 응모한|제가 낸|내} {공모전|응모작|응모} {보여줘|확인|어떻게 됐어요}",
        "{공모전 참여|공모 응모|작품 응모|응모하기}{|할게요|요}",
    ],
    # --- news ---
    "news_menu": [
        "{중구소식|중구 소식|구청 소식|구정 소식|동네 소식|새 소식} {보여줘|알려줘|볼래요|뭐 있어요|있어?}",
        "{보도자료|언론 보도|언론에 나온 중구|언론에 비친 중구|뉴스} {보여줘|볼래|있어요|알려줘}",
        "{요즘|이번 주|최근} {중구|구청} {무슨 일 있어|소식|뉴스}?",
        "{행사 소식|축제 소식|정동야행 소식|행사 안내} {알려줘|보여줘|있나요}",
        "{중구소식|구정뉴스|소식}{|요| 메뉴}",
    ],
    # --- attendance ---
    "attendance_check": [
        "{출석|출첵|출석체크|출석 체크} {ㄱㄱ|할게요|할래|하기|해줘|완료|찍을게요}",
        "{오늘|오늘도|오늘 하루} {출석|출첵|출석체크}{|요|!|할게}",
        "{출석 도장|출석 포인트|출석 이벤트} {찍기|받을래|참여}",
        "{출석했어|출석합니다|출석이요|출석 부탁해요}",
    ],
    # --- notifications ---
    "notifications_menu": [
        "{알림설정|알림 설정|알림 관리|푸시 설정|수신 설정} {보여줘|열어줘|할래요|바꿀래|메뉴}",
        "{알림|알람|푸시} {어떻게 바꿔요|설정 어디서 해요|설정 바꾸고 싶어요|관리하고 싶어요}",
        "{받는 알림|알림 주제|어떤 알림} {고를래요|선택하고 싶어요|골라서 받을래}",
        "{알림설정|알림 설정|알림 관리}{|요|!}",
    ],
    "notifications_on": [
        "{알림|알람|푸시|소식 알림|새 소식 알림} {켜 줘|켜주세요|켤래요|다시 켜 줘|받을래요|받고 싶어요}",
        "{구독|소식 구독|알림 구독|뉴스 구독} {할래요|할게|하고 싶어요|신청|해 주세요}",
        "{새 설문|새 공모전|투표|새 소식} {나오면|열리면|올라오면} {알려줘|알림 보내 주세요|알려 주세요}",
        "{소식|알림} {받아 볼래요|계속 받을게요|다 받을래}",
    ],
    "notifications_off": [
        "{알림|알람|푸시|소식 알림} {꺼 줘|꺼주세요|끌래요|끄기|그만 보내|안 받을래요|받기 싫어요}",
        "{구독|알림 구독|소식 구독} {취소|해지|끊을래요|그만할래}",
        "{메시지|문자|알림|광고} {그만 보내|보내지 마세요|그만 와|너무 많이 와요 꺼줘}",
        "{수신거부|수신 거부|알림 해제|알림 차단}{|요|할게요}",
    ],
}


def expand(template: str, rng: random.Random) -> str:
    """Picks one branch of every {a|b|c}; innermost first."""
    pattern = re.compile(r"\{([^{}]*)\}")
    while True:
        match = pattern.search(template)
        if not match:
            return re.sub(r"\s+", " ", template).strip()
        choice = rng.choice(match.group(1).split("|"))
        template = template[: match.start()] + choice + template[match.end():]


def fill_entities(text: str, rng: random.Random) -> str:
    """Replaces <amount>/<number>/<dong> by annotated values."""
    while "<amount>" in text:
        shown, value = rng.choice(AMOUNTS)
        ann = f"[{shown}](amount)" if shown == value else f'[{shown}]{{"entity": "amount", "value": "{value}"}}'
        text = text.replace("<amount>", ann, 1)
    while "<number>" in text:
        text = text.replace("<number>", f"[{rng.choice(range(1, 160))}](number)", 1)
    while "<dong>" in text:
        if rng.random() < 0.25:
            shown = rng.choice(sorted(DONG_SHORT))
            ann = f'[{shown}]{{"entity": "dong", "value": "{DONG_SHORT[shown]}"}}'
        else:
            ann = f"[{rng.choice(DONGS)}](dong)"
        text = text.replace("<dong>", ann, 1)
    return text


def noise(text: str, rng: random.Random) -> str:
    """Typing habits: no spaces, a typo, an ending mark or emoji (never inside an annotation)."""
    annotated = "[" in text
    r = rng.random()
    if r < 0.12 and not annotated:
        text = text.replace(" ", "")
    elif r < 0.2 and not annotated and " " in text:
        i = rng.choice([m.start() for m in re.finditer(" ", text)])
        text = text[:i] + text[i + 1:]
    if rng.random() < 0.14 and not annotated:
        right, typed = rng.choice([t for t in TYPOS if t[0] in text] or [("", "")])
        if right:
            text = text.replace(right, typed, 1)
    r = rng.random()
    if r < 0.12:
        text = text.rstrip("?!~.") + rng.choice([" ", ""]) + rng.choice(EMOJI)
    elif r < 0.2:
        text = text.rstrip("?!~.") + rng.choice(["?", ".", "!", "??", "~"])
    return text


def read_handwritten() -> Dict[str, List[str]]:
    paths = [p for p in sorted(DATA.glob("*.yml")) if not p.name.startswith("generated_")]
    return read_examples([*paths, DATA.parent / "faq.yml"])


def read_examples(paths: List[Path]) -> Dict[str, List[str]]:
    import yaml

    out: Dict[str, List[str]] = {}
    for path in paths:
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            if "intent" in block:
                lines = [l.strip()[2:] for l in block["examples"].splitlines() if l.strip().startswith("- ")]
                out.setdefault(block["intent"].split("/")[0], []).extend(lines)
    return out


def generate() -> Dict[str, List[str]]:
    rng = random.Random(SEED)
    index = NearDuplicateIndex()
    for lines in read_handwritten().values():
        for line in lines:
            index.add(plain_text(line))
    for lines in read_examples(sorted(HELD_OUT.glob("*.yml"))).values():
        for line in lines:
            index.add(plain_text(line))
    result: Dict[str, List[str]] = {}
    for intent, templates in T.items():
        want = MORE.get(intent, PER_INTENT)
        lines: List[str] = []
        tries = 0
        while len(lines) < want and tries < want * 60:
            tries += 1
            text = noise(fill_entities(expand(rng.choice(templates), rng), rng), rng)
            if index.is_near_duplicate(plain_text(text)):
                continue
            index.add(plain_text(text))
            lines.append(text)
        result[intent] = lines
    return result


FEATURE_FILES = {
    "conversation": ["greet", "goodbye", "thanks", "affirm", "deny", "help"],
    "out_of_scope": ["out_of_scope"],
    "account": ["withdraw_consent", "my_data", "my_data_correct"],
    "points": ["points_balance", "points_history", "exchange_request", "exchange_status"],
    "proposals": ["proposals_menu", "proposal_new", "proposal_list", "proposal_endorse", "proposal_mine"],
    "budget": ["budget_menu", "budget_propose", "budget_vote", "budget_results"],
    "surveys": ["survey_start", "contest_list"],
    "news": ["news_menu"],
    "attendance": ["attendance_check"],
    "notifications": ["notifications_menu", "notifications_on", "notifications_off"],
}


def main() -> None:
    data = generate()
    for old in DATA.glob("generated_*.yml"):
        old.unlink()
    for feature, intents in FEATURE_FILES.items():
        chunks = ['version: "3.1"\n\n# Written by nlu/generate.py (seeded); edit the templates, not this file.\nnlu:\n']
        for intent in intents:
            chunks.append(f"- intent: {intent}\n  examples: |\n")
            chunks.extend(f"    - {line}\n" for line in data[intent])
            chunks.append("\n")
        if feature == "budget":
            chunks.append("".join(
                f'- synonym: "{value}"\n  examples: |\n' + "".join(
                    f"    - {short}\n" for short, v in sorted(DONG_SHORT.items()) if v == value and short != value)
                for value in sorted(set(DONG_SHORT.values())) if any(
                    s != value for s, v in DONG_SHORT.items() if v == value)) + "\n")
        (DATA / f"generated_{feature}.yml").write_text("".join(chunks), encoding="utf-8")
    print({k: len(v) for k, v in data.items()})


if __name__ == "__main__":
    main()
