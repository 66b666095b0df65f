// Quotes in the reader (static/js/reader.js): where a selection can be quoted into on this
// page, and the quotes already saved there, marked in the text layer.

// Saved quotes shown in the reader: the chart form's quotes (with the page their location
// names) and the study's coded quotes (data-quote-page on the list). Each mark of one leads back
// to its field or code; `marks` keeps which.
export const marks = new WeakMap();

function normalised(text) {
  return text
    .normalize("NFKC")
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\s+/g, " ")
    .trim()
    .toLowerCase();
}

export function savedQuotes() {
  const quotes = [];
  for (const box of document.querySelectorAll('#chart-form [name$="__quote"]')) {
    if (!box.value.trim()) continue;
    const key = box.name.slice(0, -"__quote".length);
    const where = document.querySelector(`#chart-form [name="${CSS.escape(`${key}__location`)}"]`);
    const page = /\d+/.exec(where?.value || "");
    const label = document.querySelector(`label[for="id_${CSS.escape(key)}"]`)?.textContent || key;
    quotes.push({ text: normalised(box.value), page: page ? Number(page[0]) : 0, el: box, label });
  }
  for (const item of document.querySelectorAll("[data-quote-page]")) {
    const text = item.querySelector("blockquote")?.textContent || "";
    if (!text.trim()) continue;
    const label = `code ${item.dataset.code || ""}`.trim();
    quotes.push({ text: normalised(text), page: Number(item.dataset.quotePage) || 0, el: item, label });
  }
  return quotes;
}

// Marks for the saved quotes in one text span: the whole span when it lies inside a quote (a
// quote over several lines marks each), or the quote where it lies inside the span.
export function savedIn(text, quotes) {
  const found = [];
  const span = normalised(text).replace(/-$/, "");
  if (span.length < 4) return found;
  for (const quote of quotes) {
    if (quote.text.includes(span)) {
      found.push({ start: 0, end: text.length, key: "saved", css: "saved-quote", quote });
      break;
    }
    const at = text.toLowerCase().indexOf(quote.text);
    if (at >= 0) {
      found.push({ start: at, end: at + quote.text.length, key: "saved", css: "saved-quote", quote });
      break;
    }
  }
  return found;
}

// Where a selection lies in the page's text layer: {start, end} in the layer's text (pdf.js's
// own, not the server's extracted text; the server finds the quote in its text and keeps those
// offsets, this start only tells it which of several places was meant).
export function offsetsIn(layer, range, text) {
  if (!layer || !layer.contains(range.startContainer)) return { start: 0, end: text.length };
  const before = document.createRange();
  before.setStart(layer, 0);
  before.setEnd(range.startContainer, range.startOffset);
  const start = before.toString().length;
  return { start, end: start + range.toString().length };
}

// The hidden offsets that go with a quote box: `<key>__char_start/_end` beside a chart field's
// `<key>__quote`, `<prefix>-char_start/_end` beside a code form's `<prefix>-quote`.
function offsetBoxes(quoteBox) {
  const scope = quoteBox.form || document;
  const stem = quoteBox.name.slice(0, -"quote".length); // "<key>__" or "<prefix>-"
  const get = (suffix) => scope.querySelector(`[name="${CSS.escape(stem + suffix)}"]`);
  return [get("char_start"), get("char_end")].filter(Boolean);
}

// A quote edited by hand is no longer the selection: its offsets go (the next save stores none).
document.addEventListener("input", (event) => {
  const box = event.target;
  if (!event.isTrusted || !box.name || !/(?:__|-)quote$/.test(box.name)) return;
  for (const hidden of offsetBoxes(box)) hidden.value = "";
});

function setOffsets(quoteBox, picked) {
  const [start, end] = offsetBoxes(quoteBox);
  if (start) start.value = String(picked.start ?? "");
  if (end) end.value = String(picked.end ?? "");
}

// Where a selection can go on this page: the chart form's quote fields (those shown), and
// the codes of the "Code a quote" form. Each fills its boxes as if typed; the page's own
// save (the chart's autosave, the code form's submit) sends them.
export function quoteTargets() {
  const type = (el, value) => {
    if (!el) return;
    el.value = value;
    el.dispatchEvent(new Event("input", { bubbles: true }));
    el.dispatchEvent(new Event("change", { bubbles: true }));
  };
  const boxes = document.querySelectorAll('#chart-form [name$="__quote"]');
  const fields = [...boxes]
    .filter((el) => !el.disabled && !el.readOnly && !el.closest(".d-none"))
    .map((el) => {
      const key = el.name.slice(0, -"__quote".length);
      const label = document.querySelector(`label[for="id_${CSS.escape(key)}"]`);
      const location = document.querySelector(`#chart-form [name="${CSS.escape(`${key}__location`)}"]`);
      return {
        label: (label?.textContent || key).replace(/\*\s*$/, "").trim(),
        fill: (picked) => {
          setOffsets(el, picked); // before the quote: its input event may send the save
          type(location, `p. ${picked.page}`);
          type(el, picked.text);
        },
      };
    });
  const form = document.querySelector('[data-testid="code-quote-form"]');
  const select = form?.querySelector('select[name="quote-code"]');
  const codes = [...(select?.options || [])]
    .filter((option) => option.value)
    .map((option) => ({
      label: `Code ${option.textContent.trim()}`,
      fill: (picked) => {
        type(select, option.value);
        const quoteBox = form.querySelector('[name="quote-quote"]');
        setOffsets(quoteBox, picked);
        type(quoteBox, picked.text);
        type(form.querySelector('[name="quote-page_number"]'), String(picked.page));
        form.requestSubmit();
      },
    }));
  return [...fields, ...codes];
}
