import json
def test_dump(telegram):
    out = {}
    for uid in (760001, 760002, 760003, 760004):
        msgs = telegram.messages(uid, 0)
        out[uid] = [(m.get("from", {}).get("is_bot"), m.get("text") or m.get("caption") or ("[photo]" if m.get("photo") else "[doc]" if m.get("document") else ""),
                     [b["text"] for row in (m.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]) for m in msgs]
    open("/tmp/budget_chat/transcript.json", "w").write(json.dumps(out, ensure_ascii=False, indent=1))
