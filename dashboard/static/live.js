// The board's live feed (see dashboard/live.py): one websocket per browser tab, a throttled doorbell per event.
export default function (component) {
  const { setTriggerValue, data, parentElement } = component;
  const feeds = (window.__ercpFeeds = window.__ercpFeeds || {});
  let f = feeds[data.url];
  if (f && (f.token !== data.token || f.topics !== data.topics || f.query !== data.query)) { f.stop(); f = null; }
  if (!f) { f = feeds[data.url] = openFeed(data); }
  f.words = data.words; f.wall = data.wall; f.staleAfter = data.stale_after_s * 1000; f.throttle = data.throttle_ms;
  f.seen = data.seen; f.epoch = f.epoch || data.epoch;
  f.trigger = setTriggerValue;
  f.el = parentElement.querySelector(".ercp-badge");
  // Something arrived that the drawn snapshot does not cover (e.g. while this page was loading): ring once.
  if (f.pending > Math.max(f.seen, f.rung)) { f.ring(); }
  f.paint();
  return () => { if (f.trigger === setTriggerValue) { f.trigger = null; } };
}

function openFeed(data) {
  const f = {
    token: data.token, url: data.url, topics: data.topics, query: data.query, rung: 0, state: "connecting", lastEventAt: null, lastFrameAt: Date.now(),
    pending: 0, counter: 0, lastRing: 0, timer: null, attempt: 0, ws: null, stopped: false, seen: 0, epoch: null,
  };
  f.ring = () => {
    if (f.timer) { return; }
    const wait = Math.max(0, f.lastRing + f.throttle - Date.now());
    f.timer = setTimeout(() => {
      f.timer = null;
      f.lastRing = Date.now();
      if (f.trigger) { f.rung = f.pending; f.counter += 1; f.trigger("seq", f.counter); }
    }, wait);
  };
  f.connect = () => {
    if (f.stopped) { return; }
    const ws = (f.ws = new WebSocket(f.url + "?topics=" + encodeURIComponent(f.topics) + (f.query ? "&" + f.query : "")));
    ws.onopen = () => ws.send(JSON.stringify({ type: "auth", token: f.token }));
    ws.onmessage = (msg) => {
      f.lastFrameAt = Date.now();
      let frame;
      try { frame = JSON.parse(msg.data); } catch (e) { return; }
      if (frame.type === "hello") {
        const reconnected = f.attempt > 0 || f.state === "reconnecting";
        f.state = "live"; f.attempt = 0;
        // A new epoch, or events we may have missed while away: the snapshot reload catches up.
        if (frame.epoch !== f.epoch || reconnected) { f.epoch = frame.epoch; f.pending = Math.max(f.pending, f.seen + 1); f.ring(); }
      } else if (frame.type === "resync") {
        f.pending = Math.max(f.pending, f.seen + 1); f.ring();
      } else if (typeof frame.seq === "number" && frame.type !== "heartbeat") {
        f.lastEventAt = Date.now();
        if (frame.seq > f.seen) { f.pending = Math.max(f.pending, frame.seq); f.ring(); }
      }
      f.paint();
    };
    ws.onclose = (ev) => {
      if (f.stopped) { return; }
      const refused = ev.code === 4401 || ev.code === 4403 || ev.code === 4400;
      f.state = refused ? "closed" : "reconnecting"; f.paint();
      // Refused: ring once, so the page reloads its data; a token that really expired meets a 401 there and the
      // user goes back to sign-in. Keep retrying either way (slower when refused): one refusal can be transient.
      if (refused) { f.pending = Math.max(f.pending, f.seen + 1); f.ring(); }
      const cap = Math.min(refused ? 30000 : 10000, (refused ? 5000 : 500) * 2 ** Math.min(f.attempt, 10));
      f.attempt += 1;
      setTimeout(f.connect, 250 + Math.random() * cap);
    };
  };
  f.stop = () => { f.stopped = true; clearInterval(f.tick); if (f.ws) { f.ws.close(); } };
  f.paint = () => {
    if (!f.el || !f.words) { return; }
    const now = Date.now();
    let state = f.state;
    if (state === "live" && now - f.lastFrameAt > f.staleAfter) { state = "stale"; }
    const age = f.lastEventAt === null ? f.words.none_yet : Math.round((now - f.lastEventAt) / 1000) + " s";
    const clock = new Date().toLocaleTimeString("zh-CN", { hour12: false, timeZone: "Asia/Shanghai" });
    f.el.className = "ercp-badge" + (f.wall ? " wall" : "");
    f.el.innerHTML = "";
    const s = document.createElement("span"); s.className = "state " + state; s.dataset.state = state;
    s.textContent = "● " + f.words[state]; f.el.appendChild(s);
    const a = document.createElement("span"); a.textContent = f.words.last_event + ": " + age; f.el.appendChild(a);
    const c = document.createElement("span"); c.className = "clock"; c.textContent = clock; f.el.appendChild(c);
    document.querySelectorAll("[data-due]").forEach((node) => {
      const left = Math.round((Date.parse(node.dataset.due) - now) / 1000);
      const abs = Math.abs(left);
      const text = (left < 0 ? "-" : "") + Math.floor(abs / 3600) + ":" +
        String(Math.floor((abs % 3600) / 60)).padStart(2, "0") + ":" + String(abs % 60).padStart(2, "0");
      node.textContent = text;
    });
  };
  f.tick = setInterval(() => f.paint(), 1000);
  f.connect();
  return f;
}
