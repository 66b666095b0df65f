// The full-text reader (templates/components/_pdf_reader.html): pdf.js draws the pages lazily as
// they scroll into view, with page N of M, zoom and fit width, find in the document, a selectable
// text layer and the review's include/exclude terms marked in it (count per term, next hit).
// Without this module the reader's link still downloads the PDF. Styles are set through the
// CSSOM only (el.style.x = ...): the Content-Security-Policy refuses style attributes in HTML.

import { marks, offsetsIn, quoteTargets, savedIn, savedQuotes } from "./reader-quotes.js";

const WORD = "[\\p{L}\\p{N}_]";
const ZOOM_STEP = 1.25;
const active = new Set();
let library = null;

// The same matching as screening/highlight.py: * a wildcard within a word, whole words otherwise.
function termPattern(term) {
  const parts = term.split("*").map((part) =>
    part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\s+/g, "\\s+"),
  );
  const end = term.endsWith("*") ? "" : `(?!${WORD})`;
  return `(?<!${WORD})${parts.join(`${WORD}*`)}${end}`;
}

function findPattern(query) {
  return query.trim().replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\s+/g, "\\s+");
}

function countIn(text, re) {
  re.lastIndex = 0;
  let n = 0;
  while (re.exec(text)) n += 1;
  return n;
}

class Reader {
  constructor(root, pdfjs) {
    this.root = root;
    this.pdfjs = pdfjs;
    this.box = root.querySelector("[data-reader-pages]");
    this.pageInput = root.querySelector("[data-reader-page]");
    this.countEl = root.querySelector("[data-reader-count]");
    this.status = root.querySelector("[data-reader-status]");
    this.scale = 1;
    this.fit = true;
    this.pages = [];
    this.visible = new Set();
    this.current = 1;
    // Each mark kind: its pattern, its hits in document order [{page, nth}] and where "next" is.
    this.kinds = new Map();
    for (const button of root.querySelectorAll("[data-term]")) {
      const key = `t${this.kinds.size}`;
      const re = new RegExp(termPattern(button.dataset.term), "giu");
      this.kinds.set(key, { re, css: `term-${button.dataset.kind}`, hits: [], at: -1, button });
    }
  }

  async open() {
    const task = this.pdfjs.getDocument({
      url: this.root.dataset.src,
      isEvalSupported: false,
      enableXfa: false,
      // Fetch by range (the view answers 206) only what the pages shown need, rather than
      // streaming the whole file first (a stream alongside competes with the ranges on a slow
      // link). 256 KB pieces: each request costs a round trip and a Django request, and the
      // default 64 KB made the first page slower even on this machine.
      disableStream: true,
      disableAutoFetch: true,
      rangeChunkSize: 262144,
    });
    this.doc = await task.promise;
    performance.mark("reader-document");
    const first = await this.doc.getPage(1);
    this.base = first.getViewport({ scale: 1 });
    this.countEl.textContent = String(this.doc.numPages);
    this.pageInput.max = String(this.doc.numPages);
    for (let n = 1; n <= this.doc.numPages; n += 1) {
      const el = document.createElement("div");
      el.className = "pdf-page";
      el.dataset.page = String(n);
      this.box.append(el);
      this.pages.push({ n, el, page: n === 1 ? first : null, shownAt: 0, text: null });
    }
    this.layout();
    this.observer = new IntersectionObserver((entries) => this.seen(entries), {
      root: this.box,
      rootMargin: "200px 0px",
    });
    for (const p of this.pages) this.observer.observe(p.el);
    this.wire();
    const wanted = /(?:^|&)page=(\d+)/.exec(window.location.hash.slice(1));
    if (wanted && this === [...active][0]) this.goTo(Number(wanted[1]));
  }

  wire() {
    const on = (sel, type, fn) => this.root.querySelector(sel)?.addEventListener(type, fn);
    on("[data-reader-zoom-in]", "click", () => this.zoom(this.scale * ZOOM_STEP));
    on("[data-reader-zoom-out]", "click", () => this.zoom(this.scale / ZOOM_STEP));
    on("[data-reader-fit]", "click", () => this.zoom(null));
    on("[data-reader-goto]", "submit", (event) => {
      event.preventDefault();
      this.goTo(Number(this.pageInput.value));
    });
    on("[data-reader-find]", "submit", (event) => {
      event.preventDefault();
      this.find(event.target.querySelector("input").value);
    });
    for (const [key, kind] of this.kinds) {
      kind.button.addEventListener("click", () => this.next(key));
    }
    this.box.addEventListener("scroll", () => this.track(), { passive: true });
    this.box.addEventListener("click", (event) => {
      const quote = marks.get(event.target.closest?.("mark.saved-quote"));
      if (!quote) return;
      quote.el.scrollIntoView({ block: "center" });
      if (quote.el.matches("textarea, input")) quote.el.focus({ preventScroll: true });
    });
    document.addEventListener("focusin", (event) => {
      const box = event.target;
      if (!box.matches?.('#chart-form [name$="__quote"]') || !box.value.trim()) return;
      const quote = savedQuotes().find((q) => q.el === box);
      if (quote?.page) this.goTo(quote.page);
    });
    const remark = () => {
      for (const p of this.pages) this.mark(p);
    };
    document.getElementById("chart-form")?.addEventListener("change", remark);
    document.addEventListener("htmx:afterSettle", remark);  // a coded quote added or edited
    // Quote by selection: selecting text in a page offers the chart's quote fields.
    this.box.addEventListener("mouseup", () => setTimeout(() => this.openMenu(false), 0));
    document.addEventListener("mousedown", (event) => {
      if (this.menu && !this.menu.contains(event.target)) this.closeMenu();
    });
    window.addEventListener("resize", () => {
      if (this.fit) this.zoom(null);
    });
  }

  fitScale() {
    const room = this.box.clientWidth - 24;
    return Math.max(0.25, room / this.base.width);
  }

  layout() {
    if (this.fit) this.scale = this.fitScale();
    for (const p of this.pages) this.size(p);
  }

  size(p) {
    const viewport = (p.page || { getViewport: () => this.base }).getViewport({ scale: 1 });
    p.el.style.width = `${Math.floor(viewport.width * this.scale)}px`;
    p.el.style.height = `${Math.floor(viewport.height * this.scale)}px`;
    p.el.style.setProperty("--scale-factor", String(this.scale));
    p.el.style.setProperty("--total-scale-factor", String(this.scale));
  }

  zoom(scale) {
    const keep = this.current;
    this.fit = scale === null;
    if (scale !== null) this.scale = Math.min(5, Math.max(0.25, scale));
    this.layout();
    this.goTo(keep);
    for (const p of this.visible) this.render(p);
  }

  seen(entries) {
    for (const entry of entries) {
      const p = this.pages[Number(entry.target.dataset.page) - 1];
      if (entry.isIntersecting) {
        this.visible.add(p);
        this.render(p);
      } else {
        this.visible.delete(p);
      }
    }
  }

  track() {
    if (this.tracking) return;
    this.tracking = true;
    requestAnimationFrame(() => {
      this.tracking = false;
      const line = this.box.scrollTop + this.box.clientHeight / 2;
      let n = 1;
      for (const p of this.pages) {
        if (p.el.offsetTop > line) break;
        n = p.n;
      }
      this.current = n;
      this.pageInput.value = String(n);
    });
  }

  goTo(n) {
    const p = this.pages[Math.min(Math.max(1, n || 1), this.pages.length) - 1];
    this.box.scrollTop = p.el.offsetTop - 8;
    this.current = p.n;
    this.pageInput.value = String(p.n);
    return this.render(p);
  }

  async textOf(p) {
    p.page ??= await this.doc.getPage(p.n);
    p.text ??= await p.page.getTextContent();
    return p.text;
  }

  // One page at the current scale; a page asked again while drawing waits for that drawing.
  async render(p) {
    if (p.shownAt === this.scale) return;
    if (p.drawing) {
      await p.drawing;
      return this.render(p);
    }
    p.drawing = this.draw(p, this.scale);
    try {
      await p.drawing;
    } finally {
      p.drawing = null;
    }
  }

  async draw(p, scale) {
    const text = await this.textOf(p);
    this.size(p);
    const viewport = p.page.getViewport({ scale });
    const ratio = window.devicePixelRatio || 1;
    const canvas = document.createElement("canvas");
    canvas.width = Math.floor(viewport.width * ratio);
    canvas.height = Math.floor(viewport.height * ratio);
    await p.page.render({
      canvasContext: canvas.getContext("2d"),
      viewport,
      transform: ratio === 1 ? null : [ratio, 0, 0, ratio, 0, 0],
    }).promise;
    const layer = document.createElement("div");
    layer.className = "textLayer";
    const textLayer = new this.pdfjs.TextLayer({ textContentSource: text, container: layer, viewport });
    await textLayer.render();
    const label = document.createElement("span");
    label.className = "page-label";
    label.textContent = `${p.n}`;
    p.el.replaceChildren(canvas, layer, label);
    p.divs = textLayer.textDivs.map((div) => ({ div, text: div.textContent }));
    p.shownAt = scale;
    if (p.n === 1) performance.mark("reader-first-page");
    this.mark(p);
    // The whole document's text is read for the term counts only once a page shows: the
    // worker serves the first page first.
    if (!this.indexing) this.indexing = this.index();
    this.root.dataset.rendered = String(this.pages.filter((q) => q.shownAt).length);
  }

  // Marks every term and find hit inside the page's text spans (one span a text item, so the
  // marks match the counts, which are taken per item as well).
  mark(p) {
    if (!p.divs) return;
    const saved = savedQuotes().filter((quote) => !quote.page || quote.page === p.n);
    for (const { div, text } of p.divs) {
      const found = savedIn(text, saved);
      for (const [key, kind] of this.kinds) {
        kind.re.lastIndex = 0;
        for (const m of text.matchAll(kind.re)) {
          found.push({ start: m.index, end: m.index + m[0].length, key, css: kind.css });
        }
      }
      if (!found.length) {
        if (div.childElementCount) div.textContent = text;
        continue;
      }
      found.sort((a, b) => a.start - b.start);
      const nodes = [];
      let at = 0;
      for (const hit of found) {
        if (hit.start < at) continue;
        nodes.push(text.slice(at, hit.start));
        const mark = document.createElement("mark");
        mark.className = hit.css;
        mark.dataset.hit = hit.key;
        if (hit.quote) mark.title = `Saved quote: ${hit.quote.label}`;
        if (hit.quote) marks.set(mark, hit.quote);
        mark.textContent = text.slice(hit.start, hit.end);
        nodes.push(mark);
        at = hit.end;
      }
      nodes.push(text.slice(at));
      div.replaceChildren(...nodes);
    }
  }

  // Counts each term over the whole document's text, page by page, after the first page shows.
  async index() {
    for (const p of this.pages) {
      const text = await this.textOf(p);
      for (const [, kind] of this.kinds) {
        const n = text.items.reduce((sum, item) => sum + countIn(item.str || "", kind.re), 0);
        for (let nth = 0; nth < n; nth += 1) kind.hits.push({ page: p.n, nth });
      }
    }
    for (const [, kind] of this.kinds) {
      kind.button.querySelector("[data-term-count]").textContent = String(kind.hits.length);
      kind.button.disabled = kind.hits.length === 0;
    }
    this.indexed = true;
    this.root.dataset.indexed = "";
  }

  async find(query) {
    const pattern = findPattern(query);
    if (!pattern) return;
    if (this.kinds.get("find")?.query === query) return this.next("find");
    const kind = { re: new RegExp(pattern, "giu"), css: "find-hit", hits: [], at: -1, query };
    this.kinds.set("find", kind);
    for (const p of this.pages) {
      const text = await this.textOf(p);
      const n = text.items.reduce((sum, item) => sum + countIn(item.str || "", kind.re), 0);
      for (let nth = 0; nth < n; nth += 1) kind.hits.push({ page: p.n, nth });
    }
    for (const p of this.pages) this.mark(p);
    this.root.querySelector("[data-reader-find-count]").textContent =
      `${kind.hits.length} match${kind.hits.length === 1 ? "" : "es"}`;
    if (kind.hits.length) this.next("find");
  }

  // The kind's next hit from where it was (or from the current page the first time).
  async next(key) {
    const kind = this.kinds.get(key);
    if (!kind?.hits.length) return;
    if (kind.at < 0) {
      const ahead = kind.hits.findIndex((hit) => hit.page >= this.current);
      kind.at = ahead < 0 ? 0 : ahead;
    } else {
      kind.at = (kind.at + 1) % kind.hits.length;
    }
    const hit = kind.hits[kind.at];
    await this.goTo(hit.page);
    const p = this.pages[hit.page - 1];
    for (const old of this.box.querySelectorAll("mark.current")) old.classList.remove("current");
    const mark = p.el.querySelectorAll(`mark[data-hit="${key}"]`)[hit.nth];
    if (mark) {
      mark.classList.add("current");
      mark.scrollIntoView({ block: "center" });
    }
    this.status.textContent = `${kind.at + 1} of ${kind.hits.length}, page ${hit.page}`;
  }

  // The selection inside this reader's pages: its text (one space between words) and page.
  selection() {
    const sel = window.getSelection();
    if (!sel || sel.isCollapsed || !sel.rangeCount) return null;
    const node = sel.anchorNode?.nodeType === Node.TEXT_NODE ? sel.anchorNode.parentElement : sel.anchorNode;
    const page = node?.closest?.(".pdf-page");
    if (!page || !this.box.contains(page)) return null;
    const text = sel.toString().replace(/\s+/g, " ").trim();
    if (!text) return null;
    const range = sel.getRangeAt(0);
    return {
      text,
      page: Number(page.dataset.page),
      rect: range.getBoundingClientRect(),
      ...offsetsIn(page.querySelector(".textLayer"), range, text),
    };
  }

  openMenu(focus) {
    const picked = this.selection();
    const targets = picked ? quoteTargets() : [];
    if (!targets.length) return this.closeMenu();
    if (!this.menu) {
      this.menu = document.createElement("div");
      this.menu.className = "quote-menu";
      this.menu.setAttribute("role", "menu");
      this.menu.dataset.testid = "quote-menu";
      this.menu.addEventListener("keydown", (event) => {
        if (event.key === "Escape") this.closeMenu();
      });
      this.root.append(this.menu);
    }
    const title = document.createElement("div");
    title.className = "small text-muted px-2";
    title.textContent = `Quote into… (p. ${picked.page})`;
    const buttons = targets.map((target) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "dropdown-item small";
      button.setAttribute("role", "menuitem");
      button.textContent = target.label;
      button.addEventListener("click", () => this.quoteInto(target, picked));
      return button;
    });
    this.menu.replaceChildren(title, ...buttons);
    const root = this.root.getBoundingClientRect();
    this.menu.style.left = `${Math.max(0, picked.rect.left - root.left)}px`;
    this.menu.style.top = `${picked.rect.bottom - root.top + 4}px`;
    this.menu.hidden = false;
    if (focus) buttons[0].focus();
  }

  closeMenu() {
    if (this.menu) this.menu.hidden = true;
  }

  quoteInto(target, picked) {
    target.fill(picked);
    this.closeMenu();
    this.status.textContent = `Quoted into ${target.label} (p. ${picked.page})`;
  }

  destroy() {
    this.observer?.disconnect();
    this.doc?.destroy();
  }
}

async function start() {
  for (const reader of active) {
    if (!document.contains(reader.root)) {
      reader.destroy();
      active.delete(reader);
    }
  }
  const roots = document.querySelectorAll("[data-reader]:not([data-reader-started])");
  if (!roots.length) return;
  if (!library) {
    library = await import(roots[0].dataset.lib);
    performance.mark("reader-library");  // bench/reader.py reads these marks
    library.GlobalWorkerOptions.workerSrc = roots[0].dataset.worker;
  }
  for (const root of roots) {
    root.dataset.readerStarted = "";
    root.querySelector("[data-reader-tools]").hidden = false;
    const reader = new Reader(root, library);
    active.add(reader);
    reader.open().catch((error) => {
      root.querySelector("[data-reader-status]").textContent =
        `The PDF cannot be shown here (${error.message}): download it instead.`;
    });
  }
}

start();
// A link to #page=N on the page (a checked quote's "show p. N") scrolls the first reader there.
window.addEventListener("hashchange", () => {
  const wanted = /(?:^|&)page=(\d+)/.exec(window.location.hash.slice(1));
  const reader = [...active][0];
  if (wanted && reader?.pages.length) reader.goTo(Number(wanted[1]));
});
// q opens "Quote into…" on the current selection in a reader (keyboard first, as the mouse).
document.addEventListener("keydown", (event) => {
  if (event.key !== "q" || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName)) return;
  for (const reader of active) {
    if (reader.selection()) {
      event.preventDefault();
      reader.openMenu(true);
      return;
    }
  }
});
// The full-text screening card is swapped by htmx: its new full texts get their readers.
document.addEventListener("htmx:afterSettle", start);
