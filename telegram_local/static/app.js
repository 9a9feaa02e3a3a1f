// Chat page of the local Telegram: residents chat with the bot through the JSON test API.
// One long poll (/test/changes) carries new messages, edits, deletions, "typing" and
// callback answers for every open tab.
"use strict";

const STORE_KEY = "telegram_local.tabs";
const TYPING_MS = 5000;
const ACTION_TEXT = { typing: "입력 중…", upload_photo: "사진 보내는 중…", upload_document: "파일 보내는 중…",
  find_location: "위치 찾는 중…" };

const $ = (id) => document.getElementById(id);
const state = {
  tabs: [],            // [{id, first_name, last_name, username}]
  active: null,        // user id
  chats: new Map(),    // id → {messages: Map(message_id → entry), blocked, keyboard, unread, typingUntil}
  seq: 0,
  epoch: null,         // the server's epoch; a new one means a restart or reset
  poll: null,          // AbortController of the running long poll
  pending: new Map(),  // callback_query_id → "message_id|callback_data" of the pressed button
  answered: new Set(), // callback_query_ids the bot has answered
  bot: { first_name: "온통중구", username: "ontong_junggu_bot" },
  demo: { enabled: false, users: [], poster: null, facts: {} },  // from /test/demo (flags of the run command)
};

// ---------------------------------------------------------------- HTTP
async function api(path, body) {
  const init = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  };
  const response = await fetch(path, init);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(data.description || `요청이 실패했어요 (${response.status})`);
    error.status = response.status;
    throw error;
  }
  return data;
}

async function asUser(path, body) {
  // After a server restart or reset the user is gone: create it again and retry once.
  try {
    return await api(path, body);
  } catch (error) {
    if (error.status !== 404) throw error;
    await ensureUser(tabOf(body.user_id));
    return api(path, body);
  }
}

function fileBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(",", 2)[1] || "");
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

// ---------------------------------------------------------------- tabs
function saveTabs() {
  localStorage.setItem(STORE_KEY, JSON.stringify({ tabs: state.tabs, active: state.active }));
}

function tabOf(id) {
  return state.tabs.find((t) => t.id === Number(id));
}

function chatOf(id) {
  if (!state.chats.has(id)) {
    state.chats.set(id, { messages: new Map(), blocked: false, keyboard: null, unread: 0, typingUntil: 0 });
  }
  return state.chats.get(id);
}

async function ensureUser(tab) {
  return api("/test/users", {
    user_id: tab.id, first_name: tab.first_name, last_name: tab.last_name || null, username: tab.username || null,
  });
}

async function openTab(user) {
  await ensureUser(user);
  if (!tabOf(user.id)) state.tabs.push(user);
  await loadHistory(user.id);
  selectTab(user.id);
  restartPoll();
}

function closeTab(id) {
  state.tabs = state.tabs.filter((t) => t.id !== id);
  state.chats.delete(id);
  if (state.active === id) state.active = state.tabs.length ? state.tabs[0].id : null;
  saveTabs();
  render();
  restartPoll();
}

function selectTab(id) {
  state.active = id;
  chatOf(id).unread = 0;
  document.body.classList.add("in-chat");
  saveTabs();
  render();
  scrollToBottom(true);
  $("composer-input").focus();
}

function renderTabs() {
  const nav = $("tabs");
  nav.replaceChildren();
  for (const tab of state.tabs) {
    const chat = chatOf(tab.id);
    const item = el("div", { class: "tab" + (tab.id === state.active ? " active" : ""), role: "tab",
      "aria-selected": String(tab.id === state.active), "data-user-id": tab.id, tabindex: "0" });
    item.append(el("div", { class: "avatar" + (demoRoleOf(tab.id) === "staff" ? " staff" : "") }, initial(tab.first_name)));
    const text = el("div", { class: "tab-text" });
    text.append(el("div", { class: "tab-name" }, fullName(tab)));
    text.append(el("div", { class: "tab-sub" }, `ID ${tab.id}` + (chat.blocked ? " · 차단" : "")));
    item.append(text);
    if (chat.unread) item.append(el("span", { class: "badge" }, String(chat.unread)));
    const close = el("button", { type: "button", class: "tab-close", "aria-label": `${fullName(tab)} 탭 닫기` }, "×");
    close.addEventListener("click", (event) => { event.stopPropagation(); closeTab(tab.id); });
    item.append(close);
    item.addEventListener("click", () => selectTab(tab.id));
    item.addEventListener("keydown", (event) => { if (event.key === "Enter") selectTab(tab.id); });
    nav.append(item);
  }
}

// ---------------------------------------------------------------- polling
async function loadHistory(id) {
  // The full history of one chat; the global change number stays, so other chats miss nothing.
  const data = await api(`/test/changes?chat_id=${id}&since=0`);
  applyChanges({ ...data, seq: state.seq }, false);
}

function restartPoll() {
  if (state.poll) state.poll.abort();
  pollLoop();
}

async function pollLoop() {
  const controller = new AbortController();
  state.poll = controller;
  while (!controller.signal.aborted) {
    if (!state.tabs.length) return;
    const query = state.tabs.map((t) => `chat_id=${t.id}`).join("&");
    try {
      const epoch = state.epoch ? `&epoch=${encodeURIComponent(state.epoch)}` : "";
      const response = await fetch(`/test/changes?${query}&since=${state.seq}&wait=25${epoch}`,
        { signal: controller.signal });
      const data = await response.json();
      setOffline(false);
      if (state.epoch !== null && data.epoch !== state.epoch) {
        state.epoch = data.epoch;
        await recoverFromReset();
        continue;
      }
      state.epoch = data.epoch;
      applyChanges(data, true);
    } catch (error) {
      if (controller.signal.aborted) return;
      setOffline(true);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

async function recoverFromReset() {
  // The server restarted or was reset: its history is gone, so start over.
  state.seq = 0;
  state.chats.clear();
  for (const tab of state.tabs) {
    await ensureUser(tab).catch(() => {});
    await loadHistory(tab.id).catch(() => {});
  }
  render();
}

function applyChanges(data, live) {
  state.seq = Math.max(state.seq, data.seq);
  for (const [id, change] of Object.entries(data.chats || {})) {
    const chatId = Number(id);
    const chat = chatOf(chatId);
    for (const entry of change.messages) {
      const known = chat.messages.has(entry.message.message_id);
      chat.messages.set(entry.message.message_id, entry);
      if (live && !known && entry.outgoing && chatId !== state.active) chat.unread += 1;
      if (entry.outgoing && !known) chat.typingUntil = 0;
    }
    for (const answer of change.answers) showAnswer(chatId, answer, live);
    chat.blocked = change.blocked;
    chat.keyboard = change.keyboard;
    chat.typingUntil = change.action ? Date.now() + TYPING_MS : 0;
    chat.action = change.action;
    if (change.action) setTimeout(render, TYPING_MS + 50);
  }
  render();
}

function setOffline(offline) {
  $("chat-status").classList.toggle("offline", offline);
  if (offline) $("chat-status").textContent = "서버에 연결할 수 없어요 · 다시 시도 중…";
}

// ---------------------------------------------------------------- rendering
function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function initial(name) {
  return (name || "?").trim().charAt(0) || "?";
}

function fullName(user) {
  return [user.first_name, user.last_name].filter(Boolean).join(" ");
}

function timeOf(unix) {
  // Residents are in Seoul: show KST whatever the browser's own time zone.
  return new Date(unix * 1000).toLocaleTimeString("ko-KR",
    { hour: "numeric", minute: "2-digit", timeZone: "Asia/Seoul" });
}

function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const ENTITY_TAGS = { bold: "b", italic: "i", underline: "u", strikethrough: "s", code: "code", spoiler: "span",
  pre: "code", blockquote: "span", expandable_blockquote: "span" };

function renderText(text, entities) {
  // Entities use UTF-16 offsets, which is exactly how JavaScript indexes strings.
  const fragment = document.createDocumentFragment();
  const cuts = new Set([0, text.length]);
  for (const e of entities || []) { cuts.add(e.offset); cuts.add(e.offset + e.length); }
  const points = [...cuts].filter((p) => p >= 0 && p <= text.length).sort((a, b) => a - b);
  for (let i = 0; i < points.length - 1; i++) {
    const [start, end] = [points[i], points[i + 1]];
    let node = document.createTextNode(text.slice(start, end));
    const active = (entities || []).filter((e) => e.offset <= start && e.offset + e.length >= end);
    for (const e of active) node = wrapEntity(node, e, text.slice(e.offset, e.offset + e.length));
    fragment.append(node);
  }
  return fragment;
}

function wrapEntity(node, entity, value) {
  let wrapper;
  if (entity.type === "text_link" || entity.type === "url") {
    const href = entity.type === "url" ? (/^[a-z]+:\/\//i.test(value) ? value : `https://${value}`) : entity.url;
    wrapper = el("a", { href, target: "_blank", rel: "noopener noreferrer" });
  } else if (entity.type === "email") {
    wrapper = el("a", { href: `mailto:${value}` });
  } else if (entity.type === "bot_command") {
    wrapper = el("a", { href: "#", class: "command", title: "누르면 이 명령을 보내요" });
    wrapper.addEventListener("click", (event) => { event.preventDefault(); sendText(value); });
  } else if (ENTITY_TAGS[entity.type]) {
    wrapper = el(ENTITY_TAGS[entity.type], { class: `entity-${entity.type}` });
  } else {
    return node;
  }
  wrapper.append(node);
  return wrapper;
}

function renderMessage(entry) {
  const m = entry.message;
  const row = el("div", { class: `message ${entry.outgoing ? "incoming" : "outgoing"}`, "data-message-id": m.message_id });
  const bubble = el("div", { class: "bubble" });
  if (m.photo) {
    const largest = m.photo[m.photo.length - 1];
    const link = el("a", { href: `/test/files/${largest.file_id}`, target: "_blank", class: "photo-link" });
    const img = el("img", { src: `/test/files/${largest.file_id}`, alt: m.caption || "사진", class: "photo",
      width: largest.width, height: largest.height, loading: "lazy" });
    img.addEventListener("load", () => scrollToBottom(false));
    link.append(img);
    bubble.append(link);
    bubble.classList.add("has-media");
  }
  if (m.document) {
    const doc = el("a", { class: "document", href: `/test/files/${m.document.file_id}`,
      download: m.document.file_name || "file" });
    doc.append(el("span", { class: "doc-icon", "aria-hidden": "true" }, "📄"));
    const info = el("span", { class: "doc-info" });
    info.append(el("span", { class: "doc-name" }, m.document.file_name || "문서"));
    info.append(el("span", { class: "doc-size" }, `${formatSize(m.document.file_size || 0)} · 내려받기`));
    doc.append(info);
    bubble.append(doc);
  }
  const text = m.text ?? m.caption;
  if (text) {
    const body = el("div", { class: "text" });
    body.append(renderText(text, m.text !== undefined ? m.entities : m.caption_entities));
    bubble.append(body);
  }
  const meta = el("span", { class: "meta" });
  if (m.edit_date) meta.append(el("span", { class: "edited" }, "수정됨 "));
  meta.append(document.createTextNode(timeOf(m.date)));
  bubble.append(meta);
  row.append(bubble);
  if (m.reply_markup && m.reply_markup.inline_keyboard) row.append(renderKeyboard(m));
  return row;
}

function renderKeyboard(m) {
  const keyboard = el("div", { class: "inline-keyboard" });
  for (const buttons of m.reply_markup.inline_keyboard) {
    const row = el("div", { class: "keyboard-row" });
    for (const b of buttons) {
      let button;
      if (b.url) {
        button = el("a", { class: "inline-button url", href: b.url, target: "_blank", rel: "noopener noreferrer" });
        button.append(document.createTextNode(b.text), el("span", { class: "url-mark", "aria-hidden": "true" }, "↗"));
      } else {
        button = el("button", { type: "button", class: "inline-button", "data-callback": b.callback_data || "" }, b.text);
        if (b.callback_data !== undefined) button.addEventListener("click", () => press(m, b.callback_data, button));
        else button.disabled = true;
        const pending = [...state.pending.values()].includes(`${m.message_id}|${b.callback_data}`);
        if (pending) button.classList.add("loading");
      }
      row.append(button);
    }
    keyboard.append(row);
  }
  return keyboard;
}

function renderReplyKeyboard(chat) {
  const box = $("reply-keyboard");
  box.replaceChildren();
  box.hidden = !chat.keyboard;
  if (!chat.keyboard) return;
  for (const buttons of chat.keyboard.keyboard || []) {
    const row = el("div", { class: "keyboard-row" });
    for (const b of buttons) {
      const label = typeof b === "string" ? b : b.text;
      const button = el("button", { type: "button", class: "inline-button" }, label);
      button.addEventListener("click", () => sendText(label));
      row.append(button);
    }
    box.append(row);
  }
}

function render() {
  renderTabs();
  $("staff-toggle").checked = demoRoleOf(state.active) === "staff";
  const tab = tabOf(state.active);
  const has = Boolean(tab);
  $("empty-state").hidden = has;
  for (const id of ["chat-header", "messages", "composer"]) $(id).hidden = !has;
  if (!has) {
    $("blocked-banner").hidden = true;
    $("reply-keyboard").hidden = true;
    document.body.classList.remove("in-chat");
    return;
  }
  const chat = chatOf(tab.id);
  $("bot-name").textContent = state.bot.first_name;
  $("whoami").textContent = `${fullName(tab)} (${tab.id})`;
  $("block-toggle").checked = chat.blocked;
  $("blocked-banner").hidden = !chat.blocked;
  $("composer-input").disabled = chat.blocked;
  $("composer-input").placeholder = `${fullName(tab)} 님으로 메시지 보내기`;
  $("send-button").disabled = chat.blocked;
  const typing = chat.typingUntil > Date.now();
  const status = $("chat-status");
  if (!status.classList.contains("offline")) {
    if (typing) status.replaceChildren(ACTION_TEXT[chat.action] || "입력 중…");
    else status.replaceChildren(el("span", { class: "status-username" }, `@${state.bot.username} · `), "봇");
    status.classList.toggle("typing", typing);
  }
  renderReplyKeyboard(chat);
  const box = $("messages");
  const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  const entries = [...chat.messages.values()].filter((e) => !e.deleted)
    .sort((a, b) => a.message.message_id - b.message.message_id);
  box.replaceChildren();
  if (!entries.length) box.append(el("div", { class: "hint" }, "아래 입력창에 \"안녕하세요\"를 보내거나 / 버튼으로 명령을 골라 보세요."));
  for (const entry of entries) box.append(renderMessage(entry));
  if (typing) {
    const dots = el("div", { class: "message incoming typing-row" });
    const bubble = el("div", { class: "bubble typing-bubble", "aria-label": "입력 중" });
    bubble.append(el("i"), el("i"), el("i"));
    dots.append(bubble);
    box.append(dots);
  }
  if (nearBottom) scrollToBottom(true);
}

function scrollToBottom(force) {
  const box = $("messages");
  if (force || box.scrollHeight - box.scrollTop - box.clientHeight < 200) box.scrollTop = box.scrollHeight;
}

// ---------------------------------------------------------------- actions
function toast(text) {
  const node = $("toast");
  node.textContent = text;
  node.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { node.hidden = true; }, 3500);
}

function showAnswer(chatId, answer, live) {
  state.answered.add(answer.callback_query_id);
  state.pending.delete(answer.callback_query_id);
  if (!live || chatId !== state.active || !answer.text) return;
  if (answer.show_alert) {
    $("alert-text").textContent = answer.text;
    $("alert-dialog").showModal();
  } else {
    toast(answer.text);
  }
}

async function sendText(text) {
  const tab = tabOf(state.active);
  if (!tab || !text.trim()) return;
  try {
    await asUser("/test/send", { user_id: tab.id, text });
  } catch (error) {
    toast(error.message);
  }
}

async function press(message, data, button) {
  const tab = tabOf(state.active);
  button.classList.add("loading");
  try {
    const result = await asUser("/test/press", { user_id: tab.id, message_id: message.message_id, callback_data: data });
    // The answer may already have arrived through the long poll.
    if (!state.answered.has(result.callback_query_id)) {
      state.pending.set(result.callback_query_id, `${message.message_id}|${data}`);
    }
    render();
    // Telegram stops the spinner after a while even if the bot never answers.
    setTimeout(() => { state.pending.delete(result.callback_query_id); render(); }, 15000);
  } catch (error) {
    button.classList.remove("loading");
    toast(error.message);
  }
}

async function showCommands() {
  const menu = $("command-menu");
  if (!menu.hidden) { menu.hidden = true; return; }
  $("attach-menu").hidden = true;
  menu.replaceChildren(el("div", { class: "popup-title" }, "봇 명령"));
  try {
    const data = await asUser(`/test/commands?chat_id=${state.active}`);
    if (!data.commands.length) menu.append(el("div", { class: "popup-empty" }, "봇이 등록한 명령이 없어요."));
    for (const c of data.commands) {
      const item = el("button", { type: "button", class: "popup-item command-item", role: "menuitem" });
      item.append(el("span", { class: "command-name" }, `/${c.command}`), el("span", { class: "command-desc" }, c.description));
      item.addEventListener("click", () => { menu.hidden = true; sendText(`/${c.command}`); });
      menu.append(item);
    }
  } catch (error) {
    menu.append(el("div", { class: "popup-empty" }, error.message));
  }
  menu.hidden = false;
}

async function upload(kind, file) {
  const tab = tabOf(state.active);
  if (!tab || !file) return;
  const caption = $("composer-input").value.trim();
  try {
    const content = await fileBase64(file);
    if (kind === "photo") {
      await asUser("/test/photo", { user_id: tab.id, png_base64: content, caption });
    } else {
      await asUser("/test/document", { user_id: tab.id, filename: file.name, content_base64: content,
        mime_type: file.type || null, caption });
    }
    $("composer-input").value = "";
  } catch (error) {
    toast(error.message);
  }
}

async function scan(event) {
  event.preventDefault();
  const error = $("scan-error");
  error.hidden = true;
  const file = $("scan-file").files[0];
  const body = { user_id: state.active };
  if (file) body.png_base64 = await fileBase64(file);
  else body.link = $("scan-link").value.trim();
  try {
    await asUser("/test/scan", body);
    $("scan-dialog").close();
  } catch (problem) {
    error.textContent = problem.message;
    error.hidden = false;
  }
}

async function createUser(event) {
  event.preventDefault();
  const error = $("user-error");
  error.hidden = true;
  const user = {
    id: Number($("user-id").value), first_name: $("user-first-name").value.trim(),
    last_name: $("user-last-name").value.trim(), username: $("user-username").value.trim(),
  };
  if (!user.first_name || !Number.isSafeInteger(user.id) || user.id <= 0) {
    error.textContent = "이름과 숫자 ID를 입력해 주세요.";
    error.hidden = false;
    return;
  }
  try {
    await openTab(user);
    $("user-dialog").close();
  } catch (problem) {
    error.textContent = problem.message;
    error.hidden = false;
  }
}

function openUserDialog() {
  $("user-form").reset();
  $("user-error").hidden = true;
  $("user-id").value = String(7000000 + Math.floor(Math.random() * 2999999));
  $("user-dialog").showModal();
  $("user-first-name").focus();
}

// ---------------------------------------------------------------- wiring
function wire() {
  $("new-user-button").addEventListener("click", openUserDialog);
  $("staff-toggle").addEventListener("change", (e) => {
    actAs(e.target.checked ? "staff" : "resident").catch((error) => toast(error.message));
  });
  $("tour-toggle").addEventListener("click", () => {
    const collapsed = document.body.classList.toggle("tour-collapsed");
    $("tour-toggle").textContent = collapsed ? "‹" : "›";
    $("tour-toggle").setAttribute("aria-expanded", String(!collapsed));
  });
  $("user-form").addEventListener("submit", createUser);
  $("scan-form").addEventListener("submit", scan);
  for (const button of document.querySelectorAll("[data-close]")) {
    button.addEventListener("click", () => button.closest("dialog").close());
  }
  $("back-button").addEventListener("click", () => document.body.classList.remove("in-chat"));
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("composer-input");
    const text = input.value;
    input.value = "";
    autosize();
    sendText(text);
  });
  const input = $("composer-input");
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("composer").requestSubmit();
    }
  });
  input.addEventListener("input", autosize);
  $("command-button").addEventListener("click", showCommands);
  $("attach-button").addEventListener("click", () => {
    $("command-menu").hidden = true;
    $("attach-menu").hidden = !$("attach-menu").hidden;
  });
  $("attach-photo").addEventListener("click", () => { $("attach-menu").hidden = true; $("photo-input").click(); });
  $("attach-document").addEventListener("click", () => { $("attach-menu").hidden = true; $("document-input").click(); });
  $("photo-input").addEventListener("change", (e) => { upload("photo", e.target.files[0]); e.target.value = ""; });
  $("document-input").addEventListener("change", (e) => { upload("document", e.target.files[0]); e.target.value = ""; });
  $("scan-button").addEventListener("click", () => {
    $("scan-form").reset();
    $("scan-error").hidden = true;
    $("scan-dialog").showModal();
  });
  const toggleBlock = async (blocked) => {
    try {
      await asUser("/test/block", { user_id: state.active, blocked });
    } catch (error) {
      toast(error.message);
    }
  };
  $("block-toggle").addEventListener("change", (e) => toggleBlock(e.target.checked));
  $("unblock-button").addEventListener("click", () => toggleBlock(false));
  document.addEventListener("click", (event) => {
    if (!event.target.closest("#command-menu, #command-button")) $("command-menu").hidden = true;
    if (!event.target.closest("#attach-menu, #attach-button")) $("attach-menu").hidden = true;
  });
}

// ---------------------------------------------------------------- demo: staff switch and guided tour
// Only when the run command started this server with --demo-user flags (GET /test/demo).
// Each tour item switches to the right demo user and types, presses or scans for you.
const TOUR = [
  { group: "주민으로 해 보기" },
  { section: "포인트 확인 → QR 스캔 → 상품권 교환" },
  { as: "resident", label: "내 포인트 확인", steps: [{ send: "내 포인트" }] },
  { as: "resident", label: "포인트 내역 보기", steps: [{ press: "포인트 내역", otherwise: "포인트 내역" }] },
  { as: "resident", label: "행사 포스터 QR 스캔", steps: [{ scan: true }] },
  { as: "resident", label: "상품권 교환 신청", steps: [{ send: "상품권 교환할래요" }] },
  { as: "resident", label: "금액 고르기 (5,000 P)", steps: [{ press: "5,000 P", exact: true }] },
  { as: "resident", label: "교환 신청 확인", steps: [{ press: "교환 신청", exact: true }] },
  { section: "제안 공감으로 50 달성" },
  { as: "resident", label: "공감 48명인 제안 보기", steps: [{ send: "{near_proposal}번 제안 자세히" }] },
  { as: "resident", label: "공감하기 (49명)", steps: [{ send: "{near_proposal}번 제안에 공감할래" }] },
  { as: "second", label: "두 번째 주민으로 공감 (50명 → 검토)", steps: [{ send: "{near_proposal}번 제안에 공감할래" }] },
  { section: "참여예산 투표와 영수증" },
  { as: "resident", label: "투표 시작", steps: [{ send: "참여예산" }, { waitText: "투표하기" }, { press: "투표하기" }] },
  { as: "resident", label: "사업 담기: LED 보안등", steps: [{ press: "LED" }] },
  { as: "resident", label: "사업 담기: 그늘막", steps: [{ press: "그늘막" }] },
  { as: "resident", label: "투표 제출", steps: [{ press: "제출" }] },
  { as: "resident", label: "영수증(접수번호) 확인", steps: [{ send: "내 투표 확인" }] },
  { as: "resident", label: "지난 회차 결과 차트", steps: [{ send: "투표 결과 그래프" }] },
  { section: "설문 끝까지" },
  { as: "resident", label: "설문 시작", steps: [{ send: "설문 참여할래" }] },
  { as: "resident", label: "첫 번째 보기로 답하기 (누를 때마다 한 문항)", steps: [{ pressFirst: true }] },
  { group: "직원으로 해 보기" },
  { section: "공지 보내기 → 진행률" },
  { as: "staff", label: "공지 작성 시작", steps: [{ send: "/announce" }] },
  { as: "staff", label: "공지 내용 보내기", steps: [{ send: "(예시) 이번 주 토요일 10시, 신당동 주민센터에서 주민참여예산 설명회가 열려요." }] },
  { as: "staff", label: "사진·링크 건너뛰기", steps: [{ press: "건너뛰기" }, { waitText: "링크 버튼" }, { press: "건너뛰기" }] },
  { as: "staff", label: "대상: 전체 구독자", steps: [{ press: "전체 구독자" }] },
  { as: "staff", label: "지금 보내기 (진행률)", steps: [{ press: "지금 보내기" }] },
  { section: "분기 지급 마감 → CSV" },
  { as: "staff", label: "분기 지급 마감", steps: [{ send: "/payout_close" }, { waitText: "CSV" }, { press: "CSV" }] },
];

function demoUser(role) {
  return state.demo.users.find((u) => u.role === role);
}

function demoRoleOf(id) {
  const user = state.demo.users.find((u) => u.id === Number(id));
  return user ? user.role : null;
}

async function actAs(role) {
  const user = demoUser(role);
  if (!user) throw new Error("예시 사용자가 없어요.");
  if (tabOf(user.id)) selectTab(user.id);
  else await openTab({ id: user.id, first_name: user.first_name });
}

function fill(text) {
  return text.replace(/\{(\w+)\}/g, (_, key) => state.demo.facts[key] ?? `{${key}}`);
}

function latestButton(match, exact) {
  // The newest bot message's button whose text contains (or, with `exact`, is) `match`.
  const buttons = [...document.querySelectorAll("#messages .message.incoming .inline-button")]
    .filter((b) => !b.disabled && (exact ? b.textContent.trim() === match : b.textContent.includes(match)));
  return buttons.length ? buttons[buttons.length - 1] : null;
}

function firstButtonOfLatest() {
  const rows = [...document.querySelectorAll("#messages .message.incoming")].filter((m) => m.querySelector(".inline-button"));
  const last = rows[rows.length - 1];
  return last ? last.querySelector(".inline-button") : null;
}

function botMessages() {
  return [...document.querySelectorAll("#messages .message.incoming")];
}

async function waitForText(text, after, ms = 20000) {
  // Until a bot message newer than the first `after` ones contains `text` (the bot answers asynchronously).
  const deadline = Date.now() + ms;
  const found = () => botMessages().slice(after).some((m) => m.textContent.includes(text));
  while (!found()) {
    if (Date.now() > deadline) throw new Error("봇의 답을 기다리다 멈췄어요. 다시 눌러 보세요.");
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

async function scanPoster() {
  if (!state.demo.poster) throw new Error("예시 포스터가 없어요.");
  const blob = await (await fetch(state.demo.poster)).blob();
  await asUser("/test/scan", { user_id: state.active, png_base64: await fileBase64(blob) });
  toast("포스터의 QR 코드를 찍었어요");
}

async function runTourItem(item, node) {
  await actAs(item.as);
  const before = botMessages().length;
  for (const step of item.steps) {
    if (step.send) await sendText(fill(step.send));
    else if (step.scan) await scanPoster();
    else if (step.waitText) await waitForText(step.waitText, before);
    else {
      const button = step.pressFirst ? firstButtonOfLatest() : latestButton(step.press, step.exact);
      if (button) button.click();
      else if (step.otherwise) await sendText(fill(step.otherwise));
      else throw new Error(`"${step.press || "보기"}" 버튼이 아직 없어요. 앞 단계를 먼저 해 보세요.`);
    }
  }
  node.classList.add("done");
}

function renderTour() {
  const body = $("tour-body");
  body.replaceChildren();
  const who = { resident: "주민", second: "주민2", staff: "직원" };
  for (const item of TOUR) {
    if (item.group) { body.append(el("div", { class: "tour-group" }, item.group)); continue; }
    if (item.section) { body.append(el("div", { class: "tour-section" }, item.section)); continue; }
    const user = demoUser(item.as);
    // An item that needs a value the run command did not pass (e.g. near_proposal) is left out.
    const texts = item.steps.map((step) => step.send || "").join(" ");
    if (!user || [...texts.matchAll(/\{(\w+)\}/g)].some(([, key]) => !(key in state.demo.facts))) continue;
    const node = el("button", { type: "button", class: "tour-item", title: user ? `${user.first_name}(으)로` : "" });
    node.append(el("span", { class: `who ${item.as}` }, who[item.as]), el("span", {}, item.label));
    node.addEventListener("click", () => runTourItem(item, node).catch((error) => toast(error.message)));
    body.append(node);
  }
}

async function startDemo() {
  try {
    state.demo = await api("/test/demo");
  } catch (error) {
    return;
  }
  if (!state.demo.enabled) return;
  document.body.classList.add("demo");
  $("staff-switch").hidden = !demoUser("staff");
  $("tour").hidden = false;
  renderTour();
  if (!state.tabs.length && demoUser("resident")) await actAs("resident").catch(() => {});
}

function autosize() {
  const input = $("composer-input");
  input.style.height = "auto";
  input.style.height = `${Math.min(input.scrollHeight, 140)}px`;
}

async function start() {
  wire();
  try {
    state.bot = await api("/test/bot");
  } catch (error) {
    setOffline(true);
  }
  const saved = JSON.parse(localStorage.getItem(STORE_KEY) || "{}");
  state.tabs = (saved.tabs || []).filter((t) => Number.isSafeInteger(t.id));
  for (const tab of state.tabs) {
    await ensureUser(tab).catch(() => {});
    await loadHistory(tab.id).catch(() => {});
  }
  state.active = tabOf(saved.active) ? saved.active : (state.tabs[0] || {}).id ?? null;
  if (state.active !== null && window.matchMedia("(min-width: 860px)").matches) document.body.classList.add("in-chat");
  render();
  scrollToBottom(true);
  await startDemo();
  restartPoll();
}

start();
